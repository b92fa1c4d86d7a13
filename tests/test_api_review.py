"""The tasks API: the whole way from posting to points and hours, review decisions, returned work, the queue."""

from datetime import timedelta

import pytest

from tests.api_points_helpers import NOON, error_of, iso
from tests.api_tasks_helpers import clock_fixture, tasks_fixture, world_fixture  # noqa: F401

# ---------------------------------------------------------------------------
# The whole way: post, sign up, submit, review, and what the volunteer sees
# ---------------------------------------------------------------------------


def test_school_gate_duty_from_posting_to_points_hours_and_notification(client, world, tasks):
    officer = tasks.officer()
    volunteer = world.volunteer()
    task = tasks.post(by=officer, hours=1, capacity=2, notes="请穿反光背心")
    assert task["type"] == "school_gate_duty" and task["places_left"] == 2 and task["taken"] == 0
    assert task["starts_at"] == iso(NOON + timedelta(hours=2))

    listed = client.get("/api/v1/s/huguo/tasks", headers=volunteer.headers).get_json()["tasks"]
    assert [(t["id"], t["signed_up"]) for t in listed] == [(task["id"], False)]

    signed = tasks.sign_up(volunteer, task["id"])
    assert signed.status_code == 201
    assert signed.get_json()["signed_up"] is True and signed.get_json()["places_left"] == 1
    listed = client.get("/api/v1/s/huguo/tasks", headers=volunteer.headers).get_json()["tasks"]
    assert listed[0]["signed_up"] is True and listed[0]["taken"] == 1

    tasks.start(task)
    response = tasks.submit(volunteer, task_id=task["id"], text="护送学生 40 人过马路", fields={"children_helped": 40})
    assert response.status_code == 201, response.get_json()
    submission = response.get_json()
    assert submission["state"] == "pending" and submission["revision"] == 1
    assert submission["fields"] == {"children_helped": 40, "incidents": ""}
    assert submission["task"]["id"] == task["id"]
    assert [photo["position"] for photo in submission["photos"]] == [1, 2]
    assert submission["preview"] is None  # a volunteer sees no preview
    assert submission["points"] is None and submission["breakdown"] == []

    queue = tasks.queue(officer, status="pending")
    assert queue.status_code == 200
    [queued] = queue.get_json()["submissions"]
    assert queued["id"] == submission["id"] and queued["volunteer"]["id"] == volunteer.id
    preview = queued["preview"]
    assert preview["points"] == 2 and preview["minutes"] == 60 and preview["hours"] == 1.0
    assert [(line["rule"], line["points"]) for line in preview["breakdown"]] == [("core.task", 2)]

    approved = tasks.review(officer, submission["id"], "approve", revision=1)
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert body["state"] == "approved" and body["points"] == 2 and body["minutes"] == 60
    assert body["breakdown"] == preview["breakdown"] and body["preview"] is None
    assert [(r["decision"], r["officer"]["id"]) for r in body["reviews"]] == [("approved", officer.id)]

    assert world.points(volunteer)["balance"] == 2
    hours = client.get("/api/v1/me/hours", headers=volunteer.headers).get_json()
    assert (hours["minutes"], hours["hours"], hours["star"], hours["next_star_hours"]) == (60, 1.0, 0, 100)
    assert hours["by_type"] == [
        {
            "type": "school_gate_duty",
            "label": {"zh": "护学岗", "en": "School-gate duty"},
            "count": 1,
            "minutes": 60,
            "hours": 1.0,
        }
    ]

    mine = client.get("/api/v1/me/submissions", headers=volunteer.headers).get_json()["submissions"]
    assert [(s["id"], s["state"], s["points"]) for s in mine] == [(submission["id"], "approved", 2)]
    assert mine[0]["breakdown"] == preview["breakdown"]
    assert (
        client.get("/api/v1/me/submissions?status=pending", headers=volunteer.headers).get_json()["submissions"] == []
    )

    notes = client.get("/api/v1/me/notifications", headers=volunteer.headers).get_json()
    assert notes["unread"] == 1
    [note] = notes["notifications"]
    assert note["kind"] == "submission_approved" and note["submission_id"] == submission["id"]
    assert note["data"]["points"] == 2 and "2" in note["message"]["zh"] and "School-gate duty" in note["message"]["en"]
    read = client.post("/api/v1/me/notifications/read", headers=volunteer.headers)
    assert read.get_json() == {"marked": 1, "unread": 0}
    assert client.get("/api/v1/me/notifications", headers=volunteer.headers).get_json()["unread"] == 0

    assert tasks.queue(officer).get_json()["submissions"] == []


def test_a_second_decision_is_409_and_volunteers_cannot_review(world, tasks):
    officer = tasks.officer()
    volunteer = world.volunteer()
    submission = tasks.work(volunteer, tasks.post())
    error_of(tasks.review(volunteer, submission["id"], "approve"), 403, "staff_only")
    assert tasks.review(officer, submission["id"], "approve").status_code == 200
    error_of(tasks.review(officer, submission["id"], "reject", reason="重复"), 409, "already_decided")
    other_officer = world.staff()
    error_of(tasks.review(other_officer, submission["id"], "approve"), 409, "already_decided")
    assert world.points(volunteer)["balance"] == 2  # booked once


