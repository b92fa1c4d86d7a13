"""护小侠: the school-guardian brand, shared by huguo and xiaonanmen stations,
each with its own schools.

Built only from core's hooks and public names: the duty roster posted with
``post_weekly``, volunteers signing up and reporting at the gate (到岗) on the
roster, 校园周边隐患 reports on each school's hazard board, and two scoring
rules (准时到岗, 连续护学).
"""

from core import hookimpl

from . import commands, hazards, models, scoring, settings, theme, views
from .task_types import SCHOOL_GUARDIAN_TYPES

__version__ = "0.2.0"


@hookimpl
def register_themes():
    return [theme.HUXIAOXIA]


@hookimpl
def register_task_types():
    return SCHOOL_GUARDIAN_TYPES


@hookimpl
def register_scoring_rules():
    return scoring.RULES


@hookimpl
def register_config_schema():
    return settings.SchoolGuardianSettings


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_models():
    return models.MODELS


@hookimpl
def register_migrations():
    return "plugins.school_guardian.migrations"


@hookimpl
def register_commands(cli):
    commands.add_to(cli)


@hookimpl
def menu_items(station, user):
    return views.menu_items(station, user)


@hookimpl
def validate_submission(station, task_type, data):
    return hazards.validate_submission(station, task_type, data)
