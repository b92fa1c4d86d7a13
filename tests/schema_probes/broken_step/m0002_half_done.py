"""Adds a column, then finds data it cannot handle."""

from peewee import CharField


def upgrade(migration):
    migration.apply(migration.migrator.add_column("broken_step_lamp", "shade", CharField(max_length=20, default="")))
    migration.execute("UPDATE broken_step_lamp SET shade = 'red'")
    raise RuntimeError("lamp 7 has no colour this migration understands")
