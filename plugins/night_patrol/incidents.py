"""酒吧纠纷: the bar alliance's own kind of live report, offered where the
plugin is on. The venue is named as people on the street know it (its sign);
the category's schema cannot see which station reports, so it does not look
the venue up in the station's alliance — officers see the name and match it.
"""

from marshmallow import Schema, fields, validate

from core import IncidentCategory, Text, TypedText

MAX_PEOPLE = 500


class VenueDisturbanceFields(Schema):
    venue = TypedText(required=True, min_length=1, max_length=100, metadata={"label": Text("场所名称", "Venue")})
    people_involved = fields.Integer(
        required=True,
        strict=False,  # a form posts text
        validate=validate.Range(min=1, max=MAX_PEOPLE),
        metadata={"label": Text("涉及人数", "People involved")},
    )


VENUE_DISTURBANCE = IncidentCategory(
    "venue_disturbance",
    Text("酒吧纠纷", "Bar dispute"),
    Text("酒吧或夜宵摊的争吵、醉酒闹事。", "A quarrel or drunken trouble at a bar or late-night stall."),
    fields_schema=VenueDisturbanceFields,
    keywords=("bar", "酒吧", "纠纷"),
    group="night_patrol",
)

INCIDENT_CATEGORIES = [VENUE_DISTURBANCE]
