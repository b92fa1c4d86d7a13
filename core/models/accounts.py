"""Stations, users and their API tokens."""

from flask_login import UserMixin
from peewee import BooleanField, CharField, Check, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, utcnow


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
    DISTRICT_ADMIN = "district_admin"  # their district: core.models.DistrictAdmin
    CITY_ADMIN = "city_admin"
    ALL = (VOLUNTEER, OFFICER, STATION_ADMIN, DISTRICT_ADMIN, CITY_ADMIN)
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
    # Kept by the points ledger (core.points) in the same transaction as each
    # entry: the balance is the sum of the entries; earned counts only what
    # was earned (check-ins, tasks, bonuses), for leaderboards.
    points_balance = IntegerField(default=0, constraints=[Check("points_balance >= 0")])
    points_earned = IntegerField(default=0)
    # May mark redemptions collected at the station's designated places
    # (officers and station admins always may).
    can_collect = BooleanField(default=False)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    @property
    def is_active(self):
        return self.active

    class Meta:
        indexes = ((("station", "points_earned"), False),)

    def has_role(self, *roles):
        return self.role in roles

    @property
    def is_staff(self):
        """An officer or admin of their station."""
        return self.role in (Role.OFFICER, Role.STATION_ADMIN)


class ApiToken(BaseModel):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    token_digest = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)


class IdempotentRequest(BaseModel):
    """An API request sent with an ``Idempotency-Key``, and its answer.

    A retry with the same key gets the stored answer instead of doing the work
    again; ``status`` is empty while the first request is still running.
    """

    user = ForeignKeyField(User, on_delete="CASCADE")
    key = CharField(max_length=100)
    endpoint = CharField(max_length=200)
    fingerprint = CharField(max_length=64)
    status = IntegerField(null=True)
    body = TextField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "key"), True),)
