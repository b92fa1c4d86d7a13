"""The ``[plugin_settings.school_guardian]`` table of a station config.

```toml
[plugin_settings.school_guardian]
punctuality_bonus = 1          # points for checking in (到岗) before a duty starts
streak_days = 5                # N consecutive school days on duty …
streak_bonus = 3               # … earn this bonus (again at 2N, 3N …)
holidays = [                   # no duties: single dates and ranges
  2027-01-01,
  { first = 2027-01-16, last = 2027-02-21, name = "寒假" },
]

[[plugin_settings.school_guardian.schools]]
name = "昆明市长春小学"
gates = ["正门", "后门"]
volunteers_per_slot = 2        # how many volunteers one gate needs in one window
windows = { morning = "07:30-08:10", noon = "11:40-12:20", afternoon = "16:30-17:10" }
```

School days are Monday to Friday, less the holidays. Each school's duty
windows default to the ones above; a school may set any of them.
"""

import re
from datetime import date, datetime, timedelta
from itertools import pairwise

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

# The duty windows of a school day, in order, with their defaults.
WINDOW_KEYS = ("morning", "noon", "afternoon")
DEFAULT_WINDOWS = {
    "morning": {"start": "07:30", "end": "08:10"},
    "noon": {"start": "11:40", "end": "12:20"},
    "afternoon": {"start": "16:30", "end": "17:10"},
}
MAX_HOLIDAY_DAYS = 366

SPAN = re.compile(r"^\s*([01]\d|2[0-3]):([0-5]\d)\s*[-–~]\s*([01]\d|2[0-3]):([0-5]\d)\s*$")
SPAN_EXPECTED = "expected a window as HH:MM-HH:MM, e.g. 07:30-08:10"
HOLIDAY_EXPECTED = (
    'expected a date such as 2027-01-01, or a range such as { first = 2027-01-16, last = 2027-02-21, name = "寒假" }'
)


class Window(fields.Field):
    """``"07:30-08:10"`` → ``{"start": "07:30", "end": "08:10"}``; ends after it starts."""

    def _deserialize(self, value, attr, data, **kwargs):
        found = SPAN.match(value) if isinstance(value, str) else None
        if not found:
            raise ValidationError(SPAN_EXPECTED)
        start = f"{found.group(1)}:{found.group(2)}"
        end = f"{found.group(3)}:{found.group(4)}"
        if end <= start:
            raise ValidationError(f"the window must end after it starts ({start} to {end}); {SPAN_EXPECTED}")
        return {"start": start, "end": end}


def _a_date(value):
    if isinstance(value, datetime):  # a TOML date-time is not a day
        raise ValidationError(HOLIDAY_EXPECTED)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(HOLIDAY_EXPECTED)


class Holiday(fields.Field):
    """A date (TOML date or ``"2027-01-01"``), or ``{ first, last, name }``.

    Loads as ``{"first": date, "last": date, "name": str}``.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict):
            unknown = sorted(set(value) - {"first", "last", "name"})
            if unknown or "first" not in value or "last" not in value:
                raise ValidationError(HOLIDAY_EXPECTED)
            first, last = _a_date(value["first"]), _a_date(value["last"])
            name = value.get("name", "")
            if not isinstance(name, str) or len(name) > 40:
                raise ValidationError("a holiday's name is text of at most 40 characters")
            if last < first:
                raise ValidationError(f"the range ends ({last}) before it begins ({first})")
            if (last - first).days >= MAX_HOLIDAY_DAYS:
                raise ValidationError(f"a range spans at most {MAX_HOLIDAY_DAYS} days")
            return {"first": first, "last": last, "name": name}
        day = _a_date(value)
        return {"first": day, "last": day, "name": ""}


class WindowsSchema(Schema):
    morning = Window(load_default=DEFAULT_WINDOWS["morning"])
    noon = Window(load_default=DEFAULT_WINDOWS["noon"])
    afternoon = Window(load_default=DEFAULT_WINDOWS["afternoon"])

    @validates_schema
    def _in_order(self, data, **_kwargs):
        for earlier, later in pairwise(WINDOW_KEYS):
            if earlier in data and later in data and data[later]["start"] < data[earlier]["end"]:
                raise ValidationError(f"must start after the {earlier} window ends ({data[earlier]['end']})", later)


class SchoolSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    gates = fields.List(
        fields.String(validate=validate.Length(min=1, max=30)), required=True, validate=validate.Length(min=1, max=10)
    )
    windows = fields.Nested(
        WindowsSchema, load_default=lambda: {key: dict(value) for key, value in DEFAULT_WINDOWS.items()}
    )
    volunteers_per_slot = fields.Integer(load_default=2, strict=True, validate=validate.Range(min=1, max=20))

    @validates_schema
    def _distinct_gates(self, data, **_kwargs):
        gates = data.get("gates") or []
        twice = sorted({gate for gate in gates if gates.count(gate) > 1})
        if twice:
            raise ValidationError(f"each gate once; named twice: {', '.join(twice)}", "gates")


class SchoolGuardianSettings(Schema):
    schools = fields.List(fields.Nested(SchoolSchema), required=True, validate=validate.Length(min=1, max=30))
    holidays = fields.List(Holiday(), load_default=list, validate=validate.Length(max=100))
    punctuality_bonus = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=0, max=100))
    streak_days = fields.Integer(load_default=5, strict=True, validate=validate.Range(min=2, max=100))
    streak_bonus = fields.Integer(load_default=3, strict=True, validate=validate.Range(min=0, max=100))

    @validates_schema
    def _distinct_schools(self, data, **_kwargs):
        names = [school["name"] for school in data.get("schools") or []]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValidationError(f"each school once; named twice: {', '.join(twice)}", "schools")


# ---------------------------------------------------------------------------
# Reading the loaded settings
# ---------------------------------------------------------------------------


def holiday_names(settings):
    """``{date: name}`` for every holiday day (a range gives each of its days)."""
    days = {}
    for holiday in settings.get("holidays", ()):
        day = holiday["first"]
        while day <= holiday["last"]:
            days.setdefault(day, holiday["name"])
            day += timedelta(days=1)
    return days


def is_school_day(day, holidays):
    return day.isoweekday() <= 5 and day not in holidays


def school_days(first, last, holidays):
    """The school days from ``first`` to ``last``, both included."""
    found, day = [], first
    while day <= last:
        if is_school_day(day, holidays):
            found.append(day)
        day += timedelta(days=1)
    return found
