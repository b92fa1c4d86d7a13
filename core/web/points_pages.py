"""Points on a station's pages: daily check-in, "my points", the
leaderboard, and the station admin's adjustment and ledger export.

The access helpers here (``volunteer_required``, ``staff_required``,
``station_admin_required``) are shared with :mod:`core.web.rewards_pages`.
"""

import re
import uuid
from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, g, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import checkins, points
from ..exports import ledger_csv
from ..i18n import Text, current_language
from ..models import EntryKind, Role, User
from ..themes import render_station_template
from .auth import is_volunteer_here, staff_required, station_admin_required, station_member_required, volunteer_required

bp = Blueprint("points", __name__, url_prefix="/s/<station>")

PER_PAGE = 20
MAX_PAGE = 1_000_000
MAX_EXPORT_DAYS = 366
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

KIND_LABELS = {
    EntryKind.CHECKIN: Text("签到", "Check-in"),
    EntryKind.TASK: Text("任务", "Task"),
    EntryKind.BONUS: Text("奖励", "Bonus"),
    EntryKind.REDEMPTION: Text("兑换", "Redemption"),
    EntryKind.REFUND: Text("退还", "Refund"),
    EntryKind.ADJUSTMENT: Text("人工调整", "Adjustment"),
    EntryKind.REVERSAL: Text("冲正", "Reversal"),
    EntryKind.EXPIRY: Text("过期", "Expiry"),
    EntryKind.INCIDENT: Text("有效报告", "Useful report"),
}

PERIODS = {"month": _l("This month"), "all": _l("All time")}


# ---------------------------------------------------------------------------
# Template helpers
# ---------------------------------------------------------------------------


@bp.app_template_global()
def label_in_language(label):
    """A breakdown line's ``{"zh", "en"}`` label in the reader's language."""
    if isinstance(label, dict):
        language = current_language()
        return label.get(language) or label.get("zh") or label.get("en") or ""
    return "" if label is None else str(label)


@bp.app_template_global()
def entry_kind_label(kind):
    return KIND_LABELS.get(kind, kind)


@bp.app_template_filter("signed")
def signed(number):
    return f"{number:+d}"


@bp.app_template_global()
def my_checkin():
    """The home page's check-in panel for a volunteer of this station, else ``None``."""
    if not is_volunteer_here(current_user):
        return None
    volunteer = current_user._get_current_object()
    checked_in, streak = checkins.today_state(g.station, volunteer)
    return {
        "balance": volunteer.points_balance,
        "checked_in": checked_in,
        "streak": streak,
        "points": g.station.config.points.checkin_points,
    }


def masked_name(name):
    """The first character and a star: 李红 → 李*."""
    name = (name or "").strip()
    return f"{name[:1]}*" if name else "*"


def breakdown_text(breakdown):
    """``每日签到 +1，连续签到 +2`` in the reader's language."""
    separator = ", " if current_language() == "en" else "，"
    return separator.join(
        f"{label_in_language(line.get('label'))} {line.get('points', 0):+d}" for line in breakdown or ()
    )


# ---------------------------------------------------------------------------
# Check-in
# ---------------------------------------------------------------------------


@bp.route("/checkin", methods=["POST"])
@volunteer_required
def checkin():
    volunteer = current_user._get_current_object()
    try:
        result = checkins.check_in(g.station, volunteer)
    except checkins.AlreadyCheckedIn:
        problem = _("You have already checked in today. Come back tomorrow!")
        return render_station_template("home.html", task_types=g.station.task_types, checkin_problem=problem), 409
    flash(
        _(
            "Checked in: %(points)s points earned (%(breakdown)s). Streak: %(streak)s days.",
            points=result.entry.amount,
            breakdown=breakdown_text(result.entry.breakdown) or "0",
            streak=result.streak,
        )
    )
    return redirect(url_for("station.home"))


# ---------------------------------------------------------------------------
# My points
# ---------------------------------------------------------------------------


def _page_number():
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        abort(400, description=_("“page”: expected a whole number from 1."))
    if int(raw) > MAX_PAGE:
        abort(404)  # no one has that many entries (and the offset would overflow SQLite)
    return int(raw)


@bp.route("/me/points")
@station_member_required
def my_points():
    page = _page_number()
    entries, more = points.statement(current_user.id, page=page, per_page=PER_PAGE)
    if page > 1 and not entries:
        abort(404)
    return render_station_template(
        "points/mine.html", entries=entries, page_number=page, more=more, balance=current_user.points_balance
    )


