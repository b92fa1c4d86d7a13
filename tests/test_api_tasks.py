"""The tasks API on the shipped stations: task types, posting and sign-ups,
multipart submissions with photos, review with points and hours, and what a
volunteer then sees (submissions, notifications, hours, calendar)."""

from datetime import timedelta
from io import BytesIO

import pytest
from openapi_spec_validator import validate
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from core.i18n import Text
from core.models import QualificationGrant
from core.tasks import Qualification, TaskType
from core.tasks.feeds import user_for_feed_token
from core.tenancy import current_tenancy
from tests.api_points_helpers import NOON, error_of, iso
from tests.api_tasks_helpers import clock_fixture, jpeg, task_start, tasks_fixture, world_fixture  # noqa: F401

HUGE = 99_999_999_999_999_999_999


def _types(client, station):
    response = client.get(f"/api/v1/s/{station}/task-types")
    assert response.status_code == 200
    return {task_type["key"]: task_type for task_type in response.get_json()["task_types"]}


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
# Sign-ups
# ---------------------------------------------------------------------------


def test_a_full_task_is_409_and_withdrawing_frees_the_place(client, world, tasks):
    task = tasks.post(capacity=1)
    first, second = world.volunteer(), world.volunteer()
    assert tasks.sign_up(first, task["id"]).status_code == 201
    error_of(tasks.sign_up(second, task["id"]), 409, "task_full")
    error_of(tasks.sign_up(first, task["id"]), 409, "already_signed_up")

    withdrawn = client.delete(f"/api/v1/s/huguo/tasks/{task['id']}/signup", headers=first.headers)
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["signed_up"] is False and withdrawn.get_json()["places_left"] == 1
    error_of(client.delete(f"/api/v1/s/huguo/tasks/{task['id']}/signup", headers=first.headers), 404, "not_found")
    assert tasks.sign_up(second, task["id"]).status_code == 201


def test_a_task_that_has_started_takes_no_sign_ups_or_withdrawals(client, world, tasks, clock):
    task = tasks.post()
    early = world.volunteer()
    assert tasks.sign_up(early, task["id"]).status_code == 201
    clock.now = task_start(task) + timedelta(minutes=1)
    error_of(tasks.sign_up(world.volunteer(), task["id"]), 409, "task_started")
    error_of(client.delete(f"/api/v1/s/huguo/tasks/{task['id']}/signup", headers=early.headers), 409, "task_started")


def test_another_stations_task_is_404(world, tasks):
    task = tasks.post(station="xiaonanmen")
    huguo_volunteer = world.volunteer("huguo")
    error_of(tasks.sign_up(huguo_volunteer, task["id"], station="huguo"), 404, "not_found")
    error_of(tasks.sign_up(huguo_volunteer, task["id"], station="xiaonanmen"), 403, "volunteers_only")
    tasks.start(task)
    response = tasks.submit(huguo_volunteer, task_id=task["id"], text="不是我站的任务")
    error_of(response, 404, "not_found")


@pytest.mark.parametrize("path", [f"/api/v1/s/huguo/tasks/{HUGE}/signup", "/api/v1/s/huguo/tasks/0/signup"])
def test_absurd_task_ids_are_404(world, client, path):
    volunteer = world.volunteer()
    error_of(client.post(path, headers=volunteer.headers), 404, "not_found")
    error_of(client.delete(path, headers=volunteer.headers), 404, "not_found")


# ---------------------------------------------------------------------------
# Posting tasks and weekly series
# ---------------------------------------------------------------------------


def test_only_the_stations_staff_post_tasks_and_bodies_are_checked(client, world, tasks):
    body = tasks.body()
    error_of(client.post("/api/v1/s/huguo/tasks", json=body, headers=world.volunteer().headers), 403, "staff_only")
    error_of(
        client.post("/api/v1/s/huguo/tasks", json=body, headers=tasks.officer("xiaonanmen").headers), 403, "staff_only"
    )
    error_of(client.post("/api/v1/s/huguo/tasks", json=body), 401, "unauthorized")
    error = error_of(
        client.post("/api/v1/s/huguo/tasks", json=tasks.body(capacity=0), headers=tasks.officer().headers),
        400,
        "invalid_input",
    )
    assert list(error["fields"]) == ["capacity"]
    error = error_of(
        client.post("/api/v1/s/huguo/tasks", json=tasks.body("night_patrol"), headers=tasks.officer().headers),
        400,
        "invalid_input",
    )
    assert list(error["fields"]) == ["type"]
    error = error_of(
        client.post(
            "/api/v1/s/huguo/tasks", json=tasks.body(start_in=-timedelta(hours=3)), headers=tasks.officer().headers
        ),
        400,
        "invalid_input",
    )
    assert list(error["fields"]) == ["ends_at"]
    admin_post = client.post("/api/v1/s/huguo/tasks", json=body, headers=world.admin().headers)
    assert admin_post.status_code == 201


