"""Officers post tasks: one-off, or every matching day of a weekly pattern.

Times arrive as aware datetimes (API) or station-local ones (pages) and are
stored as naive UTC. A weekly pattern's times are station-local, so 07:30 is
07:30 on every date whatever the offset; an end before the start means the
shift ends the next day (a night patrol from 20:00 to 02:00).
"""

from datetime import UTC, datetime, time, timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..db import write_transaction
from ..models import Signup, Task, TaskSeries, utcnow
from ..validation import AwareDateTime, BoundedDate, TypedText
from .errors import forbidden, invalid, not_found

MAX_CAPACITY = 500
MAX_TASK_HOURS = 24
MAX_SERIES_DAYS = 366
MAX_OCCURRENCES = 260  # a school year of school days
HH_MM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="expected a time as HH:MM, e.g. 07:30")


class _TaskFields(Schema):
    type = fields.String(required=True, validate=validate.Length(min=1, max=60))
    title = TypedText(required=True, min_length=1, max_length=100)
    place = TypedText(required=True, min_length=1, max_length=200)
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CAPACITY))
    notes = TypedText(load_default="", max_length=2000)


class TaskSchema(_TaskFields):
    """One task, with its start and end as times with a zone."""

    starts_at = AwareDateTime(required=True)
    ends_at = AwareDateTime(required=True)

    @validates_schema
    def _sensible_times(self, data, **_kwargs):
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end:
            if end <= start:
                raise ValidationError("must be after starts_at", "ends_at")
            if end - start > timedelta(hours=MAX_TASK_HOURS):
                raise ValidationError(f"a task lasts at most {MAX_TASK_HOURS} hours", "ends_at")


class WeeklyPatternSchema(_TaskFields):
    """Tasks on the given ISO weekdays (1 = Monday) between two dates."""

    weekdays = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=7)),
        required=True,
        validate=validate.Length(min=1, max=7),
    )
    start_time = fields.String(required=True, validate=HH_MM)
    end_time = fields.String(required=True, validate=HH_MM)
    first_date = BoundedDate(required=True)
    last_date = BoundedDate(required=True)
    skip_dates = fields.List(BoundedDate(), load_default=list, validate=validate.Length(max=MAX_SERIES_DAYS))

    @validates_schema
    def _sensible_pattern(self, data, **_kwargs):
        first, last = data.get("first_date"), data.get("last_date")
        if first and last:
            if last < first:
                raise ValidationError("must not be before first_date", "last_date")
            if (last - first).days >= MAX_SERIES_DAYS:
                raise ValidationError(f"a pattern spans at most {MAX_SERIES_DAYS} days", "last_date")
        if data.get("start_time") and data.get("start_time") == data.get("end_time"):
            raise ValidationError("must differ from start_time", "end_time")


def require_staff(station, user):
    if user is None or user.station_id != station.id or not user.is_staff:
        raise forbidden("only this station's officers and admins may do this", "staff_only")


def _task_type_or_400(station, key):
    task_type = station.task_type(key)
    if task_type is None:
        known = ", ".join(t.key for t in station.task_types)
        raise invalid({"type": [f"unknown task type {key!r} at this station; expected one of: {known}"]})
    return task_type


def post_task(station, officer, data, now=None):
    """Post one task from :class:`TaskSchema` data."""
    now = now or utcnow()
    require_staff(station, officer)
    _task_type_or_400(station, data["type"])
    if data["ends_at"] <= now:
        raise invalid({"ends_at": ["the task would be over already"]})
    return Task.create(
        station=station.id,
        type_key=data["type"],
        title=data["title"],
        place=data["place"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        capacity=data["capacity"],
        notes=data["notes"],
        created_by=officer.id,
        created_at=now,
    )


def occurrences(station, data, now):
    """The (start, end) naive-UTC times a weekly pattern gives from now on."""
    tz = station.config.tz
    start_time = time.fromisoformat(data["start_time"])
    end_time = time.fromisoformat(data["end_time"])
    skip = set(data.get("skip_dates") or ())
    found = []
    day = data["first_date"]
    while day <= data["last_date"]:
        if day.isoweekday() in data["weekdays"] and day not in skip:
            start = datetime.combine(day, start_time, tz)
            end_day = day + timedelta(days=1) if end_time <= start_time else day
            end = datetime.combine(end_day, end_time, tz)
            start_utc, end_utc = (moment.astimezone(UTC).replace(tzinfo=None) for moment in (start, end))
            if start_utc > now:
                found.append((start_utc, end_utc))
        day += timedelta(days=1)
    return found


def post_weekly(station, officer, data, now=None):
    """Post every future task of a :class:`WeeklyPatternSchema` pattern;
    returns the series and its tasks."""
    now = now or utcnow()
    require_staff(station, officer)
    _task_type_or_400(station, data["type"])
    times = occurrences(station, data, now)
    if not times:
        raise invalid({"weekdays": ["the pattern gives no dates still to come"]})
    if len(times) > MAX_OCCURRENCES:
        raise invalid({"last_date": [f"the pattern gives {len(times)} tasks; at most {MAX_OCCURRENCES} at once"]})
    with write_transaction():
        series = TaskSeries.create(
            station=station.id,
            weekdays="".join(str(day) for day in sorted(set(data["weekdays"]))),
            start_time=data["start_time"],
            end_time=data["end_time"],
            first_date=data["first_date"],
            last_date=data["last_date"],
            created_by=officer.id,
            created_at=now,
        )
        rows = [
            {
                "station": station.id,
                "type_key": data["type"],
                "title": data["title"],
                "place": data["place"],
                "starts_at": start,
                "ends_at": end,
                "capacity": data["capacity"],
                "notes": data["notes"],
                "series": series.id,
                "created_by": officer.id,
                "created_at": now,
            }
            for start, end in times
        ]
        for offset in range(0, len(rows), 100):  # SQLite limits the variables of one statement
            Task.insert_many(rows[offset : offset + 100]).execute()
    tasks = list(Task.select().where(Task.series == series.id).order_by(Task.starts_at))
    return series, tasks


def get_task(station, task_id):
    task = Task.get_or_none(Task.id == task_id, Task.station == station.id)
    if task is None:
        raise not_found("task")
    return task


def upcoming_tasks(station, now=None, *, type_key=None, limit=200):
    """Tasks not yet over, soonest first (of types the station still has)."""
    now = now or utcnow()
    keys = [task_type.key for task_type in station.task_types]
    query = Task.select().where(Task.station == station.id, Task.ends_at > now, Task.type_key.in_(keys))
    if type_key:
        query = query.where(Task.type_key == type_key)
    return list(query.order_by(Task.starts_at, Task.id).limit(limit))


def signed_up_task_ids(volunteer, task_ids):
    if not task_ids:
        return set()
    rows = Signup.select(Signup.task).where(Signup.volunteer == volunteer.id, Signup.task.in_(list(task_ids)))
    return {row.task_id for row in rows}


def tasks_of(volunteer, since=None):
    """Tasks ``volunteer`` signed up for (ending after ``since``), soonest first."""
    query = Task.select().join(Signup, on=(Signup.task == Task.id)).where(Signup.volunteer == volunteer.id)
    if since is not None:
        query = query.where(Task.ends_at > since)
    return list(query.order_by(Task.starts_at, Task.id))
