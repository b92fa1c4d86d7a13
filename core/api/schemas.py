"""Output and input schemas of the JSON API (the OpenAPI document uses them)."""

from marshmallow import Schema, fields, validate

from ..config import OathSchema  # the oath as a station file gives it
from ..models import Role


class StationOutSchema(Schema):
    slug = fields.String()
    name = fields.String()
    district = fields.String()
    brand = fields.String()
    theme = fields.String()
    timezone = fields.String()
    plugins = fields.List(fields.String())
    oath = fields.Nested(OathSchema)


class StationListSchema(Schema):
    stations = fields.List(fields.Nested(StationOutSchema))


class StationRefSchema(Schema):
    slug = fields.String()
    name = fields.String()
    brand = fields.String()


class UserOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    role = fields.String(validate=validate.OneOf(Role.ALL))
    roles = fields.List(fields.String())
    occupation = fields.String(allow_none=True)
    station = fields.Nested(StationRefSchema, allow_none=True)
    oath_version = fields.String(allow_none=True)
    oath_accepted_at = fields.DateTime(allow_none=True)
    points_balance = fields.Integer()


class TokenRequestSchema(Schema):
    phone = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenSchema(Schema):
    token = fields.String()
    token_type = fields.String()


class ErrorDetailSchema(Schema):
    code = fields.String()
    message = fields.String()
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema)
