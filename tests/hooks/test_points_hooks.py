"""Points hooks: scoring rules, and the events after points, check-ins and redemptions."""

from datetime import datetime

import pytest
from peewee import SqliteDatabase

from core import ScoringRule, Text, hookimpl
from core.accounts import create_user
from core.checkins import check_in
from core.models import User
from core.rewards import RewardSchema, cancel, collect, create_reward, redeem
from tests.hooks.conftest import platform
from tests.points_helpers import REWARD, give_points

SATURDAY = datetime(2026, 11, 28, 2, 0)  # 10:00 in Asia/Shanghai


def _volunteer(client, slug, phone):
    response = client.post(
        f"/api/v1/s/{slug}/volunteers",
        json={
            "name": "孙",
            "phone": phone,
            "password": "password1",
            "occupation": "courier",
            "accept_oath": True,
            "oath_version": "v1",
        },
    )
    return User.get_by_id(response.get_json()["id"])


def _station(app, slug):
    return platform(app).tenancy.get(slug)


class DoubleOnWeekends:
    @hookimpl
    def register_scoring_rules(self):
        return [
            ScoringRule(
                "probe.weekend",
                Text("周末加倍", "Weekend double"),
                ("checkin",),
                lambda event, subtotal: subtotal if event.local_date.weekday() >= 5 else 0,
            ),
            ScoringRule("probe.tasks_only", Text("任务", "Tasks"), ("task",), lambda event, subtotal: 100),
        ]


class TestRegisterScoringRules:
    @pytest.fixture
    def probe(self):
        return DoubleOnWeekends()

    def test_hook_register_scoring_rules(self, app, client):
        volunteer = _volunteer(client, "enabling", "13800000001")
        with app.test_request_context():
            result = check_in(_station(app, "enabling"), volunteer, SATURDAY)
        assert result.entry.amount == 2
        assert [(line["rule"], line["points"]) for line in result.entry.breakdown] == [
            ("core.checkin", 1),
            ("probe.weekend", 1),
        ]
        assert result.entry.breakdown[1]["label"] == {"zh": "周末加倍", "en": "Weekend double"}

    def test_hook_register_scoring_rules_not_at_other_stations(self, app, client):
        volunteer = _volunteer(client, "other", "13800000002")
        with app.test_request_context():
            result = check_in(_station(app, "other"), volunteer, SATURDAY)
        assert [line["rule"] for line in result.entry.breakdown] == ["core.checkin"]


class Recorder:
    """Records each event, and whether its change was already committed."""

    def __init__(self, database_path):
        self.calls = []
        self.database_path = database_path

    def _committed_entries(self):
        if self.database_path is None:  # PostgreSQL: the in-transaction flag says it
            from core.db import database

            return None if database.in_transaction() else "committed"
        outside = SqliteDatabase(self.database_path)
        count = outside.execute_sql("SELECT COUNT(*) FROM ledgerentry").fetchone()[0]
        outside.close()
        return count

    @hookimpl
    def on_points_booked(self, station, entry):
        self.calls.append(("booked", station.slug, entry.amount, self._committed_entries()))

    @hookimpl
    def on_checkin(self, station, volunteer, checkin, entry):
        self.calls.append(("checkin", station.slug, volunteer.id, str(checkin.local_date), entry.amount))

    @hookimpl
    def on_redemption(self, station, redemption, event):
        self.calls.append(("redemption", station.slug, event, redemption.state))


@pytest.fixture
def recorder(database_url):
    path = database_url.removeprefix("sqlite:///") if database_url.startswith("sqlite") else None
    return Recorder(path)


class TestPointsEvents:
    @pytest.fixture
    def probe(self, recorder):
        return recorder

    def test_hook_on_points_booked(self, app, client, probe):
        volunteer = _volunteer(client, "enabling", "13800000003")
        give_points(app, volunteer.id, 4, slug="enabling")
        committed = 1 if probe.database_path else "committed"
        assert probe.calls == [("booked", "enabling", 4, committed)]

    def test_hook_on_points_booked_not_at_other_stations_nor_for_refused_bookings(self, app, client, probe):
        give_points(app, _volunteer(client, "other", "13800000004").id, 4, slug="other")
        volunteer = _volunteer(client, "enabling", "13800000005")
        with pytest.raises(RuntimeError):
            from core.models import EntryKind
            from core.points import Booking

            with Booking(_station(app, "enabling")) as booking:
                booking.book(volunteer.id, 3, EntryKind.BONUS, "rolled back", key="rb", earned=3)
                raise RuntimeError("later work failed")
        assert probe.calls == []

    def test_hook_on_checkin(self, app, client, probe):
        volunteer = _volunteer(client, "enabling", "13800000006")
        with app.test_request_context():
            check_in(_station(app, "enabling"), volunteer, SATURDAY)
        assert ("checkin", "enabling", volunteer.id, "2026-11-28", 1) in probe.calls

    def test_hook_on_redemption(self, app, client, probe):
        enabling = _station(app, "enabling")
        volunteer = _volunteer(client, "enabling", "13800000007")
        officer = create_user(
            role="officer", phone="13700000007", name="警", password="password1", station_id=enabling.id
        )
        give_points(app, volunteer.id, 10, slug="enabling")
        reward = create_reward(enabling, officer, RewardSchema().load(REWARD))
        with app.test_request_context():
            first = redeem(enabling, volunteer, reward.id, SATURDAY)
            collect(enabling, first.code, officer, SATURDAY)
            second = redeem(enabling, User.get_by_id(volunteer.id), reward.id, SATURDAY)
            cancel(enabling, second.code, volunteer, SATURDAY)
        events = [call[2:] for call in probe.calls if call[0] == "redemption"]
        assert events == [
            ("reserved", "reserved"),
            ("collected", "collected"),
            ("reserved", "reserved"),
            ("cancelled", "cancelled"),
        ]
