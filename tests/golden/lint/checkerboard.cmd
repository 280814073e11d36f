check -Wno-rf-coverage @
