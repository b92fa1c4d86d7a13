"""The probe plugin's lanterns."""

from peewee import CharField, ForeignKeyField, Model

from core import Station


def upgrade(migration):
    # The model as it was when this migration was written, frozen here: the
    # plugin's own Lantern may change later, and a later migration says how.
    class Lantern(Model):
        station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
        colour = CharField(max_length=20)

        class Meta:
            database = migration.database
            table_name = "probe_lantern"

    migration.database.create_tables([Lantern])
