"""The staff's side of a station's rewards: the catalogue's management
(new and edit forms, with a photo) and serving reward photos.

Routes join the ``rewards`` blueprint of :mod:`core.web.rewards_pages`, so
their endpoint names read ``rewards.<view>`` like the rest of the rewards pages.
"""

from datetime import UTC

from flask import abort, current_app, flash, g, redirect, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import EXCLUDE, ValidationError

from .. import points, rewards
from ..models import LimitPeriod, Reward, utcnow
from ..photos import PhotoRejected, save_photo, thumbnail_path, uploads_root
from ..themes import render_station_template
from .auth import staff_required
from .rewards_pages import REWARD_ID, bp
from .station_times import station_time

DEFAULT_MAX_PHOTO_BYTES = 8 * 1024 * 1024

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
        data[name] = station_time(raw) if raw else None
    data["active"] = form.get("active") == "yes"
    return data


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