def test_the_task_list_is_soonest_first_filtered_and_public(client, world, tasks):
    later = tasks.post(start_in=timedelta(days=2), title="后天的护学岗")
    sooner = tasks.post(start_in=timedelta(hours=1))
    patrol = tasks.post("huguo", type_key="patrol", title="护国路巡查")
    anonymous = client.get("/api/v1/s/huguo/tasks").get_json()["tasks"]
    assert [t["id"] for t in anonymous] == [sooner["id"], patrol["id"], later["id"]]
    assert all("signed_up" not in t for t in anonymous)
    officer_view = client.get("/api/v1/s/huguo/tasks", headers=tasks.officer().headers).get_json()["tasks"]
    assert all("signed_up" not in t for t in officer_view)
    only_patrols = client.get("/api/v1/s/huguo/tasks?type=patrol").get_json()["tasks"]
    assert [t["id"] for t in only_patrols] == [patrol["id"]]
    assert list(error_of(client.get("/api/v1/s/huguo/tasks?type=night_patrol"), 400, "invalid_input")["fields"]) == [
        "type"
    ]
    assert client.get("/api/v1/s/xiaonanmen/tasks").get_json()["tasks"] == []
    error_of(client.get("/api/v1/s/huguo/tasks", headers={"Authorization": "Bearer nope"}), 401, "unauthorized")


def test_a_weekly_school_gate_pattern_posts_every_school_day(client, tasks):
    body = {
        **{key: value for key, value in tasks.body().items() if key not in ("starts_at", "ends_at")},
        "weekdays": [1, 2, 3, 4, 5],
        "start_time": "07:30",
        "end_time": "08:15",
        "first_date": "2020-01-20",  # a Monday
        "last_date": "2020-01-31",
        "skip_dates": ["2020-01-24"],
    }
    response = client.post("/api/v1/s/huguo/task-series", json=body, headers=tasks.officer().headers)
    assert response.status_code == 201, response.get_json()
    series = response.get_json()
    assert series["weekdays"] == [1, 2, 3, 4, 5] and series["first_date"] == "2020-01-20"
    starts = [task["starts_at"] for task in series["tasks"]]
    assert len(starts) == 9
    assert starts[0] == "2020-01-19T23:30:00+00:00"  # 07:30 in Kunming
    assert "2020-01-23T23:30:00+00:00" not in starts  # the skipped Friday
    assert all(task["series_id"] == series["id"] for task in series["tasks"])
    listed = client.get("/api/v1/s/huguo/tasks").get_json()["tasks"]
    assert [t["id"] for t in listed] == [t["id"] for t in series["tasks"]]


def test_a_night_patrol_series_at_donghua_ends_the_next_day(client, tasks):
    body = {
        "type": "night_patrol",
        "title": "酒吧街夜巡",
        "place": "东华酒吧街",
        "capacity": 4,
        "weekdays": [5, 6],
        "start_time": "20:00",
        "end_time": "02:00",
        "first_date": "2020-01-17",
        "last_date": "2020-01-18",
    }
    response = client.post("/api/v1/s/donghua/task-series", json=body, headers=tasks.officer("donghua").headers)
    assert response.status_code == 201, response.get_json()
    [friday, saturday] = response.get_json()["tasks"]
    assert (friday["starts_at"], friday["ends_at"]) == ("2020-01-17T12:00:00+00:00", "2020-01-17T18:00:00+00:00")
    assert saturday["starts_at"] == "2020-01-18T12:00:00+00:00"
    error = error_of(
        client.post(
            "/api/v1/s/donghua/task-series",
            json={**body, "last_date": "2020-01-10"},
            headers=tasks.officer("donghua").headers,
        ),
        400,
        "invalid_input",
    )
    assert list(error["fields"]) == ["last_date"]


# ---------------------------------------------------------------------------
# Task types
# ---------------------------------------------------------------------------


