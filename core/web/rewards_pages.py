"""Rewards on a station's pages: the catalogue, redeeming, "my
redemptions" with the pickup code and its QR code, handing rewards out
(collect), and the staff's catalogue management with reward photos."""
import io
from datetime import UTC, datetime
from functools import wraps

import segno
from flask import Blueprint, Response, abort, current_app, flash, g, redirect, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from marshmallow import EXCLUDE, ValidationError

from .. import points, rewards
from ..models import LimitPeriod, Redemption, RedemptionState, Reward, utcnow
from ..photos import PhotoRejected, save_photo, thumbnail_path, uploads_root
from ..themes import render_station_template
from .auth import login_manager, station_member_required
from .points_pages import is_volunteer_here, staff_required, volunteer_required

bp = Blueprint("rewards", __name__, url_prefix="/s/<station>")

DEFAULT_MAX_PHOTO_BYTES = 8 * 1024 * 1024
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


def collector_required(view):
    """Officers and admins of this station, and its users with ``can_collect``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not rewards.may_collect(g.station, current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


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
    flash(
        _("Handed out: %(reward)s to %(name)s.", reward=collected.reward.name, name=collected.volunteer.name)
    )
    return redirect(url_for("rewards.collect", code=collected.code))


# ---------------------------------------------------------------------------
# Reward photos
# ---------------------------------------------------------------------------


def _send_photo(reward_id, thumb):
    reward = Reward.get_or_none(Reward.id == reward_id, Reward.station == g.station.id)
    if reward is None or not reward.photo or not reward.photo.startswith(f"{g.station.slug}/"):
        abort(404)
    path = thumbnail_path(reward.photo).as_posix() if thumb else reward.photo
    return send_from_directory(uploads_root(current_app), path, mimetype="image/jpeg", max_age=86400)


@bp.route(f"/rewards/{REWARD_ID}/photo")
def photo(reward_id):
    return _send_photo(reward_id, thumb=False)


@bp.route(f"/rewards/{REWARD_ID}/photo/thumb")
def photo_thumb(reward_id):
    return _send_photo(reward_id, thumb=True)


# ---------------------------------------------------------------------------
# Staff: the catalogue
# ---------------------------------------------------------------------------

REWARD_PROBLEMS = {
    "name": _l("Enter a name (up to 100 characters)."),
    "description": _l("Keep the description to 2000 characters."),
    "cost": _l("Enter the cost as a whole number of points, at least 1."),
    "stock": _l("Enter the stock as a whole number, 0 or more."),
    "limit_count": _l("Enter the limit as a whole number, at least 1, or leave it empty."),
    "limit_period": _l("Give both a limit and its period, or neither."),
    "visible_from": _l("Enter a date and time, or leave it empty."),
    "visible_until": _l("Enter a date and time after “shown from”, or leave it empty."),
    "place_name": _l("Enter the place where the reward is collected."),
    "place_address": _l("Enter the address of the place."),
    "place_hours": _l("Enter the opening hours of the place."),
}
TEXT_FIELDS = ("name", "description", "place_name", "place_address", "place_hours")
NUMBER_FIELDS = ("cost", "stock", "limit_count")
TIME_FIELDS = ("visible_from", "visible_until")
MIN_YEAR, MAX_YEAR = 2000, 2999


def _reward_state(reward):
    now = utcnow()
    if not reward.active:
        return _("Hidden")
    if reward.visible_from and now < reward.visible_from:
        return _("Scheduled")
    if reward.visible_until and reward.visible_until <= now:
        return _("Ended")
    return _("Shown")


@bp.route("/manage/rewards")
@staff_required
def manage_rewards():
    listed = [(reward, _reward_state(reward)) for reward in rewards.all_rewards(g.station)]
    return render_station_template("rewards/manage.html", rewards=listed)


def _form_of(reward):
    """A reward's fields as the form shows them (times in the station's zone)."""
    form = {name: getattr(reward, name) for name in (*TEXT_FIELDS, *NUMBER_FIELDS, "limit_period")}
    form = {key: "" if value is None else str(value) for key, value in form.items()}
    for name in TIME_FIELDS:
        moment = getattr(reward, name)
        local = moment.replace(tzinfo=UTC).astimezone(g.station.config.tz) if moment else None
        form[name] = local.strftime("%Y-%m-%dT%H:%M") if local else ""
    form["active"] = reward.active
    return form


def _input_of(form):
    """The form's fields as :class:`core.rewards.RewardSchema` loads them.

    A value that does not parse is passed on as typed, so the schema refuses
    it under its own field name.
    """
    data = {name: form.get(name, "").strip() for name in TEXT_FIELDS}
    for name in NUMBER_FIELDS:
        raw = form.get(name, "").strip()
        if raw == "" and name == "limit_count":
            data[name] = None
        else:
            # more than 9 digits stays text: refused as a number, never an overflow in the database
            data[name] = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else raw
    data["limit_period"] = form.get("limit_period", "").strip() or None
    for name in TIME_FIELDS:
        raw = form.get(name, "").strip()
        data[name] = _station_time(raw) if raw else None
    data["active"] = form.get("active") == "yes"
    return data


def _station_time(raw):
    """A ``datetime-local`` value, read in the station's zone, as ISO with its offset."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return moment.replace(tzinfo=None).isoformat()  # without a zone: refused by the schema
    if moment.tzinfo is not None:
        return raw  # a zone of its own is taken as given
    return moment.replace(tzinfo=g.station.config.tz).isoformat()


