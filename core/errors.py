"""Refusals of core's domain modules: nothing was changed."""


class Refused(Exception):
    """A refused action. ``status`` is the HTTP status it answers with,
    ``code`` a stable name, ``fields`` the input fields at fault (a dict of
    field → messages), if any."""

    def __init__(self, message, *, code="conflict", status=409, field=None, fields=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.fields = fields or ({field: [message]} if field else None)
