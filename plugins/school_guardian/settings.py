"""The ``[plugin_settings.school_guardian]`` table of a station config."""
from marshmallow import Schema, fields, validate


class SchoolSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    gates = fields.List(fields.String(validate=validate.Length(min=1)), required=True, validate=validate.Length(min=1))


class SchoolGuardianSettings(Schema):
    schools = fields.List(fields.Nested(SchoolSchema), required=True, validate=validate.Length(min=1))
