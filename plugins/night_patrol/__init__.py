"""东华红枫夜巡队: the night patrol and bar alliance brand of donghua station.

Built only from the hooks and names of ``core``: the alliance's venues and
findings are the plugin's own tables, its two task types carry their own
fields, night and weekend work score extra by the station's settings, and a
bar dispute (酒吧纠纷) is a kind of live report of its own.
"""

from core import hookimpl

from . import checks, scoring, settings, theme, views
from .incidents import INCIDENT_CATEGORIES
from .models import MODELS
from .task_types import NIGHT_PATROL_TYPES

__version__ = "0.2.0"


@hookimpl
def register_themes():
    return [theme.MAPLE]


@hookimpl
def register_task_types():
    return NIGHT_PATROL_TYPES


@hookimpl
def register_incident_categories():
    return INCIDENT_CATEGORIES


@hookimpl
def register_scoring_rules():
    return scoring.RULES


@hookimpl
def register_config_schema():
    return settings.NightPatrolSettings


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_models():
    return MODELS


@hookimpl
def register_migrations():
    return "plugins.night_patrol.migrations"


@hookimpl
def menu_items(station, user):
    return views.menu_items(station, user)


@hookimpl
def validate_submission(station, task_type, data):
    return checks.validate_venue_visit(station, task_type, data)


@hookimpl
def on_submission_reviewed(station, submission, review):
    checks.record_approved_visit(station, submission, review)
