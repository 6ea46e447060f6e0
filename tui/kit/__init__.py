"""What the screens are built from: the host they run in, where they can go, and the base
screens (lists, forms, tables) they share. Nothing here knows a concrete screen."""
