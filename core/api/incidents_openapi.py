"""OpenAPI data for the incidents API, and :func:`add_to_spec`, which puts it
into the document :mod:`core.api.openapi` builds (like
:mod:`core.api.tasks_openapi`: a report may come as ``multipart/form-data``
and photos answer ``image/jpeg``)."""

import copy

from ..incidents.board import BOARD_SIZE, STATE_FILTERS
from ..incidents.categories import MAX_PHOTOS
from ..incidents.reporting import MAX_ADDRESS, MAX_DESCRIPTION
from .incidents_schemas import (
    AssignInSchema,
    CommentInSchema,
    DuplicateListSchema,
    DuplicateOutSchema,
    DuplicatesErrorDetailSchema,
    DuplicatesErrorSchema,
    FieldChoiceSchema,
    IncidentActionSchema,
    IncidentBoardSchema,
    IncidentCategoryListSchema,
    IncidentCategoryOutSchema,
    IncidentChangesSchema,
    IncidentDetailSchema,
    IncidentFieldSchema,
    IncidentOutSchema,
    IncidentPersonSchema,
    ReportInSchema,
    StateInSchema,
    TimelineLineSchema,
)
from .points_openapi import IDEMPOTENCY_PARAMETER, PATH_PARAMETER
from .points_schemas import INT_MAX
from .tasks_openapi import JPEG, MULTIPART

_E = "Error"
_S = "/api/v1/s/{station}"
_POST_ERRORS = {400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 422: _E}

# Nested schemas first, so that their parents refer to them by these names.
INCIDENTS_COMPONENTS = {
    "IncidentFieldChoice": FieldChoiceSchema,
    "IncidentField": IncidentFieldSchema,
    "IncidentCategory": IncidentCategoryOutSchema,
    "IncidentCategoryList": IncidentCategoryListSchema,
    "IncidentPerson": IncidentPersonSchema,
    "Incident": IncidentOutSchema,
    "IncidentTimelineLine": TimelineLineSchema,
    "IncidentDetail": IncidentDetailSchema,
    "IncidentAction": IncidentActionSchema,
    "IncidentBoard": IncidentBoardSchema,
    "IncidentChanges": IncidentChangesSchema,
    "IncidentDuplicate": DuplicateOutSchema,
    "IncidentDuplicateList": DuplicateListSchema,
    "LikelyDuplicatesErrorDetail": DuplicatesErrorDetailSchema,
    "LikelyDuplicatesError": DuplicatesErrorSchema,
    "IncidentReportInput": ReportInSchema,
    "IncidentStateInput": StateInSchema,
    "IncidentCommentInput": CommentInSchema,
    "IncidentAssignInput": AssignInSchema,
}

# The multipart form of a report (photos are files, so no marshmallow schema).
REPORT_FORM = {
    "type": "object",
    "required": ["category", "description"],
    "properties": {
        "category": {"type": "string", "maxLength": 60, "description": "one of the station's incident categories"},
        "description": {"type": "string", "minLength": 1, "maxLength": MAX_DESCRIPTION},
        "fields": {
            "type": "string",
            "description": 'the category\'s extra fields as a JSON object, e.g. {"plate": "云A12345"}',
        },
        "latitude": {"type": "number", "minimum": -90, "maximum": 90},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        "address": {"type": "string", "maxLength": MAX_ADDRESS, "description": "needed without coordinates"},
        "hide_name": {"type": "string", "enum": ["true", "false"]},
        "report_anyway": {
            "type": "string",
            "enum": ["true", "false"],
            "description": "true: despite likely duplicates",
        },
        "photos": {
            "type": "array",
            "maxItems": MAX_PHOTOS,
            "items": {"type": "string", "format": "binary"},
            "description": "JPEG, PNG or WebP files, at most the category's max_photos; stored without EXIF",
        },
    },
}

_REPORT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": "IncidentReportInput"},
        MULTIPART: {"schema": "IncidentReportForm"},
    },
}

