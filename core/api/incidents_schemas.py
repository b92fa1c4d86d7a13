"""Schemas of the incidents API: categories, the board, an incident with its
timeline, likely duplicates, and the officers' actions (the OpenAPI document
uses them too).

Stored times are naive UTC; :class:`~core.api.points_schemas.UtcDateTime`
writes them with ``+00:00``. A person whose name is hidden from the caller (a
reporter who asked for it) is ``{"id": null, "name": null}``; ``null`` alone
means nobody (not assigned; an Open311 client acted).
"""

from marshmallow import Schema, fields, validate

from ..extra_fields import json_type
from ..i18n import text_json
from ..incidents import board, lifecycle
from ..incidents.lifecycle import MAX_NOTE
from ..models import IncidentEventKind, IncidentSource, IncidentState
from .bodies import dump
from .points_schemas import INT_MAX, LabelSchema, UtcDateTime
from .tasks_schemas import ExtraFieldSchema

PHOTO_URL = "/api/v1/s/{station}/incidents/{incident_id}/photos/{position}"
HIDDEN = {"id": None, "name": None}  # a reporter who hid their name, as the caller sees them

# ---------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------


class FieldChoiceSchema(Schema):
    value = fields.String(metadata={"description": "what to send in the report's fields object"})
    label = fields.Nested(LabelSchema, allow_none=True)


class IncidentFieldSchema(ExtraFieldSchema):
    name = fields.String(metadata={"description": "the key inside a report's fields object"})
    choices = fields.List(
        fields.Nested(FieldChoiceSchema),
        allow_none=True,
        metadata={"description": "the values it takes, or null for free input"},
    )


class IncidentCategoryOutSchema(Schema):
    key = fields.String()
    label = fields.Nested(LabelSchema)
    description = fields.Nested(LabelSchema)
    urgent = fields.Boolean(metadata={"description": "reporting it alerts the whole district at once"})
    max_photos = fields.Integer()
    fields_ = fields.List(
        fields.Nested(IncidentFieldSchema),
        data_key="fields",
        attribute="fields",
        metadata={"description": "the extra fields a report of it carries in its fields object"},
    )


class IncidentCategoryListSchema(Schema):
    incident_categories = fields.List(fields.Nested(IncidentCategoryOutSchema))


# ---------------------------------------------------------------------------
# Incidents and their timeline
# ---------------------------------------------------------------------------


class IncidentPersonSchema(Schema):
    id = fields.Integer(allow_none=True, metadata={"description": "null when the name is hidden from the caller"})
    name = fields.String(allow_none=True)


class IncidentOutSchema(Schema):
    id = fields.Integer()
    category = fields.String()
    category_label = fields.Nested(
        LabelSchema, allow_none=True, metadata={"description": "null if the station has switched the category off"}
    )
    description = fields.String()
    fields_ = fields.Dict(keys=fields.String(), data_key="fields", attribute="fields")
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    address = fields.String()
    state = fields.String(validate=validate.OneOf(IncidentState.ALL))
    urgent = fields.Boolean()
    source = fields.String(
        validate=validate.OneOf([IncidentSource.VOLUNTEER, IncidentSource.OPEN311]),
        metadata={"description": "volunteer: a member reported it; open311: another system posted it"},
    )
    reporter_name = fields.String(
        allow_none=True,
        metadata={"description": "null for an Open311 report, or when the reporter hid it from the caller"},
    )
    assignee = fields.Nested(IncidentPersonSchema, allow_none=True)
    duplicate_of = fields.Integer(allow_none=True, metadata={"description": "the report this one duplicates"})
    useful = fields.Boolean(metadata={"description": "an officer confirmed the report useful"})
    photo_urls = fields.List(fields.String())
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class TimelineLineSchema(Schema):
    id = fields.Integer(metadata={"description": "the line's id; the board's changes go by it"})
    kind = fields.String(validate=validate.OneOf(IncidentEventKind.ALL))
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    note = fields.String(metadata={"description": "a useful line's note is the points booked"})
    actor = fields.Nested(IncidentPersonSchema, allow_none=True, metadata={"description": "null: an Open311 client"})
    assignee = fields.Nested(IncidentPersonSchema, allow_none=True, metadata={"description": "assigned lines"})
    created_at = UtcDateTime()


