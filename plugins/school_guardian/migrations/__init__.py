"""school_guardian's migrations, applied after core's (see core/schema.py)."""