def test_task_types_follow_each_stations_plugins(client):
    huguo, donghua = _types(client, "huguo"), _types(client, "donghua")
    assert "school_gate_duty" in huguo and "night_patrol" not in huguo
    assert "night_patrol" in donghua and "school_gate_duty" not in donghua
    assert {"patrol", "business_info"} <= set(huguo) & set(donghua)  # core's, everywhere
    gate = huguo["school_gate_duty"]
    assert gate["label"] == {"zh": "护学岗", "en": "School-gate duty"}
    assert (gate["default_points"], gate["min_photos"], gate["max_photos"], gate["qualification"]) == (2, 1, 9, None)
    assert gate["fields"] == [
        {
            "name": "children_helped",
            "label": {"zh": "护送学生人数", "en": "Children helped across"},
            "required": False,
            "type": "integer",
        },
        {
            "name": "incidents",
            "label": {"zh": "情况记录", "en": "Anything that happened"},
            "required": False,
            "type": "string",
        },
    ]
    business = {field["name"]: field for field in huguo["business_info"]["fields"]}
    assert business["business_name"]["required"] is True and business["business_name"]["label"]["zh"] == "商户名称"
    assert [field["name"] for field in donghua["night_patrol"]["fields"]] == ["route", "observations"]
    assert donghua["night_patrol"]["default_points"] == 3


# ---------------------------------------------------------------------------
# The submission form and its photos
# ---------------------------------------------------------------------------


@pytest.fixture
def signed_up(world, tasks):
    """A volunteer signed up for a started school-gate duty: (volunteer, task)."""
    volunteer, task = world.volunteer(), tasks.post()
    assert tasks.sign_up(volunteer, task["id"]).status_code == 201
    tasks.start(task)
    return volunteer, task


@pytest.mark.parametrize(
    "form, field",
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "ok", "fields": "{not json"}, "fields"),
        ({"text": "ok", "fields": "[1, 2]"}, "fields"),
        ({"text": "ok", "fields": '"forty"'}, "fields"),
        ({"text": "ok", "fields": {"children_helped": -1}}, "fields.children_helped"),
        ({"text": "ok", "fields": {"dogs_walked": 3}}, "fields.dogs_walked"),
        ({"text": "ok", "fields": {"incidents": "a\u0000b"}}, "fields"),
        ({"text": "ok", "latitude": "25.0"}, "longitude"),
        ({"text": "ok", "colour": "red"}, "colour"),
    ],
)
def test_bad_submission_forms_are_400_naming_the_field(tasks, signed_up, form, field):
    volunteer, task = signed_up
    response = tasks.submit(volunteer, task_id=task["id"], **form)
    error = error_of(response, 400, "invalid_input")
    assert field in error["fields"], error
    assert tasks.submission_count() == 0 and tasks.uploaded_files() == []


def test_a_bad_fields_object_and_a_missing_text_are_named_together(tasks, signed_up):
    volunteer, task = signed_up
    error = error_of(tasks.submit(volunteer, task_id=task["id"], fields="{oops"), 400, "invalid_input")
    assert {"fields", "text"} <= set(error["fields"])


def test_a_json_body_is_not_a_submission_form(client, signed_up):
    volunteer, task = signed_up
    response = client.post(
        "/api/v1/s/huguo/submissions", json={"task_id": task["id"], "text": "x"}, headers=volunteer.headers
    )
    error_of(response, 400, "invalid_form")


@pytest.mark.parametrize(
    "photos",
    [
        [(b"this is not a picture at all", "photo.jpg")],
        [(jpeg(), "good.jpg"), (b"\xff\xd8\xff\xe0 broken jpeg", "bad.jpg")],
        [(jpeg(), "good.jpg"), (b"", "empty.jpg")],
    ],
)
def test_a_file_that_is_not_a_photo_leaves_nothing_behind(tasks, signed_up, photos):
    volunteer, task = signed_up
    error = error_of(tasks.submit(volunteer, task_id=task["id"], text="护送学生", photos=photos), 400, "invalid_input")
    assert list(error["fields"]) == ["photos"]
    assert tasks.uploaded_files() == []
    assert tasks.submission_count() == 0


@pytest.mark.parametrize("count", [0, 10])
def test_too_few_or_too_many_photos_are_400(tasks, signed_up, count):
    volunteer, task = signed_up
    error = error_of(tasks.submit(volunteer, task_id=task["id"], text="护送学生", photos=count), 400, "invalid_input")
    assert list(error["fields"]) == ["photos"]
    assert tasks.uploaded_files() == [] and tasks.submission_count() == 0


def test_a_type_asking_for_two_photos_refuses_one(world, tasks):
    response = tasks.submit(world.volunteer(), type="illegal_posters", text="清理小广告", photos=1)
    error = error_of(response, 400, "invalid_input")
    assert "2 to 9" in error["fields"]["photos"][0]


