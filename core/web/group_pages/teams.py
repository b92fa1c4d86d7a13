"""The station's part of the group tree (officers) and its teams: station
admins make teams and manage their members."""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...groups import GroupError, tree
from ...models import (
    Group,
    GroupKind,
    Role,
    User,
)
from ...tenancy import current_tenancy
from ...themes import render_station_template
from ..auth import staff_required, station_admin_required
from ..row_ids import ROW_ID
from .common import (
    PEOPLE_LISTED,
    bp,
    me,
    person_arg,
    refusal,
)

# ---------------------------------------------------------------------------
# The station's part of the tree; teams (station admins)
# ---------------------------------------------------------------------------


def _tree_page(problem=None, status=200, form=None):
    groups = tree.subtree(me(), current_tenancy())
    return render_station_template(
        "groups/tree.html",
        groups=groups,
        counts=tree.member_counts([group for group, _depth in groups], current_tenancy()),
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
        team = tree.create_team(g.station, me(), form["name"], parent)
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


@bp.route(f"/manage/groups/<{ROW_ID}:group_id>/members", methods=["POST"])
@station_admin_required
def add_member(group_id):
    team = _team_or_404(group_id)
    user_id = person_arg("user_id")
    if user_id is None:
        return _team_page(team, _("Choose a volunteer or officer of this station."), 400)
    try:
        tree.add_member(g.station, me(), team.id, user_id)
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
        tree.remove_member(g.station, me(), team.id, user_id)
    except GroupError as error:
        if error.status == 404:
            abort(404)
        return _team_page(team, refusal(error), error.status)
    flash(_("Removed from the team."))
    return redirect(url_for("groups.team", group_id=team.id))
