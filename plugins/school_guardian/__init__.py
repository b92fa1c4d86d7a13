"""护小侠: the school-guardian brand, shared by huguo and xiaonanmen stations,
each with its own schools."""
from core import hookimpl

from . import settings, theme, views
from .task_types import SCHOOL_GUARDIAN_TYPES

__version__ = "0.1.0"


@hookimpl
def register_themes():
    return [theme.HUXIAOXIA]


@hookimpl
def register_task_types():
    return SCHOOL_GUARDIAN_TYPES


@hookimpl
def register_config_schema():
    return settings.SchoolGuardianSettings


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def menu_items():
    return views.menu_items()
