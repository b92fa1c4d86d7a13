"""What the groups API routes share: finding a group, instruction or
mobilisation in the caller's scope (under ``/s/<station>/`` another
station's is not found), and groups, instructions, mobilisations and
meetings as the answers show them."""

from flask import g

from ..groups import mobilisation as mobilisation_domain
from ..groups import tree
from ..groups.errors import forbidden, not_found
from ..models import (
    Group,
    GroupKind,
    MobilisationAnswer,
    Role,
    User,
)
from ..tenancy import current_tenancy
from . import common
from .bodies import dump
from .groups_schemas import (
    GroupListSchema,
    MemberListSchema,
    MobilisationOutSchema,
)
from .points_schemas import INT_MAX

WAITING_LIMIT = 500
INSTRUCTIONS_LIMIT = 50


# ---------------------------------------------------------------------------
# Finding things in the caller's scope
# ---------------------------------------------------------------------------


def group_id_or_404(value, what):
    if value > INT_MAX:  # SQLite cannot even compare it
        raise not_found(what)
    return value


def stations_by_id():
    return {station.id: station for station in current_tenancy().stations.values()}


def slug(station_id):
    station = stations_by_id().get(station_id)
    return station.slug if station else None


def covers(group, station):
    """The group is the station's own, or its district's, or the city's."""
    if group.kind == GroupKind.CITY:
        return True
    if group.kind == GroupKind.DISTRICT:
        return group.district == station.config.district
    return group.station_id == station.id


def station_group(group_id, user):
    """A group of this station that ``user`` sees, else 404."""
    group = Group.get_or_none(Group.id == group_id_or_404(group_id, "group"))
    if group is None or group.station_id != g.station.id or not tree.may_see(user, group, current_tenancy()):
        raise not_found("group")
    return group


def station_team(group_id, user):
    group = station_group(group_id, user)
    if group.kind != GroupKind.TEAM:
        raise not_found("team")
    return group


def in_scope(model, row_id, what):
    """An instruction or mobilisation; under a station, only one whose group covers it."""
    row = model.get_or_none(model.id == group_id_or_404(row_id, what))
    if row is None:
        raise not_found(what)
    if "station" in g and not covers(Group.get_by_id(row.group_id), g.station):
        raise not_found(what)
    return row


def of_this_station(user):
    """The caller's own things (their instructions, answers) are read at their station."""
    if user.station_id != g.station.id:
        raise forbidden("you do not belong to this station", "other_station")


def staff_of_this_station(user):
    if user.station_id != g.station.id or not user.is_staff:
        raise forbidden("only this station's officers and admins may do this", "staff_only")


# ---------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------


def groups_out(groups):
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
                    "station": slug(group.station_id) if group.station_id else None,
                    "member_count": counts[group.id],
                }
                for group in groups
            ]
        },
    )


def members_out(team):
    members = [{"id": m.id, "name": m.name, "role": m.role} for m in tree.members_of(team)]
    return dump(MemberListSchema, {"group_id": team.id, "members": members})


def group_ref(group):
    return {"id": group.id, "name": group.name, "kind": group.kind}


def names(user_ids):
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return dict(User.select(User.id, User.name).where(User.id.in_(ids)).tuples())


def instruction_out(instruction, group=None, author_name=None, acknowledged_at=None):
    group = group or Group.get_by_id(instruction.group_id)
    if author_name is None:
        author_name = names([instruction.author_id]).get(instruction.author_id)
    return {
        "id": instruction.id,
        "group": group_ref(group),
        "author": {"id": instruction.author_id, "name": author_name},
        "text": instruction.text,
        "place": instruction.place,
        "priority": instruction.priority,
        "deadline": instruction.deadline,
        "created_at": instruction.created_at,
        "acknowledged_at": acknowledged_at,
    }


def recipient_out(row):
    return {
        "id": row.user.id,
        "name": row.user.name,
        "role": row.user.role,
        "station": slug(row.station_id),
        "acknowledged_at": row.acknowledged_at,
        "reminded_at": row.reminded_at,
    }


def sees_waiting(user):
    """City and district admins see everyone waiting; station staff their station's."""
    if user.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN):
        return True, None
    if user.is_staff:
        return True, user.station_id
    return False, None


def waiting(mobilisation, station_id):
    query = (
        User.select(User.id, User.name, User.phone, User.station)
        .join(MobilisationAnswer, on=(MobilisationAnswer.user == User.id))
        .where(MobilisationAnswer.mobilisation == mobilisation.id, MobilisationAnswer.answered_at.is_null())
    )
    if station_id is not None:
        query = query.where(MobilisationAnswer.station == station_id)
    return [
        {"id": u.id, "name": u.name, "phone": u.phone, "station": slug(u.station_id)}
        for u in query.order_by(User.station, User.name, User.id).limit(WAITING_LIMIT)
    ]


def mobilisation_out(mobilisation, user):
    group = Group.get_by_id(mobilisation.group_id)
    counts = (
        mobilisation.result
        if mobilisation.ended_at is not None and mobilisation.result
        else mobilisation_domain.tally(mobilisation)
    )
    sees, station_id = sees_waiting(user)
    mine = MobilisationAnswer.get_or_none(
        MobilisationAnswer.mobilisation == mobilisation.id, MobilisationAnswer.user == user.id
    )
    body = {
        "id": mobilisation.id,
        "group": group_ref(group),
        "started_by": {
            "id": mobilisation.started_by_id,
            "name": names([mobilisation.started_by_id]).get(mobilisation.started_by_id),
        },
        "text": mobilisation.text,
        "deadline": mobilisation.deadline,
        "started_at": mobilisation.started_at,
        "ended_at": mobilisation.ended_at,
        "open": mobilisation.ended_at is None and mobilisation.deadline > common.now(),
        "tally": mobilisation_domain.named_tally(counts, current_tenancy()),
        "waiting": waiting(mobilisation, station_id) if sees else None,
        "my_answer": (
            {"available": mine.available, "location": mine.location, "answered_at": mine.answered_at} if mine else None
        ),
    }
    return dump(MobilisationOutSchema, body)


def contact(user):
    return {"id": user.id, "name": user.name, "phone": user.phone}


def meeting_out(meeting):
    return {
        "id": meeting.id,
        "officer_id": meeting.officer_id,
        "held_on": meeting.held_on,
        "attendees": meeting.attendees or [],
        "notes": meeting.notes,
        "created_at": meeting.created_at,
    }
