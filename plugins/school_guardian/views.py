"""The school guardians' pages: the schools, each school's week roster (sign
up, 到岗), its hazard board, and the officers' "post the duty roster"."""

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, ValidationError, validates_schema

from core import (
    BoundedDate,
    MenuItem,
    Role,
    TaskError,
    Text,
    render_station_template,
    sign_up,
    staff_required,
    volunteer_required,
)

from . import hazards, roster
from .settings import MAX_HOLIDAY_DAYS, WINDOW_KEYS
from .task_types import HAZARD, HAZARD_KINDS

bp = Blueprint("school_guardian", __name__, url_prefix="/school-guardian", template_folder="templates")

MAX_POST_DAYS = MAX_HOLIDAY_DAYS

# What a refused sign-up or 到岗 says, by TaskError.code.
REFUSALS = {
    "task_full": _l("Sorry, this duty is full: choose another slot."),
    "already_signed_up": _l("You have signed up for this duty already."),
    "task_started": _l("This duty has started already: sign-up is closed."),
    "qualification_required": _l("This duty needs a qualification your officer has not recorded for you."),
    "volunteers_only": _l("Only this station's volunteers may do this."),
    "not_signed_up": _l("Sign up for this duty first; then report at the gate."),
    "too_early": _l("Too early: you can report at the gate from one hour before the duty starts."),
    "duty_over": _l("This duty is over: it is too late to report at the gate."),
    "already_arrived": _l("You have reported at the gate already."),
    "try_again": _l("That did not work this time. Please try again."),
}


def refusal(error):
    if error.code in REFUSALS:
        return str(REFUSALS[error.code])
    return _("This cannot be done now.")


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _is_member(user):
    return user is not None and user.station_id == g.station.id


def _is_staff(user):
    return _is_member(user) and user.is_staff


def _school(number):
    schools = roster.schools_of(g.station)
    if not 1 <= number <= len(schools):
        abort(404)
    return schools[number - 1]


def _school_number(name):
    for number, school in enumerate(roster.schools_of(g.station), start=1):
        if school["name"] == name:
            return number
    return None


def _week(raw):
    """The Monday of the week asked for; by default (or for a date that is
    unreadable or outside the years core accepts) this week, or the next one at
    the weekend."""
    try:
        return roster.monday_of(BoundedDate().deserialize(raw))
    except ValidationError:
        today = roster.local_now(g.station).date()
        return roster.monday_of(today + timedelta(days=2 if today.isoweekday() >= 6 else 0))


# ---------------------------------------------------------------------------
# The schools
# ---------------------------------------------------------------------------


@bp.route("/")
def schools():
    return render_station_template(
        "school_guardian/schools.html",
        schools=roster.schools_of(g.station),
        window_labels=roster.WINDOW_LABELS,
        window_keys=WINDOW_KEYS,
        is_staff=_is_staff(_viewer()),
    )


# ---------------------------------------------------------------------------
# The week's roster, sign-up and 到岗
# ---------------------------------------------------------------------------


def _roster_page(number, monday, problem=None, problem_task=None, status=200):
    school = _school(number)
    viewer = _viewer()
    gates = roster.week_roster(g.station, school, monday, viewer)
    return (
        render_station_template(
            "school_guardian/roster.html",
            school=school,
            number=number,
            monday=monday,
            previous_week=monday - timedelta(days=7),
            next_week=monday + timedelta(days=7),
            gates=gates,
            window_keys=WINDOW_KEYS,
            window_labels=roster.WINDOW_LABELS,
            show_names=_is_member(viewer),
            is_volunteer=_is_member(viewer) and viewer.role == Role.VOLUNTEER,
            is_staff=_is_staff(viewer),
            problem=problem,
            problem_task=problem_task,
        ),
        status,
    )


@bp.route("/schools/<int(min=1, max=99):number>/roster")
def week(number):
    return _roster_page(number, _week(request.args.get("week")))


def _duty_action(task_id, action):
    slot = roster.slot_of(g.station, task_id)
    if slot is None:
        abort(404)
    number = _school_number(slot.school)
    if number is None:  # the school has left the station's config
        abort(404)
    monday = roster.monday_of(slot.day)
    volunteer = current_user._get_current_object()
    try:
        if action == "sign_up":
            task = sign_up(g.station, volunteer, task_id).task
            message = _("Signed up: %(title)s.", title=task.title)
        else:
            arrival = roster.record_arrival(g.station, volunteer, task_id)
            message = _(
                "Reported at the gate at %(time)s. Thank you!",
                time=roster.local(g.station, arrival.arrived_at).strftime("%H:%M"),
            )
    except TaskError as error:
        if error.status == 404:
            abort(404)
        return _roster_page(number, monday, refusal(error), task_id, error.status)
    flash(message)
    return redirect(url_for("school_guardian.week", number=number, week=monday.isoformat(), _anchor=f"slot-{task_id}"))


