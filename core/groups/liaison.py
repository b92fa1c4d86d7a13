"""一人联络十名: each officer is the liaison of up to N volunteers of their
station (``[groups] liaison_limit``, default 10); a volunteer has at most one
liaison. Officers log their weekly meetings; the station sees who is over
the limit or has not met their volunteers for two weeks.
"""

from datetime import timedelta

from marshmallow import Schema, fields, validate
from peewee import IntegrityError, fn

from ..db import for_update, write_transaction
from ..models import (
    CheckIn,
    InstructionRecipient,
    Liaison,
    LiaisonMeeting,
    Role,
    Submission,
    User,
    utcnow,
)
from ..points import local_date_of
from ..validation import BoundedDate, TypedText
from .errors import GroupError, forbidden, invalid, not_found

MEETING_GAP_DAYS = 14


class MeetingSchema(Schema):
    held_on = BoundedDate(required=True)
    attendees = fields.List(fields.Integer(strict=True), load_default=list, validate=validate.Length(max=100))
    notes = TypedText(load_default="", max_length=2000)


def _staff_of(station, user):
    if user.station_id != station.id or not user.is_staff:
        raise forbidden("only this station's officers and admins may do this", "staff_only")


def _of_station(station, user_id, role):
    person = User.get_or_none(User.id == user_id, User.station == station.id, User.role == role)
    if person is None:
        raise not_found("volunteer" if role == Role.VOLUNTEER else "officer")
    return person


def assign(station, by, officer_id, volunteer_id, now=None):
    """Make ``officer_id`` the liaison of ``volunteer_id`` (station staff)."""
    _staff_of(station, by)
    officer = User.get_or_none(
        User.id == officer_id, User.station == station.id, User.role.in_((Role.OFFICER, Role.STATION_ADMIN))
    )
    if officer is None:
        raise not_found("officer")
    volunteer = _of_station(station, volunteer_id, Role.VOLUNTEER)
    if not volunteer.active:
        raise not_found("volunteer")
    limit = station.config.groups.liaison_limit
    try:
        with write_transaction():
            for_update(User.select().where(User.id == officer.id)).get()  # one assignment per officer at a time
            if Liaison.select().where(Liaison.officer == officer.id).count() >= limit:
                raise GroupError(
                    f"{officer.name} is the liaison of {limit} volunteers already",
                    code="liaison_limit",
                    field="officer_id",
                )
            return Liaison.create(
                station=station.id, officer=officer.id, volunteer=volunteer.id, assigned_at=now or utcnow()
            )
    except IntegrityError as error:
        raise GroupError("this volunteer has a liaison already", code="has_liaison", field="volunteer_id") from error


def unassign(station, by, volunteer_id):
    _staff_of(station, by)
    removed = Liaison.delete().where(Liaison.station == station.id, Liaison.volunteer == volunteer_id).execute()
    if not removed:
        raise not_found("liaison")


def my_volunteers(station, officer):
    """The officer's volunteers, each with their last check-in day, last
    submission time and how many instructions they have not acknowledged."""
    _staff_of(station, officer)
    volunteers = list(
        User.select()
        .join(Liaison, on=(Liaison.volunteer == User.id))
        .where(Liaison.officer == officer.id, Liaison.station == station.id)
        .order_by(User.name)
    )
    ids = [v.id for v in volunteers]
    if not ids:
        return []
    last_checkin = dict(
        CheckIn.select(CheckIn.volunteer, fn.MAX(CheckIn.local_date))
        .where(CheckIn.volunteer.in_(ids))
        .group_by(CheckIn.volunteer)
        .tuples()
    )
    last_submission = dict(
        Submission.select(Submission.volunteer, fn.MAX(Submission.submitted_at))
        .where(Submission.volunteer.in_(ids))
        .group_by(Submission.volunteer)
        .tuples()
    )
    open_instructions = dict(
        InstructionRecipient.select(InstructionRecipient.user, fn.COUNT(InstructionRecipient.id))
        .where(InstructionRecipient.user.in_(ids), InstructionRecipient.acknowledged_at.is_null())
        .group_by(InstructionRecipient.user)
        .tuples()
    )
    return [
        {
            "volunteer": v,
            "last_checkin": last_checkin.get(v.id),
            "last_submission": last_submission.get(v.id),
            "open_instructions": open_instructions.get(v.id, 0),
        }
        for v in volunteers
    ]


def log_meeting(station, officer, data, now=None):
    _staff_of(station, officer)
    mine = {row.volunteer_id for row in Liaison.select(Liaison.volunteer).where(Liaison.officer == officer.id)}
    strangers = sorted(set(data["attendees"]) - mine)
    if strangers:
        raise invalid({"attendees": [f"not your volunteers: {', '.join(map(str, strangers))}"]})
    if data["held_on"] > local_date_of(station, now):
        raise invalid({"held_on": ["must not be in the future"]})
    return LiaisonMeeting.create(
        station=station.id,
        officer=officer.id,
        held_on=data["held_on"],
        attendees=sorted(set(data["attendees"])),
        notes=data["notes"],
        created_at=now or utcnow(),
    )


def meetings_of(officer, limit=20):
    return list(
        LiaisonMeeting.select()
        .where(LiaisonMeeting.officer == officer.id)
        .order_by(LiaisonMeeting.held_on.desc())
        .limit(limit)
    )


def overview(station, now=None):
    """Every officer with volunteers: how many, the limit, their last meeting,
    and whether they are over the limit or overdue (no meeting for two weeks).
    For the station's staff: the caller checks who is asking."""
    today = local_date_of(station, now)
    limit = station.config.groups.liaison_limit
    counts = dict(
        Liaison.select(Liaison.officer, fn.COUNT(Liaison.id))
        .where(Liaison.station == station.id)
        .group_by(Liaison.officer)
        .tuples()
    )
    last_met = dict(
        LiaisonMeeting.select(LiaisonMeeting.officer, fn.MAX(LiaisonMeeting.held_on))
        .where(LiaisonMeeting.station == station.id)
        .group_by(LiaisonMeeting.officer)
        .tuples()
    )
    rows = []
    for officer in User.select().where(User.id.in_(list(counts))).order_by(User.name) if counts else []:
        met = last_met.get(officer.id)
        rows.append(
            {
                "officer": officer,
                "volunteers": counts[officer.id],
                "limit": limit,
                "last_meeting": met,
                "over_limit": counts[officer.id] > limit,
                "overdue": met is None or met < today - timedelta(days=MEETING_GAP_DAYS),
            }
        )
    return rows
