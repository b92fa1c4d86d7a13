"""东华红枫夜巡队: the night patrol and bar alliance brand of donghua station."""
from core import hookimpl

from . import settings, theme, views
from .task_types import NIGHT_PATROL_TYPES

__version__ = "0.1.0"


@hookimpl
def register_themes():
    return [theme.MAPLE]


@hookimpl
def register_task_types():
    return NIGHT_PATROL_TYPES


@hookimpl
def register_config_schema():
    return settings.NightPatrolSettings


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def menu_items():
    return views.menu_items()
