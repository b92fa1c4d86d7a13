"""Groups API routes: the tree, teams and their members. Instructions and
mobilisations are :mod:`core.api.instructions_api`, liaison
:mod:`core.api.liaison_api`; what they share is :mod:`core.api.group_helpers`.

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

from ..groups import tree
from ..groups.errors import forbidden, not_found
from ..models import (
    Role,
)
from ..tenancy import current_tenancy
from . import common
from .common import json_object, load
from .group_helpers import (
    group_id_or_404,
    groups_out,
    members_out,
    station_group,
    station_team,
)
from .groups_schemas import (
    MemberInSchema,
    TeamInSchema,
)
from .idempotency import idempotent
from .tokens import token_required
from .views import bp

# ---------------------------------------------------------------------------
# The tree, teams and members
# ---------------------------------------------------------------------------


@bp.get("/groups")
@token_required
def list_my_groups():
    return groups_out([group for group, _depth in tree.subtree(g.api_user, current_tenancy())])


@bp.get("/s/<station>/groups")
@token_required
def list_station_groups():
    station = g.station
    groups = [group for group, _depth in tree.subtree(g.api_user, current_tenancy()) if group.station_id == station.id]
    return groups_out(groups)


@bp.post("/s/<station>/groups")
@token_required
@idempotent
def create_team():
    station, user = g.station, g.api_user
    data = load(TeamInSchema(), json_object())
    parent_id = data["parent_id"]
    if parent_id is not None:
        station_group(parent_id, user)
    elif not tree.may_see(user, tree.station_group(station), current_tenancy()):
        raise not_found("group")
    team = tree.create_team(station, user, data["name"], parent_id, now=common.now())
    return groups_out([team])["groups"][0], 201


@bp.get("/s/<station>/groups/<int:group_id>/members")
@token_required
def list_members(group_id):
    user = g.api_user
    team = station_team(group_id, user)
    if user.role == Role.VOLUNTEER:
        raise forbidden("only officers and admins see a team's members", "staff_only")
    return members_out(team)


@bp.post("/s/<station>/groups/<int:group_id>/members")
@token_required
@idempotent
def add_member(group_id):
    station, user = g.station, g.api_user
    team = station_team(group_id, user)
    data = load(MemberInSchema(), json_object())
    tree.add_member(station, user, team.id, data["user_id"], now=common.now())
    return members_out(team), 201


@bp.delete("/s/<station>/groups/<int:group_id>/members/<int:user_id>")
@token_required
def remove_member(group_id, user_id):
    station, user = g.station, g.api_user
    team = station_team(group_id, user)
    tree.remove_member(station, user, team.id, group_id_or_404(user_id, "member"))
    return members_out(team)
