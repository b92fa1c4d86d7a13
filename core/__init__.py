"""Red Armband's public surface: what a station plugin may import.

A plugin writes ``from core import hookimpl`` and uses only the names here.
"""

import importlib

# What each public name is, by the module that defines it ("module:name" where
# the name differs). They are imported
# when first used (PEP 562), so ``from core import hookimpl`` in a plugin, or
# ``redarmband --help``, does not load the whole web app.
_EXPORTS = {
    "create_app": ".app",
    "database": ".db",
    "for_update": ".db",
    "write_transaction": ".db",
    "hookimpl": ".hookspecs",
    "Text": ".i18n",
    "IncidentCategory": ".incidents",
    "MenuItem": ".menus",
    "BaseModel": ".models",
    "Review": ".models",
    "Role": ".models",
    "Signup": ".models",
    "Station": ".models",
    "Submission": ".models",
    "SubmissionState": ".models",
    "Task": ".models",
    "User": ".models",
    "utcnow": ".models",
    "local_date_of": ".points",
    "ScoringEvent": ".scoring",
    "ScoringRule": ".scoring",
    "Qualification": ".tasks",
    "TaskError": ".tasks",
    "TaskType": ".tasks",
    "TaskSchema": ".tasks.posting",
    "WeeklyPatternSchema": ".tasks.posting",
    "post_task": ".tasks.posting",
    "post_weekly": ".tasks.posting",
    "upcoming_tasks": ".tasks.posting",
    "holds_qualification": ".tasks.qualifications:holds",
    "sign_up": ".tasks.signups",
    "get_or_404": ".tenancy",
    "get_station": ".tenancy",
    "Theme": ".themes",
    "render_station_template": ".themes",
    "AwareDateTime": ".validation",
    "BoundedDate": ".validation",
    "TypedText": ".validation",
    "no_control_characters": ".validation",
    "station_admin_required": ".web.auth",
    "staff_required": ".web.auth",
    "volunteer_required": ".web.auth",
}


def __getattr__(name):
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = where.partition(":")
    value = getattr(importlib.import_module(module, __name__), attribute or name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__():
    return sorted([*globals(), *_EXPORTS])


# Grouped by what a plugin does with them:
#   hooks and registration: hookimpl, Theme, TaskType, Qualification, IncidentCategory, ScoringRule,
#     ScoringEvent, MenuItem, Text
#   its own tables: BaseModel, database, write_transaction, for_update
#   core's data it may read: Station, User, Role, Task, Signup, Submission, SubmissionState, Review
#   tasks it may post: TaskSchema, WeeklyPatternSchema, post_task, post_weekly, upcoming_tasks, TaskError
#   its own sign-up buttons: sign_up (core's guarded sign-up; refusals are TaskError)
#   its pages: render_station_template, get_or_404, get_station, volunteer_required, staff_required,
#     station_admin_required, holds_qualification
#   its forms' fields: TypedText, AwareDateTime, BoundedDate, no_control_characters
#   time: utcnow (naive UTC, as stored), local_date_of (a station's calendar day)
__all__ = [
    "AwareDateTime",
    "BaseModel",
    "BoundedDate",
    "IncidentCategory",
    "MenuItem",
    "Qualification",
    "Review",
    "Role",
    "ScoringEvent",
    "ScoringRule",
    "Signup",
    "Station",
    "Submission",
    "SubmissionState",
    "Task",
    "TaskError",
    "TaskSchema",
    "TaskType",
    "Text",
    "Theme",
    "TypedText",
    "User",
    "WeeklyPatternSchema",
    "create_app",
    "database",
    "for_update",
    "get_or_404",
    "get_station",
    "holds_qualification",
    "hookimpl",
    "local_date_of",
    "no_control_characters",
    "post_task",
    "post_weekly",
    "render_station_template",
    "sign_up",
    "staff_required",
    "station_admin_required",
    "upcoming_tasks",
    "utcnow",
    "volunteer_required",
    "write_transaction",
]
