"""The duty roster: posting 护学岗 tasks for a date range, the week's grid
per school and gate, and volunteers reporting at the gate (到岗).

Every task is posted through core's ``post_weekly`` (Monday to Friday, the
holidays skipped) and recorded as a :class:`DutySlot`; the days a slot
already has are skipped too, so posting a range twice adds nothing.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from marshmallow import ValidationError
from peewee import IntegrityError

from core import (
    BoundedDate,
    Role,
    Signup,
    Station,
    Task,
    TaskError,
    Text,
    User,
    WeeklyPatternSchema,
    for_update,
    post_weekly,
    utcnow,
    write_transaction,
)

from .models import Arrival, DutySlot
from .settings import WINDOW_KEYS, holiday_names, is_school_day
from .task_types import GATE_DUTY, NAME

WINDOW_LABELS = {
    "morning": Text("早间入校", "Morning arrival"),
    "noon": Text("午间", "Noon"),
    "afternoon": Text("下午放学", "Afternoon release"),
}
# 到岗 opens this long before a duty starts, and closes when it ends.
ARRIVAL_OPENS = timedelta(minutes=60)


def settings_of(station):
    return station.plugin_config(NAME)


def schools_of(station):
    return settings_of(station).get("schools", [])


def holidays_of(station):
    return holiday_names(settings_of(station))


def local(station, moment):
    """A stored naive-UTC time in the station's zone."""
    return moment.replace(tzinfo=UTC).astimezone(station.config.tz)


def monday_of(day):
    return day - timedelta(days=day.isoweekday() - 1)


# ---------------------------------------------------------------------------
# Posting
# ---------------------------------------------------------------------------


@dataclass
class Posted:
    """What posting a range did."""

    tasks: int = 0  # new tasks posted
    already: int = 0  # slots in the range posted before (left alone)
    holidays: int = 0  # weekdays of the range that are holidays
    by_school: dict = field(default_factory=dict)  # school name → new tasks


def post_roster(station, officer, first, last, now=None):
    """Post a 护学岗 task for every school × gate × window × school day from
    ``first`` to ``last`` not posted yet (and still to come); returns
    :class:`Posted`. Refusals (not staff, a range too long …) are TaskError."""
    now = now or utcnow()
    for name, day in (("first_date", first), ("last_date", last)):
        if not _bounded(day):  # a day near the calendar's end cannot even be stepped past
            raise TaskError("expected a date from 2000 to 2999", code="invalid_input", status=400, field=name)
    if last < first:
        raise TaskError("must not be before first_date", code="invalid_input", status=400, field="last_date")
    holidays = holidays_of(station)
    result = Posted()
    day = first
    while day <= last:
        if day.isoweekday() <= 5 and day in holidays:
            result.holidays += 1
        day += timedelta(days=1)
    try:
        with write_transaction():
            # one posting at a time per station (PostgreSQL; SQLite's write lock does it already)
            for_update(Station.select().where(Station.id == station.id)).get()
            for school in schools_of(station):
                result.by_school[school["name"]] = 0
                for gate in school["gates"]:
                    for window in WINDOW_KEYS:
                        posted, already = _post_slot(station, officer, school, gate, window, first, last, holidays, now)
                        result.tasks += posted
                        result.already += already
                        result.by_school[school["name"]] += posted
    except IntegrityError as error:  # another officer posted the same slots at this very moment
        raise TaskError("the roster was posted by someone else just now", code="try_again") from error
    return result


def _bounded(day):
    """Whether ``day`` lies in the years core accepts for a typed-in date."""
    try:
        BoundedDate().deserialize(day.isoformat())
    except ValidationError:
        return False
    return True


def _post_slot(station, officer, school, gate, window, first, last, holidays, now):
    existing = {
        row.day
        for row in DutySlot.select(DutySlot.day).where(
            DutySlot.station == station.id,
            DutySlot.school == school["name"],
            DutySlot.gate == gate,
            DutySlot.window == window,
            DutySlot.day.between(first, last),
        )
    }
    skip = sorted(existing | {day for day in holidays if first <= day <= last})
    span = school["windows"][window]
    label = WINDOW_LABELS[window]
    data = WeeklyPatternSchema().load(
        {
            "type": GATE_DUTY,
            "title": f"{school['name']} {gate} {label.zh}护学岗",
            "place": f"{school['name']}{gate}",
            "capacity": school["volunteers_per_slot"],
            "notes": f"{label.zh} {span['start']}–{span['end']}",
            "weekdays": [1, 2, 3, 4, 5],
            "start_time": span["start"],
            "end_time": span["end"],
            "first_date": first.isoformat(),
            "last_date": last.isoformat(),
            "skip_dates": [day.isoformat() for day in skip],
        }
    )
    try:
        _series, tasks = post_weekly(station, officer, data, now=now)
    except TaskError as error:
        if error.code == "invalid_input" and set(error.fields or {}) == {"weekdays"}:
            return 0, len(existing)  # nothing left to post: all posted, holidays or past
        raise
    for task in tasks:
        DutySlot.create(
            station=station.id,
            task=task.id,
            school=school["name"],
            gate=gate,
            window=window,
            day=local(station, task.starts_at).date(),
        )
    return len(tasks), len(existing)


