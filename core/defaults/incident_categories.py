"""The six kinds of live report of the Kunming programme, at every station."""

from marshmallow import Schema, fields, validate

from ..hookspecs import hookimpl
from ..i18n import Text
from ..incidents.categories import IncidentCategory
from ..validation import TypedText


class ParkingFields(Schema):
    """车辆违停: the plate, if it can be read."""

    plate = TypedText(load_default="", max_length=12, metadata={"label": Text("车牌号", "Number plate")})


class LostFoundFields(Schema):
    """失物招领: found or lost, and what."""

    kind = fields.String(
        required=True,
        validate=validate.OneOf(["found", "lost"]),
        metadata={
            "label": Text("拾到还是丢失", "Found or lost"),
            "choices": [("found", Text("拾到物品", "Found")), ("lost", Text("丢失物品", "Lost"))],
        },
    )
    item = TypedText(required=True, min_length=1, max_length=100, metadata={"label": Text("物品", "Item")})


class MissingChildFields(Schema):
    """寻找走失儿童: what helps people recognise the child."""

    child_name = TypedText(load_default="", max_length=50, metadata={"label": Text("儿童姓名", "Child's name")})
    age = fields.Integer(
        required=True, strict=False, validate=validate.Range(min=0, max=17), metadata={"label": Text("年龄", "Age")}
    )
    clothing = TypedText(required=True, min_length=1, max_length=200, metadata={"label": Text("衣着特征", "Clothing")})
    last_seen_at = TypedText(
        load_default="", max_length=100, metadata={"label": Text("最后出现时间", "Last seen (time)")}
    )


class NoiseFields(Schema):
    """施工扰民: when the noise is heard."""

    heard_during = fields.String(
        load_default="night",
        validate=validate.OneOf(["night", "day"]),
        metadata={
            "label": Text("时段", "When"),
            "choices": [
                ("night", Text("夜间(22:00–06:00)", "At night (22:00–06:00)")),
                ("day", Text("白天", "In the day")),
            ],
        },
    )


CORE_CATEGORIES = [
    IncidentCategory(
        "illegal_parking",
        Text("车辆违停", "Illegal parking"),
        Text("占道、堵门、压盲道的违停车辆。", "Vehicles parked where they block roads, gates or tactile paving."),
        fields_schema=ParkingFields,
        keywords=("parking", "违停"),
    ),
    IncidentCategory(
        "lost_and_found",
        Text("失物招领", "Lost and found"),
        Text("拾到或丢失的物品。", "Things found or lost."),
        fields_schema=LostFoundFields,
        keywords=("lost", "found"),
    ),
    IncidentCategory(
        "missing_child",
        Text("寻找走失儿童", "Missing child"),
        Text("走失的儿童：立即通知全分局。", "A missing child: the whole district is told at once."),
        fields_schema=MissingChildFields,
        urgent=True,
        keywords=("child", "走失"),
    ),
    IncidentCategory(
        "merchant_help",
        Text("商户求助", "Merchant help"),
        Text("商户遇到纠纷或需要帮助。", "A shop or business needs help."),
        keywords=("merchant", "商户"),
    ),
    IncidentCategory(
        "construction_noise",
        Text("施工扰民", "Construction noise"),
        Text("施工噪音扰民。", "Construction noise disturbing residents."),
        fields_schema=NoiseFields,
        keywords=("noise", "噪音"),
    ),
    IncidentCategory(
        "illegal_posters",
        Text("违贴广告", "Illegal posters"),
        Text("乱贴乱画的小广告。", "Posters and stickers put up illegally."),
        keywords=("posters", "小广告"),
    ),
]


@hookimpl
def register_incident_categories():
    return CORE_CATEGORIES
