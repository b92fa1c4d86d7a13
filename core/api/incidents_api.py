"""Incidents API routes (警情与求助): categories, the board and what changed
on it, reporting (likely duplicates offered first), an incident with its
timeline and photos, and the triage actions.

Every route needs the bearer token of a member of the station. Listing,
reporting and the duplicates lookup answer anyone else 403; an incident of
another station is not found (404), exactly like a missing one. The rules
themselves are :mod:`core.incidents`'; routes are added to the API blueprint
of :mod:`core.api.views` (``IncidentError`` is a ``Refused``: the handler in
:mod:`core.api.common` answers it), the OpenAPI data is in
:mod:`core.api.incidents_openapi`.

A report comes as a JSON object, or as ``multipart/form-data`` with the
photos as files under ``photos`` and the extra fields as a JSON object in the
form field ``fields`` (as submissions do).
"""

import re

from flask import current_app, g, request, send_from_directory

from ..incidents import IncidentError, board, lifecycle, reporting
from ..incidents.categories import MAX_PHOTOS
from ..incidents.errors import forbidden, not_found
from ..photos import thumbnail_path, uploads_root
from . import common
from .bodies import _bad_text, dump, photo_form, read_photos
from .common import invalid, json_object, load, query_choice
from .errors import ApiError
from .idempotency import idempotent
from .incidents_schemas import (
    AssignInSchema,
    CommentInSchema,
    DuplicateListSchema,
    IncidentBoardSchema,
    IncidentCategoryListSchema,
    IncidentChangesSchema,
    StateInSchema,
    action_out,
    category_out,
    duplicates_out,
    incident_detail,
    incidents_out,
)
from .points_schemas import INT_MAX
from .submissions_api import PHOTO_MAX_AGE
from .task_helpers import query_int
from .tokens import token_required
from .views import bp

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
REPORT_FORM_FIELDS = (
    "category",
    "description",
    "fields",
    "latitude",
    "longitude",
    "address",
    "hide_name",
    "report_anyway",
)
FORM_BOOLEANS = {"true": True, "false": False}
# a coordinate in the query: plain decimal, so "nan", "1e999" and the like are refused
_COORDINATE = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{1,15})?")


# ---------------------------------------------------------------------------
# The caller, the query and the form
# ---------------------------------------------------------------------------


def _id_or_404(value):
    """A path id the database can compare; a larger one is no incident (SQLite cannot even compare it)."""
    if value > INT_MAX:
        raise not_found("incident")
    return value


def _member(station, user):
    """Only the station's members see its board (an incident alone is a 404 instead)."""
    if not lifecycle.is_station_member(station, user):
        raise forbidden("only members of this station see its incidents", "not_a_member")


def _query_category(station, required=False):
    key = request.args.get("category")
    if key is None and not required:
        return None
    if key is None or station.incident_category(key) is None:
        known = ", ".join(c.key for c in station.incident_categories)
        raise invalid({"category": [f"expected one of this station's incident categories: {known}"]})
    return key


def _query_coordinate(name, limit, problems):
    """An optional coordinate of the query (``None`` if absent); a bad one goes into ``problems``."""
    text = request.args.get(name)
    if text is None or text == "":
        return None
    if not _COORDINATE.fullmatch(text) or not -limit <= float(text) <= limit:
        problems[name] = [f"expected a number from {-limit} to {limit}"]
        return None
    return float(text)


def _report_form(station):
    """A multipart report: (its fields as a JSON report would have them, photo bytes).

    Each form field comes once; ``fields`` is a JSON object as text; an empty
    field is left out; photos are read up to one byte past the station's size
    limit, so that :func:`core.photos.save_photo` can say one is too large.
    """
    raw, uploads, problems = photo_form(REPORT_FORM_FIELDS, max_photos=MAX_PHOTOS, example='{"plate": "云A12345"}')
    if "report_anyway" in raw:
        raw["report_anyway"] = FORM_BOOLEANS.get(raw["report_anyway"], raw["report_anyway"])
    if problems:
        raise invalid(problems)
    return raw, read_photos(uploads, station.config.tasks.max_photo_bytes)


def _load_report(station, raw, photo_count):
    """(the loaded report, the category, whether to report despite duplicates); a 400 names every field at fault."""
    problems = {}
    anyway = raw.pop("report_anyway", False)
    if not isinstance(anyway, bool):
        problems["report_anyway"] = ["expected true or false"]
    try:
        data = reporting.load_report(raw)
    except IncidentError as error:
        if error.status != 400:
            raise
        problems.update(error.fields or {})
        data = None
    if problems:
        raise invalid(problems)
    category, _extra = reporting.check_category(station, data, photo_count)
    return data, category, anyway


# ---------------------------------------------------------------------------
# Categories, the board, changes, duplicates
# ---------------------------------------------------------------------------


@bp.get("/s/<station>/incident-categories")
@token_required
def list_incident_categories():
    station = g.station
    _member(station, g.api_user)
    body = {"incident_categories": [category_out(station, c) for c in station.incident_categories]}
    return dump(IncidentCategoryListSchema, body)


@bp.get("/s/<station>/incidents")
@token_required
def incident_board():
    station, user = g.station, g.api_user
    _member(station, user)
    category = _query_category(station)
    state = query_choice("state", board.STATE_FILTERS, "live")
    before_id = query_int("before_id", None, 1, INT_MAX)
    last = board.last_event_id(station)  # read first: a change made meanwhile is then not missed
    found = board.board(station, category=category, state=state, before_id=before_id, limit=board.BOARD_SIZE + 1)
    body = {
        "incidents": incidents_out(station, user, found[: board.BOARD_SIZE]),
        "has_more": len(found) > board.BOARD_SIZE,
        "last_event_id": last,
    }
    return dump(IncidentBoardSchema, body)


