"""Live incident reports (警情与求助) on a station's pages: the report form
(likely duplicates offered first), the board, and an incident's page with
its photos, timeline, comments and the officers' triage.

What these pages fetch (the board's Server-Sent Events and JSON poll, the
duplicates lookup the form makes as it is filled in, the photos) is
:mod:`core.web.incident_stream`.
"""

import re

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..incidents import IncidentError, board, lifecycle, reporting
from ..incidents.labels import state_label
from ..models import IncidentEventKind, IncidentState, Role, User
from ..themes import render_station_template
from .auth import station_member_required
from .extra_field_inputs import extra_field_problem, extra_fields_of, form_extra_fields
from .row_ids import ROW_ID

bp = Blueprint("incidents", __name__, url_prefix="/s/<station>")

FILTER_LABELS = {"live": _l("Being dealt with"), "closed": _l("Closed"), "all": _l("All")}
# What a refused action says, by IncidentError.code.
REFUSALS = {
    "changed": _l("Someone else changed this report just now. Here is how it stands now."),
    "bad_transition": _l("This report cannot move to that state from where it is now."),
    "closed": _l("This report is closed."),
    "not_resolved": _l("Only a resolved report can be confirmed useful."),
    "already_useful": _l("This report was confirmed useful already."),
    "own_report": _l("You cannot confirm your own report."),
    "staff_only": _l("Only this station's officers may do this."),
}
FORM_FIELDS = ("note", "duplicate_of", "assignee")  # the action forms' fields a refusal can name
ASSIGNABLE_LISTED = 200  # the assignee select lists at most this many people
EXCERPT = 80


@bp.app_template_global()
def incident_state_label(state):
    return state_label(state)


@bp.app_template_global()
def incident_category_label(key):
    category = g.station.incident_category(key)
    return category.label if category else key


@bp.app_template_global()
def incident_place(incident):
    if incident.address:
        return incident.address
    if incident.latitude is not None:
        return f"{incident.latitude:.5f}, {incident.longitude:.5f}"
    return ""


def me():
    return current_user._get_current_object()


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def report_input(category, form):
    """The report form as :func:`core.incidents.reporting.load_report` loads it."""
    data = {
        "category": form.get("category", ""),
        "description": form.get("description", "").strip(),
        "address": form.get("address", ""),
        "hide_name": form.get("hide_name") == "yes",
    }
    data["fields"] = form_extra_fields(category.fields_loader() if category else None, form)
    latitude, longitude = form.get("latitude", "").strip(), form.get("longitude", "").strip()
    if latitude or longitude:
        data["latitude"], data["longitude"] = latitude or None, longitude or None
    return data


def report_problems(error, category):
    """A 400's fields as sentences for the report form, by field."""
    problems = {}
    for key, messages in (error.fields or {}).items():
        messages = [str(m) for m in (messages if isinstance(messages, list) else [messages])]
        if key == "category":
            problems[key] = _("Choose what you are reporting.")
        elif key == "description":
            problems[key] = _("Describe what you see (up to %(count)s characters).", count=reporting.MAX_DESCRIPTION)
        elif key in ("latitude", "longitude", "location"):
            problems["location"] = _("Say where: use your location, or type an address.")
        elif key == "address":
            problems[key] = _("The address may have at most %(count)s characters.", count=reporting.MAX_ADDRESS)
        elif key == "photos":
            found = re.match(r"photo (\d+):", " ".join(messages))
            most = category.max_photos if category else 0
            if found:
                problems[key] = _(
                    "Photo %(number)s: choose a JPEG, PNG or WebP photo of at most %(size)s MB.",
                    number=found.group(1),
                    size=g.station.config.tasks.max_photo_mb,
                )
            else:
                problems[key] = _("At most %(most)s photos.", most=most)
        elif key.startswith("fields."):
            problems[key] = extra_field_problem(
                category.fields_loader() if category else None, key.removeprefix("fields."), messages
            )
        else:
            problems.setdefault("form", _("Please check the form."))
    if category is None:
        problems["category"] = _("Choose what you are reporting.")
    return problems or {"form": _("Please check the form.")}


def report_page(category, *, form=None, problems=None, duplicates=None, photos_dropped=False, status=200):
    return render_station_template(
        "incidents/report.html",
        categories=g.station.incident_categories,
        chosen=category,
        fields_of={c.key: extra_fields_of(c) for c in g.station.incident_categories},
        form=form or {},
        problems=problems or {},
        duplicates=duplicates or [],
        photos_dropped=photos_dropped,
    ), status


