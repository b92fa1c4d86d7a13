"""Instructions on a station's pages: everyone's "my instructions" with
acknowledgement and mobilisation answers (the live part is
:mod:`core.web.instruction_stream`); officers post instructions, follow their
status and remind those who have not acknowledged."""

from datetime import timedelta

from flask import abort, current_app, flash, g, jsonify, redirect, request, send_from_directory, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from peewee import fn

from ...groups import GroupError, instructions, mobilisation, tree
from ...models import (
    Group,
    Instruction,
    InstructionRecipient,
    Mobilisation,
    MobilisationAnswer,
    Priority,
    User,
    utcnow,
)
from ...photos import thumbnail_path, uploads_root
from ...tenancy import current_tenancy
from ...themes import render_station_template
from ..auth import staff_required, station_member_required
from ..row_ids import ROW_ID
from ..sse import event_id
from ..station_times import local_time, station_time
from .common import (
    INSTRUCTION_PROBLEMS,
    INSTRUCTIONS_LISTED,
    MOBILISATIONS_SHOWN_DAYS,
    PRIORITY_LABELS,
    SENT_LISTED,
    bp,
    instruction_json,
    me,
    refusal,
)

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
    user = me()
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
    after = event_id(request.args.get("after"), "after")
    user = me()
    fresh = instructions.instructions_of(user, after_id=after, limit=INSTRUCTIONS_LISTED)
    return jsonify(
        {"instructions": [instruction_json(i) for i in reversed(fresh)], "unread": instructions.unread_count(user)}
    )


@bp.route(f"/instructions/<{ROW_ID}:instruction_id>/acknowledge", methods=["POST"])
@station_member_required
def acknowledge(instruction_id):
    try:
        instructions.acknowledge(me(), instruction_id)
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
        mobilisation.answer(me(), mobilisation_id, data)
    except GroupError as error:
        if error.status == 404:
            abort(404)
        return _instructions_page(refusal(error), error.status)
    flash(_("Thank you: your answer is recorded.") if available else _("Recorded: you are not available."))
    return redirect(url_for("groups.my_instructions"))


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
    groups = [(group, depth) for group, depth in tree.subtree(me(), current_tenancy())]
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
        sent, reached = instructions.post(current_tenancy(), me(), group_id, loaded, photos=photos)
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
        path = instructions.photo_path(current_tenancy(), me(), instruction_id, position)
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
        instruction, acknowledged_rows, waiting = instructions.status_of(current_tenancy(), me(), instruction_id)
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
        shown=local_time,
    )


@bp.route(f"/manage/instructions/<{ROW_ID}:instruction_id>/remind", methods=["POST"])
@staff_required
def remind(instruction_id):
    try:
        count = instructions.remind(current_tenancy(), me(), instruction_id)
    except GroupError:
        abort(404)
    if count:
        flash(_("Reminded %(count)s people who have not acknowledged.", count=count))
    else:
        flash(_("Everyone has acknowledged: no one to remind."))
    return redirect(url_for("groups.instruction_status", instruction_id=instruction_id))
