"""The ``[plugin_settings.night_patrol]`` table of a station config."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

HH_MM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="expected a time as HH:MM, e.g. 20:00")


class NightPatrolSettings(Schema):
    night_start = fields.String(load_default="20:00", validate=HH_MM)
    night_end = fields.String(load_default="02:00", validate=HH_MM)
    alliance_commitments = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    # work done between night_start and night_end earns base × (multiplier − 1) × night share extra
    night_multiplier = fields.Float(
        load_default=1.5,
        allow_nan=False,
        validate=validate.Range(min=1, max=5, error="expected a multiplier from 1 (no extra) to 5, e.g. 1.5"),
    )
    # points for work starting on a station-local Saturday or Sunday
    weekend_bonus = fields.Integer(
        load_default=2,
        strict=True,
        validate=validate.Range(min=0, max=100, error="expected whole points from 0 to 100, e.g. 2"),
    )

    @validates_schema
    def _night_has_a_length(self, data, **_kwargs):
        if data.get("night_start") and data.get("night_start") == data.get("night_end"):
            raise ValidationError("must differ from night_start", "night_end")
