"""Points API: check-in, statement, rewards, redemptions, adjustments, leaderboard.

Routes are added to the API blueprint of :mod:`core.api.views`;
``POINTS_ENDPOINTS`` feeds the OpenAPI document like ``ENDPOINTS`` does.
Domain refusals (:class:`~core.rewards.RewardError`,
:class:`~core.points.PointsError`, :class:`~core.checkins.AlreadyCheckedIn`)
answer in the API's error shape with their own status and code.
"""

import re
import uuid

from flask import g, request
from marshmallow import RAISE, ValidationError

from ..checkins import AlreadyCheckedIn, check_in, checked_in_today, streak_of
from ..models import Role, User, utcnow
from ..points import AdjustmentRefused, DuplicateBooking, PointsError, adjust, leaderboard, statement
from ..rewards import (
    NotFound,
    RewardError,
    RewardSchema,
    all_rewards,
    cancel,
    collect,
    create_reward,
    get_reward,
    is_visible,
    load_reward_changes,
    normalise_code,
    redeem,
    redemptions_of,
    require_staff,
    update_reward,
    visible_rewards,
)
from ..tenancy import current_tenancy
from .errors import ApiError
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import idempotent
from .points_schemas import (
    INT_MAX,
    AdjustmentInSchema,
    AdjustmentOutSchema,
    CheckInOutSchema,
    LeaderboardSchema,
    PointsStatementSchema,
    RedemptionListSchema,
    RedemptionOutSchema,
    RewardListSchema,
    RewardOutSchema,
)
from .tokens import token_required
from .views import bp

MAX_PAGE = 10_000
LEADERBOARD_PERIODS = ("month", "all")
QR_URL = "/s/{station}/redemptions/{code}/qr.svg"  # a page route (core.web)
PHOTO_URL = "/s/{station}/rewards/{reward_id}/photo"  # a page route (core.web)
_CODE = re.compile(r"[0-9A-Z]{1,12}")


def now():
    """The API's clock: naive UTC. Tests patch it to move the station-local day."""
    return utcnow()


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


@bp.errorhandler(RewardError)
def _reward_error(error):
    return ApiError(error.status, error.code, error.message).response()


@bp.errorhandler(PointsError)
def _points_error(error):
    if isinstance(error, AdjustmentRefused):
        fields = {error.field: [str(error)]} if error.field else None
        return ApiError(error.status, error.code, str(error), fields).response()
    return ApiError(409, error.code, str(error)).response()


@bp.errorhandler(AlreadyCheckedIn)
def _already_checked_in(error):
    return ApiError(409, error.code, "already checked in today; come back tomorrow").response()


def _authenticated_user():
    """The bearer token's user, or a 401 (for endpoints where a token is optional)."""
    return token_required(lambda: g.api_user)()


def _home_station(user):
    """A volunteer's station context; 403 for anyone else."""
    if user.role != Role.VOLUNTEER or user.station_id is None:
        raise ApiError(403, "volunteers_only", "only volunteers have points, check-ins and redemptions")
    station = current_tenancy().station_of(user)
    if station is None:
        raise ApiError(404, "station_not_found", "your station is not enabled")
    return station


def _invalid(fields):
    return ApiError(400, "invalid_input", f"invalid fields: {', '.join(sorted(fields))}", fields)


def _bad_text(value):
    """True if ``value`` holds text the databases refuse: NUL characters or
    unpaired surrogates (looked for without recursion: JSON may nest deeply)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _json_object():
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "expected a JSON object as the request body")
    bad = sorted(key for key, value in body.items() if _bad_text(key) or _bad_text(value))
    if bad:
        fields = {
            key.encode("utf-8", "backslashreplace").decode(): ["must not contain NUL or unpaired surrogates"]
            for key in bad
        }
        raise _invalid(fields)
    return body


def _load(schema, body):
    return _load_with(lambda data: schema.load(data, unknown=RAISE), body)


def _load_with(loader, body):
    """``loader(body)``, with marshmallow's errors as a 400 naming each field."""
    try:
        return loader(body)
    except ValidationError as error:
        raise _invalid(
            {key: value if isinstance(value, list) else [str(value)] for key, value in error.messages.items()}
        )


