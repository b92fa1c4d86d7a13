"""The points ledger and what is derived from it in the same transaction."""

from peewee import SQL, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from .accounts import Station, User
from .base import BaseModel, JSONField, utcnow


class EntryKind:
    CHECKIN = "checkin"
    TASK = "task"
    BONUS = "bonus"
    REDEMPTION = "redemption"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"
    REVERSAL = "reversal"
    EXPIRY = "expiry"
    INCIDENT = "incident"  # a useful incident report, confirmed by an officer
    ALL = (CHECKIN, TASK, BONUS, REDEMPTION, REFUND, ADJUSTMENT, REVERSAL, EXPIRY, INCIDENT)


class LedgerEntry(BaseModel):
    """One booking of points. Append-only: never updated, never deleted.

    A mistake is undone by a new entry that ``reverses`` this one (at most
    one can). ``earned`` is the part of ``amount`` that counts as earned
    (leaderboards, the daily cap); spending and refunds earn nothing.
    """

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    volunteer = ForeignKeyField(User, backref="ledger_entries", on_delete="RESTRICT")
    amount = IntegerField()
    kind = CharField(max_length=20, choices=[(kind, kind) for kind in EntryKind.ALL])
    reason = CharField(max_length=200)
    breakdown = JSONField(default=list)
    caused_by = ForeignKeyField(User, null=True, backref="caused_entries", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    local_date = DateField()  # the station-local day the entry counts for
    earned = IntegerField(default=0)
    idempotency_key = CharField(max_length=120, unique=True)
    reverses = ForeignKeyField("self", null=True, unique=True, backref="reversals", on_delete="RESTRICT")

    class Meta:
        indexes = (
            (("volunteer", "id"), False),
            (("volunteer", "local_date"), False),
            (("station", "local_date"), False),
        )


class EarnedByMonth(BaseModel):
    """Points a volunteer earned in one station-local month, for leaderboards."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    volunteer = ForeignKeyField(User, on_delete="RESTRICT")
    month = CharField(max_length=7)  # "2026-11"
    earned = IntegerField(default=0)

    class Meta:
        indexes = (
            (("volunteer", "month"), True),
            (("station", "month", "earned"), False),
        )


class CheckIn(BaseModel):
    """A volunteer's daily check-in (签到): at most one per station-local day."""

    station = ForeignKeyField(Station, on_delete="RESTRICT")
    volunteer = ForeignKeyField(User, on_delete="RESTRICT")
    local_date = DateField()
    entry = ForeignKeyField(LedgerEntry, unique=True, on_delete="RESTRICT")
    # consecutive days up to this one: yesterday's streak + 1 (read in one row)
    streak = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("volunteer", "local_date"), True),)
