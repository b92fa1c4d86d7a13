"""Refusals of the task modules: nothing was changed."""


class TaskError(Exception):
    """A refused task action. ``status`` is the HTTP status it answers with,
    ``code`` a stable name, ``field`` the input field at fault (if one is)."""

    def __init__(self, message, *, code="conflict", status=409, field=None, fields=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.fields = fields or ({field: [message]} if field else None)


def not_found(what):
    return TaskError(f"no such {what} at this station", code="not_found", status=404)


def forbidden(message, code="forbidden"):
    return TaskError(message, code=code, status=403)


def invalid(fields):
    """A 400 naming each field: ``fields`` maps field → list of messages."""
    return TaskError(f"invalid fields: {', '.join(sorted(fields))}", code="invalid_input", status=400, fields=fields)
