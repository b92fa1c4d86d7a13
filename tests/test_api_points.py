"""The points API: check-in, the volunteer's points, adjustments, the
leaderboard, and the OpenAPI document of the points endpoints.

Rewards and redemptions are in ``test_api_rewards.py``, retries with
``Idempotency-Key`` in ``test_api_idempotency.py``; the shared fixtures and
helpers in ``api_points_helpers.py``.

The API reads the time from ``core.api.common.now``; the ``clock`` fixture
sets it (naive UTC), so station-local days can be crossed on purpose.
"""

from datetime import datetime, timedelta

import pytest

from core.api import points_openapi
from core.models import IdempotentRequest, Role
from core.testing import write_station
from tests.api_points_helpers import NOON, clock_fixture, error_of, world_fixture  # noqa: F401

# ---------------------------------------------------------------------------
# Check-in
# ---------------------------------------------------------------------------


def test_check_in_books_the_rule_line_and_answers_balance_streak_and_day(client, world):
    volunteer = world.volunteer()
    response = client.post("/api/v1/me/checkins", headers=volunteer.headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["balance"] == 1
    assert body["streak"] == 1
    assert body["local_date"] == "2020-01-15"
    entry = body["entry"]
    assert entry["amount"] == 1 and entry["kind"] == "checkin" and entry["local_date"] == "2020-01-15"
    assert entry["breakdown"] == [
        {"rule": "core.checkin", "label": {"zh": "每日签到", "en": "Daily check-in"}, "points": 1}
    ]
    assert entry["created_at"].endswith("+00:00") and entry["reverses"] is None


def test_a_second_check_in_the_same_local_day_is_409_and_books_nothing(client, world, clock):
    volunteer = world.volunteer()
    assert client.post("/api/v1/me/checkins", headers=volunteer.headers).status_code == 201
    clock.now = NOON + timedelta(hours=11)  # 23:00 in Kunming, still the 15th
    error_of(client.post("/api/v1/me/checkins", headers=volunteer.headers), 409, "already_checked_in")
    points = world.points(volunteer)
    assert points["balance"] == 1 and len(points["entries"]) == 1


def test_the_check_in_day_is_the_stations_local_day(client, world, clock):
    volunteer = world.volunteer()
    # 15:59 and 16:01 UTC are the same UTC day but two days in Kunming.
    clock.now = datetime(2020, 1, 15, 15, 59)
    first = client.post("/api/v1/me/checkins", headers=volunteer.headers).get_json()
    clock.now = datetime(2020, 1, 15, 16, 1)
    second = client.post("/api/v1/me/checkins", headers=volunteer.headers)
    assert second.status_code == 201, second.get_json()
    assert (first["local_date"], second.get_json()["local_date"]) == ("2020-01-15", "2020-01-16")
    assert second.get_json()["streak"] == 2
    # 16:01 on the 15th and 15:00 on the 16th are two UTC days but one Kunming day (the 16th).
    clock.now = datetime(2020, 1, 16, 15, 0)  # 23:00 on the 16th in Kunming
    error_of(client.post("/api/v1/me/checkins", headers=volunteer.headers), 409, "already_checked_in")
    assert world.points(volunteer)["balance"] == 2


def test_the_daily_cap_shows_in_the_breakdown_and_limits_the_booking(make_app, tmp_path, clock):
    stations = tmp_path / "capped-stations"
    stations.mkdir()
    write_station(stations, "capped", extra="[points]\ncheckin_points = 5\ndaily_cap = 3\n")
    client = make_app(STATIONS_DIR=str(stations)).test_client()
    registration = {
        "name": "赵六",
        "phone": "13700000001",
        "password": "correct horse",
        "occupation": "driver",
        "accept_oath": True,
        "oath_version": "v1",
    }
    assert client.post("/api/v1/s/capped/volunteers", json=registration).status_code == 201
    token = client.post("/api/v1/auth/tokens", json={"phone": "13700000001", "password": "correct horse"}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    response = client.post("/api/v1/me/checkins", headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [(line["rule"], line["points"]) for line in body["entry"]["breakdown"]] == [
        ("core.checkin", 5),
        ("core.daily_cap", -2),
    ]
    assert body["entry"]["amount"] == 3 and body["balance"] == 3
    points = client.get("/api/v1/me/points", headers=headers).get_json()
    assert (points["balance"], points["earned"]) == (3, 3)


def test_only_volunteers_check_in(client, world):
    for person in (world.staff(), world.admin()):
        error_of(client.post("/api/v1/me/checkins", headers=person.headers), 403, "volunteers_only")
    error_of(client.post("/api/v1/me/checkins"), 401, "unauthorized")


def test_a_volunteer_of_a_disabled_station_gets_a_404_not_a_500(make_app, tmp_path, clock):
    stations = tmp_path / "closing"
    stations.mkdir()
    write_station(stations, "closing")
    client = make_app(STATIONS_DIR=str(stations)).test_client()
    registration = {
        "name": "赵六",
        "phone": "13700000002",
        "password": "correct horse",
        "occupation": "driver",
        "accept_oath": True,
        "oath_version": "v1",
    }
    assert client.post("/api/v1/s/closing/volunteers", json=registration).status_code == 201
    token = client.post("/api/v1/auth/tokens", json={"phone": "13700000002", "password": "correct horse"}).get_json()
    write_station(stations, "closing", enabled=False)
    client = make_app(STATIONS_DIR=str(stations)).test_client()
    headers = {"Authorization": f"Bearer {token['token']}"}
    for response in (
        client.post("/api/v1/me/checkins", headers=headers),
        client.get("/api/v1/me/points", headers=headers),
        client.get("/api/v1/me/redemptions", headers=headers),
    ):
        error_of(response, 404, "station_not_found")


# ---------------------------------------------------------------------------
# The volunteer's points
# ---------------------------------------------------------------------------


def test_points_lists_entries_newest_first_with_totals(client, world, clock):
    volunteer = world.volunteer()
    clock.now = NOON - timedelta(days=1)
    client.post("/api/v1/me/checkins", headers=volunteer.headers)
    clock.now = NOON
    client.post("/api/v1/me/checkins", headers=volunteer.headers)
    world.give(volunteer, 10)
    reward_id = world.reward(cost=4)
    code = world.redeem(volunteer, reward_id).get_json()["code"]
    assert client.post(f"/api/v1/s/huguo/redemptions/{code}/cancel", headers=volunteer.headers).status_code == 200
    body = world.points(volunteer)
    assert [entry["kind"] for entry in body["entries"]] == ["refund", "redemption", "adjustment", "checkin", "checkin"]
    assert [entry["amount"] for entry in body["entries"]] == [4, -4, 10, 1, 1]
    refund, debit = body["entries"][0], body["entries"][1]
    assert refund["reverses"] == debit["id"]
    assert [line["rule"] for line in refund["breakdown"]] == ["core.reversal"]
    assert set(refund) == {"id", "amount", "kind", "reason", "breakdown", "created_at", "local_date", "reverses"}
    assert all(entry["created_at"].endswith("+00:00") for entry in body["entries"])
    assert body["entries"][-1]["local_date"] == "2020-01-14"
    assert (body["page"], body["has_more"]) == (1, False)
    assert (body["balance"], body["earned"], body["streak"], body["checked_in_today"]) == (12, 12, 2, True)
    clock.now = NOON + timedelta(days=1)
    later = world.points(volunteer)
    assert (later["streak"], later["checked_in_today"]) == (2, False)
    clock.now = NOON + timedelta(days=2)
    assert world.points(volunteer)["streak"] == 0


def test_points_are_paged(client, world):
    volunteer = world.volunteer()
    admin = world.admin()
    for amount in range(1, 23):
        client.post(
            "/api/v1/s/huguo/adjustments",
            json={"volunteer_id": volunteer.id, "amount": amount, "reason": f"第{amount}次"},
            headers=admin.headers,
        )
    first, second = world.points(volunteer), world.points(volunteer, page=2)
    assert [e["amount"] for e in first["entries"]] == list(range(22, 2, -1)) and first["has_more"] is True
    assert [e["amount"] for e in second["entries"]] == [2, 1] and second["has_more"] is False
    assert second["page"] == 2 and world.points(volunteer, page=3)["entries"] == []


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "10001", "99999999999999999999999"])
def test_a_bad_page_is_a_400_naming_page(client, world, page):
    volunteer = world.volunteer()
    error = error_of(client.get(f"/api/v1/me/points?page={page}", headers=volunteer.headers), 400, "invalid_input")
    assert list(error["fields"]) == ["page"]


def test_points_and_redemptions_are_for_volunteers(client, world):
    officer = world.staff()
    for url in ("/api/v1/me/points", "/api/v1/me/redemptions"):
        error_of(client.get(url, headers=officer.headers), 403, "volunteers_only")
        error_of(client.get(url), 401, "unauthorized")


# ---------------------------------------------------------------------------
# Adjustments
# ---------------------------------------------------------------------------


def test_an_admin_adjusts_points_with_a_reason(client, world):
    volunteer = world.volunteer()
    admin = world.admin()
    response = client.post(
        "/api/v1/s/huguo/adjustments",
        json={"volunteer_id": volunteer.id, "amount": 8, "reason": "  补记巡逻积分  "},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["balance"] == 8
    entry = body["entry"]
    assert (entry["amount"], entry["kind"], entry["reason"]) == (8, "adjustment", "补记巡逻积分")
    assert [line["rule"] for line in entry["breakdown"]] == ["core.adjustment"]
    taken = client.post(
        "/api/v1/s/huguo/adjustments",
        json={"volunteer_id": volunteer.id, "amount": -3, "reason": "重复登记"},
        headers=admin.headers,
    )
    assert taken.status_code == 201 and taken.get_json()["balance"] == 5
    points = world.points(volunteer)
    assert (points["balance"], points["earned"]) == (5, 8)


def test_an_adjustment_may_not_go_below_zero(client, world):
    volunteer = world.volunteer()
    world.give(volunteer, 2)
    response = client.post(
        "/api/v1/s/huguo/adjustments",
        json={"volunteer_id": volunteer.id, "amount": -3, "reason": "扣分"},
        headers=world.admin().headers,
    )
    error_of(response, 409, "insufficient_points")
    assert world.points(volunteer)["balance"] == 2


def test_only_the_stations_admin_adjusts(client, world):
    volunteer = world.volunteer()
    body = {"volunteer_id": volunteer.id, "amount": 5, "reason": "奖励"}
    for person in (volunteer, world.staff(), world.admin("donghua")):
        error_of(client.post("/api/v1/s/huguo/adjustments", json=body, headers=person.headers), 403, "forbidden")
    error_of(client.post("/api/v1/s/huguo/adjustments", json=body), 401, "unauthorized")
    assert world.points(volunteer)["balance"] == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"amount": 0}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "5"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": 10**12}, "amount"),
        ({"amount": "missing"}, "amount"),
        ({"reason": "missing"}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 201}, "reason"),
        ({"reason": "bad\u0000"}, "reason"),
        ({"volunteer_id": "1"}, "volunteer_id"),
        ({"volunteer_id": 10**30}, "volunteer_id"),
        ({"volunteer_id": None}, "volunteer_id"),
        ({"note": "hi"}, "note"),
    ],
)
def test_a_bad_adjustment_is_a_400_naming_the_field(client, world, change, field):
    volunteer = world.volunteer()
    body = {"volunteer_id": volunteer.id, "amount": 5, "reason": "奖励", **change}
    body = {key: value for key, value in body.items() if value != "missing"}
    error = error_of(
        client.post("/api/v1/s/huguo/adjustments", json=body, headers=world.admin().headers), 400, "invalid_input"
    )
    assert list(error["fields"]) == [field]
    assert world.points(volunteer)["balance"] == 0


