"""Daily check-in (签到): once per station-local day, scored by the rules.

The hot path of the whole system (every volunteer, every day), so it is
lean: the ledger's unique key ``checkin:<volunteer>:<day>`` is what refuses a
second check-in, and the streak is kept on each check-in row.
"""

from dataclasses import dataclass
from datetime import timedelta

from .db import Prepared, PreparedInsert
from .models import CheckIn, EntryKind, utcnow
from .points import Booking, DuplicateBooking, local_date_of
from .scoring import ScoringEvent, apply_daily_cap, score


class AlreadyCheckedIn(Exception):
    code = "already_checked_in"

    def __init__(self, local_date):
        super().__init__("already checked in today")
        self.local_date = local_date


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    entry: object
    balance: int
    streak: int


def check_in(station, volunteer, now=None):
    """Check ``volunteer`` in for today at ``station``.

    Raises :class:`AlreadyCheckedIn` (booking nothing) on a second check-in
    the same station-local day.
    """
    now = now or utcnow()
    today = local_date_of(station, now)
    try:
        with Booking(station) as booking:
            lines = score(station, ScoringEvent("checkin", station, volunteer, today))
            if station.config.points.daily_cap is not None:
                booking.lock(volunteer.id)  # the day's total must not move under the cap
                lines = apply_daily_cap(station, lines, booking.earned_on(volunteer.id, today))
            points = sum(line.points for line in lines)
            entry = booking.book(
                volunteer.id,
                points,
                EntryKind.CHECKIN,
                f"签到 {today.isoformat()}",
                key=f"checkin:{volunteer.id}:{today.isoformat()}",
                breakdown=lines,
                caused_by=volunteer.id,
                earned=points,
                local_date=today,
                created_at=now,
            )
            row = _YESTERDAYS_STREAK.execute(volunteer.id, today - timedelta(days=1)).fetchone()
            yesterday = row[0] if row else None
            checkin = _INSERT_CHECKIN.create(
                station=station.id,
                volunteer=volunteer.id,
                local_date=today,
                entry=entry,
                streak=(yesterday or 0) + 1,
                created_at=now,
            )
            balance = booking.balance(volunteer.id)
    except DuplicateBooking as duplicate:
        raise AlreadyCheckedIn(today) from duplicate
    station.hooks.fire("on_checkin", station=station, volunteer=volunteer, checkin=checkin, entry=entry)
    return CheckInResult(checkin, entry, balance, checkin.streak)


# A check-in's own two statements, built once per kind of database (see
# core.db.Prepared): every volunteer makes one every day.
_YESTERDAYS_STREAK = Prepared(
    lambda volunteer_id, day: CheckIn.select(CheckIn.streak).where(
        CheckIn.volunteer == volunteer_id, CheckIn.local_date == day
    ),
    CheckIn.volunteer.db_value,
    CheckIn.local_date.db_value,
)
_INSERT_CHECKIN = PreparedInsert(CheckIn)


def today_state(station, volunteer, now=None):
    """``(checked_in_today, streak)``, both from the volunteer's latest check-in.

    The streak counts consecutive days up to today, or up to yesterday while
    today's check-in is still to come.
    """
    today = local_date_of(station, now)
    last = (
        CheckIn.select(CheckIn.local_date, CheckIn.streak)
        .where(CheckIn.volunteer == volunteer.id, CheckIn.local_date <= today)
        .order_by(CheckIn.local_date.desc())
        .first()
    )
    if last is None or last.local_date < today - timedelta(days=1):
        return False, 0
    return last.local_date == today, last.streak


def checked_in_today(station, volunteer, now=None):
    return today_state(station, volunteer, now)[0]


def streak_of(station, volunteer, now=None):
    return today_state(station, volunteer, now)[1]
