"""Results → files and text."""
