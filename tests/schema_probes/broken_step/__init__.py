"""The broken_step probe's migrations: the second fails half-way."""