def _uploaded_photo():
    """The chosen photo stored, as its relative path; ``None`` when none was chosen."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None
    max_bytes = current_app.config.get("MAX_PHOTO_BYTES", DEFAULT_MAX_PHOTO_BYTES)
    data = upload.stream.read(max_bytes + 1)
    size = _size_text(max_bytes)
    try:
        return save_photo(
            current_app, g.station.slug, "rewards", data, max_bytes=max_bytes, today=points.local_date_of(g.station)
        )
    except PhotoRejected as error:
        if error.code == "too_large":
            message = _("Photo: the file is larger than %(size)s.", size=size)
        else:
            message = _("Photo: choose a JPEG, PNG or WebP photo of at most %(size)s.", size=size)
        raise PhotoRejected(message, error.code) from error


def _size_text(size):
    mib = 1024 * 1024
    return f"{size / mib:g} MB" if size >= mib else f"{max(1, size // 1024)} KB"


def _reward_form(reward=None):
    form = _form_of(reward) if reward else {"active": True, "limit_period": ""}
    problems, status = {}, 200
    if request.method == "POST":
        form = request.form.to_dict()
        form["active"] = request.form.get("active") == "yes"
        try:
            data = rewards.RewardSchema().load(_input_of(request.form), unknown=EXCLUDE)
        except ValidationError as error:
            problems = {field: REWARD_PROBLEMS.get(field, _("Check this field.")) for field in error.messages}
        else:
            try:
                photo = _uploaded_photo()
            except PhotoRejected as error:
                problems["photo"] = str(error)
            else:
                if photo:
                    data["photo"] = photo
                elif reward is not None and request.form.get("remove_photo") == "yes":
                    data["photo"] = None
                user = current_user._get_current_object()
                if reward is None:
                    saved = rewards.create_reward(g.station, user, data)
                    flash(_("Reward “%(name)s” added.", name=saved.name))
                else:
                    saved = rewards.update_reward(g.station, user, reward.id, data)
                    flash(_("Reward “%(name)s” saved.", name=saved.name))
                return redirect(url_for("rewards.manage_rewards"))
        status = 400
    return render_station_template(
        "rewards/form.html", reward=reward, form=form, problems=problems, periods=LIMIT_PERIODS
    ), status


LIMIT_PERIODS = {LimitPeriod.MONTH: _l("per month"), LimitPeriod.EVER: _l("in all")}


@bp.route("/manage/rewards/new", methods=["GET", "POST"])
@staff_required
def new_reward():
    return _reward_form()


@bp.route(f"/manage/rewards/{REWARD_ID}", methods=["GET", "POST"])
@staff_required
def edit_reward(reward_id):
    try:
        reward = rewards.get_reward(g.station, reward_id)
    except rewards.NotFound:
        abort(404)
    return _reward_form(reward)
