"""Core's peewee models. Every model a station owns has a ``station`` key.

Times are stored as naive UTC; pages convert them to the station's zone.
"""
from ..db import database
from .accounts import ApiToken, IdempotentRequest, Role, Station, User
from .base import BaseModel, JSONField, utcnow
from .groups import (
    GROUP_MODELS,
    DistrictAdmin,
    Group,
    GroupKind,
    GroupMember,
    Instruction,
    InstructionRecipient,
    Liaison,
    LiaisonMeeting,
    Mobilisation,
    MobilisationAnswer,
    Priority,
)
from .incidents import (
    INCIDENT_MODELS,
    Incident,
    IncidentEvent,
    IncidentEventKind,
    IncidentSource,
    IncidentState,
    Open311Key,
)
from .points import CheckIn, EarnedByMonth, EntryKind, LedgerEntry
from .rewards import LimitPeriod, Redemption, RedemptionState, Reward
from .tasks import (
    TASK_MODELS,
    CalendarFeed,
    Certificate,
    Notification,
    QualificationGrant,
    Review,
    Signup,
    Submission,
    SubmissionPhoto,
    SubmissionState,
    Task,
    TaskSeries,
)

CORE_MODELS = [
    Station,
    User,
    ApiToken,
    IdempotentRequest,
    LedgerEntry,
    EarnedByMonth,
    CheckIn,
    Reward,
    Redemption,
    *TASK_MODELS,
    *GROUP_MODELS,
    *INCIDENT_MODELS,
]


class SchemaOutOfDate(Exception):
    """Tables exist but lack columns this code needs."""


def check_schema(plugin_models=()):
    """Refuse a database whose existing tables lack columns the models have.

    ``init-db`` only creates missing tables; a table made by an older version
    is not changed, and this says so plainly instead of failing mid-request.
    """
    existing = set(database.get_tables())
    problems = []
    for model in [*CORE_MODELS, *plugin_models]:
        table = model._meta.table_name
        if table not in existing:
            continue
        have = {column.name for column in database.get_columns(table)}
        missing = sorted(field.column_name for field in model._meta.sorted_fields if field.column_name not in have)
        if missing:
            problems.append(f"table {table!r} lacks {', '.join(missing)}")
    if problems:
        raise SchemaOutOfDate(
            "the database was made by an older version of Red Armband: "
            + "; ".join(problems)
            + ". Migrate it (see README, Upgrading) or start from a new database."
        )


def create_tables(plugin_models=()):
    """Create every missing table; running it again changes nothing."""
    check_schema(plugin_models)
    database.create_tables([*CORE_MODELS, *plugin_models], safe=True)


__all__ = [
    "ApiToken",
    "BaseModel",
    "CORE_MODELS",
    "CalendarFeed",
    "Certificate",
    "CheckIn",
    "DistrictAdmin",
    "EarnedByMonth",
    "EntryKind",
    "Group",
    "Incident",
    "IncidentEvent",
    "IncidentEventKind",
    "IncidentSource",
    "IncidentState",
    "GroupKind",
    "GroupMember",
    "IdempotentRequest",
    "Instruction",
    "InstructionRecipient",
    "JSONField",
    "LedgerEntry",
    "Liaison",
    "LiaisonMeeting",
    "LimitPeriod",
    "Mobilisation",
    "MobilisationAnswer",
    "Notification",
    "Open311Key",
    "Priority",
    "QualificationGrant",
    "Redemption",
    "RedemptionState",
    "Review",
    "Reward",
    "Role",
    "SchemaOutOfDate",
    "Signup",
    "Station",
    "Submission",
    "SubmissionPhoto",
    "SubmissionState",
    "Task",
    "TaskSeries",
    "User",
    "check_schema",
    "create_tables",
    "utcnow",
]
