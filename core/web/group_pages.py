"""Work groups on a station's pages (core.groups): everyone's "my
instructions" with acknowledgement and mobilisation answers; the officers'
part of the tree, team management (station admins), posting instructions and
their status with reminders; liaison (一人联络十名): an officer's volunteers
and meetings, and the station's assignments and overview.

The live part of "my instructions" (Server-Sent Events) is in
:mod:`core.web.instruction_stream`; :func:`instruction_json` is shared with it.
"""

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError
from peewee import fn

from ..groups import GroupError, instructions, liaison, mobilisation, tree
from ..i18n import Text
from ..models import (
    Group,
    GroupKind,
    Instruction,
    InstructionRecipient,
    Liaison,
    Mobilisation,
    MobilisationAnswer,
    Priority,
    Role,
    User,
    utcnow,
)
from ..photos import thumbnail_path, uploads_root
from ..points import local_date_of
from ..tenancy import current_tenancy
from ..themes import render_station_template
from .auth import station_member_required
from .points_pages import staff_required, station_admin_required
from .station_times import station_time
from .task_pages import ROW_ID

bp = Blueprint("groups", __name__, url_prefix="/s/<station>")

INSTRUCTIONS_LISTED = 50
SENT_LISTED = 50
PEOPLE_LISTED = 1000  # the choices of a team's or a liaison's member picker
MOBILISATIONS_SHOWN_DAYS = 3  # an ended mobilisation stays on the page this long

MENU_LABEL = Text("指令", "Instructions")

# What a refused group action says, by GroupError.code (see refusal()).
REFUSALS = {
    "already_acknowledged": _l("You have acknowledged this instruction already."),
    "already_member": _l("This person is a member of the team already."),
    "name_taken": _l("The station has a team of this name already."),
    "has_liaison": _l("This volunteer has a liaison already. Unassign them first."),
    "already_answered": _l("You have answered this mobilisation already."),
    "mobilisation_over": _l("This mobilisation is over: answers are closed."),
    "staff_only": _l("Only this station's officers may do this."),
    "station_admins_only": _l("Only this station's admins may manage its teams."),
    "not_found": _l("Not found: it may have been removed, or it is not yours to see."),
}

INSTRUCTION_PROBLEMS = {
    "group": _l("Choose the group to send to."),
    "text": _l("Enter the instruction (up to 2000 characters)."),
    "place": _l("Keep the place to 200 characters."),
    "priority": _l("Choose normal or urgent."),
    "deadline": _l("Enter a deadline in the future, or leave it empty."),
}

MEETING_PROBLEMS = {
    "held_on": _l("Enter the day of the meeting: a date not in the future."),
    "attendees": _l("Tick only your own volunteers."),
    "notes": _l("Keep the notes to 2000 characters."),
}

PRIORITY_LABELS = {Priority.NORMAL: _l("Normal"), Priority.URGENT: _l("Urgent")}


def refusal(error):
    """A :class:`core.groups.GroupError` in the reader's language."""
    if error.code in REFUSALS:
        return str(REFUSALS[error.code])
    return _("This cannot be done now.")


def _me():
    return current_user._get_current_object()


def _tenancy():
    return current_tenancy()


@bp.app_template_global()
def priority_label(priority):
    return PRIORITY_LABELS.get(priority, priority)


@bp.app_template_global()
def instructions_live():
    """What the live script of "my instructions" needs, for a member
    of this station signed in here; else ``None``."""
    station = g.get("station")
    if station is None or not current_user.is_authenticated or current_user.station_id != station.id:
        return None
    latest = (
        InstructionRecipient.select(fn.MAX(InstructionRecipient.instruction))
        .where(InstructionRecipient.user == current_user.id)
        .scalar()
    )
    return {
        "after": latest or 0,
        "stream": url_for("instruction_stream.stream"),
        "poll": url_for("groups.my_instructions_json"),
        "menu_href": url_for("groups.my_instructions"),
        "menu_label": str(MENU_LABEL),
    }


def instruction_json(instruction):
    """An instruction as the live page and the JSON poll show it."""
    return {
        "id": instruction.id,
        "text": instruction.text,
        "place": instruction.place,
        "priority": instruction.priority,
        "priority_label": str(priority_label(instruction.priority)),
        "urgent": instruction.priority == Priority.URGENT,
        "group": instruction.group_name,
        "created_at": _local(instruction.created_at),
        "deadline": _local(instruction.deadline) if instruction.deadline else "",
        "acknowledged": instruction.acknowledged_at is not None,
        "acknowledge_url": url_for("groups.acknowledge", instruction_id=instruction.id),
    }


def _local(moment):
    from .pages import local_time  # pages imports this module

    return local_time(moment)


