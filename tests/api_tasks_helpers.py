"""Shared by the tasks API tests: the ``tasks`` fixture, which posts tasks,
signs up, submits work (multipart, with photos) and reviews it through the
API, on the points tests' ``clock`` and ``world``.

A test module imports the fixtures with
``from tests.api_tasks_helpers import clock_fixture, tasks_fixture, world_fixture  # noqa: F401``.
"""

import json
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest

from core.models import Submission

from .api_points_helpers import clock_fixture, iso, world_fixture  # noqa: F401 - fixtures for the importing module
from .tasks_helpers import photo_bytes


def jpeg(colour=(200, 30, 30)):
    return photo_bytes(colour)


class Tasks:
    """Tasks, sign-ups, submissions and reviews, made through the API."""

    def __init__(self, app, client, world, clock):
        self.app, self.client, self.world, self.clock = app, client, world, clock
        self._officers = {}

    def officer(self, station="huguo"):
        """The station's officer (one per station and test)."""
        if station not in self._officers:
            self._officers[station] = self.world.staff(station)
        return self._officers[station]

    def body(self, type_key="school_gate_duty", *, start_in=timedelta(hours=2), hours=1, capacity=3, **overrides):
        start = self.clock.now + start_in
        body = {
            "type": type_key,
            "title": "长春小学正门护学岗",
            "place": "长春小学正门",
            "starts_at": iso(start),
            "ends_at": iso(start + timedelta(hours=hours)),
            "capacity": capacity,
        }
        body.update(overrides)
        return body

    def post(self, station="huguo", by=None, **body):
        """Post a task as the station's officer; returns its JSON."""
        response = self.client.post(
            f"/api/v1/s/{station}/tasks", json=self.body(**body), headers=(by or self.officer(station)).headers
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def sign_up(self, person, task_id, station="huguo"):
        return self.client.post(f"/api/v1/s/{station}/tasks/{task_id}/signup", headers=person.headers)

    def start(self, task):
        """Move the clock to ten minutes into ``task``."""
        self.clock.now = task_start(task) + timedelta(minutes=10)

    def submit(self, person, station="huguo", *, photos=2, headers=None, path=None, **form):
        """POST a multipart submission; ``photos`` is a count of good JPEGs or
        a list of ``(bytes, filename)``; ``form`` holds the other fields
        (a dict ``fields`` is sent as JSON)."""
        if isinstance(photos, int):
            photos = [(jpeg((40 * n % 255, 30, 30)), f"photo{n}.jpg") for n in range(photos)]
        data = {
            key: (json.dumps(value) if key == "fields" and not isinstance(value, str) else value)
            for key, value in form.items()
        }
        data = {key: str(value) for key, value in data.items() if value is not None}
        if photos:
            data["photos"] = [(BytesIO(content), name) for content, name in photos]
        return self.client.post(
            path or f"/api/v1/s/{station}/submissions",
            data=data,
            headers=headers or person.headers,
            content_type="multipart/form-data",
        )

    def work(self, person, task, station="huguo", **form):
        """Sign ``person`` up for ``task``, start it and submit; returns the submission JSON."""
        assert self.sign_up(person, task["id"], station).status_code == 201
        self.start(task)
        form.setdefault("text", "护送学生 40 人过马路")
        response = self.submit(person, station, task_id=task["id"], **form)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def review(self, person, submission_id, decision="approve", station="huguo", **body):
        return self.client.post(
            f"/api/v1/s/{station}/submissions/{submission_id}/review",
            json={"decision": decision, **body},
            headers=person.headers,
        )

    def queue(self, person, station="huguo", **query):
        return self.client.get(f"/api/v1/s/{station}/submissions", query_string=query, headers=person.headers)

    def uploaded_files(self):
        root = Path(self.app.instance_path) / "uploads"
        return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []

    def submission_count(self):
        with self.app.app_context():
            return Submission.select().count()


def task_start(task):
    return datetime.fromisoformat(task["starts_at"]).replace(tzinfo=None)


@pytest.fixture(name="tasks")
def tasks_fixture(app, client, world, clock):
    return Tasks(app, client, world, clock)


HUGE = 99_999_999_999_999_999_999


def task_types_by_key(client, station):
    response = client.get(f"/api/v1/s/{station}/task-types")
    assert response.status_code == 200
    return {task_type["key"]: task_type for task_type in response.get_json()["task_types"]}
