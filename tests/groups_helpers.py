"""Builders shared by the group tests."""

import itertools

from core.accounts import create_user
from core.groups import tree
from core.models import Role

from .points_helpers import station

_phones = itertools.count(13_500_000_000)


def person(app, slug="huguo", role=Role.VOLUNTEER, district=None):
    phone = str(next(_phones))
    station_id = station(app, slug).id if slug else None
    return create_user(
        role=role,
        phone=phone,
        name=f"{role}{phone[-4:]}",
        password="pass-word-1",
        station_id=station_id,
        district=district,
    )


def tenancy(app):
    return app.extensions["redarmband"].tenancy


def team(app, slug, name, admin=None, parent_id=None):
    admin = admin or person(app, slug, Role.STATION_ADMIN)
    return tree.create_team(station(app, slug), admin, name, parent_id)