# ---------------------------------------------------------------------------
# My instructions (volunteers and officers), acknowledgement, mobilisation
# ---------------------------------------------------------------------------


def _my_mobilisations(user, now):
    """Mobilisations that reached ``user``: open ones, and those ended lately."""
    since = now - timedelta(days=MOBILISATIONS_SHOWN_DAYS)
    rows = list(
        Mobilisation.select(
            Mobilisation, MobilisationAnswer.available, MobilisationAnswer.location, MobilisationAnswer.answered_at
        )
        .join(MobilisationAnswer, on=(MobilisationAnswer.mobilisation == Mobilisation.id))
        .where(MobilisationAnswer.user == user.id, Mobilisation.deadline > since)
        .order_by(Mobilisation.id.desc())
        .limit(5)
        .objects()
    )
    for row in rows:
        if row.ended_at is None and row.deadline <= now:
            row.ended_at = mobilisation.end_if_due(row, now).ended_at
        row.is_open = row.ended_at is None
    return rows


def _instructions_page(problem=None, status=200, answer_form=None):
    user = _me()
    now = utcnow()
    mine = instructions.instructions_of(user, limit=INSTRUCTIONS_LISTED)
    return render_station_template(
        "groups/instructions.html",
        instructions=mine,
        unread=instructions.unread_count(user),
        mobilisations=_my_mobilisations(user, now),
        teams=tree.teams_of(user),
        problem=problem,
        answer_form=answer_form or {},
    ), status


@bp.route("/instructions")
@station_member_required
def my_instructions():
    return _instructions_page()


@bp.route("/instructions.json")
@station_member_required
def my_instructions_json():
    """The poll fallback of the live page: instructions newer than ``after``."""
    raw = request.args.get("after", "").strip()
    after = None
    if raw:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
            abort(400, description=_("“after”: expected an instruction's number."))
        after = int(raw)
    user = _me()
    fresh = instructions.instructions_of(user, after_id=after, limit=INSTRUCTIONS_LISTED)
    return jsonify(
        {"instructions": [instruction_json(i) for i in reversed(fresh)], "unread": instructions.unread_count(user)}
    )


@bp.route(f"/instructions/<{ROW_ID}:instruction_id>/acknowledge", methods=["POST"])
@station_member_required
def acknowledge(instruction_id):
    try:
        instructions.acknowledge(_me(), instruction_id)
    except GroupError as error:
        if error.status == 404:
            abort(404)
        return _instructions_page(refusal(error), error.status)
    flash(_("Acknowledged. Thank you!"))
    return redirect(url_for("groups.my_instructions") + f"#instruction-{instruction_id}")


@bp.route(f"/mobilisations/<{ROW_ID}:mobilisation_id>/answer", methods=["POST"])
@station_member_required
def answer_mobilisation(mobilisation_id):
    choice = request.form.get("available", "")
    if choice not in ("yes", "no"):
        return _instructions_page(_("Choose whether you are available."), 400)
    available = choice == "yes"
    # where one can be matters only when available; a "no" drops it
    data = {"available": available, "location": request.form.get("location", "").strip() if available else ""}
    try:
        data = mobilisation.AnswerSchema().load(data)
    except ValidationError:
        return _instructions_page(_("Keep where you can be to 200 characters."), 400, answer_form=data)
    try:
        mobilisation.answer(_me(), mobilisation_id, data)
    except GroupError as error:
        if error.status == 404:
            abort(404)
        return _instructions_page(refusal(error), error.status)
    flash(_("Thank you: your answer is recorded.") if available else _("Recorded: you are not available."))
    return redirect(url_for("groups.my_instructions"))


# ---------------------------------------------------------------------------
# The station's part of the tree; teams (station admins)
# ---------------------------------------------------------------------------


def _tree_page(problem=None, status=200, form=None):
    groups = tree.subtree(_me(), _tenancy())
    return render_station_template(
        "groups/tree.html",
        groups=groups,
        counts=tree.member_counts([group for group, _depth in groups], _tenancy()),
        is_admin=current_user.role == Role.STATION_ADMIN,
        problem=problem,
        form=form or {},
    ), status


@bp.route("/manage/groups")
@staff_required
def groups_tree():
    return _tree_page()