def test_an_adjustment_for_another_stations_volunteer_is_refused(client, world):
    volunteer = world.volunteer("donghua")
    for someone in (volunteer.id, world.staff().id, 999999):
        response = client.post(
            "/api/v1/s/huguo/adjustments",
            json={"volunteer_id": someone, "amount": 5, "reason": "奖励"},
            headers=world.admin().headers,
        )
        error_of(response, 400, "adjustment_refused")
    assert world.points(volunteer)["balance"] == 0


def test_a_retried_adjustment_books_once_and_unkeyed_ones_each_book(app, client, world):
    volunteer = world.volunteer()
    admin = world.admin()
    body = {"volunteer_id": volunteer.id, "amount": 5, "reason": "奖励"}
    url = "/api/v1/s/huguo/adjustments"
    long_key = "k" * 100
    first = client.post(url, json=body, headers=admin.key(long_key))
    assert first.status_code == 201, first.get_json()
    assert client.post(url, json=body, headers=admin.key(long_key)).data == first.data
    assert world.points(volunteer)["balance"] == 5
    # Even with the stored answer lost, the ledger key stops a second booking.
    with app.app_context():
        IdempotentRequest.delete().execute()
    again = client.post(url, json=body, headers=admin.key(long_key))
    assert again.status_code == 201 and again.get_json()["entry"]["id"] == first.get_json()["entry"]["id"]
    with app.app_context():
        IdempotentRequest.delete().execute()
    error_of(client.post(url, json={**body, "amount": 6}, headers=admin.key(long_key)), 422, "idempotency_key_reused")
    # Another admin's key of the same text is theirs alone.
    other_admin = world.staff(role=Role.STATION_ADMIN, name="李所长")
    assert client.post(url, json=body, headers=other_admin.key(long_key)).status_code == 201
    assert world.points(volunteer)["balance"] == 10
    # Without a key, each request books.
    assert client.post(url, json=body, headers=admin.headers).status_code == 201
    assert client.post(url, json=body, headers=admin.headers).status_code == 201
    assert world.points(volunteer)["balance"] == 20


