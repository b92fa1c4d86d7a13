"""The extra fields a task type or an incident category asks for, as its
marshmallow schema (``fields_loader()``) declares them: their label, their
type in JSON, and their bounds. Pages (``core.web.extra_field_inputs``) and
the API (task types, incident categories) describe them from here."""

from marshmallow import fields, validate

from .i18n import Text

_JSON_TYPES = (
    (fields.Boolean, "boolean"),
    (fields.Integer, "integer"),
    (fields.Number, "number"),
    (fields.Date, "date"),
    (fields.DateTime, "datetime"),
    (fields.Time, "time"),
    (fields.List, "list"),
    (fields.Tuple, "list"),
    (fields.Dict, "object"),
    (fields.Nested, "object"),
)


def field_label(name, field):
    """The field's label (``metadata={"label": Text(...)}`` or a zh/en dict), else its name."""
    label = (field.metadata or {}).get("label") if field is not None else None
    if isinstance(label, dict):
        label = Text(label.get("zh", name), label.get("en", name))
    return label or name.replace("_", " ").capitalize()


def bounds(field, kind):
    """``(min, max)`` of the field's ``Range`` (``kind="range"``) or
    ``Length`` (``kind="length"``) validator; ``(None, None)`` without one."""
    for validator in field.validators:
        if kind == "range" and isinstance(validator, validate.Range):
            return validator.min, validator.max
        if kind == "length" and isinstance(validator, validate.Length):
            return validator.min, validator.max
    return None, None


def json_type(field):
    """The field's value type as the API documents it."""
    for kind, name in _JSON_TYPES:
        if isinstance(field, kind):
            return name
    return "string"
