"""Shared by the rewards page tests: an ``app`` with its own instance folder,
signed-in clients, rewards and redemptions made for a test, REWARD_FORM.

The ``app`` fixture function is named ``app_fixture`` and registered as
``app``: a test module imports it with
``from tests.rewards_pages_helpers import app_fixture  # noqa: F401`` and its
tests ask for ``app`` as usual.
"""

import re

import pytest

from core import points, rewards
from core.accounts import create_user
from core.models import Reward, Role, User, utcnow
from core.testing import csrf_token_from, post_form

PASSWORD = "abcdefgh1"
ADMIN_PHONES = {"huguo": "13599999991", "donghua": "13599999992", "xiaonanmen": "13599999993"}
REWARD_FORM = {
    "name": "保温杯",
    "description": "护小侠定制保温杯",
    "cost": "10",
    "stock": "5",
    "limit_count": "",
    "limit_period": "",
    "visible_from": "",
    "visible_until": "",
    "place_name": "护国派出所值班室",
    "place_address": "五华区护国路1号",
    "place_hours": "周一至周五 9:00-17:00",
    "active": "yes",
}


@pytest.fixture(name="app")
def app_fixture(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("REDARMBAND_INSTANCE_PATH", str(tmp_path / "instance"))
    return make_app()


def page(response):
    return response.get_data(as_text=True)


def station_of(app, slug):
    return app.extensions["redarmband"].tenancy.get(slug)


def sign_in(app, station, phone):
    client = app.test_client()
    assert post_form(client, f"/s/{station}/login", {"phone": phone, "password": PASSWORD}).status_code == 302
    return client


def volunteer(app, station="huguo", name="李红", phone="13800000001", points_to_give=0):
    """A client signed in as a new volunteer of ``station`` with some points."""
    client = app.test_client()
    form = {
        "name": name,
        "phone": phone,
        "password": PASSWORD,
        "occupation": "courier",
        "accept_oath": "yes",
        "oath_version": "2024-1",
    }
    assert post_form(client, f"/s/{station}/register", form).status_code == 302
    if points_to_give:
        give(app, phone, points_to_give, station)
    return client


def staff(app, role=Role.OFFICER, station="huguo", phone="13700000001", name="张警官"):
    with app.app_context():
        create_user(role=role, phone=phone, name=name, password=PASSWORD, station_id=station_of(app, station).id)
    return sign_in(app, station, phone)


def admin_user(app, station):
    found = User.get_or_none(User.phone == ADMIN_PHONES[station])
    return found or create_user(
        role=Role.STATION_ADMIN,
        phone=ADMIN_PHONES[station],
        name="管理员",
        password=PASSWORD,
        station_id=station_of(app, station).id,
    )


def give(app, phone, amount, station="huguo"):
    with app.app_context():
        station_ctx = station_of(app, station)
        target = User.get(User.phone == phone)
        points.adjust(station_ctx, admin_user(app, station), target.id, amount, "奖励", key=f"give-{phone}-{utcnow()}")


def add_reward(app, station="huguo", **fields):
    """A reward made through the domain layer (the form has tests of its own)."""
    data = {
        "name": "保温杯",
        "description": "",
        "cost": 10,
        "stock": 5,
        "place_name": "值班室",
        "place_address": "护国路1号",
        "place_hours": "9:00-17:00",
        **fields,
    }
    with app.app_context():
        reward = rewards.create_reward(station_of(app, station), admin_user(app, station), data)
        return reward.id


def balance_of(app, phone):
    with app.app_context():
        return User.get(User.phone == phone).points_balance


def stock_of(app, reward_id):
    with app.app_context():
        return Reward.get_by_id(reward_id).stock


def redeem(client, reward_id, station="huguo"):
    token = csrf_token_from(client.get(f"/s/{station}/rewards"))
    return client.post(f"/s/{station}/rewards/{reward_id}/redeem", data={"csrf_token": token})


def code_from(response):
    match = re.fullmatch(r"/s/\w+/me/redemptions/([A-Z0-9]+)", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def collect(client, code, station="huguo"):
    return post_form(client, f"/s/{station}/collect?code={code}", {"code": code})
