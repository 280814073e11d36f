check -Wbogus-id @
