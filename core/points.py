"""The points ledger: the only way points are created, spent or given back.

Every change is a :class:`~core.models.LedgerEntry` booked inside a
:class:`Booking`, which owns the write transaction: the volunteer's row is
locked, the entry inserted, and the kept balance, earned total and monthly
earned figure updated together, so the balance always equals the sum of the
entries and never goes below zero. ``on_points_booked`` fires after commit.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC

from peewee import IntegrityError, fn

from .db import Prepared, PreparedInsert, database, for_update, is_sqlite, write_transaction
from .models import EarnedByMonth, EntryKind, LedgerEntry, Role, User, utcnow


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


# ---------------------------------------------------------------------------
# Reading the ledger
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# A station admin's manual adjustment
# ---------------------------------------------------------------------------


class AdjustmentRefused(PointsError):
    """``status`` is 403 when the person may not adjust, else 400; ``field``
    names the input at fault."""

    code = "adjustment_refused"

    def __init__(self, message, *, field=None, status=400):
        super().__init__(message)
        self.field, self.status = field, status


def adjust(station, admin, volunteer_id, amount, reason, key, now=None):
    """Add or take points by hand; ``reason`` is mandatory and recorded.

    ``key`` makes a retried adjustment book nothing twice. Refused (nothing
    booked) unless ``admin`` is this station's admin and the volunteer is
    this station's; a take that would go below zero raises
    :class:`InsufficientPoints`.
    """
    if admin.station_id != station.id or admin.role != Role.STATION_ADMIN:
        raise AdjustmentRefused("only this station's admins may adjust points", status=403)
    reason = (reason or "").strip()
    if not reason:
        raise AdjustmentRefused("a reason is required", field="reason")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise AdjustmentRefused("the amount must be a whole number other than 0", field="amount")
    volunteer = User.get_or_none(User.id == volunteer_id, User.station == station.id, User.role == Role.VOLUNTEER)
    if volunteer is None:
        raise AdjustmentRefused("no such volunteer at this station", field="volunteer_id")
    now = now or utcnow()
    # per admin, and hashed: any caller's key fits the column
    digest = hashlib.sha256(f"{admin.id}:{key}".encode()).hexdigest()[:40]
    with Booking(station) as booking:
        return booking.book(
            volunteer.id,
            amount,
            EntryKind.ADJUSTMENT,
            reason,
            key=f"adjustment:{digest}",
            local_date=local_date_of(station, now),
            created_at=now,
            breakdown=[
                {"rule": "core.adjustment", "label": {"zh": "人工调整", "en": "Manual adjustment"}, "points": amount}
            ],
            caused_by=admin.id,
            earned=amount if amount > 0 else 0,
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
