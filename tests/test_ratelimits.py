"""Sign-in and registration are rate limited, per phone and per address."""

import os
import uuid

import redis

from core.testing import post_form

WRONG = {"phone": "13800000000", "password": "not-the-password"}
REDIS_URL = os.environ.get("REDARMBAND_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def test_token_attempts_for_one_phone_are_limited(make_app):
    client = make_app(RATELIMIT_SIGN_IN_PER_PHONE="3 per minute").test_client()
    codes = [client.post("/api/v1/auth/tokens", json=WRONG).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    refused = client.post("/api/v1/auth/tokens", json=WRONG)
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert "Retry-After" in refused.headers
    # another phone is not held back by this one's attempts
    assert client.post("/api/v1/auth/tokens", json={**WRONG, "phone": "13800000001"}).status_code == 401


def test_web_sign_in_shares_the_phones_limit_with_the_api(make_app):
    client = make_app(RATELIMIT_SIGN_IN_PER_PHONE="2 per minute").test_client()
    client.post("/api/v1/auth/tokens", json=WRONG)
    assert post_form(client, "/s/huguo/login", WRONG).status_code == 401
    assert post_form(client, "/s/huguo/login", WRONG).status_code == 429


def test_sign_in_attempts_from_one_address_are_limited_across_phones(make_app):
    client = make_app(RATELIMIT_SIGN_IN_PER_ADDRESS="3 per minute").test_client()
    codes = [
        client.post("/api/v1/auth/tokens", json={**WRONG, "phone": f"1380000000{n}"}).status_code for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    other_address = client.post("/api/v1/auth/tokens", json=WRONG, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_address.status_code == 401


def test_registrations_from_one_address_are_limited(make_app):
    client = make_app(RATELIMIT_REGISTER_PER_ADDRESS="2 per minute").test_client()
    body = {
        "name": "周",
        "password": "password1",
        "occupation": "driver",
        "accept_oath": True,
        "oath_version": "2024-1",
    }
    codes = [
        client.post("/api/v1/s/huguo/volunteers", json={**body, "phone": f"1381111000{n}"}).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]


def test_reading_pages_is_not_limited(make_app):
    client = make_app(RATELIMIT_SIGN_IN_PER_ADDRESS="1 per minute").test_client()
    assert {client.get("/s/huguo/login").status_code for _ in range(5)} == {200}


def test_app_servers_sharing_redis_share_the_counts(make_app):
    """Two app servers (two apps here) count one phone's attempts together."""
    redis.Redis.from_url(REDIS_URL).ping()  # CI starts Redis; a dead one fails here, loudly
    phone = f"139{uuid.uuid4().int % 10**8:08d}"  # counts outlive the test in Redis
    settings = {"RATELIMIT_STORAGE": REDIS_URL, "RATELIMIT_SIGN_IN_PER_PHONE": "2 per minute"}
    first, second = make_app(**settings).test_client(), make_app(**settings).test_client()
    attempt = {**WRONG, "phone": phone}
    assert first.post("/api/v1/auth/tokens", json=attempt).status_code == 401
    assert second.post("/api/v1/auth/tokens", json=attempt).status_code == 401
    assert first.post("/api/v1/auth/tokens", json=attempt).status_code == 429


def test_a_limited_web_sign_in_explains_itself_in_the_readers_language(make_app):
    client = make_app(RATELIMIT_SIGN_IN_PER_PHONE="1 per minute").test_client()
    post_form(client, "/s/huguo/login", WRONG)
    refused = post_form(client, "/s/huguo/login", WRONG)
    assert refused.status_code == 429
    assert "尝试次数过多" in refused.get_data(as_text=True)