@bp.route("/duties/<int(max=2147483647):task_id>/signup", methods=["POST"])
@volunteer_required
def duty_sign_up(task_id):
    return _duty_action(task_id, "sign_up")


@bp.route("/duties/<int(max=2147483647):task_id>/arrive", methods=["POST"])
@volunteer_required
def duty_arrive(task_id):
    return _duty_action(task_id, "arrive")


# ---------------------------------------------------------------------------
# The hazard board
# ---------------------------------------------------------------------------


@bp.route("/schools/<int(min=1, max=99):number>/hazards")
def hazard_board(number):
    school = _school(number)
    viewer = _viewer()
    if viewer is None:
        return current_app.login_manager.unauthorized()
    if not _is_member(viewer):
        abort(404)
    rows = [
        {
            "submission": submission,
            "photos": hazards.photo_positions(submission),
            "reported": roster.local(g.station, submission.submitted_at),
            # photos are the submitter's and the officers' to see
            "can_see_photos": _is_staff(viewer) or submission.volunteer_id == viewer.id,
        }
        for submission in hazards.board(g.station, school["name"])
    ]
    return render_station_template(
        "school_guardian/hazards.html",
        school=school,
        number=number,
        rows=rows,
        kinds=HAZARD_KINDS,
        states=hazards.STATE_LABELS,
        can_report=viewer.role == Role.VOLUNTEER and g.station.task_type(HAZARD) is not None,
        report_url=f"{request.script_root}/s/{g.station.slug}/work/{HAZARD}",
        slug=g.station.slug,
    )


# ---------------------------------------------------------------------------
# Officers post the duty roster
# ---------------------------------------------------------------------------


class PostRosterSchema(Schema):
    first_date = BoundedDate(required=True)
    last_date = BoundedDate(required=True)

    @validates_schema
    def _sensible(self, data, **_kwargs):
        first, last = data.get("first_date"), data.get("last_date")
        if first and last:
            if last < first:
                raise ValidationError("must not be before first_date", "last_date")
            if (last - first).days >= MAX_POST_DAYS:
                raise ValidationError(f"at most {MAX_POST_DAYS} days at once", "last_date")


POST_PROBLEMS = {
    "first_date": _l("Choose the first day."),
    "last_date": _l("Choose the last day: not before the first, at most a year later."),
}


def _post_page(form, problems=None, problem=None, status=200):
    return (
        render_station_template(
            "school_guardian/post.html",
            form=form,
            problems=problems or {},
            problem=problem,
            schools=roster.schools_of(g.station),
            window_keys=WINDOW_KEYS,
            window_labels=roster.WINDOW_LABELS,
            holidays=roster.settings_of(g.station).get("holidays", []),
        ),
        status,
    )


@bp.route("/roster/post", methods=["GET", "POST"])
@staff_required
def post_duties():
    if request.method == "GET":
        monday = _week(None)
        return _post_page({"first_date": monday.isoformat(), "last_date": (monday + timedelta(days=4)).isoformat()})
    form = {key: request.form.get(key, "").strip() for key in ("first_date", "last_date")}
    try:
        data = PostRosterSchema().load(form)
    except ValidationError as error:
        problems = {key: str(POST_PROBLEMS.get(key, _("Check this field."))) for key in error.messages}
        return _post_page(form, problems, status=400)
    try:
        posted = roster.post_roster(
            g.station, current_user._get_current_object(), data["first_date"], data["last_date"]
        )
    except TaskError as error:
        if error.status == 400 and "type" in (error.fields or {}):  # [tasks] disabled switched it off
            return _post_page(form, problem=_("School-gate duty is switched off at this station."), status=400)
        if error.status == 400:
            return _post_page(form, problem=_("Too many duties at once: choose a shorter range."), status=400)
        return _post_page(form, problem=refusal(error), status=error.status)
    if posted.tasks:
        flash(_("Posted %(count)s duties.", count=posted.tasks))
    else:
        flash(_("Nothing new to post: the school days of this range are posted already, over, or holidays."))
    if posted.already:
        flash(_("%(count)s duties of this range were posted before and were left as they were.", count=posted.already))
    return redirect(url_for("school_guardian.week", number=1, week=data["first_date"].isoformat()))


# ---------------------------------------------------------------------------
# The menu
# ---------------------------------------------------------------------------


def menu_items(station, user):
    items = [MenuItem(Text("护学岗", "School gates"), url_for("school_guardian.schools"), order=30)]
    if user is not None and user.station_id == station.id and user.is_staff:
        items.append(MenuItem(Text("发布护学岗", "Post gate duties"), url_for("school_guardian.post_duties"), order=35))
    return items
