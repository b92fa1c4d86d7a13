"""Checking the books: every kept balance, earned total and month figure
against the sum of the entries (``redarmband points verify``)."""

from dataclasses import dataclass

from peewee import fn

from ..db import database, is_sqlite
from ..models import EarnedByMonth, LedgerEntry, User
from .booking import month_of


@dataclass(frozen=True)
class Discrepancy:
    volunteer_id: int
    phone: str
    field: str
    kept: int
    from_entries: int


def verify_balances():
    """Every volunteer whose kept balance or earned total differs from the
    sum of their entries (and every month figure that does).

    All is read from one snapshot, so bookings made meanwhile on a live
    system cause no false alarms.
    """
    snapshot = database.atomic() if is_sqlite() else database.atomic("REPEATABLE READ")
    with snapshot:
        return _differences()


def _differences():
    sums = {
        row.volunteer_id: (int(row.total), int(row.earned_total))
        for row in LedgerEntry.select(
            LedgerEntry.volunteer,
            fn.SUM(LedgerEntry.amount).alias("total"),
            fn.SUM(LedgerEntry.earned).alias("earned_total"),
        ).group_by(LedgerEntry.volunteer)
    }
    problems = []
    for user in User.select(User.id, User.phone, User.points_balance, User.points_earned).iterator():
        balance, earned = sums.get(user.id, (0, 0))
        if user.points_balance != balance:
            problems.append(Discrepancy(user.id, user.phone, "balance", user.points_balance, balance))
        if user.points_earned != earned:
            problems.append(Discrepancy(user.id, user.phone, "earned", user.points_earned, earned))
    problems.extend(_month_discrepancies())
    return problems


def _month_discrepancies():
    kept = {(row.volunteer_id, row.month): row.earned for row in EarnedByMonth.select()}
    computed = {}
    for entry in (
        LedgerEntry.select(LedgerEntry.volunteer, LedgerEntry.local_date, LedgerEntry.earned)
        .where(LedgerEntry.earned != 0)
        .iterator()
    ):
        key = (entry.volunteer_id, month_of(entry.local_date))
        computed[key] = computed.get(key, 0) + entry.earned
    return [
        Discrepancy(volunteer_id, "", f"earned in {month}", kept.get((volunteer_id, month), 0), total)
        for volunteer_id, month in sorted(set(kept) | set(computed))
        if kept.get((volunteer_id, month), 0) != (total := computed.get((volunteer_id, month), 0))
    ]
