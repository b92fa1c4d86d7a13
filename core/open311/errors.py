"""Open311 errors: a list of ``{code, description}`` with that HTTP status."""

import re

# A description may quote what the client sent; XML cannot carry control
# characters, surrogates or U+FFFE/U+FFFF.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


class Open311Error(Exception):
    """A refusal in the spec's shape. ``errors`` is a list of descriptions
    (one error element each); ``status`` the HTTP status of them all."""

    def __init__(self, status, *descriptions):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = [CONTROL.sub("?", text) for text in descriptions] or ["error"]


def bad_parameter(name, why):
    """400 naming the parameter at fault."""
    return Open311Error(400, f"{name}: {why}")


def not_found(what):
    return Open311Error(404, f"{what} was not found")


def forbidden(why):
    return Open311Error(403, why)


def error_document(error):
    return [{"code": error.status, "description": text} for text in error.descriptions]
