from core import TaskType, Text

SCHOOL_GUARDIAN_TYPES = [
    TaskType(
        "school_gate_duty",
        Text("护学岗", "School-gate duty"),
        Text("上下学时段在校门口护送学生过马路。", "Help children across at the school gate at arrival and release."),
        default_points=2,
    ),
]
