"""Daily check-in: once per station-local day, scored by the station's rules."""

from datetime import datetime, timedelta

import pytest

from core import ScoringRule, Text, hookimpl
from core.checkins import AlreadyCheckedIn, check_in, checked_in_today, streak_of
from core.models import CheckIn, LedgerEntry, User
from core.points import verify_balances
from core.testing import write_station

# 2026-11-28 15:59 UTC is 23:59 in Asia/Shanghai; a minute later it is the 29th there.
BEFORE_MIDNIGHT = datetime(2026, 11, 28, 15, 59)


def _station(app, slug):
    return app.extensions["redarmband"].tenancy.get(slug)


@pytest.fixture
def volunteer(app, register_volunteer):
    return User.get_by_id(register_volunteer("huguo").get_json()["id"])


def test_check_in_books_the_stations_points_with_a_breakdown(app, volunteer):
    with app.test_request_context():
        result = check_in(_station(app, "huguo"), volunteer, BEFORE_MIDNIGHT)
    assert result.entry.amount == 1 and result.balance == 1 and result.streak == 1
    assert result.entry.breakdown == [
        {"rule": "core.checkin", "label": {"zh": "每日签到", "en": "Daily check-in"}, "points": 1}
    ]
    assert str(result.checkin.local_date) == "2026-11-28"


def test_a_second_check_in_the_same_local_day_books_nothing(app, volunteer):
    huguo = _station(app, "huguo")
    with app.test_request_context():
        check_in(huguo, volunteer, BEFORE_MIDNIGHT - timedelta(hours=15))  # 08:59 local
        with pytest.raises(AlreadyCheckedIn):
            check_in(huguo, volunteer, BEFORE_MIDNIGHT)
    assert LedgerEntry.select().count() == 1 and User.get_by_id(volunteer.id).points_balance == 1


def test_the_day_turns_at_the_stations_midnight_not_utcs(app, volunteer):
    huguo = _station(app, "huguo")
    with app.test_request_context():
        check_in(huguo, volunteer, BEFORE_MIDNIGHT)
        result = check_in(huguo, volunteer, BEFORE_MIDNIGHT + timedelta(minutes=2))  # still the 28th in UTC
    assert str(result.checkin.local_date) == "2026-11-29"
    assert result.balance == 2 and result.streak == 2


def test_streak_counts_consecutive_days_and_survives_until_today_is_done(app, volunteer):
    huguo = _station(app, "huguo")
    day = timedelta(days=1)
    with app.test_request_context():
        for offset in (5, 3, 2, 1):  # a gap four days ago
            check_in(huguo, volunteer, BEFORE_MIDNIGHT - offset * day)
        assert streak_of(huguo, volunteer, BEFORE_MIDNIGHT) == 3  # yesterday's run still counts
        assert not checked_in_today(huguo, volunteer, BEFORE_MIDNIGHT)
        check_in(huguo, volunteer, BEFORE_MIDNIGHT)
        assert streak_of(huguo, volunteer, BEFORE_MIDNIGHT) == 4
        assert streak_of(huguo, volunteer, BEFORE_MIDNIGHT + 2 * day) == 0


def test_configured_points_and_the_daily_cap_show_in_the_breakdown(make_app, tmp_path, client):
    write_station(tmp_path, "capped", extra="[points]\ncheckin_points = 5\ndaily_cap = 3\n")
    app = make_app(STATIONS_DIR=str(tmp_path))
    capped = _station(app, "capped")
    response = app.test_client().post(
        "/api/v1/s/capped/volunteers",
        json={
            "name": "赵",
            "phone": "13811112222",
            "password": "password1",
            "occupation": "retiree",
            "accept_oath": True,
            "oath_version": "v1",
        },
    )
    volunteer = User.get_by_id(response.get_json()["id"])
    with app.test_request_context():
        result = check_in(capped, volunteer, BEFORE_MIDNIGHT)
    assert result.entry.amount == 3 and result.balance == 3
    assert [(line["rule"], line["points"]) for line in result.entry.breakdown] == [
        ("core.checkin", 5),
        ("core.daily_cap", -2),
    ]
    assert verify_balances() == []


def test_a_rule_from_an_enabled_plugin_adds_its_line(make_app, tmp_path):
    class WeekendBonus:
        @hookimpl
        def register_scoring_rules(self):
            return [
                ScoringRule(
                    "probe.weekend",
                    Text("周末", "Weekend"),
                    ("checkin",),
                    lambda event, subtotal: subtotal if event.local_date.weekday() >= 5 else 0,
                )
            ]

    write_station(tmp_path, "bonus", plugins=["probe"])
    write_station(tmp_path, "plain")
    app = make_app(STATIONS_DIR=str(tmp_path), EXTRA_PLUGINS=[("probe", WeekendBonus())])
    client = app.test_client()
    ids = [
        client.post(
            f"/api/v1/s/{slug}/volunteers",
            json={
                "name": "钱",
                "phone": phone,
                "password": "password1",
                "occupation": "driver",
                "accept_oath": True,
                "oath_version": "v1",
            },
        ).get_json()["id"]
        for slug, phone in (("bonus", "13811113333"), ("plain", "13811114444"))
    ]
    saturday = datetime(2026, 11, 28, 4, 0)
    with app.test_request_context():
        at_bonus = check_in(_station(app, "bonus"), User.get_by_id(ids[0]), saturday)
        at_plain = check_in(_station(app, "plain"), User.get_by_id(ids[1]), saturday)
    assert [line["rule"] for line in at_bonus.entry.breakdown] == ["core.checkin", "probe.weekend"]
    assert at_bonus.entry.amount == 2 and at_plain.entry.amount == 1
    assert CheckIn.select().count() == 2
