"""Liaison API routes (一人联络十名): an officer's volunteers, assigning and
removing a liaison, logging meetings, and the station's overview."""

from flask import g

from ..groups import liaison as liaison_domain
from ..groups.liaison import MeetingSchema
from ..models import (
    User,
)
from . import common
from .bodies import dump
from .common import json_object, load
from .group_helpers import (
    contact,
    group_id_or_404,
    meeting_out,
    staff_of_this_station,
)
from .groups_schemas import (
    LiaisonInSchema,
    LiaisonOutSchema,
    LiaisonOverviewSchema,
    LiaisonRemovedSchema,
    MeetingOutSchema,
    MyLiaisonSchema,
)
from .idempotency import idempotent
from .tokens import token_required
from .views import bp

# ---------------------------------------------------------------------------
# Liaison
# ---------------------------------------------------------------------------


@bp.get("/s/<station>/liaison")
@token_required
def my_liaison():
    station, user = g.station, g.api_user
    staff_of_this_station(user)
    rows = liaison_domain.my_volunteers(station, user)
    body = {
        "limit": station.config.groups.liaison_limit,
        "volunteers": [{**row, "volunteer": contact(row["volunteer"])} for row in rows],
        "meetings": [meeting_out(m) for m in liaison_domain.meetings_of(user)],
    }
    return dump(MyLiaisonSchema, body)


@bp.post("/s/<station>/liaison")
@token_required
@idempotent
def assign_liaison():
    station, user = g.station, g.api_user
    staff_of_this_station(user)
    data = load(LiaisonInSchema(), json_object())
    liaison = liaison_domain.assign(station, user, data["officer_id"], data["volunteer_id"], now=common.now())
    body = {
        "officer": contact(User.get_by_id(liaison.officer_id)),
        "volunteer": contact(User.get_by_id(liaison.volunteer_id)),
        "assigned_at": liaison.assigned_at,
    }
    return dump(LiaisonOutSchema, body), 201


@bp.delete("/s/<station>/liaison/<int:volunteer_id>")
@token_required
def remove_liaison(volunteer_id):
    station, user = g.station, g.api_user
    staff_of_this_station(user)
    liaison_domain.unassign(station, user, group_id_or_404(volunteer_id, "liaison"))
    return dump(LiaisonRemovedSchema, {"volunteer_id": volunteer_id})


@bp.post("/s/<station>/liaison/meetings")
@token_required
@idempotent
def log_meeting():
    station, user = g.station, g.api_user
    staff_of_this_station(user)
    data = load(MeetingSchema(), json_object())
    meeting = liaison_domain.log_meeting(station, user, data, now=common.now())
    return dump(MeetingOutSchema, meeting_out(meeting)), 201


@bp.get("/s/<station>/liaison/overview")
@token_required
def liaison_overview():
    station, user = g.station, g.api_user
    staff_of_this_station(user)
    rows = liaison_domain.overview(station, now=common.now())
    body = {
        "limit": station.config.groups.liaison_limit,
        "officers": [{**row, "officer": {"id": row["officer"].id, "name": row["officer"].name}} for row in rows],
    }
    return dump(LiaisonOverviewSchema, body)
