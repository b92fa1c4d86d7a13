"""Refusals of the task modules: nothing was changed."""
from ..errors import Refused


class TaskError(Refused):
    """A refused task action (see :class:`core.errors.Refused`)."""


def not_found(what):
    return TaskError(f"no such {what} at this station", code="not_found", status=404)


def forbidden(message, code="forbidden"):
    return TaskError(message, code=code, status=403)


def invalid(fields):
    """A 400 naming each field: ``fields`` maps field → list of messages."""
    return TaskError(f"invalid fields: {', '.join(sorted(fields))}", code="invalid_input", status=400, fields=fields)
