"""Reading the query string and form of an Open311 request.

Empty parameters count as absent (clients send ``start_date=&status=``).
Every refusal is a 400 naming the parameter; nothing a client sends reaches
the database unchecked (PostgreSQL refuses a NUL in a query parameter, and a
50-digit id overflows its integers), so values are checked here first.
"""

import re
from datetime import UTC, datetime, timedelta

from flask import request

from ..tenancy import current_tenancy
from .errors import Open311Error, bad_parameter, not_found

MAX_WINDOW = timedelta(days=90)  # the spec's default window and widest range
MAX_RESULTS = 1000  # the spec's cap on GET requests
MAX_IDS = 1000
ID_PATTERN = re.compile(r"[0-9]{1,18}")  # fits PostgreSQL's bigint
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")
STATUSES = ("open", "closed")
MIN_YEAR, MAX_YEAR = 1970, 2999


def param(name):
    """A form or query parameter, stripped; ``None`` when absent or empty.
    The form wins; the query string is read too (``api_key`` is often there)."""
    value = request.form.get(name) if request.method == "POST" else None
    if value is None or not value.strip():
        value = request.args.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def station_param():
    """The station ``jurisdiction_id`` names. Without one, the only enabled
    station if there is exactly one; otherwise a 400."""
    slug = param("jurisdiction_id")
    stations = current_tenancy().stations
    if slug is None:
        if len(stations) == 1:
            return next(iter(stations.values()))
        raise bad_parameter("jurisdiction_id", f"required; one of: {', '.join(sorted(stations))}")
    station = stations.get(slug)
    if station is None:
        raise Open311Error(404, f"jurisdiction_id: {slug[:60]!r} was not found")
    return station


def row_id(value, name):
    """A row id from a path or parameter; 404 for anything that is not one."""
    if not ID_PATTERN.fullmatch(value or ""):
        raise not_found(f"{name} {value[:40]!r}" if value else name)
    return int(value)


def id_list(name):
    """A comma-separated list of ids, or ``None``."""
    value = param(name)
    if value is None:
        return None
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts or len(parts) > MAX_IDS or not all(ID_PATTERN.fullmatch(part) for part in parts):
        raise bad_parameter(name, f"expected up to {MAX_IDS} ids separated by commas")
    return [int(part) for part in parts]


def word_list(name):
    """A comma-separated list of words, or ``None``."""
    value = param(name)
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()] or None


def statuses():
    """The states ``status`` asks for (``open``, ``closed``), or ``None``."""
    wanted = word_list("status")
    if wanted is None:
        return None
    unknown = [status for status in wanted if status not in STATUSES]
    if unknown:
        raise bad_parameter("status", f"expected open or closed (comma-separated); got {unknown[0][:40]!r}")
    return set(wanted)


def moment(name, tz):
    """A W3C date-time parameter as naive UTC, or ``None``; a time without an
    offset is the station's local time."""
    value = param(name)
    if value is None:
        return None
    try:
        if len(value) > 40:
            raise ValueError
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:  # a window around year 1 or 9999 cannot be computed
            raise ValueError
        return parsed
    except (ValueError, OverflowError):
        raise bad_parameter(
            name, f"expected a W3C date-time from {MIN_YEAR} to {MAX_YEAR}, e.g. 2026-11-28T18:00:00+08:00"
        ) from None


def window(tz, now):
    """``(start, end)`` of GET requests: the last 90 days unless given; a
    range wider than 90 days, or one that ends before it starts, is a 400."""
    start, end = moment("start_date", tz), moment("end_date", tz)
    if start is None and end is None:
        return now - MAX_WINDOW, now
    if start is None:
        return end - MAX_WINDOW, end
    if end is None:
        return start, start + MAX_WINDOW
    if end < start:
        raise bad_parameter("end_date", "is before start_date")
    if end - start > MAX_WINDOW:
        raise bad_parameter("start_date", "the range from start_date to end_date may not span more than 90 days")
    return start, end
