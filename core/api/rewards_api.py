"""Rewards API routes: the station's rewards catalogue and redemptions
(redeem, collect, cancel, the volunteer's list).

Routes are added to the API blueprint of :mod:`core.api.views`; shared
helpers, the clock and the error handlers live in :mod:`core.api.common`.
"""

from flask import g

from ..rewards import (
    RewardSchema,
    all_rewards,
    cancel,
    collect,
    create_reward,
    get_reward,
    is_visible,
    load_reward_changes,
    redeem,
    redemptions_of,
    require_staff,
    update_reward,
    visible_rewards,
)
from . import common
from .bodies import dump
from .common import (
    authenticated_user,
    code_or_404,
    home_station,
    invalid,
    json_object,
    load,
    load_with,
    query_choice,
    reward_id_or_404,
)
from .idempotency import idempotent
from .points_schemas import (
    INT_MAX,
    RedemptionListSchema,
    RedemptionOutSchema,
    RewardListSchema,
    RewardOutSchema,
)
from .tokens import token_required
from .views import bp

QR_URL = "/s/{station}/redemptions/{code}/qr.svg"  # a page route (core.web)
PHOTO_URL = "/s/{station}/rewards/{reward_id}/photo"  # a page route (core.web)


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
        "visible": is_visible(reward, common.now()),
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


# ---------------------------------------------------------------------------
# The rewards catalogue
# ---------------------------------------------------------------------------


@bp.get("/s/<station>/rewards")
def list_rewards():
    station = g.station
    if query_choice("all", ("0", "1"), "0") == "1":
        require_staff(station, authenticated_user())
        rewards = all_rewards(station)
    else:
        rewards = visible_rewards(station, common.now())
    return dump(RewardListSchema, {"rewards": [_reward_out(station, reward) for reward in rewards]})


@bp.post("/s/<station>/rewards")
@token_required
@idempotent
def create_reward_view():
    station, user = g.station, g.api_user
    require_staff(station, user)
    data = load(RewardSchema(), json_object())
    _check_int_range(data)
    reward = create_reward(station, user, data)
    return dump(RewardOutSchema, _reward_out(station, reward)), 201


@bp.patch("/s/<station>/rewards/<int:reward_id>")
@token_required
@idempotent
def update_reward_view(reward_id):
    station, user = g.station, g.api_user
    require_staff(station, user)
    reward = get_reward(station, reward_id_or_404(reward_id))
    data = load_with(lambda body: load_reward_changes(reward, body), json_object())
    _check_int_range(data)
    reward = update_reward(station, user, reward.id, data)
    return dump(RewardOutSchema, _reward_out(station, reward))


def _check_int_range(data):
    # RewardSchema gives limit_count no maximum; PostgreSQL's integer has one.
    if (data.get("limit_count") or 0) > INT_MAX:
        raise invalid({"limit_count": [f"must be at most {INT_MAX}"]})


# ---------------------------------------------------------------------------
# Redemptions
# ---------------------------------------------------------------------------


@bp.post("/s/<station>/rewards/<int:reward_id>/redemptions")
@token_required
@idempotent
def create_redemption(reward_id):
    station = g.station
    redemption = redeem(station, g.api_user, reward_id_or_404(reward_id), now=common.now())
    return dump(RedemptionOutSchema, _redemption_out(station, redemption)), 201


@bp.post("/s/<station>/redemptions/<code>/collect")
@token_required
@idempotent
def collect_redemption(code):
    station = g.station
    redemption = collect(station, code_or_404(code), g.api_user, now=common.now())
    return dump(RedemptionOutSchema, _redemption_out(station, redemption))


@bp.post("/s/<station>/redemptions/<code>/cancel")
@token_required
@idempotent
def cancel_redemption(code):
    station = g.station
    redemption = cancel(station, code_or_404(code), g.api_user, now=common.now())
    return dump(RedemptionOutSchema, _redemption_out(station, redemption))


@bp.get("/me/redemptions")
@token_required
def my_redemptions():
    volunteer = g.api_user
    station = home_station(volunteer)
    redemptions = redemptions_of(station, volunteer, now=common.now())
    return dump(RedemptionListSchema, {"redemptions": [_redemption_out(station, r) for r in redemptions]})
