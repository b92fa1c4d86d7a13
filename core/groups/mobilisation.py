"""Mobilisation (战时全线飘红): a district or city admin calls a group up, and
every member answers "available" or "not available" before the deadline.

Everyone called up gets an answer row when it starts (one INSERT … SELECT);
answering is one guarded UPDATE of that row (not answered yet, still open),
so the tally — counts of the rows — is exact however many answer at once.
It ends by hand or at the deadline; the tally at the end is kept.
"""

from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validates_schema
from peewee import Case, Value, fn

from ..db import for_update, write_transaction
from ..models import Group, GroupKind, GroupMember, Mobilisation, MobilisationAnswer, Role, User, utcnow
from ..validation import AwareDateTime, TypedText
from .errors import GroupError, forbidden, invalid, not_found
from .tree import audience, get_group, may_see, teams_below

MAX_HOURS = 72


class MobilisationSchema(Schema):
    text = TypedText(required=True, min_length=1, max_length=1000)
    deadline = AwareDateTime(required=True)


class AnswerSchema(Schema):
    available = fields.Boolean(required=True)
    location = TypedText(load_default="", max_length=200)

    @validates_schema
    def _location_only_when_available(self, data, **_kwargs):
        if data.get("location") and not data.get("available"):
            raise ValidationError("give where you can be only when available", "location")


def _may_mobilise(user, group, tenancy):
    if user.role == Role.CITY_ADMIN:
        return True
    return user.role == Role.DISTRICT_ADMIN and group.kind != GroupKind.CITY and may_see(user, group, tenancy)


def start(tenancy, admin, group_id, data, now=None):
    now = now or utcnow()
    group = get_group(group_id)
    if not may_see(admin, group, tenancy):
        raise not_found("group")
    if not _may_mobilise(admin, group, tenancy):
        raise forbidden("only district and city admins mobilise", "admins_only")
    deadline = data["deadline"]
    if not now < deadline <= now + timedelta(hours=MAX_HOURS):
        raise invalid({"deadline": [f"must be in the next {MAX_HOURS} hours"]})
    with write_transaction():
        mobilisation = Mobilisation.create(
            group=group.id, started_by=admin.id, text=data["text"], deadline=deadline, started_at=now
        )
        called = audience(group, tenancy).where(User.id != admin.id)
        MobilisationAnswer.insert_from(
            called.select(Value(mobilisation.id), User.id, User.station),
            [MobilisationAnswer.mobilisation, MobilisationAnswer.user, MobilisationAnswer.station],
        ).execute()
    return mobilisation


def get(tenancy, user, mobilisation_id, now=None):
    """The mobilisation, if ``user`` sees its group (ended first if its deadline passed)."""
    mobilisation = Mobilisation.get_or_none(Mobilisation.id == mobilisation_id)
    if mobilisation is None:
        raise not_found("mobilisation")
    if not (may_see(user, Group.get_by_id(mobilisation.group_id), tenancy) or _called(user, mobilisation)):
        raise not_found("mobilisation")
    return end_if_due(mobilisation, now)


def _called(user, mobilisation):
    return (
        MobilisationAnswer.select()
        .where(MobilisationAnswer.mobilisation == mobilisation.id, MobilisationAnswer.user == user.id)
        .exists()
    )


def answer(user, mobilisation_id, data, now=None):
    now = now or utcnow()
    moved = (
        MobilisationAnswer.update(available=data["available"], location=data.get("location", ""), answered_at=now)
        .where(
            MobilisationAnswer.mobilisation == mobilisation_id,
            MobilisationAnswer.user == user.id,
            MobilisationAnswer.answered_at.is_null(),
            MobilisationAnswer.mobilisation.in_(
                Mobilisation.select(Mobilisation.id).where(Mobilisation.ended_at.is_null(), Mobilisation.deadline > now)
            ),
        )
        .execute()
    )
    if moved:
        return now
    row = MobilisationAnswer.get_or_none(
        MobilisationAnswer.mobilisation == mobilisation_id, MobilisationAnswer.user == user.id
    )
    if row is None:
        raise not_found("mobilisation")
    if row.answered_at is not None:
        raise GroupError("you have answered already", code="already_answered")
    raise GroupError("this mobilisation is over; answers are closed", code="mobilisation_over")


