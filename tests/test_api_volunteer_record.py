"""The tasks API: a volunteer's certificates, qualifications, calendar feed, hours and the /me endpoints."""

import pytest

from core.i18n import Text
from core.models import QualificationGrant
from core.tasks import Qualification, TaskType
from core.tasks.feeds import user_for_feed_token
from core.tenancy import current_tenancy
from tests.api_points_helpers import error_of
from tests.api_tasks_helpers import HUGE, clock_fixture, task_types_by_key, tasks_fixture, world_fixture  # noqa: F401

# ---------------------------------------------------------------------------
# Hours, certificates, qualifications, the calendar
# ---------------------------------------------------------------------------


def test_an_officer_issues_a_certificate_of_confirmed_hours(client, world, tasks):
    officer, volunteer = tasks.officer(), world.volunteer()
    url = f"/api/v1/s/huguo/volunteers/{volunteer.id}/certificates"
    error_of(client.post(url, headers=officer.headers), 409, "no_hours")
    submission = tasks.work(volunteer, tasks.post(hours=2))
    tasks.review(officer, submission["id"], "approve")
    error_of(client.post(url, headers=volunteer.headers), 403, "staff_only")
    error_of(client.post(url, headers=tasks.officer("xiaonanmen").headers), 403, "staff_only")
    error_of(
        client.post(url.replace("/huguo/", "/xiaonanmen/"), headers=tasks.officer("xiaonanmen").headers),
        404,
        "not_found",
    )
    issued = client.post(url, headers=officer.headers)
    assert issued.status_code == 201, issued.get_json()
    certificate = issued.get_json()
    assert certificate["number"].startswith("HUGUO-20200115-")
    assert (certificate["minutes"], certificate["hours"], certificate["star_level"]) == (120, 2.0, 0)
    assert certificate["volunteer"] == {"id": volunteer.id, "name": "李红"}
    assert [row["type"] for row in certificate["by_type"]] == ["school_gate_duty"]


SHIELD = Qualification("shield_drill", Text("一棍一盾", "Baton and shield drill"))
SHIELD_PATROL = TaskType(
    "shield_patrol",
    Text("持盾巡逻", "Shield patrol"),
    Text("持棍盾巡逻。", "Patrol with baton and shield."),
    qualification=SHIELD,
)


@pytest.fixture
def shield_patrol(app, monkeypatch):
    """huguo offers a task type that needs the shield drill."""
    with app.app_context():
        huguo = current_tenancy().get("huguo")
    monkeypatch.setattr(huguo, "task_types", [*huguo.task_types, SHIELD_PATROL])
    return SHIELD_PATROL


def test_officers_record_qualifications_that_open_work(app, client, world, tasks, shield_patrol):
    officer, volunteer = tasks.officer(), world.volunteer()
    listed = task_types_by_key(client, "huguo")["shield_patrol"]
    assert listed["qualification"] == {
        "key": "shield_drill",
        "label": {"zh": "一棍一盾", "en": "Baton and shield drill"},
    }
    task = tasks.post(type_key="shield_patrol", title="持盾巡逻")
    error_of(tasks.sign_up(volunteer, task["id"]), 403, "qualification_required")

    url = f"/api/v1/s/huguo/volunteers/{volunteer.id}/qualifications"
    error_of(client.post(url, json={"qualification": "shield_drill"}, headers=volunteer.headers), 403, "staff_only")
    error = error_of(client.post(url, json={"qualification": "flying"}, headers=officer.headers), 400, "invalid_input")
    assert list(error["fields"]) == ["qualification"]
    error_of(client.post(url, json={}, headers=officer.headers), 400, "invalid_input")
    error_of(
        client.post(
            f"/api/v1/s/huguo/volunteers/{HUGE}/qualifications",
            json={"qualification": "shield_drill"},
            headers=officer.headers,
        ),
        404,
        "not_found",
    )
    granted = client.post(url, json={"qualification": "shield_drill"}, headers=officer.headers)
    assert granted.status_code == 201
    assert granted.get_json() == {"volunteer_id": volunteer.id, "qualifications": ["shield_drill"]}
    error_of(client.post(url, json={"qualification": "shield_drill"}, headers=officer.headers), 409, "already_granted")
    assert tasks.sign_up(volunteer, task["id"]).status_code == 201

    revoked = client.delete(f"{url}/shield_drill", headers=officer.headers)
    assert revoked.status_code == 200 and revoked.get_json()["qualifications"] == []
    error_of(client.delete(f"{url}/shield_drill", headers=officer.headers), 404, "not_found")
    error_of(client.delete(f"{url}/shield%00drill", headers=officer.headers), 404, "not_found")
    error_of(client.delete(f"{url}/shield_drill", headers=volunteer.headers), 403, "staff_only")
    with app.app_context():
        assert QualificationGrant.select().count() == 0


def test_the_calendar_url_is_the_volunteers_private_feed(app, client, world):
    volunteer = world.volunteer()
    response = client.get("/api/v1/me/calendar", headers=volunteer.headers)
    assert response.status_code == 200
    url = response.get_json()["url"]
    assert url.startswith("/s/huguo/calendar/") and url.endswith(".ics")
    token = url.removeprefix("/s/huguo/calendar/").removesuffix(".ics")
    with app.app_context():
        assert user_for_feed_token(app.config["SECRET_KEY"], token).id == volunteer.id
    assert client.get("/api/v1/me/calendar", headers=volunteer.headers).get_json()["url"] == url  # stable
    error_of(client.get("/api/v1/me/calendar", headers=world.staff().headers), 403, "volunteers_only")


def test_me_endpoints_need_a_volunteer_or_a_token(client, world):
    officer = world.staff()
    for path in ("/api/v1/me/submissions", "/api/v1/me/hours"):
        error_of(client.get(path, headers=officer.headers), 403, "volunteers_only")
        error_of(client.get(path), 401, "unauthorized")
    assert client.get("/api/v1/me/notifications", headers=officer.headers).get_json() == {
        "notifications": [],
        "unread": 0,
    }
    error = error_of(
        client.get("/api/v1/me/submissions?status=lost", headers=world.volunteer().headers), 400, "invalid_input"
    )
    assert list(error["fields"]) == ["status"]


def test_hours_start_at_zero_stars(client, world):
    hours = client.get("/api/v1/me/hours", headers=world.volunteer().headers).get_json()
    assert hours == {"minutes": 0, "hours": 0.0, "star": 0, "next_star_hours": 100, "by_type": []}
