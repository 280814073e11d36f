check --error-limit=2 @
