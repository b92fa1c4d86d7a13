"""Shared helpers of the points and rewards API: its clock, its answers to
domain refusals, and reading the caller, the body and the query.

Domain refusals (:class:`~core.rewards.RewardError`,
:class:`~core.points.PointsError`, :class:`~core.checkins.AlreadyCheckedIn`,
:class:`~core.errors.Refused`, e.g. a TaskError) answer in the API's error shape with their
own status and code.
Call the clock as ``common.now()`` so that one patch of
``core.api.common.now`` moves it for every endpoint.
"""

import re

from flask import g, request

from ..checkins import AlreadyCheckedIn
from ..errors import Refused
from ..models import Role, utcnow
from ..points import AdjustmentRefused, PointsError
from ..rewards import NotFound, RewardError, normalise_code
from ..tenancy import current_tenancy
from .bodies import invalid, json_object, load, load_with  # noqa: F401 - the API modules' helpers
from .errors import ApiError
from .points_schemas import INT_MAX
from .tokens import token_required
from .views import bp

MAX_PAGE = 10_000
LEADERBOARD_PERIODS = ("month", "all")
_CODE = re.compile(r"[0-9A-Z]{1,12}")


def now():
    """The API's clock: naive UTC. Tests patch it to move the station-local day."""
    return utcnow()


# ---------------------------------------------------------------------------
# Domain refusals in the API's error shape
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


@bp.errorhandler(Refused)  # TaskError, GroupError …
def _task_error(error):
    return ApiError(error.status, error.code, error.message, error.fields).response()


@bp.errorhandler(AlreadyCheckedIn)
def _already_checked_in(error):
    return ApiError(409, error.code, "already checked in today; come back tomorrow").response()


# ---------------------------------------------------------------------------
# The caller
# ---------------------------------------------------------------------------


def authenticated_user():
    """The bearer token's user, or a 401 (for endpoints where a token is optional)."""
    return token_required(lambda: g.api_user)()


def home_station(user):
    """A volunteer's station context; 403 for anyone else."""
    if user.role != Role.VOLUNTEER or user.station_id is None:
        raise ApiError(403, "volunteers_only", "only volunteers have points, check-ins and redemptions")
    station = current_tenancy().station_of(user)
    if station is None:
        raise ApiError(404, "station_not_found", "your station is not enabled")
    return station


# ---------------------------------------------------------------------------
# The request body
# ---------------------------------------------------------------------------


def query_choice(name, choices, default):
    value = request.args.get(name, default)
    if value not in choices:
        raise invalid({name: [f"expected one of: {', '.join(choices)}"]})
    return value


def query_page():
    text = request.args.get("page", "1")
    if not re.fullmatch(r"[0-9]{1,6}", text) or not 1 <= int(text) <= MAX_PAGE:
        raise invalid({"page": [f"expected a whole number from 1 to {MAX_PAGE}"]})
    return int(text)


def reward_id_or_404(reward_id):
    if reward_id > INT_MAX:  # SQLite cannot even compare it
        raise NotFound("no such reward at this station")
    return reward_id


def code_or_404(code):
    code = normalise_code(code)
    if not _CODE.fullmatch(code):
        raise NotFound("no such pickup code at this station")
    return code


# ---------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------


def mask(name):
    """李红梅 → 李**: only the first character is shown."""
    return name[:1] + "*" * (len(name) - 1)
