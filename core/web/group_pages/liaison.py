"""Liaison (一人联络十名): an officer's volunteers and the meetings they log;
the station's assignments and its overview of who is overdue."""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ...groups import GroupError, liaison
from ...models import (
    Liaison,
    Role,
    User,
)
from ...points import local_date_of
from ...themes import render_station_template
from ..auth import staff_required
from ..row_ids import ROW_ID
from .common import (
    MEETING_PROBLEMS,
    PEOPLE_LISTED,
    bp,
    me,
    person_arg,
    refusal,
)

# ---------------------------------------------------------------------------
# Liaison: an officer's volunteers and meetings
# ---------------------------------------------------------------------------


def _my_volunteers_page(form=None, problems=None, status=200):
    officer = me()
    rows = liaison.my_volunteers(g.station, officer)
    names = {row["volunteer"].id: row["volunteer"].name for row in rows}
    meetings = liaison.meetings_of(officer)
    return render_station_template(
        "groups/my_volunteers.html",
        rows=rows,
        meetings=meetings,
        names=names,
        form=form or {"held_on": local_date_of(g.station).isoformat(), "attendees": []},
        problems=problems or {},
    ), status


@bp.route("/liaison")
@staff_required
def my_volunteers():
    return _my_volunteers_page()


@bp.route("/liaison/meetings", methods=["POST"])
@staff_required
def log_meeting():
    attendees = request.form.getlist("attendees")
    form = {
        "held_on": request.form.get("held_on", "").strip(),
        "attendees": attendees,
        "notes": request.form.get("notes", "").strip(),
    }
    data = {
        "held_on": form["held_on"] or None,
        "attendees": [int(a) if a.isascii() and a.isdigit() and len(a) <= 9 else a for a in attendees],
        "notes": form["notes"],
    }
    try:
        liaison.log_meeting(g.station, me(), liaison.MeetingSchema().load(data))
    except ValidationError as error:
        problems = {name: str(MEETING_PROBLEMS.get(name, _("Check this field."))) for name in error.messages}
        return _my_volunteers_page(form, problems, 400)
    except GroupError as error:
        names = error.fields or {"notes": ""}
        return _my_volunteers_page(
            form, {n: str(MEETING_PROBLEMS.get(n, _("Check this field."))) for n in names}, error.status
        )
    flash(_("Meeting recorded."))
    return redirect(url_for("groups.my_volunteers"))


def _liaison_page(problem=None, status=200, form=None):
    station = g.station
    officers = list(
        User.select()
        .where(User.station == station.id, User.role.in_((Role.OFFICER, Role.STATION_ADMIN)), User.active == True)
        .order_by(User.name, User.id)
    )
    assigned = list(
        Liaison.select(Liaison, User)
        .join(User, on=(Liaison.volunteer == User.id))
        .where(Liaison.station == station.id)
        .order_by(Liaison.officer, User.name)
    )
    officer_names = {officer.id: officer.name for officer in officers}
    unassigned = list(
        User.select()
        .where(
            User.station == station.id,
            User.role == Role.VOLUNTEER,
            User.active == True,
            User.id.not_in(Liaison.select(Liaison.volunteer).where(Liaison.station == station.id)),
        )
        .order_by(User.name, User.id)
        .limit(PEOPLE_LISTED)
    )
    return render_station_template(
        "groups/liaison.html",
        rows=liaison.overview(station),
        officers=officers,
        officer_names=officer_names,
        assigned=assigned,
        unassigned=unassigned,
        limit=station.config.groups.liaison_limit,
        gap_days=liaison.MEETING_GAP_DAYS,
        problem=problem,
        form=form or {},
    ), status


@bp.route("/manage/liaison")
@staff_required
def liaison_overview():
    return _liaison_page()


@bp.route("/manage/liaison/assign", methods=["POST"])
@staff_required
def assign_liaison():
    form = {"officer_id": request.form.get("officer_id", ""), "volunteer_id": request.form.get("volunteer_id", "")}
    officer_id, volunteer_id = person_arg("officer_id"), person_arg("volunteer_id")
    if officer_id is None or volunteer_id is None:
        return _liaison_page(_("Choose an officer and a volunteer."), 400, form)
    try:
        made = liaison.assign(g.station, me(), officer_id, volunteer_id)
    except GroupError as error:
        if error.code == "liaison_limit":
            officer = User.get_by_id(officer_id)
            message = _(
                "%(name)s is the liaison of %(limit)s volunteers already: that is the most one officer looks after.",
                name=officer.name,
                limit=g.station.config.groups.liaison_limit,
            )
            return _liaison_page(message, error.status, form)
        if error.status == 404:
            return _liaison_page(_("Choose an officer and a volunteer."), 404, form)
        return _liaison_page(refusal(error), error.status, form)
    flash(
        _(
            "%(officer)s is now the liaison of %(volunteer)s.",
            officer=User.get_by_id(made.officer_id).name,
            volunteer=User.get_by_id(made.volunteer_id).name,
        )
    )
    return redirect(url_for("groups.liaison_overview"))


@bp.route(f"/manage/liaison/<{ROW_ID}:volunteer_id>/unassign", methods=["POST"])
@staff_required
def unassign_liaison(volunteer_id):
    try:
        liaison.unassign(g.station, me(), volunteer_id)
    except GroupError as error:
        if error.status == 404:
            abort(404)
        return _liaison_page(refusal(error), error.status)
    flash(_("Liaison removed."))
    return redirect(url_for("groups.liaison_overview"))
