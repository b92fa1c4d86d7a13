"""The inputs of a task type's or an incident category's extra fields on a
page's form (``fields.<name>``), reading them back for the schema, and what
a refused one says. Used by the work pages and the incident pages."""

import re

from flask import g
from flask_babel import gettext as _
from marshmallow import fields as ma_fields

from ..extra_fields import bounds, field_label

TEXTAREA_FROM = 300  # string fields allowing this many characters get a text area


def extra_fields_of(kind):
    """The inputs for the extra fields of ``kind`` (a task type or an
    incident category: anything with ``fields_loader()``)."""
    loader = kind.fields_loader()
    if loader is None:
        return []
    found = []
    for name, field in loader.fields.items():
        item = {"name": f"fields.{name}", "label": field_label(name, field), "required": field.required}
        choices = (field.metadata or {}).get("choices")
        if choices is not None:  # metadata={"choices": [(value, label), …]} or a callable(station) giving them
            item["kind"] = "select"
            item["choices"] = [
                (str(value), label) for value, label in (choices(g.station) if callable(choices) else choices)
            ]
        elif isinstance(field, ma_fields.Integer):
            item["kind"] = "number"
            item["min"], item["max"] = bounds(field, "range")
        elif isinstance(field, ma_fields.Number):
            item["kind"] = "decimal"
            item["min"], item["max"] = bounds(field, "range")
        else:
            _low, longest = bounds(field, "length")
            item["kind"] = "textarea" if longest and longest >= TEXTAREA_FROM else "text"
            item["maxlength"] = longest
        found.append(item)
    return found


def form_extra_fields(loader, form):
    """The ``fields.<name>`` inputs of a page's form as the schema ``loader``
    loads them: empty ones left out (the schema's default, or its
    "required"), whole numbers as numbers, keyed as the schema reads them."""
    extra = {}
    for name, field in loader.fields.items() if loader else ():
        raw = form.get(f"fields.{name}", "").strip()
        if raw == "":
            continue
        key = field.data_key or name
        if isinstance(field, ma_fields.Integer) and re.fullmatch(r"[+-]?\d{1,9}", raw, re.ASCII):
            extra[key] = int(raw)
        else:
            extra[key] = raw
    return extra


def extra_field_problem(loader, name, messages):
    """What to say beside the extra field ``name`` the schema ``loader`` refused with ``messages``."""
    field = loader.fields.get(name) if loader else None
    if field is None:
        return _("Check this field.")
    if any("Missing data" in str(message) for message in messages):
        return _("Fill this in.")
    if isinstance(field, ma_fields.Integer):
        low, high = bounds(field, "range")
        if low is not None and high is not None:
            return _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
        return _("Enter a whole number.")
    _low, longest = bounds(field, "length")
    if longest:
        return _("Check this field (at most %(count)s characters).", count=longest)
    return _("Check this field.")
