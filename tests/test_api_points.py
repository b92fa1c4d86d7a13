"""The points API: check-in, statement, rewards, redemptions, adjustments,
leaderboard, and retries with ``Idempotency-Key``.

The API reads the time from ``core.api.common.now``; the ``clock`` fixture
sets it (naive UTC), so station-local days can be crossed on purpose.
"""

import json
from datetime import datetime, timedelta

import pytest

from core.accounts import create_user
from core.api import common, idempotency, points_api, points_openapi
from core.models import EntryKind, IdempotentRequest, LedgerEntry, Redemption, Reward, Role, User
from core.rewards import grant_collect
from core.tenancy import current_tenancy
from core.testing import write_station

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


@pytest.fixture
def clock(monkeypatch):
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


@pytest.fixture
def world(app, client, register_volunteer, clock):
    return World(app, client, register_volunteer)


def error_of(response, status, code):
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code, error
    return error


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
# Idempotency-Key
# ---------------------------------------------------------------------------


def test_a_retried_check_in_gets_the_same_answer_and_books_once(app, client, world, clock):
    volunteer = world.volunteer()
    first = client.post("/api/v1/me/checkins", headers=volunteer.key("checkin-1"))
    clock.now = NOON + timedelta(minutes=5)
    retry = client.post("/api/v1/me/checkins", headers=volunteer.key("checkin-1"))
    assert first.status_code == retry.status_code == 201
    assert retry.data == first.data
    assert retry.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    points = world.points(volunteer)
    assert points["balance"] == 1 and len(points["entries"]) == 1
    with app.app_context():
        stored = IdempotentRequest.get(IdempotentRequest.key == "checkin-1")
        assert (stored.status, stored.endpoint) == (201, "api.create_checkin")
        assert json.loads(stored.body) == first.get_json()


def test_another_key_the_same_day_is_already_checked_in(client, world):
    volunteer = world.volunteer()
    assert client.post("/api/v1/me/checkins", headers=volunteer.key("a")).status_code == 201
    error_of(client.post("/api/v1/me/checkins", headers=volunteer.key("b")), 409, "already_checked_in")
    assert world.points(volunteer)["balance"] == 1


def test_keys_belong_to_one_user(client, world):
    first, second = world.volunteer(), world.volunteer(name="王小明")
    assert client.post("/api/v1/me/checkins", headers=first.key("same")).status_code == 201
    response = client.post("/api/v1/me/checkins", headers=second.key("same"))
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert world.points(second)["balance"] == 1


def test_a_retried_redemption_books_one_debit_and_takes_one_from_stock(app, client, world):
    volunteer = world.volunteer()
    world.give(volunteer, 20)
    reward_id = world.reward(cost=5, stock=3)
    first = world.redeem(volunteer, reward_id, headers=volunteer.key("redeem-1"))
    retry = world.redeem(volunteer, reward_id, headers=volunteer.key("redeem-1"))
    assert first.status_code == retry.status_code == 201
    assert retry.data == first.data
    assert world.stock(reward_id) == 2
    assert world.points(volunteer)["balance"] == 15
    with app.app_context():
        assert LedgerEntry.select().where(LedgerEntry.kind == EntryKind.REDEMPTION).count() == 1
        assert Redemption.select().count() == 1
    # A new key is a new redemption.
    assert world.redeem(volunteer, reward_id, headers=volunteer.key("redeem-2")).status_code == 201
    assert world.stock(reward_id) == 1


def test_a_client_error_is_stored_and_replayed_too(client, world):
    volunteer = world.volunteer()
    reward_id = world.reward(cost=5)
    error_of(world.redeem(volunteer, reward_id, headers=volunteer.key("k")), 409, "insufficient_points")
    world.give(volunteer, 10)
    replay = world.redeem(volunteer, reward_id, headers=volunteer.key("k"))
    error_of(replay, 409, "insufficient_points")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert world.redeem(volunteer, reward_id, headers=volunteer.key("k2")).status_code == 201