def _csv_response(entries, filename):
    response = Response(stream_with_context(ledger_csv(entries)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/me/points.csv")
@station_member_required
def my_points_csv():
    today = points.local_date_of(g.station)
    return _csv_response(points.entries_of(current_user.id), f"my-points-{g.station.slug}-{today.isoformat()}.csv")


# ---------------------------------------------------------------------------
# Leaderboard
# ---------------------------------------------------------------------------


@bp.route("/leaderboard")
def leaderboard():
    period = request.args.get("period", "month")
    if period not in PERIODS:
        abort(400, description=_("“period”: expected “month” or “all”."))
    rows = [
        {"rank": rank, "name": masked_name(user.name), "earned": earned}
        for rank, user, earned in points.ranked(points.leaderboard(g.station, period))
    ]
    return render_station_template("points/leaderboard.html", rows=rows, period=period, periods=PERIODS)


# ---------------------------------------------------------------------------
# Station staff: the hub, manual adjustment, the ledger export
# ---------------------------------------------------------------------------


@bp.route("/manage/")
@staff_required
def manage():
    today = points.local_date_of(g.station)
    return render_station_template(
        "points/manage.html",
        is_admin=current_user.role == Role.STATION_ADMIN,
        export_from=today.replace(day=1).isoformat(),
        export_to=today.isoformat(),
    )


ADJUST_PROBLEMS = {
    "phone": _l("No volunteer of this station has this mobile number."),
    "amount": _l("Enter a whole number of points other than 0 (negative to take points)."),
    "reason": _l("Enter the reason for this adjustment (up to 200 characters)."),
    "key": _l("This form has expired; please fill it in again."),
}


@bp.route("/manage/adjust", methods=["GET", "POST"])
@station_admin_required
def adjust():
    form, problems, status = {}, {}, 200
    if request.method == "POST":
        form = {key: request.form.get(key, "").strip() for key in ("phone", "amount", "reason", "key")}
        volunteer = User.get_or_none(
            User.phone == form["phone"], User.station == g.station.id, User.role == Role.VOLUNTEER
        )
        amount = _whole_number(form["amount"])
        if volunteer is None:
            problems["phone"] = ADJUST_PROBLEMS["phone"]
        if amount is None or amount == 0 or abs(amount) > 1_000_000:
            problems["amount"] = ADJUST_PROBLEMS["amount"]
        if not form["reason"] or len(form["reason"]) > 200:
            problems["reason"] = ADJUST_PROBLEMS["reason"]
        if not _is_uuid(form["key"]):
            problems["key"] = ADJUST_PROBLEMS["key"]
        if problems:
            status = 400
        else:
            admin = current_user._get_current_object()
            try:
                entry = points.adjust(g.station, admin, volunteer.id, amount, form["reason"], form["key"])
            except points.DuplicateBooking:
                flash(_("This adjustment was booked already; it was not booked again."))
                return redirect(url_for("points.adjust"))
            except points.InsufficientPoints as error:
                problems["amount"] = _(
                    "%(name)s has only %(balance)s points; you cannot take %(amount)s.",
                    name=volunteer.name,
                    balance=error.balance,
                    amount=-amount,
                )
                status = 409
            except points.AdjustmentRefused:
                abort(403)
            else:
                balance = User.get_by_id(volunteer.id).points_balance
                flash(
                    _(
                        "Booked %(amount)s points for %(name)s; their balance is now %(balance)s.",
                        amount=f"{entry.amount:+d}",
                        name=volunteer.name,
                        balance=balance,
                    )
                )
                return redirect(url_for("points.adjust"))
    if "key" in problems or not form.get("key"):
        form["key"] = str(uuid.uuid4())
    return render_station_template("points/adjust.html", form=form, problems=problems), status


def _whole_number(text):
    text = text.strip()
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not body.isascii():
        return None
    return int(text)


def _is_uuid(text):
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _date_arg(name):
    """The query argument ``name`` as a date, or a 400 naming it."""
    raw = request.args.get(name, "").strip()
    try:
        if not ISO_DATE.fullmatch(raw):  # fromisoformat also takes 20240101 and week dates
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description=_("“%(field)s”: expected a date as YYYY-MM-DD.", field=name))


@bp.route("/manage/points.csv")
@station_admin_required
def station_points_csv():
    start, end = _date_arg("from"), _date_arg("to")
    if end < start:
        abort(400, description=_("“to”: must not be before “from”."))
    if end - start >= timedelta(days=MAX_EXPORT_DAYS):
        abort(400, description=_("“to”: the range may cover at most %(days)s days.", days=MAX_EXPORT_DAYS))
    filename = f"points-{g.station.slug}-{start.isoformat()}-{end.isoformat()}.csv"
    return _csv_response(points.entries_between(g.station, start, end), filename)
