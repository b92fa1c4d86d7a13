"""The check-in's statements are built once (core.db.Prepared) and run
exactly as peewee would have built them: same SQL, same parameters, same
rows, and the same objects for the hooks and the answer."""

import json
from datetime import date, datetime, timedelta

import pytest

from core import checkins as checkins_module
from core import hookimpl
from core.api.bodies import dump
from core.api.points_schemas import LedgerEntryOutSchema
from core.checkins import check_in
from core.db import Prepared
from core.models import CheckIn, EarnedByMonth, EntryKind, LedgerEntry, User
from core.points import (
    AlreadyReversed,
    Booking,
    BreakdownLine,
    DuplicateBooking,
    InsufficientPoints,
    WrongStation,
    verify_balances,
)
from core.points import booking as points_module
from core.testing import write_station

NOW = datetime(2026, 11, 28, 4, 0)  # 12:00 in Asia/Shanghai


def _station(app, slug="huguo"):
    return app.extensions["redarmband"].tenancy.get(slug)


@pytest.fixture
def volunteer(app, register_volunteer):
    return User.get_by_id(register_volunteer("huguo").get_json()["id"])


def _same_statement(prepared, values, query):
    """``prepared`` run with ``values`` is the statement peewee builds as ``query``."""
    assert prepared.sql(*values) == tuple(query.sql())


def test_every_prepared_statement_is_the_one_peewee_builds(app, volunteer):
    station = _station(app)
    breakdown = [{"rule": "core.checkin", "label": {"zh": "每日签到", "en": "Daily check-in"}, "points": 1}]
    entry = {
        "station": station.id,
        "volunteer": volunteer.id,
        "amount": 3,
        "kind": EntryKind.CHECKIN,
        "reason": "签到 2026-11-28",
        "breakdown": breakdown,
        "caused_by": volunteer.id,
        "local_date": date(2026, 11, 28),
        "earned": 3,
        "idempotency_key": "checkin:1:2026-11-28",
        "reverses": None,
        "created_at": NOW,
    }
    assert points_module._INSERT_ENTRY.sql(**entry) == tuple(
        LedgerEntry.insert(**entry).returning(LedgerEntry.id).sql()
    )
    allowed = (User.id == volunteer.id) & (User.station == station.id)
    move = dict(points_balance=User.points_balance + 3, points_earned=User.points_earned + 3)
    _same_statement(
        points_module._GAIN,
        [3, 3, volunteer.id, station.id],
        User.update(**move).where(allowed).returning(User.points_balance),
    )
    spend = dict(points_balance=User.points_balance + -2, points_earned=User.points_earned + 0)
    _same_statement(
        points_module._SPEND,
        [-2, 0, volunteer.id, station.id, 2],
        User.update(**spend).where(allowed & (User.points_balance >= 2)).returning(User.points_balance),
    )
    _same_statement(
        points_module._ADD_MONTH_EARNED,
        [station.id, volunteer.id, "2026-11", 3, 3],
        EarnedByMonth.insert(station=station.id, volunteer=volunteer.id, month="2026-11", earned=3).on_conflict(
            conflict_target=[EarnedByMonth.volunteer, EarnedByMonth.month],
            update={EarnedByMonth.earned: EarnedByMonth.earned + 3},
        ),
    )
    _same_statement(
        checkins_module._YESTERDAYS_STREAK,
        [volunteer.id, date(2026, 11, 27)],
        CheckIn.select(CheckIn.streak).where(
            CheckIn.volunteer == volunteer.id, CheckIn.local_date == date(2026, 11, 27)
        ),
    )
    checkin = {
        "station": station.id,
        "volunteer": volunteer.id,
        "local_date": date(2026, 11, 28),
        "entry": 7,
        "streak": 2,
        "created_at": NOW,
    }
    assert checkins_module._INSERT_CHECKIN.sql(**checkin) == tuple(
        CheckIn.insert(**checkin).returning(CheckIn.id).sql()
    )


def test_prepared_builds_its_sql_once_per_kind_of_database(app):
    built = []

    def build(user_id):
        built.append(user_id)
        return User.select(User.id).where(User.id == user_id)

    query = Prepared(build, User.id.db_value)
    assert query.execute(1).fetchall() == query.execute(2).fetchall() == []
    assert len(built) == 1


def test_prepared_refuses_a_query_without_each_placeholder_once(app):
    with pytest.raises(ValueError, match="each placeholder"):
        Prepared(lambda first, _second: User.select().where(User.id == first), None, None).sql(1, 2)