def test_a_key_reused_for_another_request_is_422(client, world):
    volunteer = world.volunteer()
    world.give(volunteer, 20)
    reward_id = world.reward()
    other_reward_id = world.reward(name="雨伞")
    assert client.post("/api/v1/me/checkins", headers=volunteer.key("k")).status_code == 201
    # another endpoint
    error = error_of(world.redeem(volunteer, reward_id, headers=volunteer.key("k")), 422, "idempotency_key_reused")
    assert list(error["fields"]) == ["Idempotency-Key"]
    # the same endpoint, another path
    assert world.redeem(volunteer, reward_id, headers=volunteer.key("r")).status_code == 201
    error_of(world.redeem(volunteer, other_reward_id, headers=volunteer.key("r")), 422, "idempotency_key_reused")
    # the same path, another body
    admin = world.admin()
    adjustment = {"volunteer_id": volunteer.id, "amount": 3, "reason": "奖励"}
    url = "/api/v1/s/huguo/adjustments"
    assert client.post(url, json=adjustment, headers=admin.key("adj")).status_code == 201
    error_of(
        client.post(url, json={**adjustment, "amount": 4}, headers=admin.key("adj")), 422, "idempotency_key_reused"
    )
    assert world.points(volunteer)["balance"] == 20 + 1 - 5 + 3  # the check-in, one redemption, one adjustment


def test_a_request_still_running_under_the_key_is_409(app, client, world):
    volunteer = world.volunteer()
    with app.app_context():
        IdempotentRequest.create(
            user=volunteer.id,
            key="running",
            endpoint="api.create_checkin",
            fingerprint=idempotency.fingerprint("POST", "/api/v1/me/checkins", b""),
        )
    error_of(client.post("/api/v1/me/checkins", headers=volunteer.key("running")), 409, "request_in_progress")
    assert world.points(volunteer)["balance"] == 0


@pytest.mark.parametrize("key", ["", "x" * 101, "tab\there", "nul\x00", "ключ".encode().decode("latin-1")])
def test_an_idempotency_key_must_have_1_to_100_printable_ascii_characters(client, world, key):
    volunteer = world.volunteer()
    error = error_of(client.post("/api/v1/me/checkins", headers=volunteer.key(key)), 400, "invalid_idempotency_key")
    assert list(error["fields"]) == ["Idempotency-Key"]
    assert world.points(volunteer)["balance"] == 0
    assert client.post("/api/v1/me/checkins", headers=volunteer.key("x" * 100)).status_code == 201


def test_a_server_error_forgets_the_key_so_the_retry_does_the_work(app, client, world, monkeypatch):
    volunteer = world.volunteer()

    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(points_api, "check_in", broken)
    with pytest.raises(RuntimeError):
        client.post("/api/v1/me/checkins", headers=volunteer.key("flaky"))
    with app.app_context():
        assert not IdempotentRequest.select().where(IdempotentRequest.key == "flaky").exists()
    monkeypatch.undo()
    monkeypatch.setattr(common, "now", lambda: NOON)
    response = client.post("/api/v1/me/checkins", headers=volunteer.key("flaky"))
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers


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
# The rewards catalogue
# ---------------------------------------------------------------------------


def test_the_catalogue_is_public_and_shows_only_visible_rewards(client, world):
    shown = world.reward(name="保温杯", cost=5)
    world.reward(name="停用", active=False)
    world.reward(name="未上架", visible_from=iso(NOON + timedelta(days=1)))
    world.reward(name="已下架", visible_until=iso(NOON - timedelta(seconds=1)))
    cheap = world.reward(
        name="雨伞", cost=2, visible_until=iso(NOON + timedelta(days=1)), limit_count=1, limit_period="month"
    )
    response = client.get("/api/v1/s/huguo/rewards")
    assert response.status_code == 200
    rewards = response.get_json()["rewards"]
    assert [r["id"] for r in rewards] == [cheap, shown]  # cheapest first
    assert rewards[1] == {
        "id": shown,
        "name": "保温杯",
        "description": "印有护小侠标志",
        "cost": 5,
        "stock": 3,
        "limit_count": None,
        "limit_period": None,
        "visible_from": None,
        "visible_until": None,
        "place": {"name": "护国派出所值班室", "address": "昆明市五华区护国路1号", "hours": "周一至周五 9:00-17:00"},
        "photo_url": None,
        "active": True,
        "visible": True,
    }
    assert rewards[0]["visible_until"] == "2020-01-16T04:00:00+00:00"
    assert (rewards[0]["limit_count"], rewards[0]["limit_period"]) == (1, "month")
    assert client.get("/api/v1/s/donghua/rewards").get_json() == {"rewards": []}
    with world.app.app_context():
        Reward.update(photo="huguo/rewards/2020/01/15/cup.jpg").where(Reward.id == shown).execute()
    photo_url = client.get("/api/v1/s/huguo/rewards").get_json()["rewards"][1]["photo_url"]
    assert photo_url == f"/s/huguo/rewards/{shown}/photo"


