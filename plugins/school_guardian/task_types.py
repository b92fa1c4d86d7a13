from marshmallow import Schema, fields, validate

from core import TaskType, Text


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


SCHOOL_GUARDIAN_TYPES = [
    TaskType(
        "school_gate_duty",
        Text("护学岗", "School-gate duty"),
        Text("上下学时段在校门口护送学生过马路。", "Help children across at the school gate at arrival and release."),
        default_points=2,
        fields_schema=GateDutyFields,
        min_photos=1,
    ),
]
