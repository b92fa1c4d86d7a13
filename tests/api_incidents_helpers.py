"""Shared by the incidents API tests: the ``incidents`` fixture, which
reports (JSON or multipart, with photos), reads and acts on incidents through
the API, on the points tests' ``clock`` and ``world``.

A test module imports the fixtures with
``from tests.api_incidents_helpers import clock_fixture, incidents_fixture, world_fixture  # noqa: F401``.
"""

import json
from io import BytesIO

import pytest

from core.models import Incident

from .api_points_helpers import clock_fixture, world_fixture  # noqa: F401 - fixtures for the importing module
from .incidents_helpers import CORE_FIELDS, HERE, north_of, uploaded_files

__all__ = ["HERE", "north_of", "uploaded_files"]


def report_body(category="illegal_parking", *, at=HERE, **overrides):
    """A JSON report at ``at`` (``None``: no coordinates)."""
    body = {
        "category": category,
        "description": "护国路口一辆白色轿车压盲道",
        "fields": dict(CORE_FIELDS.get(category, {})),
    }
    if at is not None:
        body["latitude"], body["longitude"] = at
    body.update(overrides)
    return body


class Incidents:
    """Reports, reads and actions, made through the API."""

    def __init__(self, app, client, world):
        self.app, self.client, self.world = app, client, world
        self._officers = {}

    def officer(self, station="huguo"):
        """The station's officer (one per station and test)."""
        if station not in self._officers:
            self._officers[station] = self.world.staff(station)
        return self._officers[station]

    def send(self, person, station="huguo", headers=None, **body):
        """POST a JSON report; the response."""
        return self.client.post(
            f"/api/v1/s/{station}/incidents", json=report_body(**body), headers=headers or person.headers
        )

    def report(self, person, station="huguo", **body):
        """Report (past any likely duplicate); the incident's JSON."""
        response = self.send(person, station, report_anyway=True, **body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def send_form(self, person, station="huguo", *, photos=(), headers=None, **form):
        """POST a multipart report; ``photos`` are ``(bytes, filename)``; a dict ``fields`` is sent as JSON."""
        data = {
            key: json.dumps(value) if key == "fields" and isinstance(value, dict) else value
            for key, value in form.items()
        }
        data = {key: str(value) for key, value in data.items() if value is not None}
        if photos:
            data["photos"] = [(BytesIO(content), name) for content, name in photos]
        return self.client.post(
            f"/api/v1/s/{station}/incidents",
            data=data,
            headers=headers or person.headers,
            content_type="multipart/form-data",
        )

    def get(self, person, path="", station="huguo", **query):
        """GET ``/api/v1/s/<station>/incidents<path>``; the response."""
        return self.client.get(f"/api/v1/s/{station}/incidents{path}", query_string=query, headers=person.headers)

    def show(self, person, incident_id, station="huguo"):
        response = self.get(person, f"/{incident_id}", station)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def board(self, person, station="huguo", **query):
        response = self.get(person, "", station, **query)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def act(self, person, incident_id, action, station="huguo", headers=None, **body):
        """POST an action (``state``, ``comments``, ``assign``, ``useful``); the response."""
        return self.client.post(
            f"/api/v1/s/{station}/incidents/{incident_id}/{action}", json=body, headers=headers or person.headers
        )

    def move(self, person, incident_id, state, station="huguo", **body):
        response = self.act(person, incident_id, "state", station, state=state, **body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def count(self):
        with self.app.app_context():
            return Incident.select().count()

    def files(self):
        return uploaded_files(self.app)


@pytest.fixture(name="incidents")
def incidents_fixture(app, client, world):
    return Incidents(app, client, world)


FAR = north_of(HERE, 5000)  # well outside the duplicate radius
