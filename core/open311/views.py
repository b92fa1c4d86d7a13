"""The GeoReport v2 routes at ``/open311/v2/``.

Each method answers as ``.json`` or ``.xml``; without an extension, XML (the
spec's default). Errors come in the same format, in the spec's shape. The
station is the ``jurisdiction_id``; a station sees only its own requests.
"""

from flask import Blueprint, current_app, request, send_from_directory, url_for
from werkzeug.exceptions import HTTPException

from ..incidents.keys import key_for
from ..models import (
    Incident,
    IncidentEvent,
    IncidentEventKind,
    IncidentState,
    Role,
    utcnow,
)
from ..photos import uploads_root
from ..tenancy import current_tenancy
from . import documents, params
from .errors import Open311Error, bad_parameter, error_document, forbidden, not_found
from .media import media_url, unsign
from .posting import post_request
from .render import FORMATS, respond

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")


def _with_format(path, methods=("GET",)):
    """Route ``path.json``, ``path.xml`` and ``path`` (XML). The bare path is
    its own endpoint: as a default of the same endpoint, Werkzeug would
    redirect ``path.xml`` to it."""

    def register(view):
        bp.add_url_rule(f"{path}.<fmt>", view.__name__, view, methods=list(methods))
        bp.add_url_rule(path, f"{view.__name__}_bare", view, methods=list(methods), defaults={"fmt": "xml"})
        return view

    return register


def _format_of(path):
    """The format a path asks for: its extension, XML without one."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    _stem, dot, extension = last.rpartition(".")
    return extension if dot and extension in FORMATS else "xml"


def _split(name):
    """``("missing_child", "json")`` from ``missing_child.json``; a name
    without a known extension is XML; another extension is not found."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        return name, "xml"
    if extension not in FORMATS:
        raise not_found(f"format {extension[:10]!r}")
    return stem, extension


def _lang():
    """Chinese unless ``?lang=en`` or the client prefers English."""
    wanted = params.param("lang")
    if wanted in ("en", "zh"):
        return wanted
    return "en" if request.accept_languages.best_match(["zh", "en"]) == "en" else "zh"


@bp.errorhandler(Open311Error)
def _refused(error):
    return respond(error_document(error), _format_of(request.path), "errors", error.status)


def error_for_unrouted(error):
    """An HTTP error of a path below ``/open311`` that matched no route (or
    not with this method), in the spec's shape: the blueprint's own handlers
    never see routing failures (core.web.errors calls this)."""
    refusal = Open311Error(error.code or 404, error.description or error.name)
    return respond(error_document(refusal), _format_of(request.path), "errors", refusal.status)


@bp.errorhandler(HTTPException)
def _http_error(error):
    # e.g. a body over MAX_CONTENT_LENGTH while the form is read
    refusal = Open311Error(error.code or 400, error.description or error.name)
    return respond(error_document(refusal), _format_of(request.path), "errors", refusal.status)


# --- discovery and services -------------------------------------------------


@_with_format("/discovery")
def discovery(fmt):
    _check(fmt)
    url = url_for("open311.discovery_bare", _external=True).removesuffix("discovery")
    contact = "红袖标 Red Armband: the station named by jurisdiction_id (its slug) answers for its requests."
    return respond(documents.discovery(url, contact), fmt, "discovery")


@_with_format("/services")
def services(fmt):
    _check(fmt)
    station = params.station_param()
    lang = _lang()
    return respond([documents.service(category, lang) for category in station.incident_categories], fmt, "services")


@bp.route("/services/<name>")
@bp.route("/service/<name>")  # singular: some clients build the URL so
def service_definition(name):
    code, fmt = _split(name)
    station = params.station_param()
    category = station.incident_category(code)
    if category is None:
        raise not_found(f"service_code {code[:60]!r}")
    return respond(documents.service_definition(category, _lang()), fmt, "service_definition")


# --- requests ---------------------------------------------------------------