def _query_choice(name, choices, default):
    value = request.args.get(name, default)
    if value not in choices:
        raise _invalid({name: [f"expected one of: {', '.join(choices)}"]})
    return value


def _query_page():
    text = request.args.get("page", "1")
    if not re.fullmatch(r"[0-9]{1,6}", text) or not 1 <= int(text) <= MAX_PAGE:
        raise _invalid({"page": [f"expected a whole number from 1 to {MAX_PAGE}"]})
    return int(text)


def _reward_id_or_404(reward_id):
    if reward_id > INT_MAX:  # SQLite cannot even compare it
        raise NotFound("no such reward at this station")
    return reward_id


def _code_or_404(code):
    code = normalise_code(code)
    if not _CODE.fullmatch(code):
        raise NotFound("no such pickup code at this station")
    return code


def _reward_out(station, reward):
    return {
        "id": reward.id,
        "name": reward.name,
        "description": reward.description,
        "cost": reward.cost,
        "stock": reward.stock,
        "limit_count": reward.limit_count,
        "limit_period": reward.limit_period,
        "visible_from": reward.visible_from,
        "visible_until": reward.visible_until,
        "place": {"name": reward.place_name, "address": reward.place_address, "hours": reward.place_hours},
        "photo_url": PHOTO_URL.format(station=station.slug, reward_id=reward.id) if reward.photo else None,
        "active": reward.active,
        "visible": is_visible(reward, now()),
    }


def _redemption_out(station, redemption):
    return {
        "code": redemption.code,
        "state": redemption.state,
        "cost": redemption.cost,
        "reward": _reward_out(station, redemption.reward),
        "created_at": redemption.created_at,
        "expires_at": redemption.expires_at,
        "collected_at": redemption.collected_at,
        "closed_at": redemption.closed_at,
        "qr_url": QR_URL.format(station=station.slug, code=redemption.code),
    }


def _mask(name):
    """李红梅 → 李**: only the first character is shown."""
    return name[:1] + "*" * (len(name) - 1)


# ---------------------------------------------------------------------------
# Check-in and the volunteer's points
# ---------------------------------------------------------------------------


@bp.post("/me/checkins")
@token_required
@idempotent
def create_checkin():
    volunteer = g.api_user
    station = _home_station(volunteer)
    result = check_in(station, volunteer, now=now())
    body = {
        "entry": result.entry,
        "balance": result.balance,
        "streak": result.streak,
        "local_date": result.checkin.local_date,
    }
    return CheckInOutSchema().dump(body), 201


@bp.get("/me/points")
@token_required
def my_points():
    volunteer = g.api_user
    station = _home_station(volunteer)
    page = _query_page()
    entries, has_more = statement(volunteer.id, page)
    fresh = User.get_by_id(volunteer.id)
    moment = now()
    body = {
        "entries": entries,
        "page": page,
        "has_more": has_more,
        "balance": fresh.points_balance,
        "earned": fresh.points_earned,
        "streak": streak_of(station, volunteer, moment),
        "checked_in_today": checked_in_today(station, volunteer, moment),
    }
    return PointsStatementSchema().dump(body)


# ---------------------------------------------------------------------------
# The rewards catalogue
# ---------------------------------------------------------------------------


@bp.get("/s/<station>/rewards")
def list_rewards():
    station = g.station
    if _query_choice("all", ("0", "1"), "0") == "1":
        require_staff(station, _authenticated_user())
        rewards = all_rewards(station)
    else:
        rewards = visible_rewards(station, now())
    return RewardListSchema().dump({"rewards": [_reward_out(station, reward) for reward in rewards]})


