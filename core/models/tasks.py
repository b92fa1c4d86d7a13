"""Tasks, sign-ups, submissions and their review, service hours.

A task type is not a row: types come from plugins (``register_task_types``)
and rows name them by key. Times are naive UTC like every stored time.
"""

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .accounts import Station, User
from .base import BaseModel, JSONField, utcnow
from .points import LedgerEntry


class QualificationGrant(BaseModel):
    """A qualification (a training passed, e.g. 一棍一盾) an officer recorded."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    volunteer = ForeignKeyField(User, backref="qualifications", on_delete="RESTRICT")
    key = CharField(max_length=60)
    granted_by = ForeignKeyField(User, on_delete="RESTRICT", backref="qualifications_granted")
    granted_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("volunteer", "key"), True),)


class TaskSeries(BaseModel):
    """A weekly pattern from which tasks were posted (e.g. 护学岗 Mon–Fri 07:30)."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    weekdays = CharField(max_length=7)  # ISO weekdays, "12345" = Monday to Friday
    start_time = CharField(max_length=5)  # "07:30", station-local
    end_time = CharField(max_length=5)  # earlier than start_time: ends the next day
    first_date = DateField()
    last_date = DateField()
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)


class Task(BaseModel):
    """Work an officer posted, for ``capacity`` volunteers."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    type_key = CharField(max_length=60)
    title = CharField(max_length=100)
    place = CharField(max_length=200)
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    capacity = IntegerField()
    # Sign-ups so far, moved by one guarded UPDATE per sign-up or withdrawal:
    # ``taken < capacity`` is what hands out the last place exactly once.
    taken = IntegerField(default=0)
    notes = TextField(default="")
    series = ForeignKeyField(TaskSeries, null=True, backref="tasks", on_delete="RESTRICT")
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("station", "starts_at"), False),)


class Signup(BaseModel):
    station = ForeignKeyField(Station, on_delete="RESTRICT")
    task = ForeignKeyField(Task, backref="signups", on_delete="RESTRICT")
    volunteer = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("task", "volunteer"), True), (("volunteer", "task"), False))


class SubmissionState:
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"  # sent back for changes; the volunteer resubmits
    ALL = (PENDING, APPROVED, REJECTED, RETURNED)
    DECIDED = (APPROVED, REJECTED)


class Submission(BaseModel):
    """Work a volunteer shows: text, photos, the type's extra fields."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    volunteer = ForeignKeyField(User, backref="submissions", on_delete="RESTRICT")
    type_key = CharField(max_length=60)
    task = ForeignKeyField(Task, null=True, backref="submissions", on_delete="RESTRICT")
    text = TextField()
    fields = JSONField(default=dict)
    latitude = DoubleField(null=True)  # double precision on PostgreSQL too (REAL kept ~1 m)
    longitude = DoubleField(null=True)
    # self-started work: when the volunteer says it happened (for the hours)
    started_at = DateTimeField(null=True)
    ended_at = DateTimeField(null=True)
    state = CharField(max_length=10, default=SubmissionState.PENDING, index=True)
    submitted_at = DateTimeField(default=utcnow)
    # counts resubmissions after a send-back; a review names the one it saw
    revision = IntegerField(default=1)
    decided_at = DateTimeField(null=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="decided_submissions")
    reason = TextField(default="")
    # confirmed on approval: service minutes and the points entry
    minutes = IntegerField(null=True)
    minutes_reason = TextField(default="")
    entry = ForeignKeyField(LedgerEntry, null=True, unique=True, on_delete="RESTRICT")

    class Meta:
        indexes = (
            (("task", "volunteer"), True),  # one submission per sign-up (NULL tasks do not clash)
            (("station", "state", "submitted_at"), False),
            (("volunteer", "state"), False),
        )


class SubmissionPhoto(BaseModel):
    submission = ForeignKeyField(Submission, backref="photos", on_delete="RESTRICT")
    position = IntegerField()
    path = CharField(max_length=200)  # below the instance folder's uploads/

    class Meta:
        indexes = ((("submission", "position"), True),)


class Review(BaseModel):
    """One decision on one revision of a submission: its history."""

    submission = ForeignKeyField(Submission, backref="reviews", on_delete="RESTRICT")
    revision = IntegerField()
    officer = ForeignKeyField(User, on_delete="RESTRICT")
    decision = CharField(max_length=10)  # approved / rejected / returned
    reason = TextField(default="")
    minutes = IntegerField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        # a revision is decided once: the second of two officers fails here
        indexes = ((("submission", "revision"), True),)


class Notification(BaseModel):
    """An in-app message to one user; ``kind`` and ``data`` say what to show."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    user = ForeignKeyField(User, backref="notifications", on_delete="RESTRICT")
    kind = CharField(max_length=40)
    data = JSONField(default=dict)
    submission = ForeignKeyField(Submission, null=True, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "read_at"), False),)


class CalendarFeed(BaseModel):
    """A volunteer's private calendar URL is derived from this generation;
    resetting it (a new generation) retires the old URL."""

    user = ForeignKeyField(User, unique=True, on_delete="RESTRICT")
    generation = IntegerField(default=1)


class Certificate(BaseModel):
    """A service certificate issued by an officer: its number and what it says."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    volunteer = ForeignKeyField(User, backref="certificates", on_delete="RESTRICT")
    number = CharField(max_length=40, unique=True)
    issued_by = ForeignKeyField(User, on_delete="RESTRICT", backref="certificates_issued")
    issued_at = DateTimeField(default=utcnow)
    minutes = IntegerField()
    star_level = IntegerField()
    content = JSONField(default=list)  # [{type_key, count, minutes}] at issue


TASK_MODELS = [
    QualificationGrant,
    TaskSeries,
    Task,
    Signup,
    Submission,
    SubmissionPhoto,
    Review,
    Notification,
    CalendarFeed,
    Certificate,
]
