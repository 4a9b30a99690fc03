"""Command groups of the `wenzheng` command line."""
