"""OpenAPI data for the tasks API, and :func:`add_to_spec`, which puts it into
the document :mod:`core.api.openapi` builds.

The endpoints are described like ``POINTS_ENDPOINTS``; two things they need
that the JSON-only endpoints do not: submissions come as
``multipart/form-data`` (a request schema given as ``(content type, name)``)
and photos answer ``image/jpeg`` (a response named :data:`JPEG`).
"""

import copy

from ..tasks import MAX_PHOTOS
from ..tasks.posting import TaskSchema, WeeklyPatternSchema
from ..tasks.submissions import MAX_SELF_STARTED_HOURS
from .points_openapi import IDEMPOTENCY_PARAMETER, PATH_PARAMETER
from .points_schemas import INT_MAX
from .task_helpers import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from .tasks_schemas import (
    CalendarSchema,
    CertificateOutSchema,
    ExtraFieldSchema,
    HoursByTypeSchema,
    HoursSchema,
    LocationSchema,
    NotificationListSchema,
    NotificationOutSchema,
    NotificationsReadSchema,
    PersonRefSchema,
    PhotoOutSchema,
    PreviewSchema,
    QualificationInSchema,
    QualificationOutSchema,
    QualificationsOutSchema,
    ReviewInSchema,
    ReviewOutSchema,
    SubmissionListSchema,
    SubmissionOutSchema,
    TaskListSchema,
    TaskOutSchema,
    TaskSeriesOutSchema,
    TaskTypeListSchema,
    TaskTypeOutSchema,
)

_E = "Error"
JPEG = "image/jpeg"
MULTIPART = "multipart/form-data"

# Nested schemas first, so that their parents refer to them by these names.
TASKS_COMPONENTS = {
    "Qualification": QualificationOutSchema,
    "ExtraField": ExtraFieldSchema,
    "TaskType": TaskTypeOutSchema,
    "TaskTypeList": TaskTypeListSchema,
    "Task": TaskOutSchema,
    "TaskList": TaskListSchema,
    "TaskInput": TaskSchema(),
    "TaskSeries": TaskSeriesOutSchema,
    "WeeklyPatternInput": WeeklyPatternSchema(),
    "Person": PersonRefSchema,
    "Location": LocationSchema,
    "Photo": PhotoOutSchema,
    "Review": ReviewOutSchema,
    "Preview": PreviewSchema,
    "Submission": SubmissionOutSchema,
    "SubmissionList": SubmissionListSchema,
    "ReviewInput": ReviewInSchema,
    "Notification": NotificationOutSchema,
    "NotificationList": NotificationListSchema,
    "NotificationsRead": NotificationsReadSchema,
    "HoursByType": HoursByTypeSchema,
    "Hours": HoursSchema,
    "Calendar": CalendarSchema,
    "QualificationInput": QualificationInSchema,
    "Qualifications": QualificationsOutSchema,
    "Certificate": CertificateOutSchema,
}

# The multipart form of a submission (photos are files, so no marshmallow schema).
SUBMISSION_FORM = {
    "type": "object",
    "required": ["text"],
    "properties": {
        "task_id": {
            "type": "integer",
            "minimum": 1,
            "maximum": INT_MAX,
            "description": "the posted task the work was for",
        },
        "type": {"type": "string", "maxLength": 60, "description": "the task type of self-started work (no task_id)"},
        "text": {"type": "string", "minLength": 1, "maxLength": 4000},
        "fields": {
            "type": "string",
            "description": 'the type\'s extra fields as a JSON object, e.g. {"children_helped": 40}',
        },
        "latitude": {"type": "number", "minimum": -90, "maximum": 90},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        "started_at": {
            "type": "string",
            "format": "date-time",
            "description": f"self-started work: when it began (with ended_at, at most {MAX_SELF_STARTED_HOURS} hours)",
        },
        "ended_at": {"type": "string", "format": "date-time"},
        "photos": {
            "type": "array",
            "maxItems": MAX_PHOTOS,
            "items": {"type": "string", "format": "binary"},
            "description": "JPEG, PNG or WebP files, as many as the task type asks for",
        },
    },
}

