"""Locations keep full precision on PostgreSQL: latitude and longitude become double precision.

0.1.0 declared them as peewee's FloatField, which PostgreSQL stores as
``real`` (about seven significant digits: a metre or so in Kunming). SQLite's
REAL is already an 8-byte float there, so it has nothing to change. Values
stored before keep the precision they were stored with.
"""

from peewee import DoubleField

LOCATED_TABLES = ("submission", "incident")


def upgrade(migration):
    if migration.dialect != "postgresql":
        return
    for table in LOCATED_TABLES:
        for column in ("latitude", "longitude"):
            migration.apply(migration.migrator.alter_column_type(table, column, DoubleField(null=True)))
