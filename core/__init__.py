"""Red Armband's public surface: what a station plugin may import.

A plugin writes ``from core import hookimpl`` and uses only the names here.
"""
from .app import create_app
from .db import database, for_update, write_transaction
from .hookspecs import hookimpl
from .i18n import Text
from .menus import MenuItem
from .models import BaseModel, Role, Station, User
from .scoring import ScoringEvent, ScoringRule
from .tasks import Qualification, TaskType
from .tenancy import get_or_404, get_station
from .themes import Theme, render_station_template

__all__ = [
    "BaseModel",
    "MenuItem",
    "Qualification",
    "Role",
    "ScoringEvent",
    "ScoringRule",
    "Station",
    "TaskType",
    "Text",
    "Theme",
    "User",
    "create_app",
    "database",
    "for_update",
    "get_or_404",
    "get_station",
    "hookimpl",
    "render_station_template",
    "write_transaction",
]