@bp.post("/s/<station>/rewards")
@token_required
@idempotent
def create_reward_view():
    station, user = g.station, g.api_user
    require_staff(station, user)
    data = _load(RewardSchema(), _json_object())
    _check_int_range(data)
    reward = create_reward(station, user, data)
    return RewardOutSchema().dump(_reward_out(station, reward)), 201


@bp.patch("/s/<station>/rewards/<int:reward_id>")
@token_required
@idempotent
def update_reward_view(reward_id):
    station, user = g.station, g.api_user
    require_staff(station, user)
    reward = get_reward(station, _reward_id_or_404(reward_id))
    data = _load_with(lambda body: load_reward_changes(reward, body), _json_object())
    _check_int_range(data)
    reward = update_reward(station, user, reward.id, data)
    return RewardOutSchema().dump(_reward_out(station, reward))


def _check_int_range(data):
    # RewardSchema gives limit_count no maximum; PostgreSQL's integer has one.
    if (data.get("limit_count") or 0) > INT_MAX:
        raise _invalid({"limit_count": [f"must be at most {INT_MAX}"]})


# ---------------------------------------------------------------------------
# Redemptions
# ---------------------------------------------------------------------------


@bp.post("/s/<station>/rewards/<int:reward_id>/redemptions")
@token_required
@idempotent
def create_redemption(reward_id):
    station = g.station
    redemption = redeem(station, g.api_user, _reward_id_or_404(reward_id), now=now())
    return RedemptionOutSchema().dump(_redemption_out(station, redemption)), 201


@bp.post("/s/<station>/redemptions/<code>/collect")
@token_required
@idempotent
def collect_redemption(code):
    station = g.station
    redemption = collect(station, _code_or_404(code), g.api_user, now=now())
    return RedemptionOutSchema().dump(_redemption_out(station, redemption))


@bp.post("/s/<station>/redemptions/<code>/cancel")
@token_required
@idempotent
def cancel_redemption(code):
    station = g.station
    redemption = cancel(station, _code_or_404(code), g.api_user, now=now())
    return RedemptionOutSchema().dump(_redemption_out(station, redemption))


@bp.get("/me/redemptions")
@token_required
def my_redemptions():
    volunteer = g.api_user
    station = _home_station(volunteer)
    redemptions = redemptions_of(station, volunteer, now=now())
    return RedemptionListSchema().dump({"redemptions": [_redemption_out(station, r) for r in redemptions]})


# ---------------------------------------------------------------------------
# Adjustments and the leaderboard
# ---------------------------------------------------------------------------


@bp.post("/s/<station>/adjustments")
@token_required
@idempotent
def create_adjustment():
    station, admin = g.station, g.api_user
    if admin.station_id != station.id or admin.role != Role.STATION_ADMIN:
        raise ApiError(403, "forbidden", "only this station's admins may adjust points")
    data = _load(AdjustmentInSchema(), _json_object())
    header = request.headers.get(IDEMPOTENCY_HEADER)
    key = header or uuid.uuid4().hex  # adjust() scopes the key to the admin and hashes it
    try:
        # AdjustmentRefused and InsufficientPoints answer through the error handlers above.
        entry = adjust(station, admin, data["volunteer_id"], data["amount"], data["reason"], key, now=now())
    except DuplicateBooking as error:
        entry = error.existing  # booked before under this key (its stored answer was lost)
        same = (entry.volunteer_id, entry.amount, entry.reason) == (
            data["volunteer_id"],
            data["amount"],
            data["reason"].strip()[:200],
        )
        if not same:
            raise ApiError(
                422,
                "idempotency_key_reused",
                f"this {IDEMPOTENCY_HEADER} was used for a different adjustment",
                {IDEMPOTENCY_HEADER: ["already used for a different adjustment"]},
            )
    balance = User.get_by_id(entry.volunteer_id).points_balance
    return AdjustmentOutSchema().dump({"entry": entry, "balance": balance}), 201


