"""Schemas of the groups API: the tree and teams, instructions and their
acknowledgements, mobilisations and their tally, liaison (the OpenAPI
document uses them too).

The request bodies of instructions, mobilisations, answers and meetings are
the domain's own schemas (:mod:`core.groups`); the few bodies the domain
takes as plain arguments are described here. Stored times are naive UTC;
:class:`~core.api.points_schemas.UtcDateTime` writes them with ``+00:00``.
"""

from marshmallow import Schema, fields, validate

from ..groups.tree import MAX_TEAM_NAME
from ..models import GroupKind, Priority, Role
from ..validation import TypedText
from .points_schemas import INT_MAX, UtcDateTime


def _id(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=INT_MAX), **kwargs)


# ---------------------------------------------------------------------------
# The tree, teams and members
# ---------------------------------------------------------------------------


class GroupOutSchema(Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True, metadata={"description": "null for the top of the caller's part"})
    kind = fields.String(validate=validate.OneOf(GroupKind.ALL))
    name = fields.String()
    district = fields.String(allow_none=True)
    station = fields.String(allow_none=True, metadata={"description": "the station's slug; null above stations"})
    member_count = fields.Integer(
        metadata={"description": "a team: its active members; a station, district or the city: everyone active in it"}
    )


class GroupListSchema(Schema):
    groups = fields.List(fields.Nested(GroupOutSchema), metadata={"description": "in tree order, parents first"})


class TeamInSchema(Schema):
    name = TypedText(required=True, min_length=1, max_length=MAX_TEAM_NAME)
    parent_id = _id(
        load_default=None, allow_none=True, metadata={"description": "a team of the station; default its station group"}
    )


class MemberOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(validate=validate.OneOf(Role.ALL))


class MemberListSchema(Schema):
    group_id = fields.Integer()
    members = fields.List(fields.Nested(MemberOutSchema), metadata={"description": "by name"})


class MemberInSchema(Schema):
    user_id = _id(required=True, metadata={"description": "a volunteer or officer of the station"})


# ---------------------------------------------------------------------------
# Instructions
# ---------------------------------------------------------------------------


class GroupRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(validate=validate.OneOf(GroupKind.ALL))


class AuthorSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class InstructionOutSchema(Schema):
    id = fields.Integer()
    group = fields.Nested(GroupRefSchema)
    author = fields.Nested(AuthorSchema)
    text = fields.String()
    place = fields.String()
    priority = fields.String(validate=validate.OneOf(Priority.ALL))
    deadline = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    acknowledged_at = UtcDateTime(
        allow_none=True, metadata={"description": "in the caller's list: when the caller acknowledged it"}
    )


class InstructionPostedSchema(InstructionOutSchema):
    reached = fields.Integer(metadata={"description": "how many people it reached (the author not counted)"})


class InstructionListSchema(Schema):
    instructions = fields.List(fields.Nested(InstructionOutSchema), metadata={"description": "newest first"})
    unread = fields.Integer(metadata={"description": "how many of the caller's instructions are not acknowledged"})


class AcknowledgementSchema(Schema):
    instruction_id = fields.Integer()
    acknowledged_at = UtcDateTime()
    unread = fields.Integer()


class RecipientSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(validate=validate.OneOf(Role.ALL))
    station = fields.String(allow_none=True, metadata={"description": "the station's slug"})
    acknowledged_at = UtcDateTime(allow_none=True)
    reminded_at = UtcDateTime(allow_none=True)


class InstructionStatusSchema(Schema):
    instruction = fields.Nested(InstructionOutSchema)
    acknowledged = fields.List(fields.Nested(RecipientSchema))
    waiting = fields.List(fields.Nested(RecipientSchema))
    total = fields.Integer()


class ReminderSchema(Schema):
    instruction_id = fields.Integer()
    reminded = fields.Integer(metadata={"description": "how many had not acknowledged and were reminded"})


# ---------------------------------------------------------------------------
# Mobilisation
# ---------------------------------------------------------------------------


