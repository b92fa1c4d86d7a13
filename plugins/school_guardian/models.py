"""The plugin's own tables: which duty each posted task is, and who reported
at the gate (到岗) when."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField

from core import BaseModel, Station, Task, User, utcnow


class DutySlot(BaseModel):
    """A posted 护学岗 task is this school's gate in this window on this day."""

    station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
    task = ForeignKeyField(Task, backref="+", unique=True, on_delete="CASCADE")
    school = CharField(max_length=60)
    gate = CharField(max_length=30)
    window = CharField(max_length=10)  # morning / noon / afternoon
    day = DateField()  # the station-local school day

    class Meta:
        table_name = "school_guardian_duty_slot"
        # one task per slot: posting a range twice adds nothing
        indexes = ((("station", "school", "gate", "window", "day"), True),)


class Arrival(BaseModel):
    """A volunteer pressed 到岗 ("I'm here") for a duty they signed up for."""

    station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
    task = ForeignKeyField(Task, backref="+", on_delete="CASCADE")
    volunteer = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    arrived_at = DateTimeField(default=utcnow)  # naive UTC, like every stored time

    class Meta:
        table_name = "school_guardian_arrival"
        indexes = ((("task", "volunteer"), True),)


MODELS = [DutySlot, Arrival]