# (path, method, summary, request body schema, {status: response schema})
# Every incidents endpoint needs the bearer token of a member of the station.
INCIDENTS_ENDPOINTS = [
    (
        f"{_S}/incident-categories",
        "get",
        "The station's incident categories with their extra fields",
        None,
        {200: "IncidentCategoryList", 401: _E, 403: _E, 404: _E},
    ),
    (
        f"{_S}/incidents",
        "get",
        f"The station's incident board, newest first, {BOARD_SIZE} at a time",
        None,
        {200: "IncidentBoard", 400: _E, 401: _E, 403: _E, 404: _E},
    ),
    (
        f"{_S}/incidents",
        "post",
        (
            "Report an incident (JSON, or multipart with photos). Likely duplicates are offered first:"
            " a 409 likely_duplicates lists them and stores nothing, unless report_anyway is true"
        ),
        _REPORT_BODY,
        {201: "IncidentDetail", **_POST_ERRORS, 409: "LikelyDuplicatesError", 413: _E},
    ),
    (
        f"{_S}/incidents/duplicates",
        "get",
        "Live reports of a category that are probably the same thing (near the point, or at the address)",
        None,
        {200: "IncidentDuplicateList", 400: _E, 401: _E, 403: _E, 404: _E},
    ),
    (
        f"{_S}/incidents/changes",
        "get",
        "Incidents changed after a timeline line (for clients following the board live)",
        None,
        {200: "IncidentChanges", 400: _E, 401: _E, 403: _E, 404: _E},
    ),
    (
        f"{_S}/incidents/{{incident_id}}",
        "get",
        "An incident with its timeline",
        None,
        {200: "IncidentDetail", 401: _E, 404: _E},
    ),
    (
        f"{_S}/incidents/{{incident_id}}/photos/{{position}}",
        "get",
        "An incident's photo as JPEG",
        None,
        {200: JPEG, 400: _E, 401: _E, 404: _E},
    ),
    (
        f"{_S}/incidents/{{incident_id}}/state",
        "post",
        "Move an incident on (officers; the assignee to in progress or resolved)",
        "IncidentStateInput",
        {200: "IncidentAction", **_POST_ERRORS},
    ),
    (
        f"{_S}/incidents/{{incident_id}}/comments",
        "post",
        "Comment on an incident (members)",
        "IncidentCommentInput",
        {201: "IncidentAction", **_POST_ERRORS},
    ),
    (
        f"{_S}/incidents/{{incident_id}}/assign",
        "post",
        "Assign an incident to an officer or volunteer of the station, or take it back (officers)",
        "IncidentAssignInput",
        {200: "IncidentAction", **_POST_ERRORS},
    ),
    (
        f"{_S}/incidents/{{incident_id}}/useful",
        "post",
        "Confirm a resolved report useful: its volunteer reporter earns points (officers)",
        None,
        {200: "IncidentAction", **_POST_ERRORS},
    ),
]


def _query(name, schema, description=None):
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


_CATEGORY = _query("category", {"type": "string"}, "one of the station's incident category keys")
_ROW_ID = {"type": "integer", "minimum": 1, "maximum": INT_MAX}

INCIDENTS_QUERY_PARAMETERS = {
    (f"{_S}/incidents", "get"): [
        _CATEGORY,
        _query(
            "state",
            {"type": "string", "enum": list(STATE_FILTERS), "default": "live"},
            "live, closed, all or one state",
        ),
        _query("before_id", _ROW_ID, "older than this incident (the next page)"),
    ],
    (f"{_S}/incidents/duplicates", "get"): [
        {**_CATEGORY, "required": True},
        _query("latitude", {"type": "number", "minimum": -90, "maximum": 90}),
        _query("longitude", {"type": "number", "minimum": -180, "maximum": 180}),
        _query("address", {"type": "string", "maxLength": MAX_ADDRESS}, "matched when there are no coordinates"),
    ],
    (f"{_S}/incidents/changes", "get"): [
        _query(
            "after",
            {"type": "integer", "minimum": 0, "maximum": INT_MAX, "default": 0},
            "a timeline line id (last_event_id)",
        ),
    ],
    (f"{_S}/incidents/{{incident_id}}/photos/{{position}}", "get"): [
        _query("thumb", {"type": "string", "enum": ["0", "1"], "default": "0"}, "1: the thumbnail"),
    ],
}

INCIDENTS_IDEMPOTENT = {(path, method) for path, method, *_rest in INCIDENTS_ENDPOINTS if method == "post"}

INCIDENTS_PATH_PARAMETER_TYPES = {
    "incident_id": {"type": "integer", "minimum": 1},
    "position": {"type": "integer", "minimum": 1, "maximum": MAX_PHOTOS},
}


def _content(response):
    if response == JPEG:
        return {JPEG: {"schema": {"type": "string", "format": "binary"}}}
    return {"application/json": {"schema": response}}


def _operation(path, method, summary, request_body, responses):
    operation = {
        "summary": summary,
        "responses": {
            str(status): {"description": summary if status < 400 else "error", "content": _content(response)}
            for status, response in responses.items()
        },
        "security": [{"bearer": []}],
    }
    if isinstance(request_body, dict):
        operation["requestBody"] = copy.deepcopy(request_body)
    elif request_body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": request_body}}}
    parameters = copy.deepcopy(INCIDENTS_QUERY_PARAMETERS.get((path, method), []))
    if (path, method) in INCIDENTS_IDEMPOTENT:
        parameters.append(copy.deepcopy(IDEMPOTENCY_PARAMETER))
    if parameters:
        operation["parameters"] = parameters
    return operation


def add_to_spec(spec):
    """Register the incidents API's schemas and paths in an ``APISpec``."""
    for name, schema in INCIDENTS_COMPONENTS.items():
        spec.components.schema(name, schema=schema)
    spec.components.schema("IncidentReportForm", REPORT_FORM)
    for path, method, *rest in INCIDENTS_ENDPOINTS:
        path_parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": copy.deepcopy(INCIDENTS_PATH_PARAMETER_TYPES.get(name, {"type": "string"})),
            }
            for name in PATH_PARAMETER.findall(path)
        ]
        spec.path(path=path, operations={method: _operation(path, method, *rest)}, parameters=path_parameters)
