"""The tree of groups: city (春城红袖标) → district (分局) → station → teams.

The city, district and station groups follow the station configs and are
made at start-up (:func:`ensure_tree`); everyone of a station is in its
station group, and so in its district's and the city's. Teams are made by
station admins, below their station group or below one of its teams, and
hold the volunteers and officers added to them.
"""

from peewee import IntegrityError, fn

from ..db import write_transaction
from ..models import DistrictAdmin, Group, GroupKind, GroupMember, Role, User, utcnow
from ..validation import no_control_characters
from .errors import GroupError, forbidden, invalid, not_found

CITY_NAME = "春城红袖标"
MAX_TEAM_NAME = 60


def ensure_tree(tenancy):
    """Make the city, district and station groups of the enabled stations
    (safe to run again, and by several app servers at once)."""
    if not Group.table_exists():
        return
    rows = [{"key": "city", "kind": GroupKind.CITY, "name": CITY_NAME, "district": None}]  # every row the same keys
    for station in tenancy.stations.values():
        district = station.config.district
        rows.append({"key": f"district:{district}", "kind": GroupKind.DISTRICT, "name": district, "district": district})
    Group.insert_many(rows).on_conflict_ignore().execute()
    by_key = {group.key: group.id for group in Group.select(Group.id, Group.key).where(Group.kind != GroupKind.TEAM)}
    Group.update(parent=by_key["city"]).where(Group.kind == GroupKind.DISTRICT, Group.parent.is_null()).execute()
    station_rows = [
        {
            "key": f"station:{station.slug}",
            "kind": GroupKind.STATION,
            "name": station.config.name,
            "district": station.config.district,
            "station": station.id,
            "parent": by_key[f"district:{station.config.district}"],
        }
        for station in tenancy.stations.values()
    ]
    if station_rows:
        Group.insert_many(station_rows).on_conflict_ignore().execute()
    # A station's config may have changed since its group was made (renamed,
    # moved to another district): the tree follows the config, teams too.
    for row in station_rows:
        Group.update(name=row["name"], district=row["district"], parent=row["parent"]).where(
            Group.key == row["key"],
            (Group.name != row["name"]) | (Group.district != row["district"]) | (Group.parent != row["parent"]),
        ).execute()
        Group.update(district=row["district"]).where(
            Group.station == row["station"], Group.kind == GroupKind.TEAM, Group.district != row["district"]
        ).execute()


def station_group(station):
    return Group.get(Group.key == f"station:{station.slug}")


MAX_ROW_ID = 2**31 - 1  # larger ids are no row (and SQLite cannot even compare them)


def get_group(group_id):
    if not 0 < int(group_id) <= MAX_ROW_ID:
        raise not_found("group")
    group = Group.get_or_none(Group.id == group_id)
    if group is None:
        raise not_found("group")
    return group


def district_of(user):
    """A district admin's district, or ``None``."""
    if user.role != Role.DISTRICT_ADMIN:
        return None
    return DistrictAdmin.select(DistrictAdmin.district).where(DistrictAdmin.user == user.id).scalar()


def may_see(user, group, tenancy, district=None):
    """City admins see the whole tree, district admins their district's part,
    everyone of a station their station's part. (``district``: a district
    admin's district, if the caller looked it up already.)"""
    if user.role == Role.CITY_ADMIN:
        return True
    if user.role == Role.DISTRICT_ADMIN:
        return group.kind != GroupKind.CITY and group.district == (district or district_of(user))
    return group.station_id is not None and group.station_id == user.station_id


def may_instruct(user, group, tenancy):
    """Officers and admins post to the part of the tree they see."""
    return may_see(user, group, tenancy) and user.role != Role.VOLUNTEER


def station_ids_below(group, tenancy):
    """The enabled stations a city, district or station group spans."""
    if group.kind == GroupKind.CITY:
        return [station.id for station in tenancy.stations.values()]
    if group.kind == GroupKind.DISTRICT:
        return [station.id for station in tenancy.stations.values() if station.config.district == group.district]
    return [group.station_id]


def teams_below(group):
    """Ids of ``group`` (a team) and every team below it."""
    found, frontier = [group.id], [group.id]
    while frontier:
        frontier = [row.id for row in Group.select(Group.id).where(Group.parent.in_(frontier))]
        found.extend(frontier)
    return found


def audience(group, tenancy):
    """A query of ``(user id, station id)`` for everyone ``group`` reaches:
    its members and those of every group below it (active accounts only)."""
    if group.kind == GroupKind.TEAM:
        members = GroupMember.select(GroupMember.user).where(GroupMember.group.in_(teams_below(group)))
        return User.select(User.id, User.station).where(User.id.in_(members), User.active == True)  # noqa: E712
    return User.select(User.id, User.station).where(
        User.station.in_(station_ids_below(group, tenancy)),
        User.active == True,  # noqa: E712
    )


