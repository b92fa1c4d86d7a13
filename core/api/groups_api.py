"""Groups API routes: the tree and teams, instructions and acknowledgements,
mobilisation, liaison.

Under ``/s/<station>/`` a group, instruction or mobilisation of another
station is not found (404): a station's scope holds its own groups and the
district and city groups above it. District and city admins belong to no
station, so the tree, posting instructions and mobilising, a mobilisation's
state and ending it, and an instruction's status and reminders are offered
unscoped too, where the domain's own rules (:mod:`core.groups`) decide.

Routes are added to the API blueprint of :mod:`core.api.views`; the clock and
the error handlers (``GroupError`` is a ``Refused``) live in
:mod:`core.api.common`, the OpenAPI data in :mod:`core.api.groups_openapi`.
"""

from flask import g

from ..groups import instructions as instructions_domain
from ..groups import liaison as liaison_domain
from ..groups import mobilisation as mobilisation_domain
from ..groups import tree
from ..groups.errors import forbidden, not_found
from ..groups.instructions import InstructionSchema
from ..groups.liaison import MeetingSchema
from ..groups.mobilisation import AnswerSchema, MobilisationSchema
from ..models import (
    Group,
    GroupKind,
    Instruction,
    Mobilisation,
    MobilisationAnswer,
    Role,
    User,
)
from ..tenancy import current_tenancy
from . import common
from .bodies import dump
from .common import json_object, load
from .groups_schemas import (
    AcknowledgementSchema,
    AnswerOutSchema,
    GroupListSchema,
    InstructionListSchema,
    InstructionPostedSchema,
    InstructionStatusSchema,
    LiaisonInSchema,
    LiaisonOutSchema,
    LiaisonOverviewSchema,
    LiaisonRemovedSchema,
    MeetingOutSchema,
    MemberInSchema,
    MemberListSchema,
    MobilisationOutSchema,
    MyLiaisonSchema,
    ReminderSchema,
    TeamInSchema,
)
from .idempotency import idempotent
from .points_schemas import INT_MAX
from .tasks_api import query_int
from .tokens import token_required
from .views import bp

WAITING_LIMIT = 500
INSTRUCTIONS_LIMIT = 50


# ---------------------------------------------------------------------------
# Finding things in the caller's scope
# ---------------------------------------------------------------------------


def _id_or_404(value, what):
    if value > INT_MAX:  # SQLite cannot even compare it
        raise not_found(what)
    return value


def _stations_by_id():
    return {station.id: station for station in current_tenancy().stations.values()}


def _slug(station_id):
    station = _stations_by_id().get(station_id)
    return station.slug if station else None


def _covers(group, station):
    """The group is the station's own, or its district's, or the city's."""
    if group.kind == GroupKind.CITY:
        return True
    if group.kind == GroupKind.DISTRICT:
        return group.district == station.config.district
    return group.station_id == station.id


def _station_group(group_id, user):
    """A group of this station that ``user`` sees, else 404."""
    group = Group.get_or_none(Group.id == _id_or_404(group_id, "group"))
    if group is None or group.station_id != g.station.id or not tree.may_see(user, group, current_tenancy()):
        raise not_found("group")
    return group


def _station_team(group_id, user):
    group = _station_group(group_id, user)
    if group.kind != GroupKind.TEAM:
        raise not_found("team")
    return group


def _in_scope(model, row_id, what):
    """An instruction or mobilisation; under a station, only one whose group covers it."""
    row = model.get_or_none(model.id == _id_or_404(row_id, what))
    if row is None:
        raise not_found(what)
    if "station" in g and not _covers(Group.get_by_id(row.group_id), g.station):
        raise not_found(what)
    return row


def _of_this_station(user):
    """The caller's own things (their instructions, answers) are read at their station."""
    if user.station_id != g.station.id:
        raise forbidden("you do not belong to this station", "other_station")


def _staff_of_this_station(user):
    if user.station_id != g.station.id or not user.is_staff:
        raise forbidden("only this station's officers and admins may do this", "staff_only")


# ---------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------


