"""Models of the arms app."""