def test_staff_list_every_reward_with_all(client, world):
    world.reward(name="保温杯")
    world.reward(name="停用", active=False)
    world.reward(name="未上架", visible_from=iso(NOON + timedelta(days=1)))
    for staff in (world.staff(), world.admin()):
        response = client.get("/api/v1/s/huguo/rewards?all=1", headers=staff.headers)
        assert response.status_code == 200
        assert {(r["name"], r["visible"]) for r in response.get_json()["rewards"]} == {
            ("保温杯", True),
            ("停用", False),
            ("未上架", False),
        }


def test_all_needs_a_staff_token_of_that_station(client, world):
    error_of(client.get("/api/v1/s/huguo/rewards?all=1"), 401, "unauthorized")
    error_of(client.get("/api/v1/s/huguo/rewards?all=1", headers=world.volunteer().headers), 403, "forbidden")
    error_of(client.get("/api/v1/s/huguo/rewards?all=1", headers=world.staff("donghua").headers), 403, "forbidden")
    error = error_of(client.get("/api/v1/s/huguo/rewards?all=yes", headers=world.staff().headers), 400, "invalid_input")
    assert list(error["fields"]) == ["all"]
    error_of(client.get("/api/v1/s/atlantis/rewards"), 404, "not_found")


def test_staff_add_rewards(client, world):
    officer = world.staff()
    response = client.post(
        "/api/v1/s/huguo/rewards",
        json={**REWARD, "limit_count": 2, "limit_period": "ever", "visible_from": "2020-01-15T08:00:00+08:00"},
        headers=officer.headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == "保温杯" and body["stock"] == 3 and body["active"] is True
    assert body["visible_from"] == "2020-01-15T00:00:00+00:00"
    assert body["place"]["name"] == "护国派出所值班室"
    assert [r["id"] for r in client.get("/api/v1/s/huguo/rewards").get_json()["rewards"]] == [body["id"]]


def test_only_the_stations_staff_add_rewards(client, world):
    for person in (world.volunteer(), world.staff("donghua"), world.admin("donghua")):
        error_of(client.post("/api/v1/s/huguo/rewards", json=REWARD, headers=person.headers), 403, "forbidden")
    error_of(client.post("/api/v1/s/huguo/rewards", json=REWARD), 401, "unauthorized")
    assert client.get("/api/v1/s/huguo/rewards").get_json() == {"rewards": []}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"cost": 0}, "cost"),
        ({"cost": "5"}, "cost"),
        ({"cost": True}, "cost"),
        ({"stock": -1}, "stock"),
        ({"name": ""}, "name"),
        ({"name": "missing"}, "name"),
        ({"place_hours": "missing"}, "place_hours"),
        ({"photo": "x.jpg"}, "photo"),
        ({"limit_count": 2}, "limit_period"),
        ({"limit_count": 2, "limit_period": "week"}, "limit_period"),
        ({"limit_count": 2**40, "limit_period": "month"}, "limit_count"),
        ({"visible_from": "2020-01-15T08:00:00"}, "visible_from"),
        ({"visible_from": iso(NOON), "visible_until": iso(NOON)}, "visible_until"),
        ({"visible_until": "9999-12-31T23:00:00-05:00"}, "visible_until"),
        ({"visible_from": "0001-01-01T00:00:00+08:00"}, "visible_from"),
        ({"name": "杯\u0000子"}, "name"),
        ({"name": "\ud800"}, "name"),
    ],
)
def test_a_bad_reward_is_a_400_naming_the_field(client, world, change, field):
    body = {**REWARD, **change}
    body = {key: value for key, value in body.items() if value != "missing"}
    response = client.post("/api/v1/s/huguo/rewards", json=body, headers=world.staff().headers)
    error = error_of(response, 400, "invalid_input")
    assert list(error["fields"]) == [field]


