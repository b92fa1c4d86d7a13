"""night_patrol's migrations, applied after core's (see core/schema.py)."""
