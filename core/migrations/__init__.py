"""Core's migrations, applied in the order of their numbers (see core/schema.py)."""
