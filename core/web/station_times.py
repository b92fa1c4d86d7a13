"""Times typed into and shown on a station's pages, in the station's zone."""

from datetime import UTC, datetime

from flask import g

from ..validation import MAX_YEAR, MIN_YEAR


def station_time(raw):
    """A ``datetime-local`` value, read in the station's zone, as ISO with its
    offset; what does not parse is passed on as typed, for the schema to refuse."""
    raw = (raw or "").strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if not MIN_YEAR <= moment.year <= MAX_YEAR:  # no zone: the schema refuses it (moving it might overflow)
        return moment.replace(tzinfo=None).isoformat()
    if moment.tzinfo is not None:
        return raw  # a zone of its own is taken as given
    return moment.replace(tzinfo=g.station.config.tz).isoformat()


def local_input(stored_utc):
    """A stored time as a ``datetime-local`` value in the station's zone."""
    if stored_utc is None:
        return ""
    return stored_utc.replace(tzinfo=UTC).astimezone(g.station.config.tz).strftime("%Y-%m-%dT%H:%M")


def local_time(stored_utc):
    """A stored (naive UTC) time in the request's station zone, to the minute."""
    if stored_utc is None:
        return ""
    return stored_utc.replace(tzinfo=UTC).astimezone(g.station.config.tz).strftime("%Y-%m-%d %H:%M")