def uploaded_photos():
    """The chosen photos' bytes, each read up to one byte past the station's limit."""
    limit = g.station.config.tasks.max_photo_bytes
    return [upload.stream.read(limit + 1) for upload in request.files.getlist("photos") if upload.filename]


@bp.route("/incidents/report", methods=["GET", "POST"])
@station_member_required
def report():
    if not reporting.may_report(g.station, me()):
        abort(403)
    form = request.form.to_dict() if request.method == "POST" else {"category": request.args.get("category", "")[:60]}
    category = g.station.incident_category(form.get("category", ""))
    if request.method == "GET":
        return report_page(category, form=form)
    photos = uploaded_photos()
    try:
        data = reporting.load_report(report_input(category, form))
        if category is None:
            reporting.check_category(g.station, data, len(photos))  # names the category
        if form.get("not_duplicate") != "yes":
            # the same thing reported already: offer it first (a double submit lands here too)
            found = reporting.likely_duplicates(
                g.station,
                category.key,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                address=data["address"],
            )
            if found:
                return report_page(category, form=form, duplicates=found, photos_dropped=bool(photos), status=409)
        incident = reporting.report(g.station, me(), data, photos)
    except IncidentError as error:
        if error.status == 400:
            return report_page(
                category, form=form, problems=report_problems(error, category), photos_dropped=bool(photos), status=400
            )
        abort(error.status)
    flash(_("Thank you! Your report was sent to the station."))
    return redirect(url_for("incidents.detail", incident_id=incident.id))


@bp.errorhandler(413)
def too_large(_error):
    """A body past the app's limit: the form again, saying why (nothing was stored)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    problems = {
        "photos": _(
            "The photos were too large together (at most %(size)s MB). Choose fewer or smaller photos.",
            size=limit // (1024 * 1024),
        )
    }
    if request.endpoint == "incidents.report":
        return report_page(None, problems=problems, photos_dropped=True, status=413)
    return render_station_template("error.html", code=413, message=problems["photos"]), 413


# ---------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------


def board_filters():
    """The board's filters from the query string: unknown values are refused, not ignored."""
    category = request.args.get("category", "")
    state = request.args.get("state", "live") or "live"
    if category and g.station.incident_category(category) is None:
        abort(400, description=_("“category”: not an incident category of this station."))
    if state not in board.STATE_FILTERS:
        abort(400, description=_("“state”: expected live, closed, all or one state."))
    return category, state


def board_rows(category, state):
    viewer = me()
    incidents = board.board(g.station, category=category or None, state=state)
    return [
        {
            "incident": incident,
            "reporter": board.reporter_name(g.station, viewer, incident),
            "excerpt": incident.description
            if len(incident.description) <= EXCERPT
            else incident.description[:EXCERPT] + "…",
        }
        for incident in incidents
    ]


@bp.route("/incidents")
@station_member_required
def board_page():
    category, state = board_filters()
    # where the live page starts: read before the rows, so a report made
    # meanwhile is listed, or sent as a change, and never neither
    after = board.last_event_id(g.station)
    return render_station_template(
        "incidents/board.html",
        rows=board_rows(category, state),
        category=category,
        state=state,
        categories=g.station.incident_categories,
        state_filters=[(key, FILTER_LABELS.get(key) or state_label(key)) for key in board.STATE_FILTERS],
        after=after,
        may_report=reporting.may_report(g.station, me()),
    )


@bp.route("/incidents/rows")
@station_member_required
def board_fragment():
    """The board's list alone, for the live page to swap in after a change."""
    category, state = board_filters()
    return render_station_template("incidents/_rows.html", rows=board_rows(category, state))


# ---------------------------------------------------------------------------
# One incident: details, timeline, comments, triage
# ---------------------------------------------------------------------------


def assignable():
    return list(
        User.select(User.id, User.name, User.role)
        .where(User.station == g.station.id, User.active == True, User.role.in_(Role.STATION_ROLES))
        .order_by(User.role.desc(), User.name, User.id)
        .limit(ASSIGNABLE_LISTED)
    )


