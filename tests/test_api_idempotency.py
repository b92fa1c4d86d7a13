"""The points API: retries with ``Idempotency-Key``.

A retried request gets the stored answer and books nothing again; a key is
one user's, for one request; a server error forgets the key.
"""

import json
from datetime import timedelta

import pytest

from core.api import common, idempotency, points_api
from core.models import EntryKind, IdempotentRequest, LedgerEntry, Redemption
from tests.api_points_helpers import NOON, clock_fixture, error_of, world_fixture  # noqa: F401

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
