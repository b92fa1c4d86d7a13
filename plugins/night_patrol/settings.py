"""The ``[plugin_settings.night_patrol]`` table of a station config."""
from marshmallow import Schema, fields, validate

HH_MM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="expected a time as HH:MM, e.g. 20:00")


class NightPatrolSettings(Schema):
    night_start = fields.String(load_default="20:00", validate=HH_MM)
    night_end = fields.String(load_default="02:00", validate=HH_MM)
    alliance_commitments = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
