"""Red Armband's public surface: what a station plugin may import.

A plugin writes ``from core import hookimpl`` and uses only the names here.
"""
from .app import create_app
from .db import database, for_update, write_transaction
from .hookspecs import hookimpl
from .i18n import Text
from .incidents import IncidentCategory
from .menus import MenuItem
from .models import BaseModel, Review, Role, Signup, Station, Submission, SubmissionState, Task, User, utcnow
from .points import local_date_of
from .scoring import ScoringEvent, ScoringRule
from .tasks import Qualification, TaskError, TaskType
from .tasks.posting import TaskSchema, WeeklyPatternSchema, post_task, post_weekly, upcoming_tasks
from .tasks.qualifications import holds as holds_qualification
from .tasks.signups import sign_up
from .tenancy import get_or_404, get_station
from .themes import Theme, render_station_template
from .validation import AwareDateTime, BoundedDate, TypedText, no_control_characters
from .web.points_pages import station_admin_required, staff_required, volunteer_required

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