class IncidentDetailSchema(IncidentOutSchema):
    timeline = fields.List(fields.Nested(TimelineLineSchema), metadata={"description": "oldest first"})


class IncidentActionSchema(Schema):
    incident = fields.Nested(IncidentOutSchema)
    event = fields.Nested(TimelineLineSchema, metadata={"description": "the timeline line the action wrote"})


class IncidentBoardSchema(Schema):
    incidents = fields.List(fields.Nested(IncidentOutSchema), metadata={"description": "newest first"})
    has_more = fields.Boolean(metadata={"description": "older ones follow: ask again with before_id"})
    last_event_id = fields.Integer(
        metadata={
            "description": "the station's newest timeline line before the board was read: follow changes after it"
        }
    )


class IncidentChangesSchema(Schema):
    incidents = fields.List(
        fields.Nested(IncidentOutSchema), metadata={"description": "changed after the line given, oldest change first"}
    )
    last_event_id = fields.Integer(metadata={"description": "ask again after this line"})


# ---------------------------------------------------------------------------
# Likely duplicates
# ---------------------------------------------------------------------------


class DuplicateOutSchema(Schema):
    id = fields.Integer()
    category = fields.String()
    description = fields.String()
    address = fields.String()
    distance_m = fields.Integer(allow_none=True, metadata={"description": "null when matched by address"})
    created_at = UtcDateTime()


class DuplicateListSchema(Schema):
    duplicates = fields.List(fields.Nested(DuplicateOutSchema), metadata={"description": "nearest first"})


class DuplicatesErrorDetailSchema(Schema):
    code = fields.String()
    message = fields.String()
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()))
    duplicates = fields.List(
        fields.Nested(DuplicateOutSchema),
        metadata={"description": "with code likely_duplicates: the live reports it probably repeats"},
    )


class DuplicatesErrorSchema(Schema):
    error = fields.Nested(DuplicatesErrorDetailSchema)


# ---------------------------------------------------------------------------
# Input of the actions (a report is loaded by core.incidents.reporting)
# ---------------------------------------------------------------------------

_ROW_ID = {"strict": True, "validate": validate.Range(min=1, max=INT_MAX)}


class StateInSchema(Schema):
    state = fields.String(required=True, validate=validate.OneOf(IncidentState.ALL))
    note = fields.String(load_default="", metadata={"description": f"at most {MAX_NOTE} characters; closing needs one"})
    duplicate_of = fields.Integer(
        load_default=None, allow_none=True, **_ROW_ID, metadata={"description": "with state duplicate: the original"}
    )
    expected_state = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(IncidentState.ALL),
        metadata={"description": "the state the caller saw; 409 changed if it moved since"},
    )


class CommentInSchema(Schema):
    note = fields.String(required=True, metadata={"description": f"1 to {MAX_NOTE} characters"})


class AssignInSchema(Schema):
    assignee_id = fields.Integer(
        required=True,
        allow_none=True,
        **_ROW_ID,
        metadata={"description": "an active officer or volunteer; null takes it back"},
    )
    note = fields.String(load_default="", metadata={"description": f"at most {MAX_NOTE} characters"})


class ReportInSchema(Schema):
    """The JSON report, for the OpenAPI document (the domain loads it)."""

    category = fields.String(required=True)
    description = fields.String(required=True, metadata={"description": "1 to 4000 characters"})
    fields_ = fields.Dict(
        keys=fields.String(),
        data_key="fields",
        attribute="fields",
        metadata={"description": "the category's extra fields"},
    )
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    address = fields.String(metadata={"description": "at most 200 characters; needed without coordinates"})
    hide_name = fields.Boolean(metadata={"description": "hide the reporter's name from other volunteers (not staff)"})
    report_anyway = fields.Boolean(
        metadata={"description": "true: report even if likely duplicates exist (else they are offered with a 409)"}
    )


# ---------------------------------------------------------------------------
# What a caller is shown (the views dump these with the schemas above)
# ---------------------------------------------------------------------------