@pytest.mark.parametrize("decision", ["reject", "return"])
def test_rejecting_or_returning_needs_a_reason(world, tasks, decision):
    submission = tasks.work(world.volunteer(), tasks.post())
    error = error_of(tasks.review(tasks.officer(), submission["id"], decision, reason="  "), 400, "invalid_input")
    assert list(error["fields"]) == ["reason"]
    error = error_of(tasks.review(tasks.officer(), submission["id"], decision), 400, "invalid_input")
    assert list(error["fields"]) == ["reason"]


def test_review_body_is_checked(world, tasks):
    submission = tasks.work(world.volunteer(), tasks.post())
    error = error_of(tasks.review(tasks.officer(), submission["id"], "maybe"), 400, "invalid_input")
    assert list(error["fields"]) == ["decision"]
    error = error_of(tasks.review(tasks.officer(), submission["id"], "approve", hours=30), 400, "invalid_input")
    assert list(error["fields"]) == ["hours"]
    error = error_of(tasks.review(tasks.officer(), submission["id"], "approve", hours=2), 400, "invalid_input")
    assert list(error["fields"]) == ["reason"]  # hours other than the work's own need a why
    error_of(tasks.review(tasks.officer(), submission["id"], "approve", revision=2), 409, "changed")
    approved = tasks.review(tasks.officer(), submission["id"], "approve", hours=1.5, reason="提前到岗")
    assert approved.get_json()["minutes"] == 90


def test_rejected_work_earns_nothing_and_the_volunteer_hears_why(client, world, tasks):
    volunteer = world.volunteer()
    submission = tasks.work(volunteer, tasks.post())
    rejected = tasks.review(tasks.officer(), submission["id"], "reject", reason="照片与任务无关")
    assert rejected.status_code == 200
    assert rejected.get_json()["state"] == "rejected" and rejected.get_json()["points"] is None
    assert world.points(volunteer)["balance"] == 0
    [note] = client.get("/api/v1/me/notifications", headers=volunteer.headers).get_json()["notifications"]
    assert note["kind"] == "submission_rejected" and "照片与任务无关" in note["message"]["zh"]


def test_returned_work_is_resubmitted_with_new_photos_then_approved(client, world, tasks):
    officer, volunteer = tasks.officer(), world.volunteer()
    submission = tasks.work(volunteer, tasks.post())
    first_files = tasks.uploaded_files()
    assert len(first_files) == 4  # two photos and their thumbnails
    returned = tasks.review(officer, submission["id"], "return", reason="照片看不清")
    assert returned.get_json()["state"] == "returned"

    path = f"/api/v1/s/huguo/submissions/{submission['id']}/resubmit"
    again = tasks.submit(volunteer, path=path, text="补拍了清楚的照片", photos=1)
    assert again.status_code == 200, again.get_json()
    body = again.get_json()
    assert body["state"] == "pending" and body["revision"] == 2 and body["text"] == "补拍了清楚的照片"
    assert len(body["photos"]) == 1
    assert not set(first_files) & set(tasks.uploaded_files())  # the replaced files are gone
    error_of(tasks.submit(volunteer, path=path, text="再改一次", photos=1), 409, "not_returned")

    approved = tasks.review(officer, submission["id"], "approve", revision=2).get_json()
    assert [(r["revision"], r["decision"]) for r in approved["reviews"]] == [(1, "returned"), (2, "approved")]


def test_self_started_work_counts_the_times_the_volunteer_gives(world, tasks, clock):
    volunteer = world.volunteer()
    response = tasks.submit(
        volunteer,
        type="patrol",
        text="巡查护国路",
        photos=1,
        started_at=iso(clock.now - timedelta(hours=2)),
        ended_at=iso(clock.now - timedelta(minutes=30)),
        latitude="25.04",
        longitude="102.71",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["task"] is None and body["location"] == {"latitude": 25.04, "longitude": 102.71}
    [queued] = tasks.queue(tasks.officer()).get_json()["submissions"]
    assert queued["preview"]["minutes"] == 90 and queued["preview"]["points"] == 5


# ---------------------------------------------------------------------------
# The review queue
# ---------------------------------------------------------------------------


def test_the_review_queue_is_oldest_first_filtered_paged_and_for_staff(client, world, tasks, clock):
    officer = tasks.officer()
    first, second = world.volunteer(), world.volunteer()
    gate = tasks.work(first, tasks.post())
    clock.now += timedelta(minutes=1)
    patrol = tasks.submit(second, type="patrol", text="巡查", photos=1).get_json()
    queued = tasks.queue(officer).get_json()
    assert [s["id"] for s in queued["submissions"]] == [gate["id"], patrol["id"]]
    assert queued["has_more"] is False
    assert [s["id"] for s in tasks.queue(officer, type="patrol").get_json()["submissions"]] == [patrol["id"]]
    assert [s["id"] for s in tasks.queue(officer, volunteer=first.id).get_json()["submissions"]] == [gate["id"]]
    page = tasks.queue(officer, limit=1, offset=0).get_json()
    assert [s["id"] for s in page["submissions"]] == [gate["id"]] and page["has_more"] is True
    assert [s["id"] for s in tasks.queue(officer, limit=1, offset=1).get_json()["submissions"]] == [patrol["id"]]
    for bad in (
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"volunteer": "x"},
        {"status": "approved"},
        {"type": "nope"},
    ):
        error = error_of(tasks.queue(officer, **bad), 400, "invalid_input")
        assert list(error["fields"]) == list(bad)
    error_of(tasks.queue(first), 403, "staff_only")
    error_of(tasks.queue(tasks.officer("xiaonanmen")), 403, "staff_only")
    assert tasks.queue(tasks.officer("xiaonanmen"), station="xiaonanmen").get_json()["submissions"] == []
