"""Core's peewee models. Every model a station owns has a ``station`` key.

Times are stored as naive UTC; pages convert them to the station's zone.
"""
from ..db import database
from .accounts import ApiToken, IdempotentRequest, Role, Station, User
from .base import BaseModel, JSONField, utcnow
from .points import CheckIn, EarnedByMonth, EntryKind, LedgerEntry
from .rewards import LimitPeriod, Redemption, RedemptionState, Reward

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
]


def create_tables(plugin_models=()):
    """Create every missing table; running it again changes nothing."""
    database.create_tables([*CORE_MODELS, *plugin_models], safe=True)


__all__ = [
    "ApiToken",
    "BaseModel",
    "CheckIn",
    "CORE_MODELS",
    "EarnedByMonth",
    "EntryKind",
    "IdempotentRequest",
    "JSONField",
    "LedgerEntry",
    "LimitPeriod",
    "Redemption",
    "RedemptionState",
    "Reward",
    "Role",
    "Station",
    "User",
    "create_tables",
    "utcnow",
]
