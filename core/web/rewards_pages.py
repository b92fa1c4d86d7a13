"""Rewards on a station's pages: the catalogue, redeeming, "my
redemptions" with the pickup code and its QR code, handing rewards out
(collect), and the staff's catalogue management with reward photos."""

import io

import segno
from flask import Blueprint, Response, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from .. import points, rewards
from ..models import LimitPeriod, Redemption, RedemptionState, Reward
from ..themes import render_station_template
from .auth import is_volunteer_here, signed_in_and, station_member_required, volunteer_required

bp = Blueprint("rewards", __name__, url_prefix="/s/<station>")

# Row ids in URLs: larger numbers are no reward (and SQLite cannot even compare them).
REWARD_ID = "<int(max=2147483647):reward_id>"

STATE_LABELS = {
    RedemptionState.RESERVED: _l("Waiting to be collected"),
    RedemptionState.COLLECTED: _l("Collected"),
    RedemptionState.CANCELLED: _l("Cancelled"),
    RedemptionState.EXPIRED: _l("Expired"),
}

# What a refused redemption action says, by RewardError.code.
REFUSALS = {
    "not_available": _l("This reward is not available now."),
    "out_of_stock": _l("Sorry, this reward is out of stock."),
    "not_found": _l("There is no redemption with this code at this station."),
    "already_collected": _l("This reward has already been collected."),
    "already_cancelled": _l("This redemption was cancelled and its points were refunded."),
    "already_expired": _l("This redemption expired uncollected and its points were refunded."),
    "own_redemption": _l("This is your own redemption: another colleague must hand it out."),
    "forbidden": _l("You may not hand out rewards at this station."),
}


def refusal(error, reward=None):
    """A :class:`core.rewards.RewardError` in the reader's language."""
    if error.code == "limit_reached" and reward is not None:
        count = reward.limit_count
        if reward.limit_period == LimitPeriod.MONTH:
            return _("You may redeem this reward %(count)s time(s) a month, and have reached that.", count=count)
        return _("You may redeem this reward %(count)s time(s) in all, and have reached that.", count=count)
    if error.code == "limit_reached":
        return _("You have reached your limit for this reward.")
    return str(REFUSALS.get(error.code, _("This cannot be done now.")))


# ---------------------------------------------------------------------------
# Template helpers
# ---------------------------------------------------------------------------


@bp.app_template_global()
def reward_photo_url(reward, thumb=False):
    """The address of a reward's photo (or thumbnail); a new photo gets a new address."""
    if not reward.photo:
        return None
    endpoint = "rewards.photo_thumb" if thumb else "rewards.photo"
    version = reward.photo.rsplit("/", 1)[-1].split(".")[0]
    return url_for(endpoint, reward_id=reward.id, v=version)


@bp.app_template_global()
def redemption_state_label(state):
    return STATE_LABELS.get(state, state)


def masked_phone(phone):
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 8 else "****"


def qr_svg(text, title):
    """``text`` as an inline SVG QR code that scales with its box."""
    qr = segno.make_qr(text, error="m")
    return Markup(qr.svg_inline(omitsize=True, border=4, svgclass="qr", title=title))


def _redemption_here(code):
    """This station's redemption with ``code`` (expired first if overdue), or ``None``."""
    try:
        return rewards.get_redemption(g.station, code)
    except rewards.NotFound:
        return None


def _visible_redemption_or_404(code):
    """The redemption if the signed-in user may see it (its owner or the
    station's staff); anyone else gets 404, as for a code that does not exist."""
    found = _redemption_here(code)
    if found is None or not _may_see(found):
        abort(404)
    return found


def _may_see(redemption):
    user = current_user
    return redemption.volunteer_id == user.id or (user.station_id == g.station.id and user.is_staff)


# ---------------------------------------------------------------------------
# The catalogue and redeeming
# ---------------------------------------------------------------------------


def _catalogue(problem=None, problem_reward=None):
    return render_station_template(
        "rewards/catalogue.html",
        rewards=rewards.visible_rewards(g.station),
        can_redeem=is_volunteer_here(current_user),
        problem=problem,
        problem_reward=problem_reward,
    )


@bp.route("/rewards")
def catalogue():
    return _catalogue()


