"""What the incident pages fetch: live changes, likely duplicates, photos.

- ``/incidents/stream``: Server-Sent Events. The database is the bus (see
  :func:`core.incidents.board.changed_since`), so any app server answers:
  the response polls every :data:`POLL_SECONDS` and sends one event per
  batch of changed incidents, its id the last timeline line seen, so a
  reconnecting EventSource resumes after it (``Last-Event-ID``; a page
  opening the stream gives ``?after=`` the line it was rendered at). It ends
  after :data:`MAX_SECONDS`, so a sync worker is not held for ever.
- ``/incidents/changes.json``: the same as a JSON poll, where there is no EventSource.
- ``/incidents/duplicates``: the likely duplicates of a report being written.
- ``/incidents/<id>/photos/<n>``: an incident's photos, for members of its station.

Events carry only ids and states: the page re-fetches its own filtered list,
so a filter never has to be re-implemented in JavaScript.
Tests set :data:`POLL_SECONDS` and :data:`MAX_SECONDS` to tiny values.
"""

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..incidents import IncidentError, board, reporting
from ..photos import thumbnail_path, uploads_root
from .auth import station_member_required
from .incident_pages import incident_place, me
from .row_ids import ROW_ID
from .sse import event_id, event_stream, resume_after

bp = Blueprint("incident_stream", __name__, url_prefix="/s/<station>")

POLL_SECONDS = 2.0
MAX_SECONDS = 25.0
RETRY_MS = 3000  # how soon the browser reconnects after a response ends


def _after_id():
    """Where to resume: ``Last-Event-ID`` or ``?after=``, else now."""
    after = resume_after()
    return board.last_event_id(g.station) if after is None else after


def change_json(incident):
    return {"id": incident.id, "state": incident.state, "category": incident.category, "urgent": incident.urgent}


@bp.route("/incidents/stream")
def stream():
    # an EventSource cannot follow a redirect to the sign-in page: 401, not 302
    if not current_user.is_authenticated:
        abort(401)
    if current_user.station_id != g.station.id:
        abort(404)
    station = g.station
    last = _after_id()

    def poll():
        nonlocal last
        changed, last_seen = board.changed_since(station, last)
        if last_seen == last:
            return ""
        last = last_seen
        body = {"incidents": [change_json(incident) for incident in changed]}
        return f"id: {last}\ndata: {json.dumps(body, ensure_ascii=False)}\n\n"

    return event_stream(poll, poll_seconds=POLL_SECONDS, max_seconds=MAX_SECONDS, retry_ms=RETRY_MS)


@bp.route("/incidents/changes.json")
@station_member_required
def changes():
    """The poll fallback: incidents changed after timeline line ``after``."""
    changed, last = board.changed_since(g.station, event_id(request.args.get("after"), "after") or 0)
    return jsonify(last=last, incidents=[change_json(incident) for incident in changed])


@bp.route("/incidents/duplicates")
@station_member_required
def duplicates():
    """Live reports that are probably what is being reported, to offer before sending."""
    category = g.station.incident_category(request.args.get("category", ""))
    if category is None:
        abort(400, description=_("“category”: not an incident category of this station."))
    try:
        latitude, longitude = (
            _coordinate(request.args.get(name, ""), name, limit)
            for name, limit in (("latitude", 90), ("longitude", 180))
        )
    except ValueError as error:
        abort(400, description=str(error))
    if (latitude is None) != (longitude is None):
        abort(400, description=_("“longitude”: give both latitude and longitude, or neither."))
    address = request.args.get("address", "")[: reporting.MAX_ADDRESS]
    found = reporting.likely_duplicates(
        g.station, category.key, latitude=latitude, longitude=longitude, address=address
    )
    return jsonify(
        duplicates=[
            {
                "id": incident.id,
                "description": incident.description[:120],
                "place": incident_place(incident),
                "metres": metres,
                "url": url_for("incidents.detail", incident_id=incident.id),
            }
            for incident, metres in found
        ]
    )


def _coordinate(raw, name, limit):
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value is None or not -limit <= value <= limit:  # NaN fails the comparison too
        raise ValueError(
            _("“%(field)s”: expected a number from %(low)s to %(high)s.", field=name, low=-limit, high=limit)
        )
    return value


def send_photo(incident_id, position, thumb):
    try:
        path = board.photo_path(g.station, me(), incident_id, position)
    except IncidentError:
        abort(404)
    if thumb:
        path = thumbnail_path(path).as_posix()
    response = send_from_directory(uploads_root(current_app), path, mimetype="image/jpeg", max_age=86400)
    response.cache_control.public = False
    response.cache_control.private = True  # a station's reports: never in a shared cache
    return response


@bp.route(f"/incidents/<{ROW_ID}:incident_id>/photos/<int(min=1, max=99):position>")
@station_member_required
def photo(incident_id, position):
    return send_photo(incident_id, position, thumb=False)


@bp.route(f"/incidents/<{ROW_ID}:incident_id>/photos/<int(min=1, max=99):position>/thumb")
@station_member_required
def photo_thumb(incident_id, position):
    return send_photo(incident_id, position, thumb=True)
