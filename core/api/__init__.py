"""The JSON API under ``/api/v1/``: bearer tokens, marshmallow in and out."""

from . import (  # noqa: F401 - each adds its routes to bp
    groups_api,
    incidents_api,
    instructions_api,
    liaison_api,
    points_api,
    rewards_api,
    submissions_api,
    tasks_api,
    volunteer_record_api,
)
from .views import bp

__all__ = ["bp"]
