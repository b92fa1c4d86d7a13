"""The JSON API under ``/api/v1/``: bearer tokens, marshmallow in and out."""
from . import points_api, rewards_api  # noqa: F401 - add the points and rewards routes to bp
from .views import bp

__all__ = ["bp"]