@bp.get("/s/<station>/leaderboard")
def station_leaderboard():
    station = g.station
    period = _query_choice("period", LEADERBOARD_PERIODS, "month")
    rows, rank, previous = [], 0, None
    for position, (user, earned) in enumerate(leaderboard(station, period, now=now()), start=1):
        if earned != previous:
            rank, previous = position, earned  # equal totals share a rank: 1, 1, 3
        rows.append({"rank": rank, "name": _mask(user.name), "earned": earned})
    return LeaderboardSchema().dump({"period": period, "entries": rows})


# ---------------------------------------------------------------------------
# For the OpenAPI document
# ---------------------------------------------------------------------------

_E = "Error"

# (path, method, summary, request schema, {status: response schema}, needs token)
POINTS_ENDPOINTS = [
    (
        "/api/v1/me/checkins",
        "post",
        "Check in for today at the volunteer's station (once a station-local day)",
        None,
        {201: "CheckIn", 400: _E, 401: _E, 403: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/me/points",
        "get",
        "The volunteer's ledger entries (newest first), balance, earned total and check-in streak",
        None,
        {200: "PointsStatement", 400: _E, 401: _E, 403: _E},
        True,
    ),
    (
        "/api/v1/me/redemptions",
        "get",
        "The volunteer's redemptions, newest first",
        None,
        {200: "RedemptionList", 401: _E, 403: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/rewards",
        "get",
        "The station's visible rewards; with all=1 and a staff token, every reward",
        None,
        {200: "RewardList", 400: _E, 401: _E, 403: _E, 404: _E},
        False,
    ),
    (
        "/api/v1/s/{station}/rewards",
        "post",
        "Add a reward to the station's catalogue (station staff)",
        "RewardInput",
        {201: "Reward", 400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/rewards/{reward_id}",
        "patch",
        "Change some fields of a reward (station staff)",
        "RewardPatch",
        {200: "Reward", 400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/rewards/{reward_id}/redemptions",
        "post",
        "Spend points on a reward; answers the pickup code",
        None,
        {201: "Redemption", 400: _E, 401: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/redemptions/{code}/collect",
        "post",
        "Mark a redemption collected (station staff or a user who may hand out rewards)",
        None,
        {200: "Redemption", 400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/redemptions/{code}/cancel",
        "post",
        "Cancel a reserved redemption and refund its points (its volunteer or station staff)",
        None,
        {200: "Redemption", 400: _E, 401: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/adjustments",
        "post",
        "Add or take a volunteer's points by hand, with a reason (station admin)",
        "AdjustmentInput",
        {201: "Adjustment", 400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/leaderboard",
        "get",
        "The station's top earners this month or of all time (names masked)",
        None,
        {200: "Leaderboard", 400: _E, 404: _E},
        False,
    ),
]

# Query parameters, by (path, method).
QUERY_PARAMETERS = {
    ("/api/v1/me/points", "get"): [
        {
            "name": "page",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        }
    ],
    ("/api/v1/s/{station}/rewards", "get"): [
        {
            "name": "all",
            "in": "query",
            "required": False,
            "description": "1: every reward, hidden ones too (needs a staff token of the station)",
            "schema": {"type": "string", "enum": ["0", "1"], "default": "0"},
        }
    ],
    ("/api/v1/s/{station}/leaderboard", "get"): [
        {
            "name": "period",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": list(LEADERBOARD_PERIODS), "default": "month"},
        }
    ],
}

# Endpoints that honour the Idempotency-Key header.
IDEMPOTENT = {(path, method) for path, method, *_rest in POINTS_ENDPOINTS if method in ("post", "patch")}

# Public endpoints that read a bearer token when one is sent.
OPTIONAL_TOKEN = {("/api/v1/s/{station}/rewards", "get")}

# Path parameters other than {station}.
PATH_PARAMETER_TYPES = {"reward_id": {"type": "integer", "minimum": 1}, "code": {"type": "string"}}