def test_a_reward_body_must_be_a_json_object(client, world):
    officer = world.staff()
    deep = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(
        "/api/v1/s/huguo/rewards", data=deep, content_type="application/json", headers=officer.headers
    )
    error_of(response, 400, "invalid_json")
    error_of(client.post("/api/v1/s/huguo/rewards", data="cup", headers=officer.headers), 400, "invalid_json")
    error_of(client.post("/api/v1/s/huguo/rewards", json=[REWARD], headers=officer.headers), 400, "invalid_json")


def test_staff_change_some_fields_of_a_reward(client, world):
    reward_id = world.reward(limit_count=1, limit_period="month")
    officer = world.staff()
    url = f"/api/v1/s/huguo/rewards/{reward_id}"
    response = client.patch(url, json={"stock": 10, "active": False}, headers=officer.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["stock"], body["active"], body["name"], body["cost"]) == (10, False, "保温杯", 5)
    # One of a checked pair is checked against the other's stored value.
    response = client.patch(url, json={"limit_count": 3}, headers=officer.headers)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["limit_count"], response.get_json()["limit_period"]) == (3, "month")
    assert client.patch(url, json={"visible_from": iso(NOON)}, headers=officer.headers).status_code == 200
    error = error_of(
        client.patch(url, json={"visible_until": iso(NOON - timedelta(hours=1))}, headers=officer.headers),
        400,
        "invalid_input",
    )
    assert list(error["fields"]) == ["visible_until"]
    error = error_of(client.patch(url, json={"limit_period": "year"}, headers=officer.headers), 400, "invalid_input")
    assert list(error["fields"]) == ["limit_period"]
    assert client.patch(url, json={}, headers=officer.headers).get_json()["limit_count"] == 3


def test_only_the_stations_staff_change_its_rewards(client, world):
    reward_id = world.reward()
    huguo_url = f"/api/v1/s/huguo/rewards/{reward_id}"
    for person in (world.volunteer(), world.staff("donghua")):
        error_of(client.patch(huguo_url, json={"stock": 0}, headers=person.headers), 403, "forbidden")
    # Through their own station, another station's reward is not there.
    donghua_url = f"/api/v1/s/donghua/rewards/{reward_id}"
    error_of(client.patch(donghua_url, json={"stock": 0}, headers=world.staff("donghua").headers), 404, "not_found")
    for missing in (reward_id + 1, 2**31, 10**30):
        response = client.patch(f"/api/v1/s/huguo/rewards/{missing}", json={"stock": 0}, headers=world.staff().headers)
        error_of(response, 404, "not_found")
    assert world.stock(reward_id) == 3


# ---------------------------------------------------------------------------
# Redemption
# ---------------------------------------------------------------------------


def test_redeeming_spends_points_takes_stock_and_gives_a_code(client, world, clock):
    volunteer = world.volunteer()
    world.give(volunteer, 7)
    reward_id = world.reward(cost=5, stock=3)
    response = world.redeem(volunteer, reward_id)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "reserved" and body["cost"] == 5
    assert body["reward"]["id"] == reward_id and body["reward"]["place"]["address"] == "昆明市五华区护国路1号"
    assert body["expires_at"] == iso(NOON + timedelta(days=7))
    assert body["qr_url"] == f"/s/huguo/redemptions/{body['code']}/qr.svg"
    assert len(body["code"]) == 8
    assert world.points(volunteer)["balance"] == 2
    assert world.stock(reward_id) == 2


