"""Work groups (工作群), instructions down the tree, mobilisation, liaison.

The tree is city → district → station → teams. The first three levels
follow the station configs (made at start-up); teams are made by station
admins. Who an instruction or a mobilisation reaches is written down when it
is posted (one row per person), so "who has not acknowledged / answered" and
the tally are plain queries, exact under many simultaneous answers.
"""

from peewee import SQL, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, TextField

from .accounts import Station, User
from .base import BaseModel, JSONField, utcnow


class GroupKind:
    CITY = "city"
    DISTRICT = "district"
    STATION = "station"
    TEAM = "team"
    ALL = (CITY, DISTRICT, STATION, TEAM)


class Group(BaseModel):
    # "city", "district:<name>", "station:<slug>", "team:<station id>:<name>":
    # the unique key that makes start-up and team creation safe under races
    key = CharField(max_length=200, unique=True)
    kind = CharField(max_length=10)
    name = CharField(max_length=100)
    district = CharField(max_length=100, null=True)
    station = ForeignKeyField(Station, null=True, on_delete="RESTRICT")
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)


class GroupMember(BaseModel):
    """A person in a team (stations, districts and the city hold everyone in them)."""

    group = ForeignKeyField(Group, backref="members", on_delete="RESTRICT")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    added_at = DateTimeField(default=utcnow)

    class Meta:
        # (the foreign key to user is indexed by itself: groupmember_user_id)
        indexes = ((("group", "user"), True),)


class DistrictAdmin(BaseModel):
    """A district admin's district (their account belongs to no station)."""

    user = ForeignKeyField(User, unique=True, on_delete="RESTRICT")
    district = CharField(max_length=100)


class Priority:
    NORMAL = "normal"
    URGENT = "urgent"
    ALL = (NORMAL, URGENT)


class Instruction(BaseModel):
    group = ForeignKeyField(Group, on_delete="RESTRICT")
    author = ForeignKeyField(User, on_delete="RESTRICT")
    text = TextField()
    place = CharField(max_length=200, default="")
    priority = CharField(max_length=10, default=Priority.NORMAL)
    deadline = DateTimeField(null=True)
    photos = JSONField(default=list)  # paths below the instance folder's uploads/
    created_at = DateTimeField(default=utcnow)


class InstructionRecipient(BaseModel):
    """One person an instruction reached, and whether they acknowledged it."""

    instruction = ForeignKeyField(Instruction, backref="recipients", on_delete="RESTRICT")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    station = ForeignKeyField(Station, on_delete="RESTRICT")
    acknowledged_at = DateTimeField(null=True)
    reminded_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("instruction", "user"), True),
            (("user", "acknowledged_at"), False),
            (("user", "instruction"), False),
        )


class Mobilisation(BaseModel):
    group = ForeignKeyField(Group, on_delete="RESTRICT")
    started_by = ForeignKeyField(User, on_delete="RESTRICT")
    text = TextField()
    deadline = DateTimeField()
    started_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True)  # by hand, or the deadline (see core.groups.mobilisation)
    result = JSONField(null=True)  # the tally as it stood at the end, kept


class MobilisationAnswer(BaseModel):
    """One person called up; ``answered_at`` is empty until they answer."""

    mobilisation = ForeignKeyField(Mobilisation, backref="answers", on_delete="RESTRICT")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    station = ForeignKeyField(Station, on_delete="RESTRICT")
    available = BooleanField(null=True)
    # rows are made by INSERT … SELECT, where only the database's default applies
    location = CharField(max_length=200, default="", constraints=[SQL("DEFAULT ''")])
    answered_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("mobilisation", "user"), True), (("mobilisation", "station", "available"), False))


class Liaison(BaseModel):
    """An officer is the liaison (联络民警) of a volunteer: at most one each."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    officer = ForeignKeyField(User, backref="liaisons", on_delete="RESTRICT")
    volunteer = ForeignKeyField(User, unique=True, on_delete="RESTRICT")
    assigned_at = DateTimeField(default=utcnow)


class LiaisonMeeting(BaseModel):
    station = ForeignKeyField(Station, on_delete="RESTRICT")
    officer = ForeignKeyField(User, on_delete="RESTRICT")
    held_on = DateField()
    attendees = JSONField(default=list)  # volunteer ids
    notes = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("officer", "held_on"), False),)


GROUP_MODELS = [
    Group,
    GroupMember,
    DistrictAdmin,
    Instruction,
    InstructionRecipient,
    Mobilisation,
    MobilisationAnswer,
    Liaison,
    LiaisonMeeting,
]
