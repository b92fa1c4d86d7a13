"""The ledger: append-only entries, kept balances that equal their sum."""

from datetime import date, datetime

import pytest

from core.models import EarnedByMonth, EntryKind, LedgerEntry, User
from core.points import (
    AdjustmentRefused,
    AlreadyReversed,
    Booking,
    DuplicateBooking,
    InsufficientPoints,
    adjust,
    leaderboard,
    statement,
    verify_balances,
)
from tests.points_helpers import give_points, staff, station


@pytest.fixture
def volunteer(app, register_volunteer):
    return User.get_by_id(register_volunteer("huguo").get_json()["id"])


def test_a_booking_keeps_balance_earned_and_month_in_step(app, volunteer):
    with app.test_request_context():
        with Booking(station(app)) as booking:
            entry = booking.book(
                volunteer.id, 7, EntryKind.BONUS, "好人好事", key="k1", earned=7, local_date=date(2026, 11, 3)
            )
    user = User.get_by_id(volunteer.id)
    assert (user.points_balance, user.points_earned) == (7, 7)
    assert EarnedByMonth.get(EarnedByMonth.volunteer == volunteer.id).earned == 7
    assert entry.reason == "好人好事" and entry.kind == "bonus" and entry.local_date == date(2026, 11, 3)
    assert verify_balances() == []


def test_the_same_idempotency_key_books_nothing_twice(app, volunteer):
    give_points(app, volunteer.id, 5, key="once")
    with pytest.raises(DuplicateBooking) as duplicate:
        give_points(app, volunteer.id, 5, key="once")
    assert duplicate.value.existing.amount == 5
    assert User.get_by_id(volunteer.id).points_balance == 5
    assert LedgerEntry.select().count() == 1


def test_a_spend_beyond_the_balance_books_nothing(app, volunteer):
    give_points(app, volunteer.id, 2)
    with pytest.raises(InsufficientPoints):
        with Booking(station(app)) as booking:
            booking.book(volunteer.id, -3, EntryKind.REDEMPTION, "too much", key="spend")
    assert User.get_by_id(volunteer.id).points_balance == 2
    assert LedgerEntry.select().count() == 1


def test_a_failure_later_in_the_booking_rolls_every_entry_back(app, volunteer):
    with pytest.raises(RuntimeError):
        with Booking(station(app)) as booking:
            booking.book(volunteer.id, 4, EntryKind.BONUS, "first", key="a", earned=4)
            raise RuntimeError("the rest of the work failed")
    assert User.get_by_id(volunteer.id).points_balance == 0
    assert LedgerEntry.select().count() == 0


def test_a_reversal_names_the_entry_and_can_happen_once(app, volunteer):
    give_points(app, volunteer.id, 6)
    original = LedgerEntry.get()
    with Booking(station(app)) as booking:
        reversal = booking.reverse(original, "booked by mistake")
    assert reversal.reverses_id == original.id and reversal.amount == -6 and reversal.earned == -6
    user = User.get_by_id(volunteer.id)
    assert (user.points_balance, user.points_earned) == (0, 0)
    with pytest.raises(AlreadyReversed):
        with Booking(station(app)) as booking:
            booking.reverse(original, "again")
    assert verify_balances() == []


def test_entries_are_never_changed_by_bookings(app, volunteer):
    give_points(app, volunteer.id, 3, key="first")
    before = [(e.id, e.amount, e.reason) for e in LedgerEntry.select()]
    give_points(app, volunteer.id, 4, key="second")
    assert [(e.id, e.amount, e.reason) for e in LedgerEntry.select().where(LedgerEntry.id == before[0][0])] == before


def test_verify_reports_a_tampered_balance_and_the_cli_exits_non_zero(app, runner, volunteer):
    give_points(app, volunteer.id, 5)
    assert runner.invoke(["points", "verify"]).exit_code == 0
    User.update(points_balance=50).where(User.id == volunteer.id).execute()
    problems = verify_balances()
    assert [(p.volunteer_id, p.field, p.kept, p.from_entries) for p in problems] == [(volunteer.id, "balance", 50, 5)]
    result = runner.invoke(["points", "verify"])
    assert result.exit_code == 1
    assert "balance kept 50, entries say 5" in result.output


def test_verify_notices_a_wrong_month_total(app, volunteer):
    give_points(app, volunteer.id, 5)
    EarnedByMonth.update(earned=9).execute()
    assert [p.field for p in verify_balances()][0].startswith("earned in ")


def test_adjustment_needs_a_reason_an_admin_and_a_volunteer_of_the_station(app, volunteer):
    admin = staff(app, role="station_admin", phone="13700000002")
    officer = staff(app, role="officer", phone="13700000003")
    other_admin = staff(app, slug="donghua", role="station_admin", phone="13700000004")
    huguo = station(app)
    with app.test_request_context():
        with pytest.raises(AdjustmentRefused, match="reason"):
            adjust(huguo, admin, volunteer.id, 5, "  ", key="a1")
        with pytest.raises(AdjustmentRefused):
            adjust(huguo, officer, volunteer.id, 5, "奖励", key="a2")
        with pytest.raises(AdjustmentRefused):
            adjust(station(app, "donghua"), other_admin, volunteer.id, 5, "奖励", key="a3")
        entry = adjust(huguo, admin, volunteer.id, 5, "协助寻找走失儿童", key="a4")
        again = pytest.raises(DuplicateBooking)
        with again:
            adjust(huguo, admin, volunteer.id, 5, "协助寻找走失儿童", key="a4")
        with pytest.raises(InsufficientPoints):
            adjust(huguo, admin, volunteer.id, -6, "纠正", key="a5")
    assert entry.caused_by_id == admin.id and entry.kind == "adjustment"
    assert User.get_by_id(volunteer.id).points_balance == 5


def test_statement_pages_newest_first(app, volunteer):
    for number in range(25):
        give_points(app, volunteer.id, 1, key=f"p{number}")
    first, more = statement(volunteer.id, page=1, per_page=20)
    last, no_more = statement(volunteer.id, page=2, per_page=20)
    assert [e.idempotency_key for e in first[:2]] == ["p24", "p23"] and more
    assert len(last) == 5 and not no_more and last[-1].idempotency_key == "p0"


def test_leaderboard_counts_earned_points_not_balance_and_stays_in_the_station(app, register_volunteer):
    ids = [register_volunteer("huguo", phone=f"1381234567{n}", name=f"志愿者{n}").get_json()["id"] for n in range(3)]
    outsider = register_volunteer("donghua", phone="13912345678").get_json()["id"]
    give_points(app, ids[0], 10)
    give_points(app, ids[1], 30)
    give_points(app, outsider, 99, slug="donghua")
    with Booking(station(app)) as booking:  # spending does not lower what was earned
        booking.book(ids[1], -25, EntryKind.REDEMPTION, "spent", key="spend")
    now = datetime.utcnow()
    with app.test_request_context():
        board = [(user.id, earned) for user, earned in leaderboard(station(app), "all", now)]
        month = [(user.id, earned) for user, earned in leaderboard(station(app), "month", now)]
    assert board == [(ids[1], 30), (ids[0], 10)]
    assert month == board
    with pytest.raises(ValueError):
        leaderboard(station(app), "decade")


def test_points_are_booked_only_at_the_volunteers_own_station(app, volunteer):
    from core.checkins import check_in
    from core.points import WrongStation

    with app.test_request_context():
        with pytest.raises(WrongStation):
            check_in(station(app, "donghua"), volunteer)
    assert LedgerEntry.select().count() == 0