class CountsSchema(Schema):
    available = fields.Integer()
    not_available = fields.Integer()
    waiting = fields.Integer()


class StationCountsSchema(CountsSchema):
    id = fields.Integer(metadata={"description": "the station's row id"})
    slug = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class TeamCountsSchema(CountsSchema):
    id = fields.Integer(metadata={"description": "the team's group id"})
    name = fields.String(allow_none=True)


class TallySchema(Schema):
    total = fields.Nested(CountsSchema)
    stations = fields.List(fields.Nested(StationCountsSchema))
    teams = fields.List(
        fields.Nested(TeamCountsSchema), metadata={"description": "a person counts in each of their teams"}
    )


class MyAnswerSchema(Schema):
    available = fields.Boolean(allow_none=True, metadata={"description": "null until answered"})
    location = fields.String()
    answered_at = UtcDateTime(allow_none=True)


class WaitingPersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    station = fields.String(allow_none=True)


class MobilisationOutSchema(Schema):
    id = fields.Integer()
    group = fields.Nested(GroupRefSchema)
    started_by = fields.Nested(AuthorSchema)
    text = fields.String()
    deadline = UtcDateTime()
    started_at = UtcDateTime()
    ended_at = UtcDateTime(allow_none=True, metadata={"description": "by hand, or the deadline"})
    open = fields.Boolean(metadata={"description": "answers are taken"})
    tally = fields.Nested(TallySchema, metadata={"description": "live while open; as it stood at the end once over"})
    waiting = fields.List(
        fields.Nested(WaitingPersonSchema),
        allow_none=True,
        metadata={"description": "admins and staff only (staff: their station's), at most 500; null for others"},
    )
    my_answer = fields.Nested(
        MyAnswerSchema, allow_none=True, metadata={"description": "null if the caller was not called"}
    )


class AnswerOutSchema(Schema):
    mobilisation_id = fields.Integer()
    available = fields.Boolean()
    location = fields.String()
    answered_at = UtcDateTime()


# ---------------------------------------------------------------------------
# Liaison
# ---------------------------------------------------------------------------


class ContactSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()


class LiaisonVolunteerSchema(Schema):
    volunteer = fields.Nested(ContactSchema)
    last_checkin = fields.Date(allow_none=True, metadata={"description": "the station-local day"})
    last_submission = UtcDateTime(allow_none=True)
    open_instructions = fields.Integer(metadata={"description": "instructions not acknowledged"})


class MeetingOutSchema(Schema):
    id = fields.Integer()
    officer_id = fields.Integer()
    held_on = fields.Date()
    attendees = fields.List(fields.Integer(), metadata={"description": "volunteer ids"})
    notes = fields.String()
    created_at = UtcDateTime()


class MyLiaisonSchema(Schema):
    limit = fields.Integer(metadata={"description": "the station's liaison_limit"})
    volunteers = fields.List(fields.Nested(LiaisonVolunteerSchema))
    meetings = fields.List(fields.Nested(MeetingOutSchema), metadata={"description": "the latest 20, newest first"})


class LiaisonInSchema(Schema):
    officer_id = _id(required=True)
    volunteer_id = _id(required=True)


class LiaisonOutSchema(Schema):
    officer = fields.Nested(ContactSchema)
    volunteer = fields.Nested(ContactSchema)
    assigned_at = UtcDateTime()


class LiaisonRemovedSchema(Schema):
    volunteer_id = fields.Integer()


class OverviewRowSchema(Schema):
    officer = fields.Nested(AuthorSchema)
    volunteers = fields.Integer()
    limit = fields.Integer()
    last_meeting = fields.Date(allow_none=True)
    over_limit = fields.Boolean()
    overdue = fields.Boolean(metadata={"description": "no meeting in the last two weeks"})


class LiaisonOverviewSchema(Schema):
    limit = fields.Integer()
    officers = fields.List(
        fields.Nested(OverviewRowSchema), metadata={"description": "officers with volunteers, by name"}
    )
