"""Fields and checks shared by the schemas of typed-in input."""

import re
from datetime import UTC

from marshmallow import ValidationError, fields, validate

# The years a typed-in date or time may name. Python's dates end at 9999, so
# a time near either end cannot even be moved to another zone or a day on;
# nothing in a volunteer programme lies outside these years.
MIN_YEAR, MAX_YEAR = 2000, 2999


NOT_TEXT = re.compile("[\ud800-\udfff\ufffe\uffff]")


def no_control_characters(allow_line_breaks=False):
    """A marshmallow validator refusing control characters (a NUL cannot even
    be stored on PostgreSQL); line breaks and tabs pass where text may have lines."""
    allowed = "\n\r\t" if allow_line_breaks else ""

    def check(text):
        if any((ord(character) < 32 and character not in allowed) or ord(character) == 127 for character in text):
            raise ValidationError("must not contain control characters")
        if NOT_TEXT.search(text):
            # lone surrogates cannot be stored; U+FFFE/U+FFFF break any XML
            # the text is later served in (Open311)
            raise ValidationError("must not contain unpaired surrogates or the non-characters U+FFFE, U+FFFF")

    return check


class TypedText(fields.String):
    """Text a person typed: control characters refused, length bounded."""

    def __init__(self, *, max_length, min_length=0, **kwargs):
        super().__init__(
            validate=[validate.Length(min=min_length, max=max_length), no_control_characters(allow_line_breaks=True)],
            **kwargs,
        )


def _check_year(year):
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"expected a year from {MIN_YEAR} to {MAX_YEAR}")


class AwareDateTime(fields.AwareDateTime):
    """An ISO time with a zone, kept as naive UTC like every stored time."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = super()._deserialize(value, attr, data, **kwargs).astimezone(UTC).replace(tzinfo=None)
        except OverflowError as error:  # e.g. 9999-12-31 at -05:00 is past year 9999 in UTC
            raise ValidationError("not a date and time the calendar can hold") from error
        _check_year(moment.year)
        return moment


class BoundedDate(fields.Date):
    """A calendar date between MIN_YEAR and MAX_YEAR."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        _check_year(day.year)
        return day
