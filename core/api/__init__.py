"""The JSON API under ``/api/v1/``: bearer tokens, marshmallow in and out."""
from .views import bp

__all__ = ["bp"]
