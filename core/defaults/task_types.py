"""The common task types of the Kunming programme, offered at every station."""
from ..hookspecs import hookimpl
from ..i18n import Text
from ..tasks import TaskType

COMMON_TASK_TYPES = [
    TaskType("patrol", Text("安全巡查", "Safety patrol"), Text("在责任区巡查，发现隐患及时报告。", "Patrol the area and report hazards.")),
    TaskType("traffic_guiding", Text("交通引导", "Traffic guiding"), Text("在路口协助疏导交通。", "Help guide traffic at junctions.")),
    TaskType("illegal_parking", Text("清理违停", "Illegal-parking clean-up"), Text("劝导违停车辆驶离。", "Ask illegally parked vehicles to move on.")),
    TaskType("illegal_posters", Text("清理小广告", "Removing illegal posters"), Text("清除非法小广告。", "Remove illegal posters and stickers.")),
    TaskType("business_info", Text("企业信息采集", "Business information collection"), Text("采集辖区商户信息。", "Collect information on local businesses.")),
    TaskType("school_safety", Text("校园安全", "School safety"), Text("上下学时段守护校园周边。", "Guard school surroundings at arrival and release.")),
    TaskType("neighbourhood_council", Text("院坝议事", "Neighbourhood council"), Text("参加院坝议事，化解邻里矛盾。", "Join neighbourhood councils and help settle disputes.")),
]


@hookimpl
def register_task_types():
    return COMMON_TASK_TYPES
