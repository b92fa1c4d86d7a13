"""The OpenAPI document, generated from the API's marshmallow schemas."""

import copy
from importlib import metadata

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify

from ..accounts import RegistrationSchema
from ..rewards import RewardSchema
from .groups_openapi import add_to_spec as add_groups_to_spec
from .incidents_openapi import add_to_spec as add_incidents_to_spec
from .points_openapi import (
    IDEMPOTENCY_PARAMETER,
    IDEMPOTENT,
    OPTIONAL_TOKEN,
    PATH_PARAMETER,
    PATH_PARAMETER_TYPES,
    POINTS_ENDPOINTS,
    QUERY_PARAMETERS,
)
from .points_schemas import (
    AdjustmentInSchema,
    AdjustmentOutSchema,
    CheckInOutSchema,
    LeaderboardSchema,
    LedgerEntryOutSchema,
    PointsStatementSchema,
    RedemptionListSchema,
    RedemptionOutSchema,
    RewardListSchema,
    RewardOutSchema,
)
from .schemas import ErrorSchema, StationListSchema, TokenRequestSchema, TokenSchema, UserOutSchema
from .tasks_openapi import add_to_spec as add_tasks_to_spec
from .views import ENDPOINTS

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

COMPONENTS = {
    "StationList": StationListSchema,
    "Registration": RegistrationSchema(),
    "User": UserOutSchema,
    "TokenRequest": TokenRequestSchema,
    "Token": TokenSchema,
    "Error": ErrorSchema,
    "LedgerEntry": LedgerEntryOutSchema,
    "CheckIn": CheckInOutSchema,
    "PointsStatement": PointsStatementSchema,
    "Reward": RewardOutSchema,
    "RewardList": RewardListSchema,
    "RewardInput": RewardSchema(),
    "RewardPatch": RewardSchema(partial=True),
    "Redemption": RedemptionOutSchema,
    "RedemptionList": RedemptionListSchema,
    "AdjustmentInput": AdjustmentInSchema,
    "Adjustment": AdjustmentOutSchema,
    "Leaderboard": LeaderboardSchema,
}


def build_spec(version):
    spec = APISpec(
        title="Red Armband API",
        version=version,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in COMPONENTS.items():
        spec.components.schema(name, schema=schema)
    for path, method, summary, request_schema, responses, needs_token in [*ENDPOINTS, *POINTS_ENDPOINTS]:
        operation = {
            "summary": summary,
            "responses": {
                str(status): {
                    "description": summary if status < 400 else "error",
                    "content": {"application/json": {"schema": name}},
                }
                for status, name in responses.items()
            },
        }
        if request_schema:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": request_schema}}}
        if needs_token:
            operation["security"] = [{"bearer": []}]
        elif (path, method) in OPTIONAL_TOKEN:
            operation["security"] = [{}, {"bearer": []}]
        operation_parameters = copy.deepcopy(QUERY_PARAMETERS.get((path, method), []))
        if (path, method) in IDEMPOTENT:
            operation_parameters.append(copy.deepcopy(IDEMPOTENCY_PARAMETER))
        if operation_parameters:
            operation["parameters"] = operation_parameters
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": copy.deepcopy(PATH_PARAMETER_TYPES.get(name, {"type": "string"})),
            }
            for name in PATH_PARAMETER.findall(path)
        ]
        spec.path(path=path, operations={method: operation}, parameters=parameters)
    add_tasks_to_spec(spec)
    add_groups_to_spec(spec)
    add_incidents_to_spec(spec)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(build_spec(metadata.version("redarmband")))
