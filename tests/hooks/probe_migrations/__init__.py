"""The probe plugin's migrations (tests/hooks/test_startup_hooks.py)."""