def _choices(station, field):
    """A field's ``[{value, label}]``, from ``metadata["choices"]`` (a list, or a
    callable of the station as task types allow) or a ``OneOf`` validator."""
    choices = field.metadata.get("choices")
    if callable(choices):
        choices = choices(station)
    if choices:
        return [
            {"value": str(value), "label": text_json(label) if hasattr(label, "zh") else None}
            for value, label in choices
        ]
    for validator in getattr(field, "validators", ()) or ():
        if hasattr(validator, "choices") and hasattr(validator, "labels"):  # marshmallow's OneOf
            return [{"value": str(value), "label": None} for value in validator.choices]
    return None


def category_out(station, category):
    loader = category.fields_loader()
    extra = [
        {
            "name": field.data_key or name,
            "label": text_json(field.metadata.get("label")) if hasattr(field.metadata.get("label"), "zh") else None,
            "required": field.required,
            "type": json_type(field),
            "choices": _choices(station, field),
        }
        for name, field in (loader.fields.items() if loader else ())
        if not field.dump_only
    ]
    return {
        "key": category.key,
        "label": text_json(category.label),
        "description": text_json(category.description),
        "urgent": category.urgent,
        "max_photos": category.max_photos,
        "fields": extra,
    }


class People:
    """Names as ``viewer`` may see them: one query for all of them, and the
    reporter of an incident who hid their name from the viewer shown as
    :data:`HIDDEN` wherever they appear on it (the web page does the same)."""

    def __init__(self, station, viewer, incidents, events=()):
        self.names = board.names_of(
            [i.assignee_id for i in incidents] + [e.actor_id for e in events] + [e.assignee_id for e in events]
        )
        self.reporters = {i.id: board.reporter_name(station, viewer, i) for i in incidents}

    def hidden(self, incident, user_id):
        return user_id is not None and user_id == incident.reporter_id and self.reporters[incident.id] is None

    def person(self, incident, user_id):
        if user_id is None:
            return None
        if self.hidden(incident, user_id):
            return dict(HIDDEN)
        return {"id": user_id, "name": self.names.get(user_id, "")}


def _incident_out(station, incident, people):
    category = station.incident_category(incident.category)
    return {
        "id": incident.id,
        "category": incident.category,
        "category_label": text_json(category.label) if category else None,
        "description": incident.description,
        "fields": incident.fields or {},
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "address": incident.address,
        "state": incident.state,
        "urgent": incident.urgent,
        "source": incident.source,
        "reporter_name": people.reporters[incident.id],
        "assignee": people.person(incident, incident.assignee_id),
        "duplicate_of": incident.duplicate_of_id,
        "useful": incident.useful,
        "photo_urls": [
            PHOTO_URL.format(station=station.slug, incident_id=incident.id, position=n)
            for n in range(1, len(incident.photos or []) + 1)
        ],
        "created_at": incident.created_at,
        "updated_at": incident.updated_at,
    }


def _line_out(incident, event, people):
    return {
        "id": event.id,
        "kind": event.kind,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "note": event.note,
        "actor": people.person(incident, event.actor_id),
        "assignee": people.person(incident, event.assignee_id),
        "created_at": event.created_at,
    }


def incidents_out(station, viewer, incidents):
    people = People(station, viewer, incidents)
    return [_incident_out(station, incident, people) for incident in incidents]


def incident_detail(station, viewer, incident):
    events = lifecycle.timeline(incident)
    people = People(station, viewer, [incident], events)
    body = _incident_out(station, incident, people)
    body["timeline"] = [_line_out(incident, event, people) for event in events]
    return dump(IncidentDetailSchema, body)


def action_out(station, viewer, incident, event):
    people = People(station, viewer, [incident], [event])
    body = {"incident": _incident_out(station, incident, people), "event": _line_out(incident, event, people)}
    return dump(IncidentActionSchema, body)


def duplicates_out(found):
    return [
        {
            "id": incident.id,
            "category": incident.category,
            "description": incident.description,
            "address": incident.address,
            "distance_m": metres,
            "created_at": incident.created_at,
        }
        for incident, metres in found
    ]