def _parent_arg(raw):
    raw = (raw or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        abort(400, description=_("“parent”: expected a group's number."))
    return int(raw)


@bp.route("/manage/groups/teams", methods=["POST"])
@station_admin_required
def create_team():
    form = {"name": request.form.get("name", "").strip(), "parent": request.form.get("parent", "").strip()}
    parent = _parent_arg(form["parent"])
    if parent is not None:
        found = Group.get_or_none(Group.id == parent, Group.station == g.station.id)
        if found is None:
            abort(404)
        if found.kind == GroupKind.STATION:
            parent = None
    try:
        team = tree.create_team(g.station, _me(), form["name"], parent)
    except GroupError as error:
        if error.status == 404:
            abort(404)
        if error.status == 400:
            return _tree_page(_("Enter the team's name: 1 to 60 characters."), 400, form)
        return _tree_page(refusal(error), error.status, form)
    flash(_("Team “%(name)s” created.", name=team.name))
    return redirect(url_for("groups.team", group_id=team.id))


def _team_or_404(group_id):
    found = Group.get_or_none(Group.id == group_id, Group.station == g.station.id, Group.kind == GroupKind.TEAM)
    if found is None:
        abort(404)
    return found


def _team_page(team, problem=None, status=200):
    members = tree.members_of(team)
    member_ids = {person.id for person in members}
    candidates = []
    if current_user.role == Role.STATION_ADMIN:
        candidates = [
            person
            for person in User.select()
            .where(User.station == g.station.id, User.role.in_(Role.STATION_ROLES), User.active == True)
            .order_by(User.name, User.id)
            .limit(PEOPLE_LISTED)
            if person.id not in member_ids
        ]
    parent = Group.get_or_none(Group.id == team.parent_id)
    sub_teams = list(Group.select().where(Group.parent == team.id).order_by(Group.name))
    return render_station_template(
        "groups/team.html",
        team=team,
        parent=parent,
        sub_teams=sub_teams,
        members=members,
        candidates=candidates,
        is_admin=current_user.role == Role.STATION_ADMIN,
        problem=problem,
    ), status


@bp.route(f"/manage/groups/<{ROW_ID}:group_id>")
@staff_required
def team(group_id):
    return _team_page(_team_or_404(group_id))


def _person_arg(name):
    raw = request.form.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    return int(raw)


@bp.route(f"/manage/groups/<{ROW_ID}:group_id>/members", methods=["POST"])
@station_admin_required
def add_member(group_id):
    team = _team_or_404(group_id)
    user_id = _person_arg("user_id")
    if user_id is None:
        return _team_page(team, _("Choose a volunteer or officer of this station."), 400)
    try:
        tree.add_member(g.station, _me(), team.id, user_id)
    except GroupError as error:
        if error.status == 404:
            return _team_page(team, _("Choose a volunteer or officer of this station."), 404)
        return _team_page(team, refusal(error), error.status)
    flash(_("%(name)s added to the team.", name=User.get_by_id(user_id).name))
    return redirect(url_for("groups.team", group_id=team.id))


@bp.route(f"/manage/groups/<{ROW_ID}:group_id>/members/<{ROW_ID}:user_id>/remove", methods=["POST"])
@station_admin_required
def remove_member(group_id, user_id):
    team = _team_or_404(group_id)
    try:
        tree.remove_member(g.station, _me(), team.id, user_id)
    except GroupError as error:
        if error.status == 404:
            abort(404)
        return _team_page(team, refusal(error), error.status)
    flash(_("Removed from the team."))
    return redirect(url_for("groups.team", group_id=team.id))


# ---------------------------------------------------------------------------
# Posting instructions; their status and reminders
# ---------------------------------------------------------------------------


def _sent_tallies(ids):
    if not ids:
        return {}
    rows = (
        InstructionRecipient.select(
            InstructionRecipient.instruction,
            fn.COUNT(InstructionRecipient.acknowledged_at),
            fn.COUNT(InstructionRecipient.id),
        )
        .where(InstructionRecipient.instruction.in_(ids))
        .group_by(InstructionRecipient.instruction)
        .tuples()
    )
    return {instruction_id: (acknowledged, total) for instruction_id, acknowledged, total in rows}


@bp.route("/manage/instructions")
@staff_required
def sent_instructions():
    sent = list(
        Instruction.select(Instruction, Group.name.alias("group_name"))
        .join(Group, on=(Instruction.group == Group.id))
        .where(Group.station == g.station.id)
        .order_by(Instruction.id.desc())
        .limit(SENT_LISTED)
        .objects()
    )
    return render_station_template("groups/sent.html", sent=sent, tallies=_sent_tallies([i.id for i in sent]))


def _instruction_form_page(form, problems=None, problem=None, status=200):
    groups = [(group, depth) for group, depth in tree.subtree(_me(), _tenancy())]
    return render_station_template(
        "groups/post.html",
        groups=groups,
        form=form,
        problems=problems or {},
        problem=problem,
        priorities=PRIORITY_LABELS,
    ), status


@bp.route("/manage/instructions/new", methods=["GET", "POST"])
@staff_required
def post_instruction():
    if request.method == "GET":
        return _instruction_form_page({"group": request.args.get("group", ""), "priority": Priority.NORMAL})
    form = {key: request.form.get(key, "").strip() for key in ("group", "text", "place", "priority", "deadline")}
    problems = {}
    group_id = (
        int(form["group"]) if form["group"].isascii() and form["group"].isdigit() and len(form["group"]) <= 9 else None
    )
    if group_id is None:
        problems["group"] = str(INSTRUCTION_PROBLEMS["group"])
    data = {"text": form["text"], "place": form["place"], "priority": form["priority"] or Priority.NORMAL}
    if form["deadline"]:
        data["deadline"] = station_time(form["deadline"])
    try:
        loaded = instructions.InstructionSchema().load(data)
    except ValidationError as error:
        problems.update({name: str(INSTRUCTION_PROBLEMS.get(name, _("Check this field."))) for name in error.messages})
        loaded = None
    if problems:
        return _instruction_form_page(form, problems, status=400)
    limit = g.station.config.tasks.max_photo_bytes
    photos = [upload.stream.read(limit + 1) for upload in request.files.getlist("photos") if upload.filename]
    try:
        sent, reached = instructions.post(_tenancy(), _me(), group_id, loaded, photos=photos)
    except GroupError as error:
        if error.status == 400 and "photos" in (error.fields or {}):
            size = g.station.config.tasks.max_photo_mb
            words = _("Photo: choose a JPEG, PNG or WebP photo of at most %(size)s.", size=f"{size} MB")
            return _instruction_form_page(form, {"photos": words}, status=400)
        if error.status == 400:
            names = error.fields or {"text": ""}
            return _instruction_form_page(
                form, {n: str(INSTRUCTION_PROBLEMS.get(n, _("Check this field."))) for n in names}, status=400
            )
        if error.status == 404:
            return _instruction_form_page(form, {"group": str(INSTRUCTION_PROBLEMS["group"])}, status=404)
        return _instruction_form_page(form, problem=refusal(error), status=error.status)
    flash(_("Instruction sent to %(count)s people.", count=reached))
    return redirect(url_for("groups.instruction_status", instruction_id=sent.id))


@bp.route(f"/instructions/<{ROW_ID}:instruction_id>/photos/<int(min=1, max=9):position>")
@station_member_required
def instruction_photo(instruction_id, position):
    """An instruction's photo: for those it reached and its sender's side."""
    try:
        path = instructions.photo_path(_tenancy(), _me(), instruction_id, position)
    except GroupError:
        abort(404)
    thumb = request.args.get("thumb") == "1"
    target = uploads_root(current_app) / path
    response = send_from_directory(
        target.parent, (thumbnail_path(target) if thumb else target).name, mimetype="image/jpeg"
    )
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route(f"/manage/instructions/<{ROW_ID}:instruction_id>")
@staff_required
def instruction_status(instruction_id):
    try:
        instruction, acknowledged_rows, waiting = instructions.status_of(_tenancy(), _me(), instruction_id)
    except GroupError:
        abort(404)
    acknowledged, total = instructions.tally(instruction.id)  # the lists are bounded, the counts are not
    return render_station_template(
        "groups/status.html",
        instruction=instruction,
        group=Group.get_by_id(instruction.group_id),
        author=User.get_by_id(instruction.author_id),
        acknowledged=acknowledged,
        total=total,
        acknowledged_rows=acknowledged_rows,
        waiting=waiting,
        more_waiting=max(0, total - acknowledged - len(waiting)),
        shown=_local,
    )


@bp.route(f"/manage/instructions/<{ROW_ID}:instruction_id>/remind", methods=["POST"])
@staff_required
def remind(instruction_id):
    try:
        count = instructions.remind(_tenancy(), _me(), instruction_id)
    except GroupError:
        abort(404)
    if count:
        flash(_("Reminded %(count)s people who have not acknowledged.", count=count))
    else:
        flash(_("Everyone has acknowledged: no one to remind."))
    return redirect(url_for("groups.instruction_status", instruction_id=instruction_id))


# ---------------------------------------------------------------------------
# Liaison: an officer's volunteers and meetings
# ---------------------------------------------------------------------------


def _my_volunteers_page(form=None, problems=None, status=200):
    officer = _me()
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
        liaison.log_meeting(g.station, _me(), liaison.MeetingSchema().load(data))
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
    officer_id, volunteer_id = _person_arg("officer_id"), _person_arg("volunteer_id")
    if officer_id is None or volunteer_id is None:
        return _liaison_page(_("Choose an officer and a volunteer."), 400, form)
    try:
        made = liaison.assign(g.station, _me(), officer_id, volunteer_id)
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
        liaison.unassign(g.station, _me(), volunteer_id)
    except GroupError as error:
        if error.status == 404:
            abort(404)
        return _liaison_page(refusal(error), error.status)
    flash(_("Liaison removed."))
    return redirect(url_for("groups.liaison_overview"))
