"""Live incident reports (警情与求助), their timeline, and Open311 keys.

An incident belongs to one station. Its state changes by guarded UPDATEs
(``WHERE state = <what the officer saw>``), and every change, comment and
assignment is a row of :class:`IncidentEvent`: the timeline is the history.
"""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    DoubleField,
    ForeignKeyField,
    TextField,
)

from .accounts import Station, User
from .base import BaseModel, JSONField, utcnow
from .groups import Instruction
from .points import LedgerEntry


class IncidentState:
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    DUPLICATE = "duplicate"  # closed: the same as another report
    NOT_ACTIONABLE = "not_actionable"  # closed: nothing to be done
    ALL = (OPEN, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, DUPLICATE, NOT_ACTIONABLE)
    LIVE = (OPEN, ACKNOWLEDGED, IN_PROGRESS)  # still being dealt with
    CLOSED = (RESOLVED, DUPLICATE, NOT_ACTIONABLE)


class IncidentSource:
    VOLUNTEER = "volunteer"  # reported on the station's pages by a member
    OPEN311 = "open311"  # posted by another system with the station's key


class Incident(BaseModel):
    station = ForeignKeyField(Station, on_delete="RESTRICT")
    category = CharField(max_length=60)
    description = TextField()
    fields = JSONField(default=dict)  # the category's extra fields
    latitude = DoubleField(null=True)  # double precision on PostgreSQL too (REAL kept ~1 m)
    longitude = DoubleField(null=True)
    address = CharField(max_length=200, default="")
    photos = JSONField(default=list)  # paths below the instance folder's uploads/
    source = CharField(max_length=10, default=IncidentSource.VOLUNTEER)
    reporter = ForeignKeyField(User, null=True, backref="incidents", on_delete="RESTRICT")
    hide_name = BooleanField(default=False)  # from other volunteers; staff always see it
    # an Open311 client's contact details: kept for officers, never published
    contact = JSONField(default=dict)
    state = CharField(max_length=20, default=IncidentState.OPEN)
    urgent = BooleanField(default=False)
    assignee = ForeignKeyField(User, null=True, backref="assigned_incidents", on_delete="RESTRICT")
    duplicate_of = ForeignKeyField("self", null=True, backref="duplicates", on_delete="RESTRICT")
    alert = ForeignKeyField(Instruction, null=True, on_delete="RESTRICT")  # the urgent instruction it sent
    useful = BooleanField(default=False)  # confirmed by an officer once resolved
    entry = ForeignKeyField(LedgerEntry, null=True, unique=True, on_delete="RESTRICT")  # the reporter's points
    token = CharField(max_length=40, unique=True)  # Open311's token for the request
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("station", "id"), False),
            (("station", "state", "id"), False),
            (("station", "category", "created_at"), False),
            (("station", "updated_at"), False),
        )


class IncidentEventKind:
    REPORTED = "reported"
    STATE = "state"
    COMMENT = "comment"
    ASSIGNED = "assigned"
    USEFUL = "useful"
    ALL = (REPORTED, STATE, COMMENT, ASSIGNED, USEFUL)


class IncidentEvent(BaseModel):
    """One line of an incident's timeline: who did what, when, and why."""

    incident = ForeignKeyField(Incident, backref="events", on_delete="RESTRICT")
    station = ForeignKeyField(Station, on_delete="RESTRICT")
    kind = CharField(max_length=10)
    actor = ForeignKeyField(User, null=True, on_delete="RESTRICT")  # None: an Open311 client
    from_state = CharField(max_length=20, null=True)
    to_state = CharField(max_length=20, null=True)
    assignee = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="incident_assignments")
    note = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("incident", "id"), False), (("station", "id"), False))


class Open311Key(BaseModel):
    """An API key another system posts Open311 requests with, for one
    station. Only its SHA-256 is kept; the key is shown once, when made."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    digest = CharField(max_length=64, unique=True)
    prefix = CharField(max_length=12)  # the first characters, to tell keys apart
    label = CharField(max_length=100, default="")
    issued_by = ForeignKeyField(User, on_delete="RESTRICT")  # the station admin answerable for it
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)


INCIDENT_MODELS = [Incident, IncidentEvent, Open311Key]
