"""Shared by the groups API tests: the ``groups`` fixture, which makes district
and city admins and teams, posts instructions and mobilisations and reads
them back through the API, on the points tests' ``clock`` and ``world``.

A test module imports the fixtures with
``from tests.api_groups_helpers import clock_fixture, groups_fixture, world_fixture  # noqa: F401``.
"""

from datetime import timedelta

import pytest

from core.accounts import create_user
from core.models import Group, Role

from .api_points_helpers import Person, clock_fixture, iso, world_fixture  # noqa: F401 - fixtures for importers


class Groups:
    """District and city admins, teams, instructions and mobilisations, through the API."""

    def __init__(self, app, client, world, clock):
        self.app, self.client, self.world, self.clock = app, client, world, clock

    def _above_stations(self, role, district=None, name="赵局长"):
        phone = str(next(self.world._phones))
        with self.app.app_context():
            user = create_user(role=role, phone=phone, name=name, password="correct horse", district=district)
        return Person(user.id, self.world._token(phone), phone)

    def district_admin(self, district="五华分局"):
        return self._above_stations(Role.DISTRICT_ADMIN, district)

    def city_admin(self):
        return self._above_stations(Role.CITY_ADMIN, name="钱市局")

    def group_id(self, key):
        """The id of a group by its key: "city", "district:五华分局", "station:huguo"."""
        with self.app.app_context():
            return Group.get(Group.key == key).id

    def team(self, name, station="huguo", parent_id=None, by=None):
        body = {"name": name}
        if parent_id is not None:
            body["parent_id"] = parent_id
        response = self.client.post(
            f"/api/v1/s/{station}/groups", json=body, headers=(by or self.world.admin(station)).headers
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def add(self, team_id, person, station="huguo", by=None):
        return self.client.post(
            f"/api/v1/s/{station}/groups/{team_id}/members",
            json={"user_id": person.id},
            headers=(by or self.world.admin(station)).headers,
        )

    def instruct(self, by, group_id, station=None, **body):
        """POST an instruction (under ``station``, or unscoped)."""
        body.setdefault("text", "今晚加强巡逻")
        prefix = f"/api/v1/s/{station}" if station else "/api/v1"
        return self.client.post(f"{prefix}/groups/{group_id}/instructions", json=body, headers=by.headers)

    def inbox(self, person, station="huguo", **query):
        response = self.client.get(f"/api/v1/s/{station}/instructions", query_string=query, headers=person.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def acknowledge(self, person, instruction_id, station="huguo"):
        return self.client.post(
            f"/api/v1/s/{station}/instructions/{instruction_id}/acknowledge", headers=person.headers
        )

    def mobilise(self, by, group_id, station=None, hours=1, **body):
        body.setdefault("text", "全员集结")
        body.setdefault("deadline", iso(self.clock.now + timedelta(hours=hours)))
        prefix = f"/api/v1/s/{station}" if station else "/api/v1"
        return self.client.post(f"{prefix}/groups/{group_id}/mobilisations", json=body, headers=by.headers)

    def answer(self, person, mobilisation_id, station="huguo", **body):
        return self.client.post(
            f"/api/v1/s/{station}/mobilisations/{mobilisation_id}/answer", json=body, headers=person.headers
        )

    def mobilisation(self, person, mobilisation_id, station=None):
        prefix = f"/api/v1/s/{station}" if station else "/api/v1"
        return self.client.get(f"{prefix}/mobilisations/{mobilisation_id}", headers=person.headers)


@pytest.fixture(name="groups")
def groups_fixture(app, client, world, clock):
    return Groups(app, client, world, clock)
