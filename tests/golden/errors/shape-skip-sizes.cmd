check -Wno-all @
