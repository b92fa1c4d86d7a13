"""Booking: the only way points are created, spent or given back.

Every change is a :class:`~core.models.LedgerEntry` booked inside a
:class:`Booking`, which owns the write transaction: the volunteer's row is
locked, the entry inserted, and the kept balance, earned total and monthly
earned figure updated together, so the balance always equals the sum of the
entries and never goes below zero. ``on_points_booked`` fires after commit.
"""

from dataclasses import dataclass
from datetime import UTC

from peewee import IntegrityError, fn

from ..db import Prepared, PreparedInsert, for_update, write_transaction
from ..models import EarnedByMonth, EntryKind, LedgerEntry, User, utcnow


class PointsError(Exception):
    """A booking that must not happen; nothing was booked."""

    code = "points_error"


class InsufficientPoints(PointsError):
    code = "insufficient_points"

    def __init__(self, balance, amount):
        super().__init__(f"the balance is {balance} points; {-amount} are needed")
        self.balance, self.amount = balance, amount


class DuplicateBooking(PointsError):
    """An entry with this idempotency key exists already.

    Raised inside the booking's transaction, which must then roll back;
    ``existing`` reads the first entry (after the rollback, that is).
    """

    code = "duplicate_booking"

    def __init__(self, key):
        super().__init__(f"already booked under {key!r}")
        self.key = key

    @property
    def existing(self):
        return LedgerEntry.get(LedgerEntry.idempotency_key == self.key)


class AlreadyReversed(PointsError):
    code = "already_reversed"


class WrongStation(PointsError):
    """Points are booked only at a volunteer's own station."""

    code = "wrong_station"


@dataclass(frozen=True)
class BreakdownLine:
    """One rule's contribution to an entry, shown to officers and volunteers."""

    rule: str
    label_zh: str
    label_en: str
    points: int

    def as_dict(self):
        return {"rule": self.rule, "label": {"zh": self.label_zh, "en": self.label_en}, "points": self.points}


def local_date_of(station, moment=None):
    """The station-local calendar day of a (naive UTC) moment, default now."""
    moment = moment or utcnow()
    return moment.replace(tzinfo=UTC).astimezone(station.config.tz).date()


def earned_on(volunteer_id, day):
    """Points a volunteer earned on a station-local day (for the daily cap)."""
    total = (
        LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.earned), 0))
        .where(LedgerEntry.volunteer == volunteer_id, LedgerEntry.local_date == day)
        .scalar()
    )
    return int(total)


def month_of(day):
    return day.strftime("%Y-%m")


