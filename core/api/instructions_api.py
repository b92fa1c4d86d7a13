"""Instructions API routes: posting to a group, my instructions and
acknowledging them, an instruction's status and reminders; mobilisations:
starting, showing, ending and answering them. Under a station and, for
district and city admins, unscoped (see :mod:`core.api.groups_api`)."""

from flask import g

from ..groups import instructions as instructions_domain
from ..groups import mobilisation as mobilisation_domain
from ..groups.instructions import InstructionSchema
from ..groups.mobilisation import AnswerSchema, MobilisationSchema
from ..models import (
    Group,
    Instruction,
    Mobilisation,
)
from ..tenancy import current_tenancy
from . import common
from .bodies import dump
from .common import json_object, load
from .group_helpers import (
    INSTRUCTIONS_LIMIT,
    group_id_or_404,
    in_scope,
    instruction_out,
    mobilisation_out,
    names,
    of_this_station,
    recipient_out,
    station_group,
)
from .groups_schemas import (
    AcknowledgementSchema,
    AnswerOutSchema,
    InstructionListSchema,
    InstructionPostedSchema,
    InstructionStatusSchema,
    ReminderSchema,
)
from .idempotency import idempotent
from .points_schemas import INT_MAX
from .task_helpers import query_int
from .tokens import token_required
from .views import bp

# ---------------------------------------------------------------------------
# Instructions
# ---------------------------------------------------------------------------


def _post_instruction(group_id):
    user = g.api_user
    data = load(InstructionSchema(), json_object())
    instruction, reached = instructions_domain.post(current_tenancy(), user, group_id, data, now=common.now())
    body = instruction_out(instruction, author_name=user.name)
    body.pop("acknowledged_at")
    return dump(InstructionPostedSchema, {**body, "reached": reached}), 201


@bp.post("/s/<station>/groups/<int:group_id>/instructions")
@token_required
@idempotent
def post_station_instruction(group_id):
    return _post_instruction(station_group(group_id, g.api_user).id)


@bp.post("/groups/<int:group_id>/instructions")
@token_required
@idempotent
def post_instruction(group_id):
    return _post_instruction(group_id_or_404(group_id, "group"))


@bp.get("/s/<station>/instructions")
@token_required
def my_instructions():
    user = g.api_user
    of_this_station(user)
    after = query_int("after", None, 0, INT_MAX)
    found = instructions_domain.instructions_of(user, after_id=after, limit=INSTRUCTIONS_LIMIT)
    groups = (
        {group.id: group for group in Group.select().where(Group.id.in_({i.group_id for i in found}))} if found else {}
    )
    authors = names(i.author_id for i in found)
    body = {
        "instructions": [
            instruction_out(i, groups[i.group_id], authors.get(i.author_id), i.acknowledged_at) for i in found
        ],
        "unread": instructions_domain.unread_count(user),
    }
    return dump(InstructionListSchema, body)


@bp.post("/s/<station>/instructions/<int:instruction_id>/acknowledge")
@token_required
@idempotent
def acknowledge_instruction(instruction_id):
    user = g.api_user
    of_this_station(user)
    at = instructions_domain.acknowledge(user, group_id_or_404(instruction_id, "instruction"), now=common.now())
    body = {"instruction_id": instruction_id, "acknowledged_at": at, "unread": instructions_domain.unread_count(user)}
    return dump(AcknowledgementSchema, body)


def _status(instruction_id):
    instruction = in_scope(Instruction, instruction_id, "instruction")
    instruction, acknowledged, waiting = instructions_domain.status_of(current_tenancy(), g.api_user, instruction.id)
    body = {
        "instruction": {**instruction_out(instruction), "acknowledged_at": None},
        "acknowledged": [recipient_out(row) for row in acknowledged],
        "waiting": [recipient_out(row) for row in waiting],
        "total": len(acknowledged) + len(waiting),
    }
    return dump(InstructionStatusSchema, body)


def _remind(instruction_id):
    instruction = in_scope(Instruction, instruction_id, "instruction")
    reminded = instructions_domain.remind(current_tenancy(), g.api_user, instruction.id, now=common.now())
    return dump(ReminderSchema, {"instruction_id": instruction.id, "reminded": reminded})


@bp.get("/s/<station>/instructions/<int:instruction_id>/status")
@token_required
def station_instruction_status(instruction_id):
    return _status(instruction_id)


@bp.get("/instructions/<int:instruction_id>/status")
@token_required
def instruction_status(instruction_id):
    return _status(instruction_id)


@bp.post("/s/<station>/instructions/<int:instruction_id>/remind")
@token_required
@idempotent
def station_remind(instruction_id):
    return _remind(instruction_id)


@bp.post("/instructions/<int:instruction_id>/remind")
@token_required
@idempotent
def remind(instruction_id):
    return _remind(instruction_id)


# ---------------------------------------------------------------------------
# Mobilisation
# ---------------------------------------------------------------------------


def _start_mobilisation(group_id):
    user = g.api_user
    data = load(MobilisationSchema(), json_object())
    mobilisation = mobilisation_domain.start(current_tenancy(), user, group_id, data, now=common.now())
    return mobilisation_out(mobilisation, user), 201


@bp.post("/s/<station>/groups/<int:group_id>/mobilisations")
@token_required
@idempotent
def start_station_mobilisation(group_id):
    return _start_mobilisation(station_group(group_id, g.api_user).id)


@bp.post("/groups/<int:group_id>/mobilisations")
@token_required
@idempotent
def start_mobilisation(group_id):
    return _start_mobilisation(group_id_or_404(group_id, "group"))


def _show_mobilisation(mobilisation_id):
    found = in_scope(Mobilisation, mobilisation_id, "mobilisation")
    mobilisation = mobilisation_domain.get(current_tenancy(), g.api_user, found.id, now=common.now())
    return mobilisation_out(mobilisation, g.api_user)


def _end_mobilisation(mobilisation_id):
    found = in_scope(Mobilisation, mobilisation_id, "mobilisation")
    mobilisation = mobilisation_domain.end(current_tenancy(), g.api_user, found.id, now=common.now())
    return mobilisation_out(mobilisation, g.api_user)


@bp.get("/s/<station>/mobilisations/<int:mobilisation_id>")
@token_required
def show_station_mobilisation(mobilisation_id):
    return _show_mobilisation(mobilisation_id)


@bp.get("/mobilisations/<int:mobilisation_id>")
@token_required
def show_mobilisation(mobilisation_id):
    return _show_mobilisation(mobilisation_id)


@bp.post("/s/<station>/mobilisations/<int:mobilisation_id>/end")
@token_required
@idempotent
def end_station_mobilisation(mobilisation_id):
    return _end_mobilisation(mobilisation_id)


@bp.post("/mobilisations/<int:mobilisation_id>/end")
@token_required
@idempotent
def end_mobilisation(mobilisation_id):
    return _end_mobilisation(mobilisation_id)


@bp.post("/s/<station>/mobilisations/<int:mobilisation_id>/answer")
@token_required
@idempotent
def answer_mobilisation(mobilisation_id):
    user = g.api_user
    of_this_station(user)
    found = in_scope(Mobilisation, mobilisation_id, "mobilisation")
    data = load(AnswerSchema(), json_object())
    at = mobilisation_domain.answer(user, found.id, data, now=common.now())
    body = {
        "mobilisation_id": found.id,
        "available": data["available"],
        "location": data["location"],
        "answered_at": at,
    }
    return dump(AnswerOutSchema, body)
