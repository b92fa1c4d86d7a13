"""OpenAPI data for the groups API, and :func:`add_to_spec`, which puts it
into the document :mod:`core.api.openapi` builds (like
:mod:`core.api.tasks_openapi`)."""

import copy

from ..groups.instructions import InstructionSchema
from ..groups.liaison import MeetingSchema
from ..groups.mobilisation import AnswerSchema, MobilisationSchema
from .groups_schemas import (
    AcknowledgementSchema,
    AnswerOutSchema,
    AuthorSchema,
    ContactSchema,
    CountsSchema,
    GroupListSchema,
    GroupOutSchema,
    GroupRefSchema,
    InstructionListSchema,
    InstructionOutSchema,
    InstructionPostedSchema,
    InstructionStatusSchema,
    LiaisonInSchema,
    LiaisonOutSchema,
    LiaisonOverviewSchema,
    LiaisonRemovedSchema,
    LiaisonVolunteerSchema,
    MeetingOutSchema,
    MemberInSchema,
    MemberListSchema,
    MemberOutSchema,
    MobilisationOutSchema,
    MyAnswerSchema,
    MyLiaisonSchema,
    OverviewRowSchema,
    RecipientSchema,
    ReminderSchema,
    StationCountsSchema,
    TallySchema,
    TeamCountsSchema,
    TeamInSchema,
    WaitingPersonSchema,
)
from .points_openapi import IDEMPOTENCY_PARAMETER, PATH_PARAMETER
from .points_schemas import INT_MAX

_E = "Error"

# Nested schemas first, so that their parents refer to them by these names.
GROUPS_COMPONENTS = {
    "Group": GroupOutSchema,
    "GroupList": GroupListSchema,
    "TeamInput": TeamInSchema,
    "Member": MemberOutSchema,
    "MemberList": MemberListSchema,
    "MemberInput": MemberInSchema,
    "GroupRef": GroupRefSchema,
    "Author": AuthorSchema,
    "Instruction": InstructionOutSchema,
    "InstructionPosted": InstructionPostedSchema,
    "InstructionList": InstructionListSchema,
    "InstructionInput": InstructionSchema(),
    "Acknowledgement": AcknowledgementSchema,
    "Recipient": RecipientSchema,
    "InstructionStatus": InstructionStatusSchema,
    "Reminder": ReminderSchema,
    "Counts": CountsSchema,
    "StationCounts": StationCountsSchema,
    "TeamCounts": TeamCountsSchema,
    "Tally": TallySchema,
    "MyAnswer": MyAnswerSchema,
    "WaitingPerson": WaitingPersonSchema,
    "Mobilisation": MobilisationOutSchema,
    "MobilisationInput": MobilisationSchema(),
    "AnswerInput": AnswerSchema(),
    "Answer": AnswerOutSchema,
    "Contact": ContactSchema,
    "LiaisonVolunteer": LiaisonVolunteerSchema,
    "Meeting": MeetingOutSchema,
    "MyLiaison": MyLiaisonSchema,
    "LiaisonInput": LiaisonInSchema,
    "Liaison": LiaisonOutSchema,
    "LiaisonRemoved": LiaisonRemovedSchema,
    "MeetingInput": MeetingSchema(),
    "OverviewRow": OverviewRowSchema,
    "LiaisonOverview": LiaisonOverviewSchema,
}

_S = "/api/v1/s/{station}"
_POST_ERRORS = {400: _E, 401: _E, 403: _E, 404: _E, 409: _E, 422: _E}

