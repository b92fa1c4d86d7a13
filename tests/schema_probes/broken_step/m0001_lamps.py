"""Lamps of each station."""

from peewee import CharField, ForeignKeyField, Model

from core import Station


def upgrade(migration):
    class BrokenStepLamp(Model):
        station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
        colour = CharField(max_length=20)

        class Meta:
            database = migration.database
            table_name = "broken_step_lamp"

    migration.database.create_tables([BrokenStepLamp])
