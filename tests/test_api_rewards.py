"""The points API: the rewards catalogue and redemptions (redeem, collect,
cancel, my redemptions).

The API reads the time from ``core.api.common.now``; the ``clock`` fixture
sets it (naive UTC), so station-local days can be crossed on purpose.
"""

from datetime import timedelta

import pytest

from core.models import Reward, User
from core.rewards import grant_collect
from tests.api_points_helpers import NOON, REWARD, clock_fixture, error_of, iso, world_fixture  # noqa: F401

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
