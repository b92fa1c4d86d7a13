"""Volunteers sign up for posted tasks, and withdraw before the start.

A sign-up moves the task's ``taken`` count with one guarded UPDATE
(``taken < capacity``): of two simultaneous sign-ups for the last place the
database lets exactly one through, on SQLite and PostgreSQL alike.
"""

from peewee import IntegrityError

from ..db import write_transaction
from ..models import Role, Signup, Submission, Task, utcnow
from .errors import TaskError, forbidden, not_found
from .posting import get_task
from .qualifications import require_qualification


def require_volunteer(station, user):
    if user is None or user.station_id != station.id or user.role != Role.VOLUNTEER:
        raise forbidden("only this station's volunteers may do this", "volunteers_only")


def sign_up(station, volunteer, task_id, now=None):
    now = now or utcnow()
    require_volunteer(station, volunteer)
    task = get_task(station, task_id)
    task_type = station.task_type(task.type_key)
    if task_type is None:
        raise not_found("task")  # its type was switched off
    if task.starts_at <= now:
        raise TaskError("the task has started already", code="task_started")
    require_qualification(volunteer, task_type)
    try:
        with write_transaction():
            if Signup.select().where(Signup.task == task.id, Signup.volunteer == volunteer.id).exists():
                raise TaskError("you have signed up for this task already", code="already_signed_up")
            moved = Task.update(taken=Task.taken + 1).where(Task.id == task.id, Task.taken < Task.capacity).execute()
            if not moved:
                raise TaskError("the task is full", code="task_full")
            signup = Signup.create(station=station.id, task=task.id, volunteer=volunteer.id, created_at=now)
    except IntegrityError as error:  # the same volunteer twice at once: the unique key
        raise TaskError("you have signed up for this task already", code="already_signed_up") from error
    return signup


def withdraw(station, volunteer, task_id, now=None):
    now = now or utcnow()
    require_volunteer(station, volunteer)
    task = get_task(station, task_id)
    if task.starts_at <= now:
        raise TaskError("the task has started; you can no longer withdraw", code="task_started")
    with write_transaction():
        if Submission.select().where(Submission.task == task.id, Submission.volunteer == volunteer.id).exists():
            raise TaskError("you have submitted work for this task", code="already_submitted")
        # The DELETE is the check: of two withdrawals at once (a double tap)
        # only the one that removed the row gives the place back.
        removed = Signup.delete().where(Signup.task == task.id, Signup.volunteer == volunteer.id).execute()
        if not removed:
            raise not_found("sign-up")
        Task.update(taken=Task.taken - 1).where(Task.id == task.id).execute()
    return Task.get_by_id(task.id)


def is_signed_up(volunteer, task):
    return Signup.select().where(Signup.task == task.id, Signup.volunteer == volunteer.id).exists()
