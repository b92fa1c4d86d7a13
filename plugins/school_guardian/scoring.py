"""Scoring rules of approved 护学岗 work ("task" events).

- 准时到岗: the volunteer pressed 到岗 before the duty started →
  ``punctuality_bonus``.
- 连续护学: the duty makes ``streak_days`` consecutive school days on duty
  (weekends and holidays neither count nor break a run) → ``streak_bonus``,
  again at 2N, 3N … The bonus is counted so that the order in which an
  officer approves the days does not matter: approving the day that joins
  two runs pays for every multiple of N the joined run newly reaches.
"""

from datetime import timedelta

from peewee import JOIN

from core import ScoringRule, Submission, SubmissionState, Task, Text

from .roster import arrival_of, local
from .settings import holiday_names, is_school_day
from .task_types import GATE_DUTY, NAME

PUNCTUALITY = "school_guardian.punctuality"
STREAK = "school_guardian.streak"


def _gate_duty(event):
    task_type = event.details.get("task_type")
    return task_type is not None and task_type.key == GATE_DUTY


def punctuality(event, subtotal):
    task = event.details.get("task")
    if not _gate_duty(event) or task is None:
        return 0
    arrival = arrival_of(task.id, event.volunteer.id)
    if arrival is not None and arrival.arrived_at < task.starts_at:
        return event.station.plugin_config(NAME).get("punctuality_bonus", 0)
    return 0


def duty_days(station, volunteer_id, leave_out):
    """The station-local days of the volunteer's approved 护学岗 work."""
    query = (
        Submission.select(Submission.id, Submission.started_at, Task.starts_at)
        .join(Task, JOIN.LEFT_OUTER, on=(Submission.task == Task.id))
        .where(
            Submission.station == station.id,
            Submission.volunteer == volunteer_id,
            Submission.type_key == GATE_DUTY,
            Submission.state == SubmissionState.APPROVED,
            Submission.id != leave_out,
        )
        .objects()
    )
    days = set()
    for row in query:
        moment = row.starts_at or row.started_at
        if moment is not None:
            days.add(local(station, moment).date())
    return days


def _run(day, step, on_duty, holidays):
    """How many school days on duty follow ``day`` in direction ``step``."""
    count = 0
    while True:
        day += timedelta(days=step)
        while not is_school_day(day, holidays):
            day += timedelta(days=step)
        if day not in on_duty:
            return count
        count += 1


def streak(event, subtotal):
    start = event.details.get("starts_at")
    if not _gate_duty(event) or start is None:
        return 0
    settings = event.station.plugin_config(NAME)
    holidays = holiday_names(settings)
    day = start.date()
    if not is_school_day(day, holidays):
        return 0
    on_duty = duty_days(event.station, event.volunteer.id, event.details["submission"].id)
    if day in on_duty:
        return 0  # another duty that day counted it already
    before, after = _run(day, -1, on_duty, holidays), _run(day, 1, on_duty, holidays)
    length = settings.get("streak_days", 5)
    reached = (before + 1 + after) // length - before // length - after // length
    return reached * settings.get("streak_bonus", 0)


RULES = [
    ScoringRule(PUNCTUALITY, Text("准时到岗", "On time at the gate"), ("task",), punctuality),
    ScoringRule(STREAK, Text("连续护学", "Duty streak"), ("task",), streak),
]
