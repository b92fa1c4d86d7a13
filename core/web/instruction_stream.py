"""New instructions, live: Server-Sent Events at ``/s/<station>/instructions/stream``.

The database is the bus, so any app server answers: the response polls
:func:`core.groups.instructions.instructions_of` every :data:`POLL_SECONDS`
and sends each new instruction as an event with its id, so a reconnecting
EventSource resumes after the last one it had (``Last-Event-ID``; a page
opening the stream gives ``?after=`` the newest one it shows). The response
ends after :data:`MAX_SECONDS`, so a sync worker is not held for ever; the
``retry:`` field tells the browser when to come back (:mod:`core.web.sse`).

Tests set :data:`POLL_SECONDS` and :data:`MAX_SECONDS` to tiny values.
"""

import json

from flask import Blueprint, abort, g
from flask_login import current_user

from ..groups import instructions
from .group_pages.common import instruction_json
from .sse import event_stream, resume_after

bp = Blueprint("instruction_stream", __name__, url_prefix="/s/<station>")

POLL_SECONDS = 2.0
MAX_SECONDS = 25.0
RETRY_MS = 3000  # how soon the browser reconnects after a response ends
BATCH = 50  # the most instructions one poll sends


def event(instruction, unread):
    """One instruction as an SSE event (its id, one JSON ``data:`` line)."""
    body = dict(instruction_json(instruction), unread=unread)
    return f"id: {instruction.id}\ndata: {json.dumps(body, ensure_ascii=False)}\n\n"


@bp.route("/instructions/stream")
def stream():
    # an EventSource cannot follow a redirect to the sign-in page: 401, not 302
    if not current_user.is_authenticated:
        abort(401)
    if current_user.station_id != g.station.id:
        abort(404)
    user = current_user._get_current_object()
    last = resume_after()

    def poll():
        nonlocal last
        fresh = instructions.instructions_of(user, after_id=last, limit=BATCH)
        unread = instructions.unread_count(user) if fresh else None
        chunks = []
        for instruction in reversed(fresh):  # oldest first
            chunks.append(event(instruction, unread))
            last = instruction.id
        return "".join(chunks)

    return event_stream(poll, poll_seconds=POLL_SECONDS, max_seconds=MAX_SECONDS, retry_ms=RETRY_MS)
