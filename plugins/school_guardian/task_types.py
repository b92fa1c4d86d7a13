"""The school guardians' task types: 护学岗 and 校园周边隐患."""

from marshmallow import Schema, fields, validate

from core import TaskType, Text

NAME = "school_guardian"
GATE_DUTY = "school_gate_duty"
HAZARD = "school_hazard"


class GateDutyFields(Schema):
    """护学岗: how many children were helped across, and anything that happened."""

    children_helped = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=5000),
        metadata={"label": Text("护送学生人数", "Children helped across")},
    )
    incidents = fields.String(
        load_default="",
        validate=validate.Length(max=1000),
        metadata={"label": Text("情况记录", "Anything that happened")},
    )


# What kind of hazard near a school: stored key → label.
HAZARD_KINDS = {
    "falling_object": Text("高空坠物（如太阳能热水器、广告牌）", "Falling object (solar water tank, sign board …)"),
    "traffic": Text("交通隐患（乱停车、缺少斑马线）", "Traffic danger (parking, missing crossing)"),
    "construction": Text("施工围挡或坑洞", "Building site or open pit"),
    "broken_facility": Text("设施破损（井盖、护栏、路灯）", "Broken facility (manhole cover, railing, street light)"),
    "vendor": Text("流动摊贩或占道经营", "Street vendors blocking the way"),
    "other": Text("其他", "Other"),
}


def school_choices(station):
    """The station's own schools, for the report form's drop-down."""
    return [(school["name"], school["name"]) for school in station.plugin_config(NAME).get("schools", ())]


class HazardFields(Schema):
    """校园周边隐患: which school, what kind, what exactly (the location comes
    with the submission's latitude and longitude; checked in validate_submission)."""

    school = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"label": Text("学校", "School"), "choices": school_choices},
    )
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(HAZARD_KINDS)),
        metadata={"label": Text("隐患类型", "Kind of hazard"), "choices": list(HAZARD_KINDS.items())},
    )
    description = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"label": Text("隐患描述", "What and where exactly")},
    )


SCHOOL_GUARDIAN_TYPES = [
    TaskType(
        GATE_DUTY,
        Text("护学岗", "School-gate duty"),
        Text("上下学时段在校门口护送学生过马路。", "Help children across at the school gate at arrival and release."),
        default_points=2,
        fields_schema=GateDutyFields,
        min_photos=1,
        self_start=False,  # done only as a posted duty: no gate duty (nor streak bonus) without a roster slot
    ),
    TaskType(
        HAZARD,
        Text("校园周边隐患", "Hazard near a school"),
        Text(
            "发现学校周边的安全隐患（如被风刮落在学校后巷的太阳能热水器），拍照并定位上报。",
            "Report a danger near a school (say a solar water tank blown onto the back lane) with photos and your location.",
        ),
        default_points=2,
        fields_schema=HazardFields,
        min_photos=1,
        max_photos=6,
    ),
]
