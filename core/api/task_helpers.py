"""What the task routes share: reading ids, keys, numbers and task types
from the path and the query; hours and people as the answers show them."""

import re

from flask import request

from ..tasks.errors import not_found
from .common import invalid
from .points_schemas import INT_MAX

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 100_000


def id_or_404(value, what):
    """A path id the database can compare; a larger one names nothing."""
    if value > INT_MAX:  # SQLite cannot even compare it
        raise not_found(what)
    return value


def key_or_404(key, what):
    """A key from the path that could be stored: at most 60 characters and
    no control characters (PostgreSQL cannot even compare a NUL)."""
    if len(key) > 60 or any(ord(character) < 32 or ord(character) == 127 for character in key):
        raise not_found(what)
    return key


def query_int(name, default, low, high):
    text = request.args.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,10}", text) or not low <= int(text) <= high:
        raise invalid({name: [f"expected a whole number from {low} to {high}"]})
    return int(text)


def query_type(station, name="type"):
    """An optional task type filter; it must be one of the station's."""
    key = request.args.get(name)
    if key is None:
        return None
    if station.task_type(key) is None:
        known = ", ".join(t.key for t in station.task_types)
        raise invalid({name: [f"unknown task type at this station; expected one of: {known}"]})
    return key


def hours_json(minutes):
    return None if minutes is None else round(minutes / 60, 1)


def is_staff_of(station, user):
    return user.station_id == station.id and user.is_staff


def person_json(user):
    return {"id": user.id, "name": user.name}


def task_json(task, signed_up=None):
    body = {
        "id": task.id,
        "type": task.type_key,
        "title": task.title,
        "place": task.place,
        "starts_at": task.starts_at,
        "ends_at": task.ends_at,
        "capacity": task.capacity,
        "taken": task.taken,
        "places_left": max(0, task.capacity - task.taken),
        "notes": task.notes,
        "series_id": task.series_id,
    }
    if signed_up is not None:
        body["signed_up"] = signed_up
    return body
