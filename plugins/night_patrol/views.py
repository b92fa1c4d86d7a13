"""The night patrol's pages: tonight's team, the bar alliance (public roster,
each venue's visits and findings, and the station admins' management)."""

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate
from peewee import IntegrityError

from core import (
    BoundedDate,
    MenuItem,
    Role,
    Signup,
    Task,
    Text,
    TypedText,
    User,
    get_or_404,
    local_date_of,
    no_control_characters,
    render_station_template,
    staff_required,
    station_admin_required,
    utcnow,
    write_transaction,
)

from .models import Finding, Venue, VenueVisit, active_venues
from .task_types import CHECKLIST, NIGHT_PATROL

bp = Blueprint("night_patrol", __name__, url_prefix="/night-patrol", template_folder="templates")

ROW_ID = "int(max=2147483647)"
PHONE = validate.Regexp(r"^[0-9+\- ]{5,20}$", error="expected a telephone number, e.g. 0871-63123456")


def _settings():
    return g.station.plugin_config("night_patrol")


def _user():
    user = current_user._get_current_object() if current_user and current_user.is_authenticated else None
    return user


def is_staff_here(user=None):
    user = user if user is not None else _user()
    return bool(user and user.station_id == g.station.id and user.is_staff)


def is_admin_here(user=None):
    user = user if user is not None else _user()
    return bool(user and user.station_id == g.station.id and user.role == Role.STATION_ADMIN)


def masked(name):
    """李红 → 李*: names are shown in full to the station's staff only."""
    return f"{name[:1]}*" if name else "*"


def checklist_label(item):
    return CHECKLIST.get(item, item)


# ---------------------------------------------------------------------------
# Tonight's patrol team
# ---------------------------------------------------------------------------


def tonight_window(station, now):
    """Tonight, as naive UTC: from noon of the station-local day the night
    belongs to, to noon the next day (at 01:00 it is still last night)."""
    local_now = now.replace(tzinfo=UTC).astimezone(station.config.tz)
    night_of = (local_now - timedelta(hours=12)).date()
    start = datetime.combine(night_of, time(12, 0), station.config.tz)
    end = datetime.combine(night_of + timedelta(days=1), time(12, 0), station.config.tz)
    return night_of, start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None)


def tonight_team(station, now):
    night_of, start, end = tonight_window(station, now)
    if station.task_type(NIGHT_PATROL.key) is None:  # switched off by [tasks] disabled
        return night_of, []
    tasks = list(
        Task.select()
        .where(
            Task.station == station.id, Task.type_key == NIGHT_PATROL.key, Task.starts_at >= start, Task.starts_at < end
        )
        .order_by(Task.starts_at, Task.id)
    )
    people = {}
    if tasks:
        rows = (
            Signup.select(Signup, User)
            .join(User, on=(Signup.volunteer == User.id))
            .where(Signup.task.in_([task.id for task in tasks]))
            .order_by(Signup.created_at, Signup.id)
        )
        for row in rows:
            people.setdefault(row.task_id, []).append(row.volunteer.name)
    return night_of, [(task, people.get(task.id, [])) for task in tasks]


@bp.route("/")
def tonight():
    night_of, team = tonight_team(g.station, utcnow())
    return render_station_template(
        "night_patrol/tonight.html",
        settings=_settings(),
        night_of=night_of,
        team=team,
        show_names=is_staff_here(),
        masked=masked,
    )


# ---------------------------------------------------------------------------
# The bar alliance: public roster and venue pages
# ---------------------------------------------------------------------------


@bp.route("/alliance")
def alliance():
    return render_station_template(
        "night_patrol/alliance.html", venues=active_venues(g.station), settings=_settings(), is_admin=is_admin_here()
    )


def _visits_of(venue):
    return list(
        VenueVisit.select(VenueVisit, User)
        .join(User, on=(VenueVisit.volunteer == User.id))
        .where(VenueVisit.venue == venue.id)
        .order_by(VenueVisit.visited_at.desc(), VenueVisit.id.desc())
    )


def _findings_of(venue, open_only=True):
    query = Finding.select().where(Finding.venue == venue.id)
    if open_only:
        query = query.where(Finding.closed_at.is_null())
    return list(query.order_by(Finding.opened_at, Finding.id))