def tally(mobilisation):
    """Counts by station, and by team (a person counts in each of their teams):
    ``{"total": {...}, "stations": [...], "teams": [...]}`` with available,
    not_available and waiting."""
    counts = [
        fn.SUM(Case(None, [(MobilisationAnswer.available == True, 1)], 0)),  # noqa: E712
        fn.SUM(Case(None, [(MobilisationAnswer.available == False, 1)], 0)),  # noqa: E712
        fn.SUM(Case(None, [(MobilisationAnswer.answered_at.is_null(), 1)], 0)),
    ]

    def shaped(rows):
        return [
            {"id": key, "available": int(a or 0), "not_available": int(n or 0), "waiting": int(w or 0)}
            for key, a, n, w in rows
        ]

    by_station = shaped(
        MobilisationAnswer.select(MobilisationAnswer.station, *counts)
        .where(MobilisationAnswer.mobilisation == mobilisation.id)
        .group_by(MobilisationAnswer.station)
        .order_by(MobilisationAnswer.station)
        .tuples()
    )
    called_group = Group.get_by_id(mobilisation.group_id)
    teams = GroupMember.group.in_(teams_below(called_group)) if called_group.kind == GroupKind.TEAM else True
    by_team = shaped(
        MobilisationAnswer.select(GroupMember.group, *counts)
        .join(GroupMember, on=(GroupMember.user == MobilisationAnswer.user))
        .where(MobilisationAnswer.mobilisation == mobilisation.id, teams)  # a called team: only its own teams
        .group_by(GroupMember.group)
        .order_by(GroupMember.group)
        .tuples()
    )
    total = {key: sum(row[key] for row in by_station) for key in ("available", "not_available", "waiting")}
    return {"total": total, "stations": by_station, "teams": by_team}


def waiting(mobilisation, limit=500):
    """Who has not answered yet."""
    return list(
        User.select()
        .join(MobilisationAnswer, on=(MobilisationAnswer.user == User.id))
        .where(MobilisationAnswer.mobilisation == mobilisation.id, MobilisationAnswer.answered_at.is_null())
        .order_by(User.station, User.name)
        .limit(limit)
    )


def end(tenancy, admin, mobilisation_id, now=None):
    """End it by hand; the tally as it stands is kept."""
    mobilisation = get(tenancy, admin, mobilisation_id, now)
    if not _may_mobilise(admin, Group.get_by_id(mobilisation.group_id), tenancy):
        raise forbidden("only district and city admins end a mobilisation", "admins_only")
    if mobilisation.ended_at is not None:
        raise GroupError("this mobilisation is over already", code="mobilisation_over")
    return _close(mobilisation, now or utcnow())


def end_if_due(mobilisation, now=None):
    now = now or utcnow()
    if mobilisation.ended_at is None and mobilisation.deadline <= now:
        return _close(mobilisation, mobilisation.deadline)
    return mobilisation


def _close(mobilisation, at):
    with write_transaction():
        current = for_update(Mobilisation.select().where(Mobilisation.id == mobilisation.id)).get()
        if current.ended_at is None:  # another worker may have closed it first
            Mobilisation.update(ended_at=at, result=tally(current)).where(Mobilisation.id == current.id).execute()
    return Mobilisation.get_by_id(mobilisation.id)


def named_tally(counts, tenancy):
    """A tally with each station's slug and name and each team's name."""
    stations = {station.id: station for station in tenancy.stations.values()}
    team_names = {}
    team_ids = [row["id"] for row in counts.get("teams", [])]
    if team_ids:
        team_names = dict(Group.select(Group.id, Group.name).where(Group.id.in_(team_ids)).tuples())
    return {
        "total": counts["total"],
        "stations": [
            {
                **row,
                "slug": stations[row["id"]].slug if row["id"] in stations else None,
                "name": stations[row["id"]].config.name if row["id"] in stations else None,
            }
            for row in counts["stations"]
        ],
        "teams": [{**row, "name": team_names.get(row["id"])} for row in counts["teams"]],
    }