def _groups_out(groups):
    counts = tree.member_counts(groups, current_tenancy())
    return dump(
        GroupListSchema,
        {
            "groups": [
                {
                    "id": group.id,
                    "parent_id": group.parent_id,
                    "kind": group.kind,
                    "name": group.name,
                    "district": group.district,
                    "station": _slug(group.station_id) if group.station_id else None,
                    "member_count": counts[group.id],
                }
                for group in groups
            ]
        },
    )


def _members_out(team):
    members = [{"id": m.id, "name": m.name, "role": m.role} for m in tree.members_of(team)]
    return dump(MemberListSchema, {"group_id": team.id, "members": members})


def _group_ref(group):
    return {"id": group.id, "name": group.name, "kind": group.kind}


def _names(user_ids):
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return dict(User.select(User.id, User.name).where(User.id.in_(ids)).tuples())


def _instruction_out(instruction, group=None, author_name=None, acknowledged_at=None):
    group = group or Group.get_by_id(instruction.group_id)
    if author_name is None:
        author_name = _names([instruction.author_id]).get(instruction.author_id)
    return {
        "id": instruction.id,
        "group": _group_ref(group),
        "author": {"id": instruction.author_id, "name": author_name},
        "text": instruction.text,
        "place": instruction.place,
        "priority": instruction.priority,
        "deadline": instruction.deadline,
        "created_at": instruction.created_at,
        "acknowledged_at": acknowledged_at,
    }


def _recipient_out(row):
    return {
        "id": row.user.id,
        "name": row.user.name,
        "role": row.user.role,
        "station": _slug(row.station_id),
        "acknowledged_at": row.acknowledged_at,
        "reminded_at": row.reminded_at,
    }


def _sees_waiting(user):
    """City and district admins see everyone waiting; station staff their station's."""
    if user.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN):
        return True, None
    if user.is_staff:
        return True, user.station_id
    return False, None


def _waiting(mobilisation, station_id):
    query = (
        User.select(User.id, User.name, User.phone, User.station)
        .join(MobilisationAnswer, on=(MobilisationAnswer.user == User.id))
        .where(MobilisationAnswer.mobilisation == mobilisation.id, MobilisationAnswer.answered_at.is_null())
    )
    if station_id is not None:
        query = query.where(MobilisationAnswer.station == station_id)
    return [
        {"id": u.id, "name": u.name, "phone": u.phone, "station": _slug(u.station_id)}
        for u in query.order_by(User.station, User.name, User.id).limit(WAITING_LIMIT)
    ]


def _mobilisation_out(mobilisation, user):
    group = Group.get_by_id(mobilisation.group_id)
    counts = (
        mobilisation.result
        if mobilisation.ended_at is not None and mobilisation.result
        else mobilisation_domain.tally(mobilisation)
    )
    sees, station_id = _sees_waiting(user)
    mine = MobilisationAnswer.get_or_none(
        MobilisationAnswer.mobilisation == mobilisation.id, MobilisationAnswer.user == user.id
    )
    body = {
        "id": mobilisation.id,
        "group": _group_ref(group),
        "started_by": {
            "id": mobilisation.started_by_id,
            "name": _names([mobilisation.started_by_id]).get(mobilisation.started_by_id),
        },
        "text": mobilisation.text,
        "deadline": mobilisation.deadline,
        "started_at": mobilisation.started_at,
        "ended_at": mobilisation.ended_at,
        "open": mobilisation.ended_at is None and mobilisation.deadline > common.now(),
        "tally": mobilisation_domain.named_tally(counts, current_tenancy()),
        "waiting": _waiting(mobilisation, station_id) if sees else None,
        "my_answer": (
            {"available": mine.available, "location": mine.location, "answered_at": mine.answered_at} if mine else None
        ),
    }
    return dump(MobilisationOutSchema, body)


def _contact(user):
    return {"id": user.id, "name": user.name, "phone": user.phone}


def _meeting_out(meeting):
    return {
        "id": meeting.id,
        "officer_id": meeting.officer_id,
        "held_on": meeting.held_on,
        "attendees": meeting.attendees or [],
        "notes": meeting.notes,
        "created_at": meeting.created_at,
    }


# ---------------------------------------------------------------------------
# The tree, teams and members
# ---------------------------------------------------------------------------


@bp.get("/groups")
@token_required
def list_my_groups():
    return _groups_out([group for group, _depth in tree.subtree(g.api_user, current_tenancy())])