def test_a_photo_over_the_stations_size_limit_is_refused(app, tasks, signed_up):
    volunteer, task = signed_up
    with app.app_context():
        limit = current_tenancy().get("huguo").config.tasks.max_photo_bytes
    oversized = jpeg() + b"\0" * limit  # a real JPEG, padded past the limit
    error = error_of(
        tasks.submit(volunteer, task_id=task["id"], text="x", photos=[(oversized, "big.jpg")]), 400, "invalid_input"
    )
    assert "larger" in error["fields"]["photos"][0]
    assert tasks.uploaded_files() == []


def test_an_oversized_multipart_body_is_a_json_413(app, tasks, signed_up):
    volunteer, task = signed_up
    too_large = b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = tasks.submit(volunteer, task_id=task["id"], text="x", photos=[(too_large, "huge.jpg")])
    error_of(response, 413, "request_entity_too_large")
    assert tasks.submission_count() == 0


def test_work_is_submitted_once_per_task_and_only_after_signing_up(world, tasks, signed_up):
    volunteer, task = signed_up
    assert tasks.submit(volunteer, task_id=task["id"], text="第一次").status_code == 201
    error_of(tasks.submit(volunteer, task_id=task["id"], text="第二次"), 409, "already_submitted")
    error_of(tasks.submit(world.volunteer(), task_id=task["id"], text="没报名"), 409, "not_signed_up")
    error_of(tasks.submit(tasks.officer(), task_id=task["id"], text="民警"), 403, "volunteers_only")
    assert len(tasks.uploaded_files()) == 4


def test_a_retried_submission_with_an_idempotency_key_is_answered_once(client, tasks, signed_up):
    volunteer, task = signed_up
    # A retry sends the same bytes: the same multipart boundary too.
    boundary, body = encode_multipart(
        MultiDict(
            [("task_id", str(task["id"])), ("text", "护送学生"), ("photos", FileStorage(BytesIO(jpeg()), "a.jpg"))]
        )
    )
    headers = volunteer.key("submit-1")
    first, second = (
        client.post(
            "/api/v1/s/huguo/submissions",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
            headers=headers,
        )
        for _ in range(2)
    )
    assert first.status_code == second.status_code == 201, first.get_json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.get_json()["id"] == first.get_json()["id"]
    assert tasks.submission_count() == 1 and len(tasks.uploaded_files()) == 2


def test_a_retry_that_rebuilds_the_form_is_the_same_request_but_another_photo_is_not(client, tasks, signed_up):
    volunteer, task = signed_up
    photo = jpeg()

    def send(boundary, content):
        form = MultiDict(
            [("task_id", str(task["id"])), ("text", "护送学生"), ("photos", FileStorage(BytesIO(content), "a.jpg"))]
        )
        _, body = encode_multipart(form, boundary=boundary)
        return client.post(
            "/api/v1/s/huguo/submissions",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
            headers=volunteer.key("submit-rebuilt"),
        )

    first = send("boundary-one", photo)
    retry = send("boundary-two", photo)  # a phone app rebuilding the form picks a new boundary
    assert first.status_code == retry.status_code == 201
    assert retry.headers.get("Idempotent-Replayed") == "true"
    other = send("boundary-three", photo + b"\x00")  # other bytes under the same key
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert tasks.submission_count() == 1


def test_photos_are_shown_to_their_volunteer_and_the_stations_staff_only(client, world, tasks, signed_up):
    volunteer, task = signed_up
    submission = tasks.submit(volunteer, task_id=task["id"], text="护送学生").get_json()
    url = submission["photos"][0]["url"]
    assert url == f"/api/v1/s/huguo/submissions/{submission['id']}/photos/1"
    for person in (volunteer, tasks.officer(), world.admin()):
        photo = client.get(url, headers=person.headers)
        assert photo.status_code == 200
        assert photo.mimetype == "image/jpeg" and photo.data[:2] == b"\xff\xd8"
        assert "private" in photo.headers["Cache-Control"] and "public" not in photo.headers["Cache-Control"]
    thumb = client.get(submission["photos"][0]["thumbnail_url"], headers=volunteer.headers)
    assert thumb.status_code == 200 and thumb.data[:2] == b"\xff\xd8"

    error_of(client.get(url, headers=world.volunteer().headers), 404, "not_found")
    error_of(client.get(url, headers=tasks.officer("xiaonanmen").headers), 404, "not_found")
    foreign = url.replace("/s/huguo/", "/s/xiaonanmen/")
    error_of(client.get(foreign, headers=tasks.officer("xiaonanmen").headers), 404, "not_found")
    error_of(client.get(url), 401, "unauthorized")
    base = f"/api/v1/s/huguo/submissions/{submission['id']}"
    for missing in (f"{base}/photos/3", f"{base}/photos/{HUGE}", f"/api/v1/s/huguo/submissions/{HUGE}/photos/1"):
        error_of(client.get(missing, headers=volunteer.headers), 404, "not_found")