# (path, method, summary, request schema, {status: response schema})
# Every groups endpoint needs a bearer token.
GROUPS_ENDPOINTS = [
    (
        "/api/v1/groups",
        "get",
        "The part of the group tree the caller sees, in tree order",
        None,
        {200: "GroupList", 401: _E},
    ),
    (
        f"{_S}/groups",
        "get",
        "The caller's part of this station's groups: its station group and teams",
        None,
        {200: "GroupList", 401: _E, 404: _E},
    ),
    (
        f"{_S}/groups",
        "post",
        "Make a team below the station group or one of its teams (station admins)",
        "TeamInput",
        {201: "Group", **_POST_ERRORS},
    ),
    (
        f"{_S}/groups/{{group_id}}/members",
        "get",
        "A team's members (officers and admins)",
        None,
        {200: "MemberList", 401: _E, 403: _E, 404: _E},
    ),
    (
        f"{_S}/groups/{{group_id}}/members",
        "post",
        "Add a volunteer or officer of the station to a team (station admins)",
        "MemberInput",
        {201: "MemberList", **_POST_ERRORS},
    ),
    (
        f"{_S}/groups/{{group_id}}/members/{{user_id}}",
        "delete",
        "Take someone out of a team (station admins)",
        None,
        {200: "MemberList", 401: _E, 403: _E, 404: _E},
    ),
    (
        f"{_S}/groups/{{group_id}}/instructions",
        "post",
        "Post an instruction to a group of this station; it reaches everyone in it and below (officers and admins)",
        "InstructionInput",
        {201: "InstructionPosted", **_POST_ERRORS},
    ),
    (
        "/api/v1/groups/{group_id}/instructions",
        "post",
        "Post an instruction to any group the caller sees (e.g. a district, for district admins)",
        "InstructionInput",
        {201: "InstructionPosted", **_POST_ERRORS},
    ),
    (
        f"{_S}/instructions",
        "get",
        "The caller's instructions, newest first, with the unread count",
        None,
        {200: "InstructionList", 400: _E, 401: _E, 403: _E, 404: _E},
    ),
    (
        f"{_S}/instructions/{{instruction_id}}/acknowledge",
        "post",
        "Acknowledge an instruction (once)",
        None,
        {200: "Acknowledgement", **_POST_ERRORS},
    ),
    (
        f"{_S}/instructions/{{instruction_id}}/status",
        "get",
        "Who acknowledged an instruction and who has not (its sender's side)",
        None,
        {200: "InstructionStatus", 401: _E, 404: _E},
    ),
    (
        "/api/v1/instructions/{instruction_id}/status",
        "get",
        "Who acknowledged an instruction and who has not (its sender's side)",
        None,
        {200: "InstructionStatus", 401: _E, 404: _E},
    ),
    (
        f"{_S}/instructions/{{instruction_id}}/remind",
        "post",
        "Remind everyone who has not acknowledged (its sender's side)",
        None,
        {200: "Reminder", **_POST_ERRORS},
    ),
    (
        "/api/v1/instructions/{instruction_id}/remind",
        "post",
        "Remind everyone who has not acknowledged (its sender's side)",
        None,
        {200: "Reminder", **_POST_ERRORS},
    ),
    (
        f"{_S}/groups/{{group_id}}/mobilisations",
        "post",
        "Call up a group of this station (district and city admins)",
        "MobilisationInput",
        {201: "Mobilisation", **_POST_ERRORS},
    ),
    (
        "/api/v1/groups/{group_id}/mobilisations",
        "post",
        "Call up a group (district and city admins)",
        "MobilisationInput",
        {201: "Mobilisation", **_POST_ERRORS},
    ),
    (
        f"{_S}/mobilisations/{{mobilisation_id}}",
        "get",
        "A mobilisation: its tally, who is waiting (admins and staff) and the caller's answer",
        None,
        {200: "Mobilisation", 401: _E, 404: _E},
    ),
    (
        "/api/v1/mobilisations/{mobilisation_id}",
        "get",
        "A mobilisation: its tally, who is waiting (admins and staff) and the caller's answer",
        None,
        {200: "Mobilisation", 401: _E, 404: _E},
    ),
    (
        f"{_S}/mobilisations/{{mobilisation_id}}/answer",
        "post",
        "Answer a mobilisation once, before its deadline",
        "AnswerInput",
        {200: "Answer", **_POST_ERRORS},
    ),
    (
        f"{_S}/mobilisations/{{mobilisation_id}}/end",
        "post",
        "End a mobilisation; its tally is kept (district and city admins)",
        None,
        {200: "Mobilisation", **_POST_ERRORS},
    ),
    (
        "/api/v1/mobilisations/{mobilisation_id}/end",
        "post",
        "End a mobilisation; its tally is kept (district and city admins)",
        None,
        {200: "Mobilisation", **_POST_ERRORS},
    ),
    (
        f"{_S}/liaison",
        "get",
        "The officer's volunteers with their last check-in, last submission and open instructions",
        None,
        {200: "MyLiaison", 401: _E, 403: _E, 404: _E},
    ),
    (
        f"{_S}/liaison",
        "post",
        "Make an officer the liaison of a volunteer (station staff)",
        "LiaisonInput",
        {201: "Liaison", **_POST_ERRORS},
    ),
    (
        f"{_S}/liaison/{{volunteer_id}}",
        "delete",
        "Take a volunteer's liaison away (station staff)",
        None,
        {200: "LiaisonRemoved", 401: _E, 403: _E, 404: _E},
    ),
    (
        f"{_S}/liaison/meetings",
        "post",
        "Log a meeting with the officer's volunteers",
        "MeetingInput",
        {201: "Meeting", **_POST_ERRORS},
    ),
    (
        f"{_S}/liaison/overview",
        "get",
        "Officers with volunteers: over the limit, or no meeting for two weeks (station staff)",
        None,
        {200: "LiaisonOverview", 401: _E, 403: _E, 404: _E},
    ),
]

GROUPS_QUERY_PARAMETERS = {
    (f"{_S}/instructions", "get"): [
        {
            "name": "after",
            "in": "query",
            "required": False,
            "description": "only instructions newer than this id (for live pages)",
            "schema": {"type": "integer", "minimum": 0, "maximum": INT_MAX},
        }
    ],
}

GROUPS_IDEMPOTENT = {(path, method) for path, method, *_rest in GROUPS_ENDPOINTS if method == "post"}

GROUPS_PATH_PARAMETER_TYPES = {
    name: {"type": "integer", "minimum": 1}
    for name in ("group_id", "user_id", "instruction_id", "mobilisation_id", "volunteer_id")
}


def _operation(path, method, summary, request_schema, responses):
    operation = {
        "summary": summary,
        "responses": {
            str(status): {
                "description": summary if status < 400 else "error",
                "content": {"application/json": {"schema": response}},
            }
            for status, response in responses.items()
        },
        "security": [{"bearer": []}],
    }
    if request_schema:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": request_schema}}}
    parameters = copy.deepcopy(GROUPS_QUERY_PARAMETERS.get((path, method), []))
    if (path, method) in GROUPS_IDEMPOTENT:
        parameters.append(copy.deepcopy(IDEMPOTENCY_PARAMETER))
    if parameters:
        operation["parameters"] = parameters
    return operation


def add_to_spec(spec):
    """Register the groups API's schemas and paths in an ``APISpec``."""
    for name, schema in GROUPS_COMPONENTS.items():
        spec.components.schema(name, schema=schema)
    for path, method, *rest in GROUPS_ENDPOINTS:
        path_parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": copy.deepcopy(GROUPS_PATH_PARAMETER_TYPES.get(name, {"type": "string"})),
            }
            for name in PATH_PARAMETER.findall(path)
        ]
        spec.path(path=path, operations={method: _operation(path, method, *rest)}, parameters=path_parameters)
