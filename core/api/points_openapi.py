"""OpenAPI data for the points and rewards API: its endpoints, their query
parameters, which honour ``Idempotency-Key``, which read an optional token,
and the types of path parameters. :mod:`core.api.openapi` builds the document
from these like it does from ``ENDPOINTS`` of :mod:`core.api.views`.
"""

import re

from .common import LEADERBOARD_PERIODS, MAX_PAGE
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import MAX_KEY_LENGTH

# Shared by every part of the document: a path's {parameters}, and the
# Idempotency-Key header of the endpoints that honour it.
PATH_PARAMETER = re.compile(r"{(\w+)}")
IDEMPOTENCY_PARAMETER = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "description": "1 to 100 printable ASCII characters; a retry with the same key gets the first answer"
    " instead of doing the work again",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}

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
