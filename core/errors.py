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


def refusal_makers(kind, where=""):
    """The three refusals every domain module raises, as ``kind`` (a Refused
    subclass): ``not_found(what)`` 404, ``forbidden(message, code)`` 403 and
    ``invalid({field: [messages]})`` 400 naming the fields."""

    def not_found(what):
        return kind(f"no such {what}{where}", code="not_found", status=404)

    def forbidden(message, code="forbidden"):
        return kind(message, code=code, status=403)

    def invalid(fields):
        return kind(f"invalid fields: {', '.join(sorted(fields))}", code="invalid_input", status=400, fields=fields)

    return not_found, forbidden, invalid
