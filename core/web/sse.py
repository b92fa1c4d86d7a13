"""Server-Sent Events for live pages, with the database as the bus.

A response polls the database every ``poll_seconds`` and sends what
changed; it ends after ``max_seconds`` so a worker is not held for ever, and
its ``retry:`` field tells the browser when to come back (an EventSource
then reconnects with ``Last-Event-ID``). Any app server can answer, since
nothing is kept in memory between polls. On PostgreSQL the pooled
connection goes back to the pool between polls.
"""

import time

from flask import Response, abort, request, stream_with_context
from flask_babel import gettext as _

from ..db import database, is_sqlite

MAX_EVENT_ID_DIGITS = 12
WAITING = ": waiting\n\n"  # a comment when there is nothing: a gone client is noticed at once


def event_stream(poll, *, poll_seconds, max_seconds, retry_ms=3000):
    """A ``text/event-stream`` response; ``poll()`` returns the events (text
    in SSE form) of what changed since its last call, or ``""``."""
    pooled = not is_sqlite()

    def events():
        ends = time.monotonic() + max_seconds
        yield f"retry: {retry_ms}\n\n"
        while True:
            if pooled:
                database.connect(reuse_if_open=True)
            try:
                chunk = poll()
            finally:
                if pooled and not database.is_closed():
                    database.close()  # back to the pool while this response waits
            yield chunk or WAITING
            if time.monotonic() >= ends:
                return
            time.sleep(max(0.0, min(poll_seconds, ends - time.monotonic())))

    response = Response(stream_with_context(events()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass events on at once
    return response


def event_id(raw, where):
    """``raw`` (from ``where``) as an event id; ``None`` when empty. Anything
    but a plain number is a 400 naming ``where``."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > MAX_EVENT_ID_DIGITS:
        abort(400, description=_("“%(field)s”: expected a number.", field=where))
    return int(raw)


def resume_after():
    """The event id a live stream resumes after: ``Last-Event-ID`` (sent by a
    reconnecting EventSource), else ``?after=`` (the page's last one), else
    ``None``. Both live streams and their poll fallbacks read it here."""
    header = event_id(request.headers.get("Last-Event-ID"), "Last-Event-ID")
    return header if header is not None else event_id(request.args.get("after"), "after")
