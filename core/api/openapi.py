"""The OpenAPI document, generated from the API's marshmallow schemas."""
from importlib import metadata

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify

from ..accounts import RegistrationSchema
from .schemas import ErrorSchema, StationListSchema, TokenRequestSchema, TokenSchema, UserOutSchema
from .views import ENDPOINTS

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

COMPONENTS = {
    "StationList": StationListSchema,
    "Registration": RegistrationSchema(),
    "User": UserOutSchema,
    "TokenRequest": TokenRequestSchema,
    "Token": TokenSchema,
    "Error": ErrorSchema,
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
    for path, method, summary, request_schema, responses, needs_token in ENDPOINTS:
        operation = {
            "summary": summary,
            "responses": {
                str(status): {"description": summary if status < 400 else "error", "content": {"application/json": {"schema": name}}}
                for status, name in responses.items()
            },
        }
        if request_schema:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": request_schema}}}
        if needs_token:
            operation["security"] = [{"bearer": []}]
        parameters = []
        if "{station}" in path:
            parameters.append({"name": "station", "in": "path", "required": True, "schema": {"type": "string"}})
        spec.path(path=path, operations={method: operation}, parameters=parameters)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(build_spec(metadata.version("redarmband")))