@bp.get("/s/<station>/groups")
@token_required
def list_station_groups():
    station = g.station
    groups = [group for group, _depth in tree.subtree(g.api_user, current_tenancy()) if group.station_id == station.id]
    return _groups_out(groups)


@bp.post("/s/<station>/groups")
@token_required
@idempotent
def create_team():
    station, user = g.station, g.api_user
    data = load(TeamInSchema(), json_object())
    parent_id = data["parent_id"]
    if parent_id is not None:
        _station_group(parent_id, user)
    elif not tree.may_see(user, tree.station_group(station), current_tenancy()):
        raise not_found("group")
    team = tree.create_team(station, user, data["name"], parent_id, now=common.now())
    return _groups_out([team])["groups"][0], 201


@bp.get("/s/<station>/groups/<int:group_id>/members")
@token_required
def list_members(group_id):
    user = g.api_user
    team = _station_team(group_id, user)
    if user.role == Role.VOLUNTEER:
        raise forbidden("only officers and admins see a team's members", "staff_only")
    return _members_out(team)


@bp.post("/s/<station>/groups/<int:group_id>/members")
@token_required
@idempotent
def add_member(group_id):
    station, user = g.station, g.api_user
    team = _station_team(group_id, user)
    data = load(MemberInSchema(), json_object())
    tree.add_member(station, user, team.id, data["user_id"], now=common.now())
    return _members_out(team), 201


@bp.delete("/s/<station>/groups/<int:group_id>/members/<int:user_id>")
@token_required
def remove_member(group_id, user_id):
    station, user = g.station, g.api_user
    team = _station_team(group_id, user)
    tree.remove_member(station, user, team.id, _id_or_404(user_id, "member"))
    return _members_out(team)


# ---------------------------------------------------------------------------
# Instructions
# ---------------------------------------------------------------------------


def _post_instruction(group_id):
    user = g.api_user
    data = load(InstructionSchema(), json_object())
    instruction, reached = instructions_domain.post(current_tenancy(), user, group_id, data, now=common.now())
    body = _instruction_out(instruction, author_name=user.name)
    body.pop("acknowledged_at")
    return dump(InstructionPostedSchema, {**body, "reached": reached}), 201


@bp.post("/s/<station>/groups/<int:group_id>/instructions")
@token_required
@idempotent
def post_station_instruction(group_id):
    return _post_instruction(_station_group(group_id, g.api_user).id)


@bp.post("/groups/<int:group_id>/instructions")
@token_required
@idempotent
def post_instruction(group_id):
    return _post_instruction(_id_or_404(group_id, "group"))


@bp.get("/s/<station>/instructions")
@token_required
def my_instructions():
    user = g.api_user
    _of_this_station(user)
    after = query_int("after", None, 0, INT_MAX)
    found = instructions_domain.instructions_of(user, after_id=after, limit=INSTRUCTIONS_LIMIT)
    groups = (
        {group.id: group for group in Group.select().where(Group.id.in_({i.group_id for i in found}))} if found else {}
    )
    authors = _names(i.author_id for i in found)
    body = {
        "instructions": [
            _instruction_out(i, groups[i.group_id], authors.get(i.author_id), i.acknowledged_at) for i in found
        ],
        "unread": instructions_domain.unread_count(user),
    }
    return dump(InstructionListSchema, body)


@bp.post("/s/<station>/instructions/<int:instruction_id>/acknowledge")
@token_required
@idempotent
def acknowledge_instruction(instruction_id):
    user = g.api_user
    _of_this_station(user)
    at = instructions_domain.acknowledge(user, _id_or_404(instruction_id, "instruction"), now=common.now())
    body = {"instruction_id": instruction_id, "acknowledged_at": at, "unread": instructions_domain.unread_count(user)}
    return dump(AcknowledgementSchema, body)


def _status(instruction_id):
    instruction = _in_scope(Instruction, instruction_id, "instruction")
    instruction, acknowledged, waiting = instructions_domain.status_of(current_tenancy(), g.api_user, instruction.id)
    body = {
        "instruction": {**_instruction_out(instruction), "acknowledged_at": None},
        "acknowledged": [_recipient_out(row) for row in acknowledged],
        "waiting": [_recipient_out(row) for row in waiting],
        "total": len(acknowledged) + len(waiting),
    }
    return dump(InstructionStatusSchema, body)


