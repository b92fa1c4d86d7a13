"""Schemas of the tasks API: task types, tasks and weekly series, sign-ups,
submissions and their review, notifications, hours, qualifications and
certificates (the OpenAPI document uses them too).

Stored times are naive UTC; :class:`~core.api.points_schemas.UtcDateTime`
writes them with ``+00:00``.
"""

from marshmallow import Schema, fields, validate

from ..models import SubmissionState
from ..tasks.review import DECISIONS, MAX_HOURS
from ..validation import TypedText
from .points_schemas import INT_MAX, BreakdownLineSchema, LabelSchema, UtcDateTime

FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "time", "list", "object")
from ..tasks.review import MAX_REASON  # noqa: E402 - one limit for pages and API

# ---------------------------------------------------------------------------
# Task types
# ---------------------------------------------------------------------------


class QualificationOutSchema(Schema):
    key = fields.String()
    label = fields.Nested(LabelSchema)


class ExtraFieldSchema(Schema):
    name = fields.String(metadata={"description": "the key inside a submission's fields object"})
    label = fields.Nested(LabelSchema, allow_none=True, metadata={"description": "null if the type gives none"})
    required = fields.Boolean()
    type = fields.String(validate=validate.OneOf(FIELD_TYPES))


class TaskTypeOutSchema(Schema):
    key = fields.String()
    label = fields.Nested(LabelSchema)
    description = fields.Nested(LabelSchema)
    default_points = fields.Integer()
    min_photos = fields.Integer()
    max_photos = fields.Integer()
    qualification = fields.Nested(
        QualificationOutSchema, allow_none=True, metadata={"description": "what a volunteer must hold to do it"}
    )
    self_start = fields.Boolean(metadata={"description": "may be submitted without a posted task"})
    fields_ = fields.List(
        fields.Nested(ExtraFieldSchema), data_key="fields", attribute="fields", metadata={"description": "extra fields"}
    )


class TaskTypeListSchema(Schema):
    task_types = fields.List(fields.Nested(TaskTypeOutSchema))


# ---------------------------------------------------------------------------
# Tasks, series, sign-ups
# ---------------------------------------------------------------------------


class TaskOutSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    title = fields.String()
    place = fields.String()
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()
    capacity = fields.Integer()
    taken = fields.Integer()
    places_left = fields.Integer()
    notes = fields.String()
    series_id = fields.Integer(allow_none=True)
    signed_up = fields.Boolean(
        metadata={"description": "present when the caller is an authenticated volunteer of the station"}
    )


class TaskListSchema(Schema):
    tasks = fields.List(fields.Nested(TaskOutSchema), metadata={"description": "soonest first"})


class TaskSeriesOutSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    weekdays = fields.List(fields.Integer(), metadata={"description": "ISO weekdays, 1 = Monday"})
    start_time = fields.String()
    end_time = fields.String()
    first_date = fields.Date()
    last_date = fields.Date()
    tasks = fields.List(fields.Nested(TaskOutSchema))


# ---------------------------------------------------------------------------
# Submissions and review
# ---------------------------------------------------------------------------


class PersonRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class LocationSchema(Schema):
    latitude = fields.Float()
    longitude = fields.Float()


class PhotoOutSchema(Schema):
    position = fields.Integer()
    url = fields.String()
    thumbnail_url = fields.String()


class ReviewOutSchema(Schema):
    revision = fields.Integer()
    decision = fields.String(validate=validate.OneOf(list(DECISIONS.values())))
    reason = fields.String()
    minutes = fields.Integer(allow_none=True)
    officer = fields.Nested(PersonRefSchema)
    created_at = UtcDateTime()


class PreviewSchema(Schema):
    breakdown = fields.List(fields.Nested(BreakdownLineSchema))
    points = fields.Integer()
    minutes = fields.Integer()
    hours = fields.Float()


class SubmissionOutSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    task = fields.Nested(TaskOutSchema, allow_none=True, metadata={"description": "null for self-started work"})
    volunteer = fields.Nested(PersonRefSchema)
    state = fields.String(validate=validate.OneOf(SubmissionState.ALL))
    revision = fields.Integer()
    text = fields.String()
    fields_ = fields.Dict(keys=fields.String(), data_key="fields", attribute="fields")
    location = fields.Nested(LocationSchema, allow_none=True)
    started_at = UtcDateTime(allow_none=True)
    ended_at = UtcDateTime(allow_none=True)
    submitted_at = UtcDateTime()
    decided_at = UtcDateTime(allow_none=True)
    reason = fields.String(metadata={"description": "the latest decision's reason"})
    photos = fields.List(fields.Nested(PhotoOutSchema))
    reviews = fields.List(fields.Nested(ReviewOutSchema), metadata={"description": "oldest first"})
    minutes = fields.Integer(allow_none=True, metadata={"description": "confirmed service minutes (once approved)"})
    hours = fields.Float(allow_none=True)
    points = fields.Integer(allow_none=True, metadata={"description": "points booked (once approved)"})
    breakdown = fields.List(fields.Nested(BreakdownLineSchema), metadata={"description": "as booked (once approved)"})
    preview = fields.Nested(
        PreviewSchema,
        allow_none=True,
        metadata={"description": "staff only, while pending: what approving would book now"},
    )


class SubmissionListSchema(Schema):
    submissions = fields.List(fields.Nested(SubmissionOutSchema))
    limit = fields.Integer()
    offset = fields.Integer()
    has_more = fields.Boolean()


class ReviewInSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(list(DECISIONS)))
    reason = TypedText(load_default="", max_length=MAX_REASON)
    hours = fields.Float(
        load_default=None,
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=0, max=MAX_HOURS),
        metadata={"description": "confirmed hours when they differ from the work's own (say why in reason)"},
    )
    revision = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=INT_MAX),
        metadata={"description": "the revision the officer saw; 409 if it changed"},
    )


# ---------------------------------------------------------------------------
# The volunteer's notifications and hours
# ---------------------------------------------------------------------------


class NotificationOutSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    message = fields.Nested(LabelSchema)
    data = fields.Dict(keys=fields.String())
    submission_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()
    read_at = UtcDateTime(allow_none=True)


class NotificationListSchema(Schema):
    notifications = fields.List(fields.Nested(NotificationOutSchema), metadata={"description": "newest first"})
    unread = fields.Integer()


class NotificationsReadSchema(Schema):
    marked = fields.Integer(metadata={"description": "how many were unread"})
    unread = fields.Integer()


class HoursByTypeSchema(Schema):
    type = fields.String()
    label = fields.Nested(LabelSchema, allow_none=True)
    count = fields.Integer()
    minutes = fields.Integer()
    hours = fields.Float()


class HoursSchema(Schema):
    minutes = fields.Integer()
    hours = fields.Float()
    star = fields.Integer(validate=validate.Range(min=0, max=5))
    next_star_hours = fields.Integer(allow_none=True, metadata={"description": "null at five stars"})
    by_type = fields.List(fields.Nested(HoursByTypeSchema), metadata={"description": "most minutes first"})


class CalendarSchema(Schema):
    url = fields.String(metadata={"description": "the private iCalendar feed of the volunteer's tasks"})


# ---------------------------------------------------------------------------
# Qualifications and certificates
# ---------------------------------------------------------------------------


class QualificationInSchema(Schema):
    qualification = fields.String(required=True, validate=validate.Length(min=1, max=60))


class QualificationsOutSchema(Schema):
    volunteer_id = fields.Integer()
    qualifications = fields.List(fields.String(), metadata={"description": "the keys the volunteer holds"})


class CertificateOutSchema(Schema):
    number = fields.String()
    volunteer = fields.Nested(PersonRefSchema)
    issued_at = UtcDateTime()
    minutes = fields.Integer()
    hours = fields.Float()
    star_level = fields.Integer()
    by_type = fields.List(fields.Nested(HoursByTypeSchema))