def subtree(user, tenancy):
    """The groups ``user`` sees, as ``(group, depth)`` in tree order."""
    district = district_of(user)  # once, not once per group
    groups = [group for group in Group.select().order_by(Group.id) if may_see(user, group, tenancy, district)]
    children = {}
    for group in groups:
        children.setdefault(group.parent_id, []).append(group)
    visible = {group.id for group in groups}
    roots = [group for group in groups if group.parent_id not in visible]
    ordered = []

    def walk(group, depth):
        ordered.append((group, depth))
        for child in sorted(children.get(group.id, []), key=lambda g: (g.kind != GroupKind.TEAM, g.name)):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return ordered


def _require_station_admin(station, user):
    if user.station_id != station.id or user.role != Role.STATION_ADMIN:
        raise forbidden("only this station's admins manage its teams", "station_admins_only")


def _check_name(name):
    name = (name or "").strip()
    problems = []
    if not 1 <= len(name) <= MAX_TEAM_NAME:
        problems.append(f"1 to {MAX_TEAM_NAME} characters")
    try:
        no_control_characters()(name)
    except Exception:  # noqa: BLE001 - marshmallow's ValidationError, reworded
        problems.append("no control characters")
    if problems:
        raise invalid({"name": ["; ".join(problems)]})
    return name


def create_team(station, admin, name, parent_id=None, now=None):
    """A team below the station group, or below one of the station's teams."""
    _require_station_admin(station, admin)
    name = _check_name(name)
    parent = station_group(station) if parent_id is None else get_group(parent_id)
    if parent.station_id != station.id:
        raise not_found("group")  # another station's group looks like no group
    try:
        with write_transaction():
            return Group.create(
                key=f"team:{station.id}:{name}",
                kind=GroupKind.TEAM,
                name=name,
                district=station.config.district,
                station=station.id,
                parent=parent.id,
                created_by=admin.id,
                created_at=now or utcnow(),
            )
    except IntegrityError as error:
        raise GroupError(f"the station has a team named {name!r} already", code="name_taken", field="name") from error


def station_team(station, group_id):
    if not 0 < int(group_id) <= MAX_ROW_ID:
        raise not_found("team")
    group = Group.get_or_none(Group.id == group_id, Group.station == station.id, Group.kind == GroupKind.TEAM)
    if group is None:
        raise not_found("team")
    return group


def add_member(station, admin, team_id, user_id, now=None):
    _require_station_admin(station, admin)
    team = station_team(station, team_id)
    person = User.get_or_none(User.id == user_id, User.station == station.id, User.active == True)  # noqa: E712
    if person is None:
        raise not_found("volunteer or officer")
    try:
        with write_transaction():
            return GroupMember.create(group=team.id, user=person.id, added_at=now or utcnow())
    except IntegrityError as error:
        raise GroupError("already a member of this team", code="already_member") from error


def remove_member(station, admin, team_id, user_id):
    _require_station_admin(station, admin)
    team = station_team(station, team_id)
    if not 0 < int(user_id) <= MAX_ROW_ID:
        raise not_found("member")
    removed = GroupMember.delete().where(GroupMember.group == team.id, GroupMember.user == user_id).execute()
    if not removed:
        raise not_found("member")


def members_of(team):
    return list(
        User.select()
        .join(GroupMember, on=(GroupMember.user == User.id))
        .where(GroupMember.group == team.id)
        .order_by(User.name)
    )


def teams_of(user):
    return list(
        Group.select()
        .join(GroupMember, on=(GroupMember.group == Group.id))
        .where(GroupMember.user == user.id)
        .order_by(Group.name)
    )


def member_counts(groups, tenancy):
    """Active people per group: a team's members; everyone in a station,
    district or the city."""
    team_ids = [group.id for group in groups if group.kind == GroupKind.TEAM]
    teams = {}
    if team_ids:
        teams = dict(
            GroupMember.select(GroupMember.group, fn.COUNT(GroupMember.id))
            .join(User, on=(GroupMember.user == User.id))
            .where(GroupMember.group.in_(team_ids), User.active == True)  # noqa: E712
            .group_by(GroupMember.group)
            .tuples()
        )
    station_ids = sorted(
        {sid for group in groups if group.kind != GroupKind.TEAM for sid in station_ids_below(group, tenancy)}
    )
    people = {}
    if station_ids:
        people = dict(
            User.select(User.station, fn.COUNT(User.id))
            .where(User.station.in_(station_ids), User.active == True)  # noqa: E712
            .group_by(User.station)
            .tuples()
        )
    counts = {}
    for group in groups:
        if group.kind == GroupKind.TEAM:
            counts[group.id] = teams.get(group.id, 0)
        else:
            counts[group.id] = sum(people.get(sid, 0) for sid in station_ids_below(group, tenancy))
    return counts
