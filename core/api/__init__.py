"""The JSON API under ``/api/v1/``: bearer tokens, marshmallow in and out."""

from . import groups_api, incidents_api, points_api, rewards_api, tasks_api  # noqa: F401 - add the groups, incidents, points, rewards and tasks routes to bp
from .views import bp

__all__ = ["bp"]