def test_a_submission_is_shown_to_its_volunteer_and_the_stations_staff_only(client, world, tasks, signed_up):
    volunteer, task = signed_up
    submission = tasks.submit(volunteer, task_id=task["id"], text="护送学生").get_json()
    url = f"/api/v1/s/huguo/submissions/{submission['id']}"
    own = client.get(url, headers=volunteer.headers).get_json()
    assert own["text"] == "护送学生" and own["preview"] is None
    staff_view = client.get(url, headers=tasks.officer().headers).get_json()
    assert staff_view["preview"]["points"] == 2
    error_of(client.get(url, headers=world.volunteer().headers), 404, "not_found")
    error_of(client.get(url, headers=tasks.officer("xiaonanmen").headers), 404, "not_found")
    error_of(client.get(f"/api/v1/s/huguo/submissions/{HUGE}", headers=volunteer.headers), 404, "not_found")


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
    listed = _types(client, "huguo")["shield_patrol"]
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


# ---------------------------------------------------------------------------
# The OpenAPI document
# ---------------------------------------------------------------------------


def test_the_openapi_document_describes_the_tasks_api(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    paths = document["paths"]
    submit = paths["/api/v1/s/{station}/submissions"]["post"]
    assert "multipart/form-data" in submit["requestBody"]["content"]
    form = document["components"]["schemas"]["SubmissionForm"]
    assert form["properties"]["photos"]["items"]["format"] == "binary"
    photo = paths["/api/v1/s/{station}/submissions/{submission_id}/photos/{position}"]["get"]
    assert "image/jpeg" in photo["responses"]["200"]["content"]
    assert "Idempotency-Key" in [p["name"] for p in submit["parameters"]]
    task_list = paths["/api/v1/s/{station}/tasks"]["get"]
    assert task_list["security"] == [{}, {"bearer": []}]
    submission = document["components"]["schemas"]["Submission"]
    assert {"preview", "breakdown", "photos", "reviews", "fields"} <= set(submission["properties"])


@pytest.mark.parametrize(
    "times",
    [
        ("9999-12-31T20:00:00+00:00", "9999-12-31T23:00:00+00:00"),
        ("1999-12-31T20:00:00+00:00", "1999-12-31T23:00:00+00:00"),
    ],
    ids=["year 9999", "year 1999"],
)
def test_a_task_in_an_absurd_year_is_refused_and_the_pages_stay_up(client, world, tasks, times):
    starts_at, ends_at = times
    body = tasks.body(starts_at=starts_at, ends_at=ends_at)
    response = client.post("/api/v1/s/huguo/tasks", json=body, headers=tasks.officer().headers)
    error = error_of(response, 400, "invalid_input")
    assert "starts_at" in error["fields"] and "2000 to 2999" in error["fields"]["starts_at"][0]
    assert client.get("/api/v1/s/huguo/tasks").get_json()["tasks"] == []


def test_a_weekly_pattern_in_year_9999_is_refused(client, tasks):
    body = {
        **{key: tasks.body()[key] for key in ("type", "title", "place", "capacity")},
        "weekdays": [1, 2, 3, 4, 5],
        "start_time": "07:30",
        "end_time": "08:30",
        "first_date": "9999-12-25",
        "last_date": "9999-12-31",
    }
    response = client.post("/api/v1/s/huguo/task-series", json=body, headers=tasks.officer().headers)
    error = error_of(response, 400, "invalid_input")
    assert {"first_date", "last_date"} <= set(error["fields"])


def test_self_started_work_from_year_one_is_refused_and_the_queue_stays_up(client, world, tasks):
    vol = world.volunteer()
    response = tasks.submit(
        vol,
        photos=1,
        type="patrol",
        text="巡查",
        started_at="0001-01-01T00:30:00+00:00",
        ended_at="0001-01-01T01:00:00+00:00",
    )
    error = error_of(response, 400, "invalid_input")
    assert "started_at" in error["fields"] and tasks.submission_count() == 0
    queue = client.get("/api/v1/s/huguo/submissions?status=pending", headers=tasks.officer().headers)
    assert queue.status_code == 200
