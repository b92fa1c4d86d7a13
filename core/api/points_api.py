"""Points API routes: check-in, the volunteer's points, adjustments and the
leaderboard.

Routes are added to the API blueprint of :mod:`core.api.views`; shared
helpers, the clock and the error handlers live in :mod:`core.api.common`,
the OpenAPI data in :mod:`core.api.points_openapi`.
"""

import uuid

from flask import g, request

from ..checkins import check_in, today_state
from ..models import Role, User
from ..points import DuplicateBooking, adjust, leaderboard, ranked, statement
from . import common
from .bodies import dump
from .common import (
    LEADERBOARD_PERIODS,
    home_station,
    json_object,
    load,
    mask,
    query_choice,
    query_page,
)
from .errors import ApiError
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import idempotent
from .points_schemas import (
    AdjustmentInSchema,
    AdjustmentOutSchema,
    CheckInOutSchema,
    LeaderboardSchema,
    PointsStatementSchema,
)
from .tokens import token_required
from .views import bp

# ---------------------------------------------------------------------------
# Check-in and the volunteer's points
# ---------------------------------------------------------------------------


@bp.post("/me/checkins")
@token_required
@idempotent
def create_checkin():
    volunteer = g.api_user
    station = home_station(volunteer)
    result = check_in(station, volunteer, now=common.now())
    body = {
        "entry": result.entry,
        "balance": result.balance,
        "streak": result.streak,
        "local_date": result.checkin.local_date,
    }
    return dump(CheckInOutSchema, body), 201


@bp.get("/me/points")
@token_required
def my_points():
    volunteer = g.api_user
    station = home_station(volunteer)
    page = query_page()
    entries, has_more = statement(volunteer.id, page)
    checked_in, streak = today_state(station, volunteer, common.now())
    body = {
        "entries": entries,
        "page": page,
        "has_more": has_more,
        "balance": volunteer.points_balance,  # read with the token, moments ago
        "earned": volunteer.points_earned,
        "streak": streak,
        "checked_in_today": checked_in,
    }
    return dump(PointsStatementSchema, body)


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
    data = load(AdjustmentInSchema(), json_object())
    header = request.headers.get(IDEMPOTENCY_HEADER)
    key = header or uuid.uuid4().hex  # adjust() scopes the key to the admin and hashes it
    try:
        # AdjustmentRefused and InsufficientPoints answer through the error handlers in common.
        entry = adjust(station, admin, data["volunteer_id"], data["amount"], data["reason"], key, now=common.now())
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
            ) from error
    balance = User.get_by_id(entry.volunteer_id).points_balance
    return dump(AdjustmentOutSchema, {"entry": entry, "balance": balance}), 201


@bp.get("/s/<station>/leaderboard")
def station_leaderboard():
    station = g.station
    period = query_choice("period", LEADERBOARD_PERIODS, "month")
    rows = [
        {"rank": rank, "name": mask(user.name), "earned": earned}
        for rank, user, earned in ranked(leaderboard(station, period, now=common.now()))
    ]
    return dump(LeaderboardSchema, {"period": period, "entries": rows})