def test_a_check_in_writes_the_rows_and_hands_the_hooks_saved_objects(make_app, tmp_path):
    seen = {}

    class Probe:
        @hookimpl
        def on_checkin(self, station, volunteer, checkin, entry):
            seen["checkin"], seen["entry"] = checkin, entry

        @hookimpl
        def on_points_booked(self, station, entry):
            seen["booked"] = entry

    write_station(tmp_path, "probed", plugins=["probe"])
    app = make_app(STATIONS_DIR=str(tmp_path), EXTRA_PLUGINS=[("probe", Probe())])
    station = _station(app, "probed")
    body = {"name": "钱", "phone": "13811113333", "password": "password1", "occupation": "driver"}
    registered = app.test_client().post(
        "/api/v1/s/probed/volunteers", json={**body, "accept_oath": True, "oath_version": "v1"}
    )
    volunteer = User.get_by_id(registered.get_json()["id"])
    with app.test_request_context():
        check_in(station, volunteer, NOW - timedelta(days=1))
        result = check_in(station, volunteer, NOW)
    entry, checkin = result.entry, result.checkin
    assert entry is seen["entry"] is seen["booked"] and checkin is seen["checkin"]
    assert not entry.is_dirty() and not checkin.is_dirty()
    stored = LedgerEntry.get_by_id(entry.id)
    for field in LedgerEntry._meta.sorted_fields:
        assert getattr(stored, field.name if field.name == "id" else field.column_name) == getattr(
            entry, field.name if field.name == "id" else field.column_name
        ), field.name
    assert (stored.reason, stored.kind, stored.caused_by_id, stored.reverses_id) == (
        "签到 2026-11-28",
        EntryKind.CHECKIN,
        volunteer.id,
        None,
    )
    assert stored.idempotency_key == f"checkin:{volunteer.id}:2026-11-28"
    row = CheckIn.get_by_id(checkin.id)
    assert (row.entry_id, row.streak, row.local_date, row.created_at) == (entry.id, 2, date(2026, 11, 28), NOW)
    assert checkin.entry is entry and checkin.streak == result.streak == 2
    assert result.balance == User.get_by_id(volunteer.id).points_balance == 2
    month = EarnedByMonth.get(EarnedByMonth.volunteer == volunteer.id, EarnedByMonth.month == "2026-11")
    assert month.earned == 2 and month.station_id == station.id
    assert verify_balances() == []


def test_the_api_answer_shows_the_entry_as_stored(app, client, register_volunteer):
    volunteer_id = register_volunteer("huguo").get_json()["id"]
    token = client.post("/api/v1/auth/tokens", json={"phone": "13812345678", "password": "correct horse"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    answer = client.post("/api/v1/me/checkins", headers=headers)
    assert answer.status_code == 201
    body = answer.get_json()
    entry = LedgerEntry.get(LedgerEntry.volunteer == volunteer_id)
    with app.test_request_context():
        stored = json.loads(json.dumps(dump(LedgerEntryOutSchema, entry)))
    assert body == {"entry": stored, "balance": 1, "streak": 1, "local_date": entry.local_date.isoformat()}


def test_bookings_still_refuse_what_they_must(app, volunteer):
    huguo = _station(app)
    with Booking(huguo) as booking:
        first = booking.book(
            volunteer.id,
            5,
            EntryKind.BONUS,
            "长" * 300,
            key="bonus:1",
            breakdown=[BreakdownLine("core.bonus", "奖励", "Bonus", 5)],
            earned=5,
            local_date=date(2026, 11, 28),
        )
    stored = LedgerEntry.get_by_id(first.id)
    assert stored.reason == "长" * 200
    assert stored.breakdown == [{"rule": "core.bonus", "label": {"zh": "奖励", "en": "Bonus"}, "points": 5}]
    with pytest.raises(DuplicateBooking), Booking(huguo) as booking:
        booking.book(volunteer.id, 1, EntryKind.BONUS, "again", key="bonus:1", earned=1)
    with pytest.raises(InsufficientPoints), Booking(huguo) as booking:
        booking.book(volunteer.id, -6, EntryKind.REDEMPTION, "too much", key="spend:1")
    with Booking(huguo) as booking:
        booking.book(volunteer.id, -2, EntryKind.REDEMPTION, "some of it", key="spend:2")
        assert booking.balance(volunteer.id) == 3
    with Booking(huguo) as booking:
        booking.book(volunteer.id, 2, EntryKind.REFUND, "given back", key="refund:2")
        booking.reverse(first, "undo", kind=EntryKind.REVERSAL)
        assert booking.balance(volunteer.id) == 0
    with pytest.raises(AlreadyReversed), Booking(huguo) as booking:  # the unique key, not the check before it
        booking.book(volunteer.id, 5, EntryKind.REVERSAL, "twice", key="reversal:again", reverses=first.id)
    assert User.get_by_id(volunteer.id).points_balance == 0
    assert EarnedByMonth.get(EarnedByMonth.volunteer == volunteer.id).earned == 0  # the reversal undid the month
    assert verify_balances() == []


def test_points_go_only_to_the_stations_own_volunteers(app, volunteer):
    elsewhere = [slug for slug in _slugs(app) if slug != "huguo"][0]
    with pytest.raises(WrongStation), Booking(_station(app, elsewhere)) as booking:
        booking.book(volunteer.id, 1, EntryKind.BONUS, "wrong station", key="bonus:elsewhere", earned=1)
    assert LedgerEntry.select().count() == 0


def _slugs(app):
    return [station.slug for station in app.extensions["redarmband"].tenancy.by_district()]


def test_a_prepared_insert_writes_every_field_and_refuses_an_unknown_one(app, volunteer):
    # every field but the key is in the statement, so a field added to the model is never left out
    sql, _params = checkins_module._INSERT_CHECKIN.sql(
        station=1, volunteer=volunteer.id, local_date=date(2026, 11, 28), entry=1, streak=1, created_at=NOW
    )
    for field in CheckIn._meta.sorted_fields[1:]:
        assert f'"{field.column_name}"' in sql
    with pytest.raises(TypeError, match="no field"):
        checkins_module._INSERT_CHECKIN.sql(streaks=2)
    with pytest.raises(TypeError, match="local_date: a value is needed"):
        checkins_module._INSERT_CHECKIN.sql(station=1, volunteer=1, entry=1, streak=1)
    # a field with a default takes it, as Model.create does
    assert checkins_module._INSERT_CHECKIN.sql(
        station=1, volunteer=1, local_date=date(2026, 11, 28), entry=1, created_at=NOW
    ) == tuple(
        CheckIn.insert(station=1, volunteer=1, local_date=date(2026, 11, 28), entry=1, streak=1, created_at=NOW)
        .returning(CheckIn.id)
        .sql()
    )
