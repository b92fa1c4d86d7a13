"""The tasks API: task types, posting tasks and weekly series, the task list, sign-ups, the OpenAPI document."""

from datetime import timedelta

import pytest
from openapi_spec_validator import validate

from tests.api_points_helpers import error_of
from tests.api_tasks_helpers import HUGE, clock_fixture, task_start, task_types_by_key, tasks_fixture, world_fixture  # noqa: F401

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
    huguo, donghua = task_types_by_key(client, "huguo"), task_types_by_key(client, "donghua")
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