def test_redemption_refusals_are_409s_with_their_codes(client, world):
    volunteer = world.volunteer()
    world.give(volunteer, 100)
    poor = world.volunteer(name="王小明")
    error_of(world.redeem(poor, world.reward(cost=5)), 409, "insufficient_points")
    error_of(world.redeem(volunteer, world.reward(stock=0)), 409, "out_of_stock")
    limited = world.reward(limit_count=1, limit_period="month")
    assert world.redeem(volunteer, limited).status_code == 201
    error_of(world.redeem(volunteer, limited), 409, "limit_reached")
    error_of(world.redeem(volunteer, world.reward(active=False)), 409, "not_available")
    error_of(world.redeem(volunteer, world.reward(visible_from=iso(NOON + timedelta(hours=1)))), 409, "not_available")
    assert world.points(volunteer)["balance"] == 95
    assert world.points(poor)["balance"] == 0


def test_a_volunteer_cannot_redeem_another_stations_reward(client, world):
    volunteer = world.volunteer("donghua")
    world.give(volunteer, 100, station="donghua")
    huguo_reward = world.reward("huguo")
    error_of(world.redeem(volunteer, huguo_reward, station="huguo"), 404, "not_found")
    error_of(world.redeem(volunteer, huguo_reward, station="donghua"), 404, "not_found")
    error_of(world.redeem(volunteer, 10**30, station="donghua"), 404, "not_found")
    error_of(world.redeem(world.staff(), huguo_reward), 404, "not_found")
    assert world.stock(huguo_reward) == 3
    assert world.points(volunteer)["balance"] == 100


@pytest.fixture
def reserved(world):
    """A huguo volunteer with a reserved redemption: (volunteer, code, reward id)."""
    volunteer = world.volunteer()
    world.give(volunteer, 10)
    reward_id = world.reward(cost=5)
    code = world.redeem(volunteer, reward_id).get_json()["code"]
    return volunteer, code, reward_id