# ---------------------------------------------------------------------------
# The week's roster
# ---------------------------------------------------------------------------


@dataclass
class Cell:
    day: object
    window: str
    holiday: str | None = None  # the holiday's name ("" for an unnamed one), or None
    task: object = None
    volunteers: list = field(default_factory=list)  # the Users signed up
    mine: bool = False
    arrived_at: object = None  # station-local, when the viewer pressed 到岗
    can_sign_up: bool = False
    can_arrive: bool = False

    @property
    def places_left(self):
        return self.task.capacity - self.task.taken if self.task else 0


@dataclass
class GateWeek:
    gate: str
    rows: list  # [(day, [Cell per window])]


def week_roster(station, school, monday, viewer=None, now=None):
    """The week's grid of ``school``: per gate, each school day × window."""
    now = now or utcnow()
    days = [monday + timedelta(days=offset) for offset in range(5)]
    holidays = holidays_of(station)
    slots = {
        (slot.gate, slot.window, slot.day): slot.task_id
        for slot in DutySlot.select().where(
            DutySlot.station == station.id, DutySlot.school == school["name"], DutySlot.day.in_(days)
        )
    }
    task_ids = list(set(slots.values()))
    tasks = {task.id: task for task in Task.select().where(Task.id.in_(task_ids))} if task_ids else {}
    signed = {}
    if task_ids:
        query = (
            Signup.select(Signup, User)
            .join(User, on=(Signup.volunteer == User.id))
            .where(Signup.task.in_(task_ids))
            .order_by(Signup.created_at, Signup.id)
        )
        for signup in query:
            signed.setdefault(signup.task_id, []).append(signup.volunteer)
    is_volunteer = bool(viewer is not None and viewer.station_id == station.id and viewer.role == Role.VOLUNTEER)
    arrivals = {}
    if is_volunteer and task_ids:
        arrivals = {
            arrival.task_id: arrival.arrived_at
            for arrival in Arrival.select().where(Arrival.volunteer == viewer.id, Arrival.task.in_(task_ids))
        }
    gates = []
    for gate in school["gates"]:
        rows = []
        for day in days:
            cells = []
            for window in WINDOW_KEYS:
                cell = Cell(day, window, holiday=holidays.get(day) if not is_school_day(day, holidays) else None)
                task = tasks.get(slots.get((gate, window, day)))
                if task is not None:
                    cell.task = task
                    cell.volunteers = signed.get(task.id, [])
                    if is_volunteer:
                        cell.mine = any(person.id == viewer.id for person in cell.volunteers)
                        arrived = arrivals.get(task.id)
                        cell.arrived_at = local(station, arrived) if arrived else None
                        cell.can_sign_up = not cell.mine and task.starts_at > now and task.taken < task.capacity
                        cell.can_arrive = (
                            cell.mine and arrived is None and task.starts_at - ARRIVAL_OPENS <= now <= task.ends_at
                        )
                cells.append(cell)
            rows.append((day, cells))
        gates.append(GateWeek(gate, rows))
    return gates


def slot_of(station, task_id):
    return DutySlot.get_or_none(DutySlot.station == station.id, DutySlot.task == task_id)


# ---------------------------------------------------------------------------
# 到岗: "I'm here"
# ---------------------------------------------------------------------------


def record_arrival(station, volunteer, task_id, now=None):
    """Record that ``volunteer`` reported at the gate for the duty ``task_id``
    (one they signed up for); returns the :class:`Arrival`."""
    now = now or utcnow()
    if volunteer is None or volunteer.station_id != station.id or volunteer.role != Role.VOLUNTEER:
        raise TaskError("only this station's volunteers may do this", code="volunteers_only", status=403)
    slot = slot_of(station, task_id)
    if slot is None:
        raise TaskError("no such duty at this station", code="not_found", status=404)
    task = Task.get_by_id(slot.task_id)
    if not Signup.select().where(Signup.task == task.id, Signup.volunteer == volunteer.id).exists():
        raise TaskError("sign up for this duty first", code="not_signed_up")
    if now < task.starts_at - ARRIVAL_OPENS:
        raise TaskError("the duty has not begun yet", code="too_early")
    if now > task.ends_at:
        raise TaskError("the duty is over", code="duty_over")
    try:
        with write_transaction():
            if Arrival.select().where(Arrival.task == task.id, Arrival.volunteer == volunteer.id).exists():
                raise TaskError("you have reported already", code="already_arrived")
            return Arrival.create(station=station.id, task=task.id, volunteer=volunteer.id, arrived_at=now)
    except IntegrityError as error:  # the button pressed twice at once
        raise TaskError("you have reported already", code="already_arrived") from error


def arrival_of(task_id, volunteer_id):
    return Arrival.get_or_none(Arrival.task == task_id, Arrival.volunteer == volunteer_id)


def local_now(station):
    return datetime.now(station.config.tz)
