"""The rewards catalogue and redemptions (兑换)."""

from peewee import BooleanField, CharField, Check, DateTimeField, ForeignKeyField, IntegerField, TextField

from .accounts import Station, User
from .base import BaseModel, utcnow
from .points import LedgerEntry


class LimitPeriod:
    MONTH = "month"
    EVER = "ever"
    ALL = (MONTH, EVER)


class Reward(BaseModel):
    """Something a station's volunteers can redeem points for, and where."""

    station = ForeignKeyField(Station, backref="rewards", on_delete="RESTRICT")
    name = CharField(max_length=100)
    description = TextField(default="")
    photo = CharField(max_length=300, null=True)  # path below the uploads folder
    cost = IntegerField(constraints=[Check("cost > 0")])
    stock = IntegerField(constraints=[Check("stock >= 0")])
    limit_count = IntegerField(null=True)  # per volunteer, in each limit_period
    limit_period = CharField(max_length=10, null=True, choices=[(p, p) for p in LimitPeriod.ALL])
    visible_from = DateTimeField(null=True)
    visible_until = DateTimeField(null=True)
    place_name = CharField(max_length=100)
    place_address = CharField(max_length=200)
    place_hours = CharField(max_length=100)
    active = BooleanField(default=True)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)


class RedemptionState:
    RESERVED = "reserved"
    COLLECTED = "collected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ALL = (RESERVED, COLLECTED, CANCELLED, EXPIRED)
    # States that still count against a volunteer's limit for a reward.
    HELD = (RESERVED, COLLECTED)


class Redemption(BaseModel):
    """Points spent on a reward, to be collected with ``code`` at its place."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    reward = ForeignKeyField(Reward, backref="redemptions", on_delete="RESTRICT")
    volunteer = ForeignKeyField(User, backref="redemptions", on_delete="RESTRICT")
    code = CharField(max_length=12, unique=True)
    state = CharField(max_length=10, choices=[(s, s) for s in RedemptionState.ALL], default=RedemptionState.RESERVED)
    cost = IntegerField()
    local_month = CharField(max_length=7)  # station-local month, for per-month limits
    debit_entry = ForeignKeyField(LedgerEntry, unique=True, on_delete="RESTRICT")
    refund_entry = ForeignKeyField(LedgerEntry, null=True, unique=True, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    collected_at = DateTimeField(null=True)
    collected_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    closed_at = DateTimeField(null=True)  # cancelled or expired

    class Meta:
        indexes = (
            (("volunteer", "reward", "local_month"), False),
            (("station", "state", "expires_at"), False),
        )