def _venue_page(found, problem_finding=None, problem=None, status=200):
    staff = is_staff_here()
    return (
        render_station_template(
            "night_patrol/venue.html",
            venue=found,
            visits=_visits_of(found),
            findings=_findings_of(found),
            closed=[f for f in _findings_of(found, open_only=False) if f.closed_at] if staff else [],
            is_staff=staff,
            masked=masked,
            checklist_label=checklist_label,
            problem_finding=problem_finding,
            problem=problem,
        ),
        status,
    )


@bp.route(f"/alliance/<{ROW_ID}:venue_id>")
def venue(venue_id):
    found = get_or_404(Venue, g.station, Venue.id == venue_id)
    if not found.active and not is_staff_here():
        abort(404)  # a suspended venue is no longer shown to the public
    return _venue_page(found)


# How a finding was resolved: text with lines, no control characters (a NUL cannot even be stored on PostgreSQL).
CLOSE_NOTE = TypedText(required=True, min_length=1, max_length=1000)


@bp.route(f"/findings/<{ROW_ID}:finding_id>/close", methods=["POST"])
@staff_required
def close_finding(finding_id):
    finding = get_or_404(Finding, g.station, Finding.id == finding_id)
    try:
        note = CLOSE_NOTE.deserialize(request.form.get("note", "").strip())
    except ValidationError:
        problem = _("Say how the finding was resolved (up to 1000 characters).")
        return _venue_page(Venue.get_by_id(finding.venue_id), problem_finding=finding.id, problem=problem, status=400)
    with write_transaction():
        closed = (
            Finding.update(closed_at=utcnow(), closed_by=_user().id, close_note=note)
            .where(Finding.id == finding.id, Finding.closed_at.is_null())
            .execute()
        )
    if closed:
        flash(_("Finding closed: %(item)s", item=checklist_label(finding.item)))
    else:
        flash(_("This finding was closed already."))
    return redirect(url_for("night_patrol.venue", venue_id=finding.venue_id))


# ---------------------------------------------------------------------------
# Managing the alliance (station admins)
# ---------------------------------------------------------------------------


def _line(max_length):
    """One line of typed text: no control characters (a NUL cannot even be stored on PostgreSQL)."""
    return fields.String(required=True, validate=[validate.Length(min=1, max=max_length), no_control_characters()])


LINE_LENGTHS = {"name": 100, "address": 200, "licence_number": 60, "responsible_person": 50}


class VenueSchema(Schema):
    name = _line(LINE_LENGTHS["name"])
    address = _line(LINE_LENGTHS["address"])
    licence_number = _line(LINE_LENGTHS["licence_number"])
    responsible_person = _line(LINE_LENGTHS["responsible_person"])
    phone = fields.String(required=True, validate=PHONE)
    joined_on = BoundedDate(required=True)


FORM_FIELDS = ("name", "address", "licence_number", "responsible_person", "phone", "joined_on")


def _problems(messages, form):
    words = {
        "joined_on": _("Give the date the venue joined, e.g. 2024-05-01."),
        "phone": _("Give a telephone number, e.g. 0871-63123456."),
        "licence_number": _("Give the venue's licence number; no other venue of the station may have it."),
    }
    problems = {}
    for key in messages:
        if key in words:
            problems[key] = words[key]
        elif form.get(key, "").strip() and key in LINE_LENGTHS:  # given, but not one line of plain text
            problems[key] = _("Use one line of plain text, up to %(count)s characters.", count=LINE_LENGTHS[key])
        else:
            problems[key] = _("Fill this in.")
    return problems


LICENCE_TAKEN = "another venue has this licence number"


def _load_venue(form, venue_id=None):
    """The form's venue, or raise ValidationError naming every field that is wrong."""
    raw = {key: form.get(key, "").strip() for key in FORM_FIELDS if form.get(key, "").strip()}
    problems = {}
    try:
        data = VenueSchema().load(raw)
    except ValidationError as error:
        problems, data = dict(error.messages), None
    licence = raw.get("licence_number")
    if licence and "licence_number" not in problems and _licence_taken(licence, venue_id):
        problems["licence_number"] = [LICENCE_TAKEN]
    if problems:
        raise ValidationError(problems)
    return data


