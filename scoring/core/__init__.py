"""Records and the pure engine."""
