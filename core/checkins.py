"""Daily check-in (签到): once per station-local day, scored by the rules."""
from dataclasses import dataclass
from datetime import timedelta

from .models import CheckIn, EntryKind, utcnow
from .points import Booking, local_date_of
from .scoring import ScoringEvent, apply_daily_cap, score

STREAK_LOOKBACK_DAYS = 400


class AlreadyCheckedIn(Exception):
    code = "already_checked_in"

    def __init__(self, checkin):
        super().__init__("already checked in today")
        self.checkin = checkin


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
    with Booking(station) as booking:
        booking.lock(volunteer.id)  # serialises two check-ins of one volunteer
        done = CheckIn.get_or_none(CheckIn.volunteer == volunteer.id, CheckIn.local_date == today)
        if done is not None:
            raise AlreadyCheckedIn(done)
        event = ScoringEvent("checkin", station, volunteer, today)
        lines = apply_daily_cap(station, score(station, event), booking.earned_on(volunteer.id, today))
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
        checkin = CheckIn.create(station=station.id, volunteer=volunteer.id, local_date=today, entry=entry, created_at=now)
        balance = booking.balance(volunteer.id)
    station.hooks.fire("on_checkin", station=station, volunteer=volunteer, checkin=checkin, entry=entry)
    return CheckInResult(checkin, entry, balance, streak_of(station, volunteer, now))


def checked_in_today(station, volunteer, now=None):
    today = local_date_of(station, now)
    return CheckIn.select().where(CheckIn.volunteer == volunteer.id, CheckIn.local_date == today).exists()


def streak_of(station, volunteer, now=None):
    """Consecutive days checked in, up to today (or yesterday, while today's
    check-in is still to come)."""
    today = local_date_of(station, now)
    days = {
        row.local_date
        for row in CheckIn.select(CheckIn.local_date).where(
            CheckIn.volunteer == volunteer.id,
            CheckIn.local_date > today - timedelta(days=STREAK_LOOKBACK_DAYS),
        )
    }
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak
