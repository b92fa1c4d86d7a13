"""Accounts: volunteer registration, sign-in, API tokens.

The same marshmallow schema checks a registration from the web form and from
the API, so both give the same answers for the same input.
"""

import functools
import hashlib
import re
import secrets

from flask import current_app, has_app_context
from marshmallow import Schema, ValidationError, fields, validate, validates
from peewee import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .db import database, write_transaction
from .i18n import Text
from .models import ApiToken, DistrictAdmin, Role, User, utcnow
from .validation import no_control_characters

OCCUPATIONS = {
    "shop_staff": Text("店员", "Shop staff"),
    "driver": Text("司机", "Driver"),
    "security_guard": Text("保安", "Security guard"),
    "food_delivery": Text("外卖员", "Food delivery rider"),
    "courier": Text("快递员", "Courier"),
    "retiree": Text("退休居民", "Retired resident"),
    "other": Text("其他", "Other"),
}

ROLE_LABELS = {
    Role.VOLUNTEER: Text("志愿者", "Volunteer"),
    Role.OFFICER: Text("民警", "Officer"),
    Role.STATION_ADMIN: Text("派出所管理员", "Station admin"),
    Role.DISTRICT_ADMIN: Text("分局管理员", "District admin"),
    Role.CITY_ADMIN: Text("市级管理员", "City admin"),
}

PHONE_PATTERN = r"\A1[3-9][0-9]{9}\Z"  # a mainland China mobile number; ASCII digits, no trailing newline
MIN_PASSWORD_LENGTH = 8

# Werkzeug's default (scrypt): about 0.1 s of a core per hash, on purpose.
# ``PASSWORD_HASH_METHOD`` changes it; only the test suite does, where every
# test registers and signs in several people.
DEFAULT_PASSWORD_HASH_METHOD = "scrypt"


def hash_password(password):
    return generate_password_hash(password, method=_hash_method())


def _hash_method():
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", DEFAULT_PASSWORD_HASH_METHOD)
    return DEFAULT_PASSWORD_HASH_METHOD


@functools.cache
def _unknown_user_hash(method):
    """Checked when the phone is unknown, so a failed sign-in takes the same
    work (and gives the same answer) whether or not the phone is registered."""
    return generate_password_hash(secrets.token_hex(16), method=method)


class DuplicatePhone(Exception):
    """The phone number already belongs to an account (anywhere in the city)."""


class RegistrationSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    phone = fields.String(
        required=True,
        validate=validate.Regexp(PHONE_PATTERN, error="expected an 11-digit mobile number starting with 1"),
    )
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=128),
    )
    occupation = fields.String(required=True, validate=validate.OneOf(list(OCCUPATIONS)))
    accept_oath = fields.Boolean(required=True, metadata={"description": "must be true"})
    oath_version = fields.String(required=True, metadata={"description": "the oath version the volunteer read"})

    def __init__(self, *, station=None, **kwargs):
        # ``station`` is needed to load; the OpenAPI document builds one without.
        super().__init__(**kwargs)
        self.station = station

    @validates("accept_oath")
    def _oath_accepted(self, value, **_kwargs):
        if value is not True:
            raise ValidationError("the station's oath must be accepted to register")

    @validates("oath_version")
    def _current_oath(self, value, **_kwargs):
        if value != self.station.config.oath_version:
            raise ValidationError(f"the oath has changed; read and accept version {self.station.config.oath_version}")

    @validates("name")
    def _name_not_blank(self, value, **_kwargs):
        if not value.strip():
            raise ValidationError("must not be blank")
        no_control_characters()(value)


def is_phone(text):
    return isinstance(text, str) and re.match(PHONE_PATTERN, text) is not None


def register_volunteer(station, data):
    """Create a volunteer of ``station`` from loaded ``RegistrationSchema`` data.

    Raises :class:`DuplicatePhone`. Fires ``on_volunteer_registered`` after
    the commit.
    """
    password_hash = hash_password(data["password"])  # slow: not while holding the write lock
    station_id = station.id
    try:
        with write_transaction():
            if User.select().where(User.phone == data["phone"]).exists():
                raise DuplicatePhone(data["phone"])
            volunteer = User.create(
                station=station_id,
                role=Role.VOLUNTEER,
                phone=data["phone"],
                name=data["name"].strip(),
                password_hash=password_hash,
                occupation=data["occupation"],
                oath_version=station.config.oath_version,
                oath_accepted_at=utcnow(),
            )
    except IntegrityError as error:  # the same phone registered concurrently?
        if User.select().where(User.phone == data["phone"]).exists():
            raise DuplicatePhone(data["phone"]) from error
        raise
    station.hooks.fire("on_volunteer_registered", station=station, volunteer=volunteer)
    return volunteer


def create_user(*, role, phone, name, password, station_id=None, district=None):
    """An officer, station, district or city admin (the ``users create`` command).

    A district admin names their ``district`` (as the station configs spell it).
    """
    if role not in Role.ALL:
        raise ValueError(f"role: expected one of {', '.join(Role.ALL)}")
    if not is_phone(phone):
        raise ValueError("phone: expected an 11-digit mobile number starting with 1")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password: expected at least {MIN_PASSWORD_LENGTH} characters")
    above_stations = role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
    if above_stations != (station_id is None):
        raise ValueError("station: a city or district admin has none; every other role needs one")
    if (role == Role.DISTRICT_ADMIN) != bool(district):
        raise ValueError("district: a district admin names one; no other role does")
    password_hash = hash_password(password)
    try:
        with write_transaction():
            user = User.create(station=station_id, role=role, phone=phone, name=name, password_hash=password_hash)
            if district:
                DistrictAdmin.create(user=user.id, district=district)
            return user
    except IntegrityError as error:
        if User.select().where(User.phone == phone).exists():
            raise DuplicatePhone(phone) from error
        raise


def authenticate(phone, password):
    """The active user with this phone and password, or ``None``."""
    user = User.get_or_none(User.phone == phone) if is_phone(phone) else None
    if user is None:
        check_password_hash(_unknown_user_hash(_hash_method()), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user):
    """A new bearer token for ``user``; only its digest is kept."""
    token = secrets.token_urlsafe(32)
    ApiToken.create(user=user, token_digest=_digest(token))
    return token


# Every API request looks its token up: the query's SQL is built once per
# kind of database and reused (building it is most of the lookup's cost).
_TOKEN_SQL = {}


def user_for_token(token):
    kind = type(database.obj)
    if kind not in _TOKEN_SQL:
        query = User.select().join(ApiToken, on=(ApiToken.user == User.id)).where(ApiToken.token_digest == "")
        _TOKEN_SQL[kind] = query.sql()[0]  # one parameter: the digest (unique, so one row at most)
    user = next(iter(User.raw(_TOKEN_SQL[kind], _digest(token))), None)
    return user if user is not None and user.is_active else None