@_with_format("/requests", methods=["POST"])
def post_service_request(fmt):
    _check(fmt)
    station = params.station_param()
    key_row = key_for(station, params.param("api_key"))
    if key_row is None:
        raise forbidden("api_key was not provided or is not a live key of this jurisdiction")
    issuer = key_row.issued_by
    if not (issuer.active and issuer.role == Role.STATION_ADMIN and issuer.station_id == station.id):
        # the admin who answers for the key has left: its posts (and alerts) stop with them
        raise forbidden(
            "api_key: the station admin who issued it no longer answers for it; ask the station for a new key"
        )
    code = params.param("service_code")
    if code is None:
        raise bad_parameter("service_code", "required")
    incident, contact = post_request(station, key_row, code)
    category = station.incident_category(incident.category)
    notice = "已通知全分局 The whole district has been alerted." if category and category.urgent else ""
    # 200, not 201: the spec names no success status, and clients written
    # against the reference servers check for 200.
    return respond([documents.posted(incident, notice, contact.get("account_id"))], fmt, "service_requests")


@_with_format("/requests")
def service_requests(fmt):
    _check(fmt)
    station = params.station_param()
    query = Incident.select().where(Incident.station == station.id)
    ids = params.id_list("service_request_id")
    if ids is not None:
        # the spec: with service_request_id, the other filters are ignored
        query = query.where(Incident.id.in_(ids))
    else:
        start, end = params.window(station.config.tz, utcnow())
        query = query.where(Incident.created_at >= start, Incident.created_at <= end)
        codes = params.word_list("service_code")
        if codes is not None:
            # only codes the station has reach the database (nothing odd is sent there)
            query = query.where(
                Incident.category.in_([c.key for c in station.incident_categories if c.key in codes] or [""])
            )
        wanted = params.statuses()
        if wanted is not None and len(wanted) == 1:
            states = IncidentState.LIVE if "open" in wanted else IncidentState.CLOSED
            query = query.where(Incident.state.in_(states))
    incidents = list(query.order_by(Incident.created_at.desc(), Incident.id.desc()).limit(params.MAX_RESULTS))
    return _requests_response(station, incidents, fmt)


@bp.route("/requests/<name>")
@bp.route("/request/<name>")  # singular, as for services
def service_request(name):
    stem, fmt = _split(name)
    station = params.station_param()
    incident = Incident.get_or_none(
        Incident.id == params.row_id(stem, "service_request_id"), Incident.station == station.id
    )
    if incident is None:
        raise not_found(f"service_request_id {stem[:20]!r}")
    return _requests_response(station, [incident], fmt)


@bp.route("/tokens/<name>")
@bp.route("/token/<name>")
def token(name):
    stem, fmt = _split(name)
    station = params.station_param()
    incident = None
    if params.TOKEN_PATTERN.fullmatch(stem):
        incident = Incident.get_or_none(Incident.token == stem, Incident.station == station.id)
    if incident is None:
        raise not_found("token")
    return respond([documents.token(incident)], fmt, "service_requests")


def _requests_response(station, incidents, fmt):
    lang = _lang()
    notes = _state_notes(incidents)
    found = []
    for incident in incidents:
        category = station.incident_category(incident.category)
        found.append(
            documents.service_request(
                station, incident, category, notes.get(incident.id, ""), media_url(incident), lang
            )
        )
    return respond(found, fmt, "service_requests")


def _state_notes(incidents):
    """The note of each incident's last state change (status_notes), in one
    query for the whole page rather than a timeline per request."""
    notes = {}
    ids = [incident.id for incident in incidents]
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        events = (
            IncidentEvent.select(IncidentEvent.incident, IncidentEvent.note)
            .where(IncidentEvent.incident.in_(ids[start : start + 500]), IncidentEvent.kind == IncidentEventKind.STATE)
            .order_by(IncidentEvent.id)
        )
        for event in events:
            notes[event.incident_id] = event.note
    return notes


# --- media ------------------------------------------------------------------


@bp.route("/media/<name>")
def media(name):
    """A request's photo, behind a signed link (:mod:`.media`)."""
    signed = unsign(name)
    incident = Incident.get_or_none(Incident.id == signed[0]) if signed and 0 < signed[0] < 2**63 else None
    # station_of reads station_id: a photo of a station since disabled is not served
    if incident is None or current_tenancy().station_of(incident) is None or not 0 <= signed[1] < len(incident.photos):
        raise not_found("media")
    target = uploads_root(current_app) / incident.photos[signed[1]]
    response = send_from_directory(target.parent, target.name, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "max-age=86400"
    return response


def _check(fmt):
    if fmt not in FORMATS:
        raise not_found(f"format {fmt[:10]!r}")
