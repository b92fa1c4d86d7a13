"""The GeoReport v2 documents as plain data, ready for :mod:`.render`.

Nothing here reads the request; the views pass what is needed in. A request
document never carries the reporter's name or an Open311 client's contact
details: those stay with the station's officers.
"""

from datetime import UTC

from marshmallow import fields, validate

from ..models import IncidentState

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When what this endpoint serves last changed (the spec's changeset): bump it
# when documents change shape.
CHANGESET = "2026-11-28T00:00:00Z"
TEXT_OVER = 200  # a string field longer than this is the spec's "text"


def w3c(moment, tz):
    """A stored naive-UTC time as W3C date-time in the station's zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(tz).isoformat(timespec="seconds")


def _text(value, lang):
    """A :class:`core.Text` (or plain string) in ``lang`` ("zh" or "en")."""
    if value is None:
        return ""
    return getattr(value, lang, None) or str(value)


def discovery(url, contact):
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": "API keys are issued per station by its admin (redarmband open311 keys create).",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def service(category, lang):
    return {
        "service_code": category.key,
        "service_name": _text(category.label, lang),
        "description": _text(category.description, lang),
        "metadata": bool(_schema_fields(category)),
        "type": "realtime",
        "keywords": ",".join(category.keywords),
        "group": category.group,
    }


def service_definition(category, lang):
    return {
        "service_code": category.key,
        "attributes": [
            _attribute(name, field, order, lang)
            for order, (name, field) in enumerate(_schema_fields(category).items(), start=1)
        ],
    }


def _schema_fields(category):
    loader = category.fields_loader()
    if loader is None:
        return {}
    return {field.data_key or name: field for name, field in loader.load_fields.items()}


def _validators(field):
    return list(getattr(field, "validators", ()) or ())


def _choices(field, lang):
    """The ``[{key, name}]`` of a field that takes one of a few values, or ``None``."""
    choices = field.metadata.get("choices")
    if choices:
        return [{"key": str(value), "name": _text(label, lang)} for value, label in choices]
    for validator in _validators(field):
        if isinstance(validator, validate.OneOf):
            labels = validator.labels if len(validator.labels) == len(validator.choices) else validator.choices
            return [
                {"key": str(value), "name": str(label)} for value, label in zip(validator.choices, labels, strict=True)
            ]
    if isinstance(field, fields.Boolean):
        return [{"key": "true", "name": "true"}, {"key": "false", "name": "false"}]
    return None


def _datatype(field, choices):
    if choices is not None:
        return "singlevaluelist"
    if isinstance(field, fields.Number):  # Integer, Float, Decimal
        return "number"
    if isinstance(field, (fields.DateTime, fields.Date)):  # AwareDateTime and NaiveDateTime too
        return "datetime"
    longest = _longest(field)
    if isinstance(field, fields.String) and longest is not None and longest > TEXT_OVER:
        return "text"
    return "string"


def _longest(field):
    lengths = [v.max for v in _validators(field) if isinstance(v, validate.Length) and v.max is not None]
    return min(lengths) if lengths else None


def _datatype_description(field, datatype):
    """What a client should send, in words (English: it is for developers)."""
    if datatype == "singlevaluelist":
        return "one of the keys of values"
    if datatype == "datetime":
        return "a W3C date-time, e.g. 2026-11-28T18:00:00+08:00"
    if datatype == "number":
        kind = "a whole number" if isinstance(field, fields.Integer) else "a number"
        for v in _validators(field):
            if isinstance(v, validate.Range) and v.min is not None and v.max is not None:
                return f"{kind} from {v.min} to {v.max}"
        return kind
    longest = _longest(field)
    return f"text of at most {longest} characters" if longest else "text"


def _attribute(code, field, order, lang):
    choices = _choices(field, lang)
    datatype = _datatype(field, choices)
    attribute = {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": bool(field.required),
        "datatype_description": _datatype_description(field, datatype),
        "order": order,
        "description": _text(field.metadata.get("label"), lang) or code,
    }
    if choices is not None:
        attribute["values"] = choices
    return attribute


def open_or_closed(state):
    return "closed" if state in IncidentState.CLOSED else "open"


def service_request(station, incident, category, notes, media_url, lang):
    """``notes``: the note of the incident's last state change (status_notes)."""
    tz = station.config.tz
    return {
        "service_request_id": incident.id,
        "status": open_or_closed(incident.state),
        "status_notes": notes,
        "service_name": _text(category.label, lang) if category else incident.category,
        "service_code": incident.category,
        "description": incident.description,
        "agency_responsible": station.config.name,
        "service_notice": "",
        "requested_datetime": w3c(incident.created_at, tz),
        "updated_datetime": w3c(incident.updated_at, tz),
        "expected_datetime": None,
        "address": incident.address,
        "address_id": None,
        "zipcode": None,
        "lat": incident.latitude,
        "long": incident.longitude,
        "media_url": media_url,
    }


def posted(incident, notice, account_id):
    return {"service_request_id": incident.id, "service_notice": notice, "account_id": account_id}


def token(incident):
    return {"service_request_id": incident.id, "token": incident.token}
