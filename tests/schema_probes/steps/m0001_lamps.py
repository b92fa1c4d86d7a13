"""Lamps of each station, and their bulbs."""

from peewee import CharField, ForeignKeyField, Model

from core import Station


def upgrade(migration):
    class StepsLamp(Model):  # the model's own class name: peewee names indexes after it
        station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
        colour = CharField(max_length=20)

        class Meta:
            database = migration.database
            table_name = "steps_lamp"

    class StepsBulb(Model):
        lamp = ForeignKeyField(StepsLamp, backref="+", on_delete="CASCADE")

        class Meta:
            database = migration.database
            table_name = "steps_bulb"

    migration.database.create_tables([StepsLamp, StepsBulb])
