"""The tasks API: the multipart submission form, its photos, idempotent retries and who may see a submission."""

from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from core.tenancy import current_tenancy
from tests.api_points_helpers import error_of
from tests.api_tasks_helpers import HUGE, clock_fixture, jpeg, tasks_fixture, world_fixture  # noqa: F401

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
# Work from an absurd year
# ---------------------------------------------------------------------------


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
