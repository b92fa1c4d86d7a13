"""Reading the ledger: a volunteer's statement and export, the leaderboards,
and a station's entries between two times."""

from ..models import EarnedByMonth, LedgerEntry, User
from .booking import local_date_of, month_of

LEADERBOARD_SIZE = 20
MAX_PAGE = 100_000  # beyond any real statement; keeps OFFSET within SQLite's integers


def statement(volunteer_id, page=1, per_page=20):
    """One page of a volunteer's entries, newest first, and whether more follow."""
    page = max(1, int(page))
    if page > MAX_PAGE:
        return [], False
    rows = list(
        LedgerEntry.select()
        .where(LedgerEntry.volunteer == volunteer_id)
        .order_by(LedgerEntry.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    return rows[:per_page], len(rows) > per_page


def leaderboard(station, period="month", now=None, size=LEADERBOARD_SIZE):
    """``[(user, earned), …]``: the station's top earners this station-local
    month (``period="month"``) or of all time (``"all"``). Read from the
    totals kept beside the ledger, so its cost does not grow with the ledger."""
    if period == "all":
        query = (
            User.select(User, User.points_earned.alias("earned"))
            .where(User.station == station.id, User.points_earned > 0)
            .order_by(User.points_earned.desc(), User.id)
        )
    elif period == "month":
        month = month_of(local_date_of(station, now))
        query = (
            User.select(User, EarnedByMonth.earned.alias("earned"))
            .join(EarnedByMonth, on=(EarnedByMonth.volunteer == User.id))
            .where(EarnedByMonth.station == station.id, EarnedByMonth.month == month, EarnedByMonth.earned > 0)
            .order_by(EarnedByMonth.earned.desc(), User.id)
        )
    else:
        raise ValueError("period: expected 'month' or 'all'")
    return [(user, user.earned) for user in query.limit(size).objects()]


def ranked(board):
    """``[(rank, user, earned), …]`` for a :func:`leaderboard`: equal totals
    share a rank (1, 1, 3)."""
    rows, rank, previous = [], 0, None
    for position, (user, earned) in enumerate(board, start=1):
        if earned != previous:
            rank, previous = position, earned
        rows.append((rank, user, earned))
    return rows


def entries_between(station, start, end):
    """Entries of a station's volunteers on station-local days ``start``–``end``
    (inclusive), oldest first, with each volunteer's name and phone."""
    return (
        LedgerEntry.select(LedgerEntry, User.name, User.phone)
        .join(User, on=(LedgerEntry.volunteer == User.id))
        .where(LedgerEntry.station == station.id, LedgerEntry.local_date.between(start, end))
        .order_by(LedgerEntry.id)
        .objects()
        .iterator()
    )


def entries_of(volunteer_id):
    """All of one volunteer's entries, oldest first, for their CSV export."""
    return (
        LedgerEntry.select(LedgerEntry, User.name, User.phone)
        .join(User, on=(LedgerEntry.volunteer == User.id))
        .where(LedgerEntry.volunteer == volunteer_id)
        .order_by(LedgerEntry.id)
        .objects()
        .iterator()
    )
