from core import TaskType, Text

NIGHT_PATROL_TYPES = [
    TaskType(
        "night_patrol",
        Text("夜间巡逻", "Night patrol"),
        Text("夜间在酒吧街区巡逻，班次可跨越午夜。", "Patrol the bar district at night; shifts may cross midnight."),
        default_points=3,
    ),
]