# ---------------------------------------------------------------------------
# Leaderboard
# ---------------------------------------------------------------------------


def test_the_leaderboard_ranks_masked_names_by_month_or_all_time(client, world, clock):
    li = world.volunteer(name="李红梅")
    wang = world.volunteer(name="王五")
    zhao = world.volunteer(name="赵")
    world.volunteer(name="钱多多")  # earned nothing: not listed
    for volunteer in (li, wang, zhao):
        assert client.post("/api/v1/me/checkins", headers=volunteer.headers).status_code == 201
    clock.now = NOON - timedelta(days=40)
    world.give(wang, 50)  # last month: counts for all time, not this month
    clock.now = NOON + timedelta(days=1)
    client.post("/api/v1/me/checkins", headers=li.headers)
    world.give(world.volunteer("donghua", name="孙东华"), 99, station="donghua")  # another station

    month = client.get("/api/v1/s/huguo/leaderboard")
    assert month.status_code == 200
    assert month.get_json() == {
        "period": "month",
        "entries": [
            {"rank": 1, "name": "李**", "earned": 2},
            {"rank": 2, "name": "王*", "earned": 1},
            {"rank": 2, "name": "赵", "earned": 1},
        ],
    }
    assert client.get("/api/v1/s/huguo/leaderboard?period=month").get_json() == month.get_json()
    all_time = client.get("/api/v1/s/huguo/leaderboard?period=all").get_json()
    assert all_time["period"] == "all"
    assert [(row["rank"], row["name"], row["earned"]) for row in all_time["entries"]] == [
        (1, "王*", 51),
        (2, "李**", 2),
        (3, "赵", 1),
    ]
    clock.now = datetime(2020, 2, 1, 4, 0)  # a new month in Kunming
    assert client.get("/api/v1/s/huguo/leaderboard").get_json()["entries"] == []


