"""Qt widgets and dialogs. Never calls HTTP directly."""
