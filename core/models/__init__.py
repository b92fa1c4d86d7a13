"""Core's peewee models. Every model a station owns has a ``station`` key.

Times are stored as naive UTC; pages convert them to the station's zone.
"""

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
    "Signup",
    "Station",
    "Submission",
    "SubmissionPhoto",
    "SubmissionState",
    "Task",
    "TaskSeries",
    "User",
    "utcnow",
]