@bp.get("/s/<station>/incidents/changes")
@token_required
def incident_changes():
    station, user = g.station, g.api_user
    _member(station, user)
    after = query_int("after", 0, 0, INT_MAX)
    changed, last = board.changed_since(station, after)
    return dump(IncidentChangesSchema, {"incidents": incidents_out(station, user, changed), "last_event_id": last})


@bp.get("/s/<station>/incidents/duplicates")
@token_required
def incident_duplicates():
    station = g.station
    _member(station, g.api_user)
    category = _query_category(station, required=True)
    problems = {}
    coordinates = {
        name: _query_coordinate(name, limit, problems) for name, limit in (("latitude", 90), ("longitude", 180))
    }
    address = request.args.get("address", "")
    if len(address) > reporting.MAX_ADDRESS or _bad_text(address):
        problems["address"] = [f"at most {reporting.MAX_ADDRESS} characters, without NUL characters"]
    if not problems and (coordinates["latitude"] is None) != (coordinates["longitude"] is None):
        problems["longitude"] = ["give both latitude and longitude, or neither"]
    if not problems and coordinates["latitude"] is None and not address.strip():
        problems["location"] = ["say where: latitude and longitude, or an address"]
    if problems:
        raise invalid(problems)
    found = reporting.likely_duplicates(station, category, address=address, now=common.now(), **coordinates)
    return dump(DuplicateListSchema, {"duplicates": duplicates_out(found)})


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


@bp.post("/s/<station>/incidents")
@token_required
@idempotent
def create_incident():
    station, user = g.station, g.api_user
    if not reporting.may_report(station, user):  # before reading photos
        raise forbidden("only members of this station report incidents here", "not_a_member")
    if request.mimetype in FORM_TYPES:
        raw, photos = _report_form(station)
    else:
        raw, photos = dict(json_object()), []
    data, category, anyway = _load_report(station, raw, len(photos))
    now = common.now()
    if not anyway:
        # the same thing reported already: offer it first; nothing is stored
        found = reporting.likely_duplicates(
            station,
            category.key,
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            address=data["address"],
            now=now,
        )
        if found:
            raise ApiError(
                409,
                "likely_duplicates",
                "this was probably reported already; send report_anyway: true to report it all the same",
                extra=dump(DuplicateListSchema, {"duplicates": duplicates_out(found)}),
            )
    incident = reporting.report(station, user, data, photos, now=now)
    return incident_detail(station, user, incident), 201


# ---------------------------------------------------------------------------
# One incident: details, photos, actions
# ---------------------------------------------------------------------------


@bp.get("/s/<station>/incidents/<int:incident_id>")
@token_required
def show_incident(incident_id):
    station, user = g.station, g.api_user
    incident = lifecycle.visible_incident(station, user, _id_or_404(incident_id))
    return incident_detail(station, user, incident)


@bp.get("/s/<station>/incidents/<int:incident_id>/photos/<int:position>")
@token_required
def incident_photo(incident_id, position):
    station = g.station
    thumb = query_choice("thumb", ("0", "1"), "0") == "1"
    path = board.photo_path(station, g.api_user, _id_or_404(incident_id), position)
    if thumb:
        path = thumbnail_path(path).as_posix()
    response = send_from_directory(uploads_root(current_app), path, mimetype="image/jpeg", max_age=PHOTO_MAX_AGE)
    response.cache_control.private = True  # a station's reports: never in a shared cache
    response.cache_control.public = False
    response.vary.add("Authorization")
    return response


def _acted(incident_and_event):
    incident, event = incident_and_event
    return action_out(g.station, g.api_user, incident, event)


@bp.post("/s/<station>/incidents/<int:incident_id>/state")
@token_required
@idempotent
def change_incident_state(incident_id):
    station, user = g.station, g.api_user
    lifecycle.visible_incident(station, user, _id_or_404(incident_id))  # 404 before reading the body
    data = load(StateInSchema(), json_object())
    return _acted(
        lifecycle.change_state(
            station,
            user,
            incident_id,
            data["state"],
            note=data["note"],
            duplicate_of=data["duplicate_of"],
            expected_state=data["expected_state"],
            now=common.now(),
        )
    )


@bp.post("/s/<station>/incidents/<int:incident_id>/comments")
@token_required
@idempotent
def comment_on_incident(incident_id):
    station, user = g.station, g.api_user
    lifecycle.visible_incident(station, user, _id_or_404(incident_id))
    data = load(CommentInSchema(), json_object())
    return _acted(lifecycle.comment(station, user, incident_id, data["note"], now=common.now())), 201


@bp.post("/s/<station>/incidents/<int:incident_id>/assign")
@token_required
@idempotent
def assign_incident(incident_id):
    station, user = g.station, g.api_user
    lifecycle.visible_incident(station, user, _id_or_404(incident_id))
    data = load(AssignInSchema(), json_object())
    return _acted(
        lifecycle.assign(station, user, incident_id, data["assignee_id"], note=data["note"], now=common.now())
    )


@bp.post("/s/<station>/incidents/<int:incident_id>/useful")
@token_required
@idempotent
def confirm_incident_useful(incident_id):
    station, user = g.station, g.api_user
    return _acted(lifecycle.confirm_useful(station, user, _id_or_404(incident_id), now=common.now()))
