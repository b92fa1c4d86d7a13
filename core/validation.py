"""Checks shared by the schemas of typed-in text."""
from marshmallow import ValidationError


def no_control_characters(allow_line_breaks=False):
    """A marshmallow validator refusing control characters (a NUL cannot even
    be stored on PostgreSQL); line breaks and tabs pass where text may have lines."""
    allowed = "\n\r\t" if allow_line_breaks else ""

    def check(text):
        if any((ord(character) < 32 and character not in allowed) or ord(character) == 127 for character in text):
            raise ValidationError("must not contain control characters")

    return check
