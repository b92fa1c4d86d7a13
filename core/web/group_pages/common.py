"""What the group pages share: their blueprint, what a refusal says, the
labels of priorities, and an instruction as the live page shows it (also
used by :mod:`core.web.instruction_stream` and the admins' pages)."""

from flask import Blueprint, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import fn

from ...i18n import Text
from ...models import InstructionRecipient, Priority
from ..station_times import local_time

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


def me():
    """The signed-in person (the object, not the request-bound proxy)."""
    return current_user._get_current_object()


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
        "created_at": local_time(instruction.created_at),
        "deadline": local_time(instruction.deadline) if instruction.deadline else "",
        "acknowledged": instruction.acknowledged_at is not None,
        "acknowledge_url": url_for("groups.acknowledge", instruction_id=instruction.id),
    }


def person_arg(name):
    """A person's number from the posted form field ``name``, or ``None``."""
    raw = request.form.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    return int(raw)
