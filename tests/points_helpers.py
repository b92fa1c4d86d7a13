"""Small builders shared by the points tests."""

import itertools

from core.accounts import create_user
from core.models import EntryKind, User
from core.points import Booking
from core.rewards import RewardSchema, create_reward

REWARD = {
    "name": "矿泉水",
    "cost": 3,
    "stock": 5,
    "place_name": "护国便利店",
    "place_address": "护国路 1 号",
    "place_hours": "09:00–21:00",
}


def station(app, slug="huguo"):
    return app.extensions["redarmband"].tenancy.get(slug)


def staff(app, slug="huguo", role="officer", phone="13700000001"):
    return create_user(
        role=role, phone=phone, name=f"{slug}{role}", password="staff-password", station_id=station(app, slug).id
    )


def give_points(app, volunteer_id, amount, slug="huguo", key=None):
    with Booking(station(app, slug)) as booking:
        booking.book(
            volunteer_id,
            amount,
            EntryKind.BONUS,
            "test bonus",
            key=key or f"bonus:{volunteer_id}:{amount}",
            earned=amount,
        )
    return User.get_by_id(volunteer_id)


_officer_numbers = itertools.count(50_000_000)


def make_reward(app, slug="huguo", officer=None, **fields):
    """A reward created by ``officer`` (default: a new officer of the station)."""
    officer = officer or staff(app, slug, phone=f"137{next(_officer_numbers)}")
    return create_reward(station(app, slug), officer, RewardSchema().load({**REWARD, **fields}))
