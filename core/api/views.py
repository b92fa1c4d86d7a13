"""API endpoints. ``ENDPOINTS`` feeds the OpenAPI document."""

from datetime import UTC

from flask import Blueprint, g

from ..accounts import DuplicatePhone, RegistrationSchema, authenticate, issue_token, register_volunteer
from ..tenancy import current_tenancy
from .bodies import dump, json_object, load
from .errors import ApiError
from .schemas import StationListSchema, TokenRequestSchema, TokenSchema, UserOutSchema
from .tokens import token_required

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ApiError)
def _api_error(error):
    return error.response()


def _json_body(schema):
    return load(schema, json_object())


def _station_out(station):
    config = station.config
    return {
        "slug": config.slug,
        "name": config.name,
        "district": config.district,
        "brand": config.brand,
        "theme": config.theme,
        "timezone": config.timezone,
        "plugins": list(config.plugins),
        "oath": {"version": config.oath_version, "text": config.oath_text},
    }


def _user_out(user):
    home = current_tenancy().station_of(user)
    station = {"slug": home.slug, "name": home.config.name, "brand": home.config.brand} if home else None
    return dump(
        UserOutSchema,
        {
            "id": user.id,
            "name": user.name,
            "phone": user.phone,
            "role": user.role,
            "roles": [user.role],
            "occupation": user.occupation,
            "station": station,
            "oath_version": user.oath_version,
            "oath_accepted_at": user.oath_accepted_at and user.oath_accepted_at.replace(tzinfo=UTC),
            "points_balance": user.points_balance,
        },
    )


@bp.get("/stations")
def list_stations():
    stations = current_tenancy().by_district()
    return dump(StationListSchema, {"stations": [_station_out(s) for s in stations]})


@bp.post("/s/<station>/volunteers")
def register():
    data = _json_body(RegistrationSchema(station=g.station))
    try:
        volunteer = register_volunteer(g.station, data)
    except DuplicatePhone as error:
        raise ApiError(
            409, "duplicate_phone", "this phone number is already registered", {"phone": ["already registered"]}
        ) from error
    return _user_out(volunteer), 201


@bp.post("/auth/tokens")
def create_token():
    data = _json_body(TokenRequestSchema())
    user = authenticate(data["phone"], data["password"])
    if user is None:
        raise ApiError(401, "invalid_credentials", "phone number or password is wrong")
    return dump(TokenSchema, {"token": issue_token(user), "token_type": "Bearer"}), 201


@bp.get("/me")
@token_required
def me():
    return _user_out(g.api_user)


# (path, method, summary, request schema, {status: response schema}, needs token)
ENDPOINTS = [
    ("/api/v1/stations", "get", "Enabled stations", None, {200: "StationList"}, False),
    (
        "/api/v1/s/{station}/volunteers",
        "post",
        "Register a volunteer at a station (the oath must be accepted)",
        "Registration",
        {201: "User", 400: "Error", 404: "Error", 409: "Error"},
        False,
    ),
    (
        "/api/v1/auth/tokens",
        "post",
        "Exchange phone and password for a bearer token",
        "TokenRequest",
        {201: "Token", 400: "Error", 401: "Error"},
        False,
    ),
    (
        "/api/v1/me",
        "get",
        "The signed-in user's profile, station, roles and points",
        None,
        {200: "User", 401: "Error"},
        True,
    ),
]
