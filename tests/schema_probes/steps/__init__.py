"""The steps probe's migrations."""
