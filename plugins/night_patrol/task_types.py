"""夜间巡逻 and 联盟场所安全检查: the night patrol's two kinds of work."""

from marshmallow import Schema, fields, validate

from core import Qualification, TaskType, Text

from .models import active_venues

SHIELD_DRILL = Qualification("shield_drill", Text("一棍一盾", "Shield drill"))

PASS, FAIL = "pass", "fail"
RESULTS = [(PASS, Text("合格", "Pass")), (FAIL, Text("不合格", "Fail"))]

# The venue-visit checklist: key → what is checked.
CHECKLIST = {
    "fire_exits": Text("消防通道畅通", "Fire exits clear"),
    "security_staff": Text("安保人员在岗", "Security staff on duty"),
    "no_underage_drinking": Text("无未成年人饮酒", "No under-age drinking"),
    "incident_book": Text("事件登记簿齐全", "Incident book kept"),
}


def note_key(item):
    return f"{item}_note"


class NightPatrolFields(Schema):
    route = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"label": Text("巡逻路线", "Route")},
    )
    observations = fields.String(
        load_default="",
        validate=validate.Length(max=1000),
        metadata={"label": Text("巡逻情况", "Observations")},
    )


def _venue_choices(station):
    return [(venue.id, venue.name) for venue in active_venues(station)]


def _checklist_fields():
    found = {
        "venue": fields.Integer(
            required=True,
            validate=validate.Range(min=1, max=2**31 - 1),
            metadata={"label": Text("联盟场所", "Alliance venue"), "choices": _venue_choices},
        )
    }
    for item, label in CHECKLIST.items():
        found[item] = fields.String(
            required=True, validate=validate.OneOf([PASS, FAIL]), metadata={"label": label, "choices": RESULTS}
        )
        found[note_key(item)] = fields.String(
            load_default="",
            validate=validate.Length(max=500),
            metadata={"label": Text(f"{label.zh}：问题说明", f"{label.en}: what is wrong")},
        )
    return found


VenueVisitFields = Schema.from_dict(_checklist_fields(), name="VenueVisitFields")

NIGHT_PATROL = TaskType(
    "night_patrol",
    Text("夜间巡逻", "Night patrol"),
    Text("夜间在酒吧街区巡逻，班次可跨越午夜。", "Patrol the bar district at night; shifts may cross midnight."),
    default_points=3,
    fields_schema=NightPatrolFields,
    qualification=SHIELD_DRILL,
    self_start=False,
)

VENUE_VISIT = TaskType(
    "venue_visit",
    Text("联盟场所安全检查", "Alliance venue safety check"),
    Text(
        "到酒吧联盟成员场所检查消防通道、安保、未成年人饮酒和事件登记；不合格项需写明问题并拍照。",
        "Check an alliance venue's fire exits, security, under-age drinking and incident book; "
        "explain and photograph anything that fails.",
    ),
    default_points=2,
    fields_schema=VenueVisitFields,
    max_photos=9,
)

NIGHT_PATROL_TYPES = [NIGHT_PATROL, VENUE_VISIT]
