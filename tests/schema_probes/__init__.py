"""Throw-away plugins with migrations, for tests/test_migrations.py.

``steps`` has two migrations: two tables (lamps, and bulbs that belong to a
lamp), then a NOT NULL column of lamps, which SQLite adds by rebuilding the
table: its bulbs must survive that. ``broken_step`` has
two: a table, then a step that adds a column and fails, which must leave no
trace.
"""

from peewee import BooleanField, CharField, ForeignKeyField

from core import BaseModel, Station, hookimpl


class StepsLamp(BaseModel):
    station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
    colour = CharField(max_length=20)
    lit = BooleanField(default=False)

    class Meta:
        table_name = "steps_lamp"


class StepsBulb(BaseModel):
    lamp = ForeignKeyField(StepsLamp, backref="+", on_delete="CASCADE")

    class Meta:
        table_name = "steps_bulb"


class BrokenStepLamp(BaseModel):
    station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
    colour = CharField(max_length=20)

    class Meta:
        table_name = "broken_step_lamp"


class StepsPlugin:
    @hookimpl
    def register_models(self):
        return [StepsLamp, StepsBulb]

    @hookimpl
    def register_migrations(self):
        return "tests.schema_probes.steps"


class BrokenStepPlugin:
    @hookimpl
    def register_models(self):
        return [BrokenStepLamp]

    @hookimpl
    def register_migrations(self):
        return "tests.schema_probes.broken_step"
