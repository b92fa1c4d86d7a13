"""The points ledger, one module per job: :mod:`.booking` (the only way
points are created, spent or given back), :mod:`.reading` (statements,
leaderboards, exports), :mod:`.adjustments` (a station admin's manual
change) and :mod:`.verification` (checking the books). Callers import
from ``core.points``."""

from .adjustments import AdjustmentRefused, adjust
from .booking import (
    AlreadyReversed,
    Booking,
    BreakdownLine,
    DuplicateBooking,
    InsufficientPoints,
    PointsError,
    WrongStation,
    earned_on,
    local_date_of,
    month_of,
)
from .reading import LEADERBOARD_SIZE, MAX_PAGE, entries_between, entries_of, leaderboard, ranked, statement
from .verification import Discrepancy, verify_balances

__all__ = [
    "LEADERBOARD_SIZE",
    "MAX_PAGE",
    "AdjustmentRefused",
    "AlreadyReversed",
    "Booking",
    "BreakdownLine",
    "Discrepancy",
    "DuplicateBooking",
    "InsufficientPoints",
    "PointsError",
    "WrongStation",
    "adjust",
    "earned_on",
    "entries_between",
    "entries_of",
    "leaderboard",
    "local_date_of",
    "month_of",
    "ranked",
    "statement",
    "verify_balances",
]
