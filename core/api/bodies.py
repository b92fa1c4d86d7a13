"""Request bodies of the API: a JSON object, loaded by a marshmallow schema,
with every refusal a 400 naming the fields."""

import json

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
        ) from error


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


def photo_form(allowed, *, max_photos, example, keep_empty=()):
    """A multipart body's text fields and photo files, checked alike for every
    API that takes photos: ``(raw fields, photo files, problems by field)``.

    Each field in ``allowed`` comes once; an empty one is left out (but those
    in ``keep_empty``); ``fields`` is a JSON object as text (``example`` shows
    one); photos are the files under ``photos``, at most ``max_photos``. The
    caller adds its own problems and raises them together.
    """
    form, files = request.form, request.files
    problems, raw = {}, {}
    for name in form:
        values = form.getlist(name)
        if name == "photos":
            problems[name] = ["send photos as files, not as text"]
        elif name not in allowed:
            problems[name] = ["unknown field"]
        elif len(values) > 1:
            problems[name] = ["give it once"]
        elif _bad_text(values[0]):
            problems[name] = ["must not contain NUL characters"]
        elif values[0] != "" or name in keep_empty:
            raw[name] = values[0]
    for name in files:
        if name != "photos":
            problems[name] = ["unknown file field; send photos under 'photos'"]
    if "fields" in raw:
        try:
            extra = json.loads(raw["fields"])
        except (ValueError, RecursionError):
            extra = None
        if not isinstance(extra, dict):
            problems["fields"] = [f"expected a JSON object, e.g. {example}"]
        elif _bad_text(extra):
            problems["fields"] = ["must not contain NUL characters or unpaired surrogates"]
        raw["fields"] = extra if isinstance(extra, dict) else {}
    uploads = files.getlist("photos")
    if len(uploads) > max_photos:
        problems["photos"] = [f"at most {max_photos} photos; got {len(uploads)}"]
    return raw, uploads, problems


def read_photos(uploads, max_bytes):
    """Each upload's bytes, read up to one byte past ``max_bytes`` so that
    :func:`core.photos.save_photo` can say one is too large."""
    photos = []
    for upload in uploads:
        photo = upload.stream.read(max_bytes + 1)
        if photo or upload.filename:  # a form's empty file input sends an empty, unnamed part
            photos.append(photo)
    return photos
