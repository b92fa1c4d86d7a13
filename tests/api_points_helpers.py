"""Shared by the points API tests: the ``clock`` and ``world`` fixtures, NOON,
REWARD and small helpers.

The API reads the time from ``core.api.common.now``; the ``clock`` fixture
sets it (naive UTC), so station-local days can be crossed on purpose.

The fixture functions are named ``clock_fixture`` and ``world_fixture`` and
registered as ``clock`` and ``world``: a test module imports them with
``from tests.api_points_helpers import clock_fixture, world_fixture  # noqa: F401``
and its tests ask for ``clock`` and ``world`` as usual, without an argument
shadowing an imported name.
"""

from datetime import datetime

import pytest

from core.accounts import create_user
from core.api import common
from core.models import Reward, Role
from core.tenancy import current_tenancy

# 2020-01-15 12:00 in Kunming (Asia/Shanghai, UTC+8): far from today's real
# month, so "this month" on the clock never includes what `adjust` books at
# the real time.
NOON = datetime(2020, 1, 15, 4, 0)

REWARD = {
    "name": "保温杯",
    "description": "印有护小侠标志",
    "cost": 5,
    "stock": 3,
    "place_name": "护国派出所值班室",
    "place_address": "昆明市五华区护国路1号",
    "place_hours": "周一至周五 9:00-17:00",
}


def iso(moment):
    return moment.isoformat() + "+00:00"


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch):
    class Clock:
        now = NOON

    monkeypatch.setattr(common, "now", lambda: Clock.now)
    return Clock


class Person:
    def __init__(self, user_id, token, phone):
        self.id, self.phone = user_id, phone
        self.headers = {"Authorization": f"Bearer {token}"}

    def key(self, key):
        """Headers with an Idempotency-Key."""
        return {**self.headers, "Idempotency-Key": key}


class World:
    """Volunteers, staff, points and rewards, made through the API."""

    def __init__(self, app, client, register_volunteer):
        self.app, self.client, self._register = app, client, register_volunteer
        self._phones = iter(range(13800000001, 13899999999))
        self._admins = {}

    def _token(self, phone):
        response = self.client.post("/api/v1/auth/tokens", json={"phone": phone, "password": "correct horse"})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["token"]

    def volunteer(self, station="huguo", name="李红"):
        phone = str(next(self._phones))
        response = self._register(station, phone=phone, name=name)
        assert response.status_code == 201, response.get_json()
        return Person(response.get_json()["id"], self._token(phone), phone)

    def staff(self, station="huguo", role=Role.OFFICER, name="张警官"):
        phone = str(next(self._phones))
        with self.app.app_context():
            station_id = current_tenancy().get(station).id
            user = create_user(role=role, phone=phone, name=name, password="correct horse", station_id=station_id)
        return Person(user.id, self._token(phone), phone)

    def admin(self, station="huguo"):
        if station not in self._admins:
            self._admins[station] = self.staff(station, Role.STATION_ADMIN, name="王所长")
        return self._admins[station]

    def give(self, person, amount, station="huguo"):
        response = self.client.post(
            f"/api/v1/s/{station}/adjustments",
            json={"volunteer_id": person.id, "amount": amount, "reason": "测试积分"},
            headers=self.admin(station).headers,
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def reward(self, station="huguo", **fields):
        response = self.client.post(
            f"/api/v1/s/{station}/rewards", json={**REWARD, **fields}, headers=self.admin(station).headers
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def redeem(self, person, reward_id, station="huguo", headers=None):
        return self.client.post(
            f"/api/v1/s/{station}/rewards/{reward_id}/redemptions", headers=headers or person.headers
        )

    def points(self, person, **query):
        response = self.client.get("/api/v1/me/points", query_string=query, headers=person.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def stock(self, reward_id):
        with self.app.app_context():
            return Reward.get_by_id(reward_id).stock


@pytest.fixture(name="world")
def world_fixture(app, client, register_volunteer, clock):
    return World(app, client, register_volunteer)


def error_of(response, status, code):
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code, error
    return error