class Booking:
    """A write transaction in which points are booked.

    ::

        with Booking(station) as booking:
            booking.lock(volunteer_id)
            ...checks that need the lock...
            booking.book(volunteer_id, 5, EntryKind.BONUS, "…", key="bonus:…")

    Everything done inside commits or rolls back together; after a commit
    ``on_points_booked`` fires once per entry.
    """

    def __init__(self, station):
        self.station = station
        self.entries = []
        self._transaction = None
        self._locked = {}
        self._balances = {}  # volunteer id → balance after this booking's entries

    def __enter__(self):
        self._transaction = write_transaction()
        self._transaction.__enter__()
        return self

    def __exit__(self, exc_type, exc, traceback):
        self._transaction.__exit__(exc_type, exc, traceback)
        if exc_type is None:
            for entry in self.entries:
                self.station.hooks.fire("on_points_booked", station=self.station, entry=entry)
        return False

    def lock(self, volunteer_id):
        """The volunteer's row, locked until commit: for checks that must not
        change under the booking (a redemption's limits, the daily cap)."""
        if volunteer_id not in self._locked:
            self._locked[volunteer_id] = for_update(User.select().where(User.id == volunteer_id)).get()
        return self._locked[volunteer_id]

    def balance(self, volunteer_id):
        """The volunteer's balance as this booking left it."""
        if volunteer_id not in self._balances:
            self._balances[volunteer_id] = User.select(User.points_balance).where(User.id == volunteer_id).scalar()
        return self._balances[volunteer_id]

    def earned_on(self, volunteer_id, day):
        """Points earned on a station-local day, entries of this booking included."""
        return earned_on(volunteer_id, day)

    def book(
        self,
        volunteer_id,
        amount,
        kind,
        reason,
        *,
        key,
        breakdown=(),
        caused_by=None,
        reverses=None,
        earned=0,
        local_date=None,
        created_at=None,
    ):
        """Book one entry.

        Refused with :class:`InsufficientPoints`, :class:`WrongStation`,
        :class:`DuplicateBooking` or :class:`AlreadyReversed`; the booking's
        transaction is then spent and rolls back as the exception leaves it.
        Three statements: the entry, the balance, the month's earned figure.
        """
        if kind not in EntryKind.ALL:
            raise ValueError(f"unknown entry kind {kind!r}")
        local_date = local_date or local_date_of(self.station)
        try:
            entry = _INSERT_ENTRY.create(
                station=self.station.id,
                volunteer=volunteer_id,
                amount=amount,
                kind=kind,
                reason=reason[:200],
                breakdown=[line.as_dict() if isinstance(line, BreakdownLine) else line for line in breakdown],
                caused_by=caused_by,
                local_date=local_date,
                earned=earned,
                idempotency_key=key,
                reverses=reverses,
                created_at=created_at or utcnow(),
            )
        except IntegrityError as error:  # the unique keys are the check: no read before the write
            if "idempotency_key" in str(error):
                raise DuplicateBooking(key) from error
            if "reverses" in str(error):
                raise AlreadyReversed(f"entry {getattr(reverses, 'id', reverses)} is already reversed") from error
            raise
        # One statement moves the balance, and only where it may: the
        # volunteer's own station, and never below zero. The UPDATE locks the
        # row on PostgreSQL; on SQLite BEGIN IMMEDIATE holds the write lock.
        if amount < 0:
            moved = _SPEND.execute(amount, earned, volunteer_id, self.station.id, -amount).fetchall()
        else:
            moved = _GAIN.execute(amount, earned, volunteer_id, self.station.id).fetchall()
        if len(moved) != 1:
            owner = User.get_or_none(User.id == volunteer_id)
            if owner is None or owner.station_id != self.station.id:
                raise WrongStation(f"volunteer {volunteer_id} does not belong to station {self.station.slug}")
            raise InsufficientPoints(owner.points_balance, amount)
        self._balances[volunteer_id] = moved[0][0]
        if volunteer_id in self._locked:
            self._locked[volunteer_id].points_balance += amount
            self._locked[volunteer_id].points_earned += earned
        if earned:
            self._add_month_earned(volunteer_id, month_of(local_date), earned)
        self.entries.append(entry)
        return entry

    def reverse(self, entry, reason, *, kind=EntryKind.REVERSAL, caused_by=None, key=None, created_at=None):
        """Undo ``entry`` by booking its opposite, naming it as reversed."""
        if LedgerEntry.select().where(LedgerEntry.reverses == entry.id).exists():
            raise AlreadyReversed(f"entry {entry.id} is already reversed")
        return self.book(
            entry.volunteer_id,
            -entry.amount,
            kind,
            reason,
            key=key or f"reversal:{entry.id}",
            breakdown=[{"rule": "core.reversal", "label": {"zh": "冲正", "en": "Reversal"}, "points": -entry.amount}],
            caused_by=caused_by,
            reverses=entry.id,
            earned=-entry.earned,
            local_date=entry.local_date,  # it undoes that day's figures
            created_at=created_at,
        )

    def _add_month_earned(self, volunteer_id, month, earned):
        _ADD_MONTH_EARNED.execute(self.station.id, volunteer_id, month, earned, earned)


# The statements of every booking (a check-in is nothing else), built once per
# kind of database: building them with peewee cost more than running them.
_INSERT_ENTRY = PreparedInsert(LedgerEntry)


def _move_balance(amount, earned, volunteer_id, station_id, at_least=None):
    allowed = (User.id == volunteer_id) & (User.station == station_id)
    if at_least is not None:
        allowed &= User.points_balance >= at_least
    return (
        User.update(points_balance=User.points_balance + amount, points_earned=User.points_earned + earned)
        .where(allowed)
        .returning(User.points_balance)
    )


_INTEGERS = (int, int, User.id.db_value, User.station.db_value)
_GAIN = Prepared(_move_balance, *_INTEGERS)
_SPEND = Prepared(_move_balance, *_INTEGERS, int)  # never below zero
_ADD_MONTH_EARNED = Prepared(
    lambda station_id, volunteer_id, month, earned, increment: EarnedByMonth.insert(
        station=station_id, volunteer=volunteer_id, month=month, earned=earned
    ).on_conflict(
        conflict_target=[EarnedByMonth.volunteer, EarnedByMonth.month],
        update={EarnedByMonth.earned: EarnedByMonth.earned + increment},
    ),
    EarnedByMonth.station.db_value,
    EarnedByMonth.volunteer.db_value,
    EarnedByMonth.month.db_value,
    int,
    int,
)
