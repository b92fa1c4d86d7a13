"""Schemas of the points API: check-ins, statements, rewards, redemptions,
adjustments and the leaderboard (the OpenAPI document uses them too).

Stored times are naive UTC; :class:`UtcDateTime` writes them with ``+00:00``.
"""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate, validates

from ..models import EntryKind, LimitPeriod, RedemptionState

INT_MAX = 2**31 - 1  # a PostgreSQL ``integer``


class UtcDateTime(fields.DateTime):
    """A stored (naive UTC) time as ISO 8601 with its ``+00:00`` offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class LabelSchema(Schema):
    zh = fields.String()
    en = fields.String()


class BreakdownLineSchema(Schema):
    rule = fields.String(metadata={"description": "the scoring rule, e.g. core.checkin or core.daily_cap"})
    label = fields.Nested(LabelSchema)
    points = fields.Integer()


class LedgerEntryOutSchema(Schema):
    id = fields.Integer()
    amount = fields.Integer()
    kind = fields.String(validate=validate.OneOf(EntryKind.ALL))
    reason = fields.String()
    breakdown = fields.List(fields.Nested(BreakdownLineSchema))
    created_at = UtcDateTime()
    local_date = fields.Date(metadata={"description": "the station-local day the entry counts for"})
    reverses = fields.Integer(
        attribute="reverses_id", allow_none=True, metadata={"description": "the id of the entry this one undoes"}
    )


class CheckInOutSchema(Schema):
    entry = fields.Nested(LedgerEntryOutSchema)
    balance = fields.Integer()
    streak = fields.Integer()
    local_date = fields.Date()


class PointsStatementSchema(Schema):
    entries = fields.List(fields.Nested(LedgerEntryOutSchema), metadata={"description": "newest first"})
    page = fields.Integer()
    has_more = fields.Boolean()
    balance = fields.Integer()
    earned = fields.Integer()
    streak = fields.Integer()
    checked_in_today = fields.Boolean()


class PlaceSchema(Schema):
    name = fields.String()
    address = fields.String()
    hours = fields.String()


class RewardOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    cost = fields.Integer()
    stock = fields.Integer()
    limit_count = fields.Integer(allow_none=True)
    limit_period = fields.String(allow_none=True, validate=validate.OneOf(LimitPeriod.ALL))
    visible_from = UtcDateTime(allow_none=True)
    visible_until = UtcDateTime(allow_none=True)
    place = fields.Nested(PlaceSchema, metadata={"description": "where the reward is collected"})
    photo_url = fields.String(allow_none=True)
    active = fields.Boolean()
    visible = fields.Boolean(metadata={"description": "active and within its visible_from/visible_until now"})


class RewardListSchema(Schema):
    rewards = fields.List(fields.Nested(RewardOutSchema))


class RedemptionOutSchema(Schema):
    code = fields.String(metadata={"description": "the pickup code, shown at the place"})
    state = fields.String(validate=validate.OneOf(RedemptionState.ALL))
    cost = fields.Integer()
    reward = fields.Nested(RewardOutSchema)
    created_at = UtcDateTime()
    expires_at = UtcDateTime()
    collected_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    qr_url = fields.String(metadata={"description": "an SVG QR code of the pickup code"})


class RedemptionListSchema(Schema):
    redemptions = fields.List(fields.Nested(RedemptionOutSchema), metadata={"description": "newest first"})


class AdjustmentInSchema(Schema):
    volunteer_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=INT_MAX))
    amount = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=-1_000_000, max=1_000_000),
        metadata={"description": "points to add (positive) or take (negative); not 0"},
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))

    @validates("amount")
    def _not_zero(self, value, **_kwargs):
        if value == 0:
            raise ValidationError("must not be 0")

    @validates("reason")
    def _not_blank(self, value, **_kwargs):
        if not value.strip():
            raise ValidationError("must not be blank")


class AdjustmentOutSchema(Schema):
    entry = fields.Nested(LedgerEntryOutSchema)
    balance = fields.Integer(metadata={"description": "the volunteer's balance after the adjustment"})


class LeaderboardRowSchema(Schema):
    rank = fields.Integer()
    name = fields.String(metadata={"description": "all but the first character masked with *"})
    earned = fields.Integer()


class LeaderboardSchema(Schema):
    period = fields.String(validate=validate.OneOf(["month", "all"]))
    entries = fields.List(fields.Nested(LeaderboardRowSchema))