def _licence_taken(licence, venue_id=None):
    duplicate = Venue.select().where(Venue.station == g.station.id, Venue.licence_number == licence)
    if venue_id is not None:
        duplicate = duplicate.where(Venue.id != venue_id)
    return duplicate.exists()


@bp.route("/manage/alliance")
@station_admin_required
def manage():
    venues = list(
        Venue.select().where(Venue.station == g.station.id).order_by(Venue.active.desc(), Venue.name, Venue.id)
    )
    open_counts = {}
    for finding in Finding.select(Finding.venue).where(Finding.station == g.station.id, Finding.closed_at.is_null()):
        open_counts[finding.venue_id] = open_counts.get(finding.venue_id, 0) + 1
    return render_station_template("night_patrol/manage.html", venues=venues, open_counts=open_counts)


def _venue_form(venue=None):
    if request.method == "GET":
        form = (
            {key: str(getattr(venue, key)) for key in FORM_FIELDS}
            if venue
            else {"joined_on": local_date_of(g.station).isoformat()}
        )
        return render_station_template("night_patrol/venue_form.html", venue=venue, form=form, problems={})
    form = request.form.to_dict()
    try:
        data = _load_venue(form, venue.id if venue else None)
        try:
            with write_transaction():
                # checked again where it is written: another admin may have just saved the same licence
                if _licence_taken(data["licence_number"], venue.id if venue else None):
                    raise ValidationError({"licence_number": [LICENCE_TAKEN]})
                if venue is None:
                    saved = Venue.create(station=g.station.id, **data)
                else:
                    Venue.update(**data).where(Venue.id == venue.id).execute()
        except IntegrityError as error:  # the other admin's venue was written at this very moment
            raise ValidationError({"licence_number": [LICENCE_TAKEN]}) from error
    except ValidationError as error:
        return render_station_template(
            "night_patrol/venue_form.html", venue=venue, form=form, problems=_problems(error.messages, form)
        ), 400
    if venue is None:
        flash(_("Added to the alliance: %(name)s", name=saved.name))
    else:
        flash(_("Saved: %(name)s", name=data["name"]))
    return redirect(url_for("night_patrol.manage"))


@bp.route("/manage/alliance/new", methods=["GET", "POST"])
@station_admin_required
def add_venue():
    return _venue_form()


@bp.route(f"/manage/alliance/<{ROW_ID}:venue_id>/edit", methods=["GET", "POST"])
@station_admin_required
def edit_venue(venue_id):
    return _venue_form(get_or_404(Venue, g.station, Venue.id == venue_id))


# The state the suspend / reinstate button asks for → Venue.active.
VENUE_STATES = {"suspended": False, "active": True}


@bp.route(f"/manage/alliance/<{ROW_ID}:venue_id>/suspend", methods=["POST"])
@station_admin_required
def suspend_venue(venue_id):
    """Suspend a venue (state=suspended) or take it back (state=active). The
    form names the state it wants, so pressing the button twice does not undo it."""
    found = get_or_404(Venue, g.station, Venue.id == venue_id)
    state = request.form.get("state")
    if state not in VENUE_STATES:
        abort(400)
    active = VENUE_STATES[state]
    with write_transaction():
        changed = Venue.update(active=active).where(Venue.id == found.id, Venue.active != active).execute()
    if not changed:
        flash(_("Nothing to change: %(name)s is in that state already.", name=found.name))
    elif active:
        flash(_("Back in the alliance: %(name)s", name=found.name))
    else:
        flash(_("Suspended from the alliance: %(name)s", name=found.name))
    return redirect(url_for("night_patrol.manage"))


# ---------------------------------------------------------------------------
# The menu
# ---------------------------------------------------------------------------


def menu_items(station, user):
    items = [
        MenuItem(Text("今晚夜巡", "Tonight's patrol"), url_for("night_patrol.tonight"), order=30),
        MenuItem(Text("酒吧联盟", "Bar alliance"), url_for("night_patrol.alliance"), order=31),
    ]
    if user is not None and user.station_id == station.id and user.role == Role.STATION_ADMIN:
        items.append(MenuItem(Text("联盟管理", "Manage the alliance"), url_for("night_patrol.manage"), order=71))
    return items