def test_staff_collect_a_redemption_once(client, world, reserved):
    volunteer, code, reward_id = reserved
    officer = world.staff()
    url = f"/api/v1/s/huguo/redemptions/{code}/collect"
    response = client.post(url, headers=officer.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "collected" and body["collected_at"].endswith("+00:00") and body["code"] == code
    error_of(client.post(url, headers=world.admin().headers), 409, "already_collected")
    assert world.points(volunteer)["balance"] == 5 and world.stock(reward_id) == 2


def test_a_code_may_be_typed_in_lower_case_with_dashes(client, world, reserved):
    _volunteer, code, _reward_id = reserved
    typed = f"{code[:4].lower()}-{code[4:].lower()}"
    response = client.post(f"/api/v1/s/huguo/redemptions/{typed}/collect", headers=world.staff().headers)
    assert response.status_code == 200 and response.get_json()["code"] == code


def test_who_may_collect(client, world, reserved):
    volunteer, code, _reward_id = reserved
    url = f"/api/v1/s/huguo/redemptions/{code}/collect"
    helper = world.volunteer(name="王小明")
    error_of(client.post(url, headers=helper.headers), 403, "forbidden")
    with world.app.app_context():
        grant_collect(User.get_by_id(helper.id))
        grant_collect(User.get_by_id(volunteer.id))
    error_of(client.post(url, headers=volunteer.headers), 403, "own_redemption")
    response = client.post(url, headers=helper.headers)
    assert response.status_code == 200 and response.get_json()["state"] == "collected"


def test_another_stations_officer_cannot_collect(client, world):
    volunteer = world.volunteer("donghua")
    world.give(volunteer, 10, station="donghua")
    code = world.redeem(volunteer, world.reward("donghua"), station="donghua").get_json()["code"]
    huguo_officer = world.staff("huguo")
    error_of(
        client.post(f"/api/v1/s/huguo/redemptions/{code}/collect", headers=huguo_officer.headers), 404, "not_found"
    )
    error_of(
        client.post(f"/api/v1/s/donghua/redemptions/{code}/collect", headers=huguo_officer.headers), 403, "forbidden"
    )
    assert (
        client.get("/api/v1/me/redemptions", headers=volunteer.headers).get_json()["redemptions"][0]["state"]
        == "reserved"
    )


@pytest.mark.parametrize("code", ["ZZZZZZZZ", "no-such-code-at-all", "%00", "码"])
def test_an_unknown_code_is_404(client, world, code):
    error_of(
        client.post(f"/api/v1/s/huguo/redemptions/{code}/collect", headers=world.staff().headers), 404, "not_found"
    )
    error_of(client.post(f"/api/v1/s/huguo/redemptions/{code}/cancel", headers=world.staff().headers), 404, "not_found")


def test_collecting_a_cancelled_or_expired_redemption_is_409(client, world, clock, reserved):
    volunteer, code, reward_id = reserved
    officer = world.staff()
    assert client.post(f"/api/v1/s/huguo/redemptions/{code}/cancel", headers=volunteer.headers).status_code == 200
    error_of(
        client.post(f"/api/v1/s/huguo/redemptions/{code}/collect", headers=officer.headers), 409, "already_cancelled"
    )
    late = world.redeem(volunteer, reward_id).get_json()["code"]
    clock.now = NOON + timedelta(days=7, seconds=1)
    error_of(
        client.post(f"/api/v1/s/huguo/redemptions/{late}/collect", headers=officer.headers), 409, "already_expired"
    )
    points = world.points(volunteer)
    assert points["balance"] == 10
    assert [entry["kind"] for entry in points["entries"][:2]] == ["refund", "redemption"]
    assert world.stock(reward_id) == 3


def test_the_volunteer_cancels_and_gets_the_points_back(client, world, reserved):
    volunteer, code, reward_id = reserved
    response = client.post(f"/api/v1/s/huguo/redemptions/{code}/cancel", headers=volunteer.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "cancelled" and body["closed_at"].endswith("+00:00")
    assert world.points(volunteer)["balance"] == 10
    assert world.stock(reward_id) == 3
    error_of(
        client.post(f"/api/v1/s/huguo/redemptions/{code}/cancel", headers=volunteer.headers), 409, "already_cancelled"
    )
    assert world.points(volunteer)["balance"] == 10


def test_staff_may_cancel_others_may_not_see_it(client, world, reserved):
    volunteer, code, _reward_id = reserved
    url = f"/api/v1/s/huguo/redemptions/{code}/cancel"
    for stranger in (world.volunteer(name="王小明"), world.staff("donghua")):
        error_of(client.post(url, headers=stranger.headers), 404, "not_found")
    error_of(client.post(f"/api/v1/s/donghua/redemptions/{code}/cancel", headers=volunteer.headers), 404, "not_found")
    response = client.post(url, headers=world.staff().headers)
    assert response.status_code == 200 and response.get_json()["state"] == "cancelled"
    assert world.points(volunteer)["balance"] == 10


def test_my_redemptions_newest_first_with_overdue_ones_expired(client, world, clock):
    volunteer = world.volunteer()
    world.give(volunteer, 30)
    cup, umbrella = world.reward(name="保温杯"), world.reward(name="雨伞")
    first = world.redeem(volunteer, cup).get_json()["code"]
    clock.now = NOON + timedelta(days=3)
    second = world.redeem(volunteer, umbrella).get_json()["code"]
    someone = world.volunteer(name="别人")
    world.give(someone, 5)
    assert world.redeem(someone, cup).status_code == 201  # someone else's: not listed
    body = client.get("/api/v1/me/redemptions", headers=volunteer.headers).get_json()
    assert [(r["code"], r["reward"]["name"], r["state"]) for r in body["redemptions"]] == [
        (second, "雨伞", "reserved"),
        (first, "保温杯", "reserved"),
    ]
    clock.now = NOON + timedelta(days=8)  # the first is overdue, the second not yet
    body = client.get("/api/v1/me/redemptions", headers=volunteer.headers).get_json()
    assert [r["state"] for r in body["redemptions"]] == ["reserved", "expired"]
    assert world.points(volunteer)["balance"] == 25


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
