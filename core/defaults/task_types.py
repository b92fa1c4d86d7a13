"""The common task types of the Kunming programme, offered at every station."""

from marshmallow import Schema, fields, validate

from ..hookspecs import hookimpl
from ..i18n import Text
from ..tasks import TaskType
from ..validation import TypedText


class BusinessInfoFields(Schema):
    """企业信息采集: what is recorded of each business visited."""

    business_name = TypedText(
        required=True, min_length=1, max_length=100, metadata={"label": Text("商户名称", "Business name")}
    )
    address = TypedText(required=True, min_length=1, max_length=200, metadata={"label": Text("地址", "Address")})
    contact_phone = fields.String(
        load_default="",
        validate=validate.Regexp(r"^(\+?\d[\d -]{5,19})?$", error="expected a phone number"),
        metadata={"label": Text("联系电话", "Contact phone")},
    )


class CouncilFields(Schema):
    """院坝议事: how many came and what was settled."""

    attendees = fields.Integer(
        required=True, validate=validate.Range(min=1, max=1000), metadata={"label": Text("参加人数", "Attendees")}
    )
    outcome = TypedText(load_default="", max_length=1000, metadata={"label": Text("议事结果", "Outcome")})


COMMON_TASK_TYPES = [
    TaskType(
        "patrol",
        Text("安全巡查", "Safety patrol"),
        Text("在责任区巡查，发现隐患及时报告。", "Patrol the area and report hazards."),
        default_points=5,
        min_photos=1,
    ),
    TaskType(
        "traffic_guiding",
        Text("交通引导", "Traffic guiding"),
        Text("在路口协助疏导交通。", "Help guide traffic at junctions."),
        default_points=5,
        min_photos=1,
    ),
    TaskType(
        "illegal_parking",
        Text("清理违停", "Illegal-parking clean-up"),
        Text("劝导违停车辆驶离。", "Ask illegally parked vehicles to move on."),
        default_points=3,
        min_photos=1,
    ),
    TaskType(
        "illegal_posters",
        Text("清理小广告", "Removing illegal posters"),
        Text("清除非法小广告。", "Remove illegal posters and stickers."),
        default_points=3,
        min_photos=2,
    ),
    TaskType(
        "business_info",
        Text("企业信息采集", "Business information collection"),
        Text("采集辖区商户信息。", "Collect information on local businesses."),
        default_points=4,
        fields_schema=BusinessInfoFields,
        min_photos=1,
    ),
    TaskType(
        "school_safety",
        Text("校园安全", "School safety"),
        Text("上下学时段守护校园周边。", "Guard school surroundings at arrival and release."),
        default_points=5,
        min_photos=1,
    ),
    TaskType(
        "neighbourhood_council",
        Text("院坝议事", "Neighbourhood council"),
        Text("参加院坝议事，化解邻里矛盾。", "Join neighbourhood councils and help settle disputes."),
        default_points=5,
        fields_schema=CouncilFields,
        min_photos=0,
    ),
]


@hookimpl
def register_task_types():
    return COMMON_TASK_TYPES
