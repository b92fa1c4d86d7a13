"""Lamps can be lit."""

from peewee import BooleanField


def upgrade(migration):
    migration.apply(migration.migrator.add_column("steps_lamp", "lit", BooleanField(default=False)))
