"""Refusals of the group modules: nothing was changed."""
from ..errors import Refused


class GroupError(Refused):
    """A refused group action (see :class:`core.errors.Refused`)."""


def not_found(what):
    return GroupError(f"no such {what}", code="not_found", status=404)


def forbidden(message, code="forbidden"):
    return GroupError(message, code=code, status=403)


def invalid(fields):
    return GroupError(f"invalid fields: {', '.join(sorted(fields))}", code="invalid_input", status=400, fields=fields)
