"""The JSON API under ``/api/v1/``: bearer tokens, marshmallow in and out."""
from . import points_api  # noqa: F401 - adds the points routes to bp
from .views import bp

__all__ = ["bp"]