_FORM = (MULTIPART, "SubmissionForm")

# (path, method, summary, request schema, {status: response schema}, needs token)
TASKS_ENDPOINTS = [
    (
        "/api/v1/s/{station}/task-types",
        "get",
        "The station's task types, with their photos, extra fields and qualification",
        None,
        {200: "TaskTypeList", 404: _E},
        False,
    ),
    (
        "/api/v1/s/{station}/tasks",
        "get",
        "Tasks not yet over, soonest first; signed_up for the station's volunteers",
        None,
        {200: "TaskList", 400: _E, 401: _E, 404: _E},
        False,
    ),
    (
        "/api/v1/s/{station}/tasks",
        "post",
        "Post a task (station staff)",
        "TaskInput",
        {201: "Task", 400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/task-series",
        "post",
        "Post a task on every matching day of a weekly pattern (station staff)",
        "WeeklyPatternInput",
        {201: "TaskSeries", 400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/tasks/{task_id}/signup",
        "post",
        "Sign up for a task (the station's volunteers, within its capacity)",
        None,
        {201: "Task", 401: _E, 403: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/tasks/{task_id}/signup",
        "delete",
        "Withdraw from a task before it starts",
        None,
        {200: "Task", 401: _E, 403: _E, 404: _E, 409: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/submissions",
        "post",
        "Submit work done, with photos (the station's volunteers)",
        _FORM,
        {201: "Submission", 400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 413: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/submissions",
        "get",
        "The review queue: pending submissions, oldest first, with a preview of their points (station staff)",
        None,
        {200: "SubmissionList", 400: _E, 401: _E, 403: _E, 404: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/submissions/{submission_id}",
        "get",
        "A submission: its volunteer's own, or any of the station's for staff",
        None,
        {200: "Submission", 401: _E, 404: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/submissions/{submission_id}/resubmit",
        "post",
        "Change a submission sent back for changes; new photos replace the old ones",
        _FORM,
        {200: "Submission", 400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 413: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/submissions/{submission_id}/review",
        "post",
        "Approve (booking the points), reject or send back a pending submission (station staff)",
        "ReviewInput",
        {200: "Submission", 400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/submissions/{submission_id}/photos/{position}",
        "get",
        "A submission's photo as JPEG (its volunteer and the station's staff)",
        None,
        {200: JPEG, 400: _E, 401: _E, 404: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/volunteers/{volunteer_id}/qualifications",
        "post",
        "Record that a volunteer holds a qualification (station staff)",
        "QualificationInput",
        {201: "Qualifications", 400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/volunteers/{volunteer_id}/qualifications/{key}",
        "delete",
        "Take a qualification away (station staff)",
        None,
        {200: "Qualifications", 401: _E, 403: _E, 404: _E},
        True,
    ),
    (
        "/api/v1/s/{station}/volunteers/{volunteer_id}/certificates",
        "post",
        "Issue a service certificate of a volunteer's confirmed hours (station staff)",
        None,
        {201: "Certificate", 401: _E, 403: _E, 404: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/me/submissions",
        "get",
        "The volunteer's submissions, newest first",
        None,
        {200: "SubmissionList", 400: _E, 401: _E, 403: _E},
        True,
    ),
    (
        "/api/v1/me/notifications",
        "get",
        "The user's notifications, newest first",
        None,
        {200: "NotificationList", 401: _E},
        True,
    ),
    (
        "/api/v1/me/notifications/read",
        "post",
        "Mark all the user's notifications read",
        None,
        {200: "NotificationsRead", 400: _E, 401: _E, 409: _E, 422: _E},
        True,
    ),
    (
        "/api/v1/me/hours",
        "get",
        "The volunteer's confirmed service hours, star level and hours by task type",
        None,
        {200: "Hours", 401: _E, 403: _E},
        True,
    ),
    (
        "/api/v1/me/calendar",
        "get",
        "The URL of the volunteer's private iCalendar feed of their tasks",
        None,
        {200: "Calendar", 401: _E, 403: _E},
        True,
    ),
]


def _query(name, schema, description=None):
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


_TYPE_FILTER = _query("type", {"type": "string"}, "one of the station's task type keys")

# Query parameters, by (path, method).
TASKS_QUERY_PARAMETERS = {
    ("/api/v1/s/{station}/tasks", "get"): [_TYPE_FILTER],
    ("/api/v1/s/{station}/submissions", "get"): [
        _query("status", {"type": "string", "enum": ["pending"], "default": "pending"}),
        _TYPE_FILTER,
        _query("volunteer", {"type": "integer", "minimum": 1, "maximum": INT_MAX}, "a volunteer's id"),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
        _query("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}),
    ],
    ("/api/v1/s/{station}/submissions/{submission_id}/photos/{position}", "get"): [
        _query("thumb", {"type": "string", "enum": ["0", "1"], "default": "0"}, "1: the thumbnail"),
    ],
    ("/api/v1/me/submissions", "get"): [
        _query("status", {"type": "string", "enum": ["pending", "approved", "rejected", "returned"]}),
    ],
}

# Endpoints that honour the Idempotency-Key header.
TASKS_IDEMPOTENT = {(path, method) for path, method, *_rest in TASKS_ENDPOINTS if method == "post"}

# Public endpoints that read a bearer token when one is sent.
TASKS_OPTIONAL_TOKEN = {("/api/v1/s/{station}/tasks", "get")}

# Path parameters other than {station}.
TASKS_PATH_PARAMETER_TYPES = {
    "task_id": {"type": "integer", "minimum": 1},
    "submission_id": {"type": "integer", "minimum": 1},
    "volunteer_id": {"type": "integer", "minimum": 1},
    "position": {"type": "integer", "minimum": 1, "maximum": MAX_PHOTOS},
    "key": {"type": "string"},
}


def _content(response):
    if response == JPEG:
        return {JPEG: {"schema": {"type": "string", "format": "binary"}}}
    return {"application/json": {"schema": response}}


def _operation(path, method, summary, request_schema, responses, needs_token):
    operation = {
        "summary": summary,
        "responses": {
            str(status): {"description": summary if status < 400 else "error", "content": _content(response)}
            for status, response in responses.items()
        },
    }
    if request_schema:
        content_type, schema = (
            request_schema if isinstance(request_schema, tuple) else ("application/json", request_schema)
        )
        operation["requestBody"] = {"required": True, "content": {content_type: {"schema": schema}}}
    if needs_token:
        operation["security"] = [{"bearer": []}]
    elif (path, method) in TASKS_OPTIONAL_TOKEN:
        operation["security"] = [{}, {"bearer": []}]
    parameters = copy.deepcopy(TASKS_QUERY_PARAMETERS.get((path, method), []))
    if (path, method) in TASKS_IDEMPOTENT:
        parameters.append(copy.deepcopy(IDEMPOTENCY_PARAMETER))
    if parameters:
        operation["parameters"] = parameters
    return operation


def add_to_spec(spec):
    """Register the tasks API's schemas and paths in an ``APISpec``."""
    for name, schema in TASKS_COMPONENTS.items():
        spec.components.schema(name, schema=schema)
    spec.components.schema("SubmissionForm", SUBMISSION_FORM)
    for path, method, *rest in TASKS_ENDPOINTS:
        path_parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": copy.deepcopy(TASKS_PATH_PARAMETER_TYPES.get(name, {"type": "string"})),
            }
            for name in PATH_PARAMETER.findall(path)
        ]
        spec.path(path=path, operations={method: _operation(path, method, *rest)}, parameters=path_parameters)