@bp.route(f"/rewards/{REWARD_ID}/redeem", methods=["POST"])
@volunteer_required
def redeem(reward_id):
    volunteer = current_user._get_current_object()
    try:
        key = request.form.get("request_key", "")[:64] or None
        redemption = rewards.redeem(g.station, volunteer, reward_id, request_key=key)
    except rewards.NotFound:
        abort(404)
    except rewards.RewardError as error:
        reward = Reward.get_or_none(Reward.id == reward_id, Reward.station == g.station.id)
        return _catalogue(refusal(error, reward), reward_id), error.status
    except points.InsufficientPoints as error:
        problem = _(
            "You have %(balance)s points; this reward costs %(cost)s.", balance=error.balance, cost=-error.amount
        )
        return _catalogue(problem, reward_id), 409
    reward = redemption.reward
    flash(
        _(
            "Redeemed: %(reward)s. Show this code at %(place)s to collect it.",
            reward=reward.name,
            place=reward.place_name,
        )
    )
    return redirect(url_for("rewards.redemption", code=redemption.code))


# ---------------------------------------------------------------------------
# My redemptions
# ---------------------------------------------------------------------------


@bp.route("/me/redemptions")
@station_member_required
def my_redemptions():
    mine = rewards.redemptions_of(g.station, current_user._get_current_object())
    return render_station_template("rewards/redemptions.html", redemptions=mine)


def _redemption_page(redemption, problem=None):
    collect_url = url_for("rewards.collect", code=redemption.code, _external=True)
    return render_station_template(
        "rewards/redemption.html",
        redemption=redemption,
        reward=redemption.reward,
        qr=qr_svg(collect_url, _("QR code of pickup code %(code)s", code=redemption.code)),
        collect_url=collect_url,
        problem=problem,
    )


@bp.route("/redemptions/<code>/qr.svg")
@station_member_required
def redemption_qr(code):
    """The pickup code's QR as an SVG file (for apps using the API)."""
    found = _visible_redemption_or_404(code)
    collect_url = url_for("rewards.collect", code=found.code, _external=True)
    buffer = io.BytesIO()
    segno.make_qr(collect_url, error="m").save(buffer, kind="svg", border=4, scale=8)
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, no-store"})


@bp.route("/me/redemptions/<code>")
@station_member_required
def redemption(code):
    return _redemption_page(_visible_redemption_or_404(code))


@bp.route("/me/redemptions/<code>/cancel", methods=["POST"])
@station_member_required
def cancel(code):
    found = _visible_redemption_or_404(code)
    try:
        cancelled = rewards.cancel(g.station, code, current_user._get_current_object())
    except rewards.NotFound:
        abort(404)
    except rewards.RewardError as error:
        return _redemption_page(Redemption.get_by_id(found.id), refusal(error)), error.status
    flash(_("Cancelled: %(points)s points were refunded.", points=cancelled.cost))
    return redirect(url_for("rewards.redemption", code=cancelled.code))


# ---------------------------------------------------------------------------
# Handing rewards out (collect)
# ---------------------------------------------------------------------------


# Officers and admins of this station, and its users with ``can_collect``.
collector_required = signed_in_and(lambda user: rewards.may_collect(g.station, user), 403)


def _collect_page(code, redemption=None, problem=None):
    return render_station_template(
        "rewards/collect.html",
        code=code,
        redemption=redemption,
        volunteer_phone=masked_phone(redemption.volunteer.phone) if redemption else "",
        own=redemption is not None and redemption.volunteer_id == current_user.id,
        problem=problem,
    )


@bp.route("/collect")
@collector_required
def collect():
    code = rewards.normalise_code(request.args.get("code", ""))
    if not code:
        return _collect_page(code)
    found = _redemption_here(code)
    if found is None:
        return _collect_page(code, problem=str(REFUSALS["not_found"])), 404
    problem = None
    if found.state != RedemptionState.RESERVED:
        problem = str(REFUSALS[f"already_{found.state}"])
    elif found.volunteer_id == current_user.id:
        problem = str(REFUSALS["own_redemption"])
    return _collect_page(code, found, problem)


@bp.route("/collect", methods=["POST"])
@collector_required
def confirm_collect():
    code = rewards.normalise_code(request.form.get("code", ""))
    if not code:
        return _collect_page(code, problem=_("Enter the pickup code.")), 400
    try:
        collected = rewards.collect(g.station, code, current_user._get_current_object())
    except rewards.RewardError as error:
        return _collect_page(code, _redemption_here(code), refusal(error)), error.status
    flash(_("Handed out: %(reward)s to %(name)s.", reward=collected.reward.name, name=collected.volunteer.name))
    return redirect(url_for("rewards.collect", code=collected.code))
