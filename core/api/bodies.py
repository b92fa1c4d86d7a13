"""Request bodies of the API: a JSON object, loaded by a marshmallow schema,
with every refusal a 400 naming the fields."""
from flask import request
from marshmallow import RAISE, ValidationError

from .errors import ApiError


def invalid(fields):
    return ApiError(400, "invalid_input", f"invalid fields: {', '.join(sorted(fields))}", fields)


def _bad_text(value):
    """True if ``value`` holds text the databases refuse: NUL characters or
    unpaired surrogates (looked for without recursion: JSON may nest deeply)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def json_object():
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "expected a JSON object as the request body")
    bad = sorted(key for key, value in body.items() if _bad_text(key) or _bad_text(value))
    if bad:
        fields = {
            key.encode("utf-8", "backslashreplace").decode(): ["must not contain NUL or unpaired surrogates"]
            for key in bad
        }
        raise invalid(fields)
    return body


def load(schema, body):
    return load_with(lambda data: schema.load(data, unknown=RAISE), body)


def load_with(loader, body):
    """``loader(body)``, with marshmallow's errors as a 400 naming each field."""
    try:
        return loader(body)
    except ValidationError as error:
        raise invalid(
            {key: value if isinstance(value, list) else [str(value)] for key, value in error.messages.items()}
        )


# ---------------------------------------------------------------------------
# The query string and the path
# ---------------------------------------------------------------------------


_kept_schemas = {}


def dump(schema_class, data):
    """``schema_class().dump(data)`` with one kept instance per schema class:
    making a schema (and its nested ones) costs more than using it."""
    schema = _kept_schemas.get(schema_class)
    if schema is None:
        schema = _kept_schemas.setdefault(schema_class, schema_class())
    return schema.dump(data)