@pytest.mark.parametrize("period", ["week", "", "ALL"])
def test_a_bad_period_is_a_400_naming_period(client, period):
    error = error_of(client.get(f"/api/v1/s/huguo/leaderboard?period={period}"), 400, "invalid_input")
    assert list(error["fields"]) == ["period"]


def test_the_leaderboard_of_an_unknown_station_is_404(client):
    error_of(client.get("/api/v1/s/atlantis/leaderboard"), 404, "not_found")


# ---------------------------------------------------------------------------
# The OpenAPI document
# ---------------------------------------------------------------------------


def test_the_points_endpoints_are_documented_with_their_parameters(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    for path, method, *_rest in points_openapi.POINTS_ENDPOINTS:
        assert method in paths[path], (path, method)
    patch = paths["/api/v1/s/{station}/rewards/{reward_id}"]
    assert {p["name"]: p["schema"]["type"] for p in patch["parameters"]} == {
        "station": "string",
        "reward_id": "integer",
    }
    assert patch["patch"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RewardPatch"
    }
    assert "required" not in document["components"]["schemas"]["RewardPatch"]
    assert "cost" in document["components"]["schemas"]["RewardInput"]["required"]
    checkin = paths["/api/v1/me/checkins"]["post"]
    assert [p["name"] for p in checkin["parameters"]] == ["Idempotency-Key"]
    assert [p["name"] for p in paths["/api/v1/me/points"]["get"]["parameters"]] == ["page"]
    assert paths["/api/v1/s/{station}/rewards"]["get"]["security"] == [{}, {"bearer": []}]
