"""A user's file → records with locations."""