def _remind(instruction_id):
    instruction = _in_scope(Instruction, instruction_id, "instruction")
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
    return _mobilisation_out(mobilisation, user), 201


@bp.post("/s/<station>/groups/<int:group_id>/mobilisations")
@token_required
@idempotent
def start_station_mobilisation(group_id):
    return _start_mobilisation(_station_group(group_id, g.api_user).id)


@bp.post("/groups/<int:group_id>/mobilisations")
@token_required
@idempotent
def start_mobilisation(group_id):
    return _start_mobilisation(_id_or_404(group_id, "group"))


def _show_mobilisation(mobilisation_id):
    found = _in_scope(Mobilisation, mobilisation_id, "mobilisation")
    mobilisation = mobilisation_domain.get(current_tenancy(), g.api_user, found.id, now=common.now())
    return _mobilisation_out(mobilisation, g.api_user)


def _end_mobilisation(mobilisation_id):
    found = _in_scope(Mobilisation, mobilisation_id, "mobilisation")
    mobilisation = mobilisation_domain.end(current_tenancy(), g.api_user, found.id, now=common.now())
    return _mobilisation_out(mobilisation, g.api_user)


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
    _of_this_station(user)
    found = _in_scope(Mobilisation, mobilisation_id, "mobilisation")
    data = load(AnswerSchema(), json_object())
    at = mobilisation_domain.answer(user, found.id, data, now=common.now())
    body = {
        "mobilisation_id": found.id,
        "available": data["available"],
        "location": data["location"],
        "answered_at": at,
    }
    return dump(AnswerOutSchema, body)


# ---------------------------------------------------------------------------
# Liaison
# ---------------------------------------------------------------------------


@bp.get("/s/<station>/liaison")
@token_required
def my_liaison():
    station, user = g.station, g.api_user
    _staff_of_this_station(user)
    rows = liaison_domain.my_volunteers(station, user)
    body = {
        "limit": station.config.groups.liaison_limit,
        "volunteers": [{**row, "volunteer": _contact(row["volunteer"])} for row in rows],
        "meetings": [_meeting_out(m) for m in liaison_domain.meetings_of(user)],
    }
    return dump(MyLiaisonSchema, body)


@bp.post("/s/<station>/liaison")
@token_required
@idempotent
def assign_liaison():
    station, user = g.station, g.api_user
    _staff_of_this_station(user)
    data = load(LiaisonInSchema(), json_object())
    liaison = liaison_domain.assign(station, user, data["officer_id"], data["volunteer_id"], now=common.now())
    body = {
        "officer": _contact(User.get_by_id(liaison.officer_id)),
        "volunteer": _contact(User.get_by_id(liaison.volunteer_id)),
        "assigned_at": liaison.assigned_at,
    }
    return dump(LiaisonOutSchema, body), 201


@bp.delete("/s/<station>/liaison/<int:volunteer_id>")
@token_required
def remove_liaison(volunteer_id):
    station, user = g.station, g.api_user
    _staff_of_this_station(user)
    liaison_domain.unassign(station, user, _id_or_404(volunteer_id, "liaison"))
    return dump(LiaisonRemovedSchema, {"volunteer_id": volunteer_id})


@bp.post("/s/<station>/liaison/meetings")
@token_required
@idempotent
def log_meeting():
    station, user = g.station, g.api_user
    _staff_of_this_station(user)
    data = load(MeetingSchema(), json_object())
    meeting = liaison_domain.log_meeting(station, user, data, now=common.now())
    return dump(MeetingOutSchema, _meeting_out(meeting)), 201


@bp.get("/s/<station>/liaison/overview")
@token_required
def liaison_overview():
    station, user = g.station, g.api_user
    _staff_of_this_station(user)
    rows = liaison_domain.overview(station, now=common.now())
    body = {
        "limit": station.config.groups.liaison_limit,
        "officers": [{**row, "officer": {"id": row["officer"].id, "name": row["officer"].name}} for row in rows],
    }
    return dump(LiaisonOverviewSchema, body)