def detail_page(incident, *, problem=None, problems=None, form=None, status=200):
    user = me()
    station = g.station
    events = lifecycle.timeline(incident)
    staff = lifecycle.is_station_staff(station, user)
    moves = lifecycle.TRANSITIONS.get(incident.state, ())
    if not staff:
        moves = [s for s in moves if incident.assignee_id == user.id and s in lifecycle.ASSIGNEE_MAY]
    names = board.names_of([e.actor_id for e in events] + [e.assignee_id for e in events] + [incident.assignee_id])
    if incident.reporter_id:
        names[incident.reporter_id] = board.reporter_name(station, user, incident)  # None when hidden from this viewer
    category = station.incident_category(incident.category)
    labels = {
        item["name"].removeprefix("fields."): item["label"] for item in (extra_fields_of(category) if category else [])
    }
    return render_station_template(
        "incidents/detail.html",
        incident=incident,
        category=category,
        details=[
            (labels.get(key, key), value) for key, value in (incident.fields or {}).items() if value not in ("", None)
        ],
        reporter=board.reporter_name(station, user, incident),
        events=events,
        names=names,
        staff=staff,
        moves=moves,
        needs_note=lifecycle.NEEDS_NOTE,
        people=assignable() if staff and incident.state in IncidentState.LIVE else [],
        problem=problem,
        problems=problems or {},
        form=form or {},
        kinds=IncidentEventKind,
    ), status


def visible(incident_id):
    try:
        return lifecycle.visible_incident(g.station, me(), incident_id)
    except IncidentError:
        abort(404)


@bp.route(f"/incidents/<{ROW_ID}:incident_id>")
@station_member_required
def detail(incident_id):
    return detail_page(visible(incident_id))


def act(incident_id, do, success):
    """Run one action on the incident; a refusal re-renders its page saying why."""
    incident = visible(incident_id)
    form = request.form.to_dict()
    try:
        do(incident, form)
    except IncidentError as error:
        if error.status == 404:
            abort(404)
        if error.status == 403:
            abort(403)
        fresh = visible(incident_id)
        if error.status == 400:
            problems = {}
            for key in error.fields or ("form",):
                problems[key if key in FORM_FIELDS else "form"] = action_problem(key)
            if request.endpoint == "incidents.add_comment":  # the comment form's note, not the state form's
                problems = {"comment" if key == "note" else key: text for key, text in problems.items()}
            return detail_page(fresh, problems=problems, form=form, status=400)
        return detail_page(
            fresh, problem=str(REFUSALS.get(error.code, _("This cannot be done now."))), status=error.status
        )
    flash(success)
    return redirect(url_for("incidents.detail", incident_id=incident.id))


def action_problem(key):
    if key == "note":
        return _(
            "Write a note (up to %(count)s characters): say why. The reporter, the next shift and readers of the station's Open311 feed see it.",
            count=lifecycle.MAX_NOTE,
        )
    if key == "duplicate_of":
        return _("Give the number of another report of this station that it duplicates.")
    if key == "assignee":
        return _("Choose an active officer or volunteer of this station.")
    return _("Please check the form.")


def row_id_or_none(raw, field):
    raw = (raw or "").strip().lstrip("#")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise lifecycle.invalid({field: ["expected a number"]})
    return int(raw)


@bp.route(f"/incidents/<{ROW_ID}:incident_id>/comment", methods=["POST"])
@station_member_required
def add_comment(incident_id):
    return act(
        incident_id,
        lambda incident, form: lifecycle.comment(g.station, me(), incident.id, form.get("note", "")),
        _("Comment added."),
    )


@bp.route(f"/incidents/<{ROW_ID}:incident_id>/state", methods=["POST"])
@station_member_required
def change_state(incident_id):
    def do(incident, form):
        to_state = form.get("to_state", "")
        is_mine = incident.assignee_id == me().id and to_state in lifecycle.ASSIGNEE_MAY
        if not lifecycle.is_station_staff(g.station, me()) and not is_mine:
            abort(403)
        duplicate_of = (
            row_id_or_none(form.get("duplicate_of"), "duplicate_of") if to_state == IncidentState.DUPLICATE else None
        )
        lifecycle.change_state(
            g.station,
            me(),
            incident.id,
            to_state,
            note=form.get("note", ""),
            duplicate_of=duplicate_of,
            expected_state=form.get("expected_state") or None,
        )

    return act(incident_id, do, _("The report's state was changed."))


@bp.route(f"/incidents/<{ROW_ID}:incident_id>/assign", methods=["POST"])
@station_member_required
def assign(incident_id):
    def do(incident, form):
        if not lifecycle.is_station_staff(g.station, me()):
            abort(403)
        lifecycle.assign(
            g.station, me(), incident.id, row_id_or_none(form.get("assignee"), "assignee"), note=form.get("note", "")
        )

    return act(incident_id, do, _("The report was assigned."))


@bp.route(f"/incidents/<{ROW_ID}:incident_id>/useful", methods=["POST"])
@station_member_required
def confirm_useful(incident_id):
    def do(incident, _form):
        if not lifecycle.is_station_staff(g.station, me()):
            abort(403)
        lifecycle.confirm_useful(g.station, me(), incident.id)

    return act(incident_id, do, _("Confirmed useful: the reporter's points were booked."))
