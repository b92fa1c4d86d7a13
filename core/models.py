"""Core's peewee models. Every model a station owns has a ``station`` key.

Times are stored as naive UTC; pages convert them to the station's zone.
"""
from datetime import UTC, datetime

from flask_login import UserMixin
from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
)

from .db import database


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database


class Station(BaseModel):
    """A tenant's row, so station-owned data has a key to point at.

    Everything else about a station (name, brand, plugins …) comes from its
    config file; the row only gives the slug a stable id.
    """

    slug = CharField(max_length=40, unique=True)
    created_at = DateTimeField(default=utcnow)


class Role:
    VOLUNTEER = "volunteer"
    OFFICER = "officer"
    STATION_ADMIN = "station_admin"
    CITY_ADMIN = "city_admin"
    ALL = (VOLUNTEER, OFFICER, STATION_ADMIN, CITY_ADMIN)
    # Roles that belong to one station; a city admin belongs to none.
    STATION_ROLES = (VOLUNTEER, OFFICER, STATION_ADMIN)


class User(UserMixin, BaseModel):
    """A volunteer, officer or admin. The phone number is unique city-wide."""

    station = ForeignKeyField(Station, null=True, backref="users", on_delete="RESTRICT")
    role = CharField(max_length=20, choices=[(role, role) for role in Role.ALL], index=True)
    phone = CharField(max_length=20, unique=True)
    name = CharField(max_length=50)
    password_hash = CharField(max_length=255)
    occupation = CharField(max_length=30, null=True)
    # The oath a volunteer accepted at registration: which version, and when.
    oath_version = CharField(max_length=40, null=True)
    oath_accepted_at = DateTimeField(null=True)
    # Kept by the points ledger in the same transaction as each entry; no
    # entry exists yet, so it stays 0 until the ledger lands.
    points_balance = IntegerField(default=0)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    @property
    def is_active(self):
        return self.active

    def has_role(self, *roles):
        return self.role in roles


class ApiToken(BaseModel):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    token_digest = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)


CORE_MODELS = [Station, User, ApiToken]


def create_tables(plugin_models=()):
    """Create every missing table; running it again changes nothing."""
    database.create_tables([*CORE_MODELS, *plugin_models], safe=True)
