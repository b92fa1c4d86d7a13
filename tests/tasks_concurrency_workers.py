"""The tasks of ``test_tasks_concurrency``: importable, so that processes started
with multiprocessing's "spawn" context can find them. How workers run and
what a task returns: ``tests/round_workers.py``.
"""

from functools import partial

from core.models import User
from core.tasks.review import decide
from core.tasks.signups import sign_up, withdraw
from tests import round_workers as rounds
from tests.round_workers import attempt

# ---------------------------------------------------------------------------
# Tasks: task(station, sync, *args) -> [(outcome, value), …]
# ---------------------------------------------------------------------------


def sign_up_rounds(station, sync, volunteer_id, task_ids):
    """Sign up for each task, all workers racing for one task at a time."""
    volunteer = User.get_by_id(volunteer_id)
    results = []
    for task_id in task_ids:
        sync()
        results.append(attempt(partial(sign_up, station, volunteer, task_id), lambda signup: ("ok", signup.id)))
    return results


def decide_rounds(station, sync, officer_id, submission_ids, decision):
    """Decide on each submission, all workers racing for one at a time."""
    officer = User.get_by_id(officer_id)
    reason = "" if decision == "approve" else "不符合要求"
    results = []
    for submission_id in submission_ids:
        sync()
        call = partial(decide, station, officer, submission_id, decision, reason=reason)
        results.append(attempt(call, lambda decided: ("ok", decided[1].id)))
    return results


def withdraw_rounds(station, sync, volunteer_id, task_ids):
    """Withdraw from each task, all workers (the same volunteer's double tap) at once."""
    volunteer = User.get_by_id(volunteer_id)
    results = []
    for task_id in task_ids:
        sync()
        results.append(attempt(partial(withdraw, station, volunteer, task_id), lambda task: ("ok", task.taken)))
    return results


TASKS = {"sign_up_rounds": sign_up_rounds, "decide_rounds": decide_rounds, "withdraw_rounds": withdraw_rounds}


# ---------------------------------------------------------------------------
# Running workers: tests/round_workers.py, with this module's TASKS
# ---------------------------------------------------------------------------

init_process = rounds.init_process


def run_jobs(app, jobs, before_start=None):
    return rounds.run_jobs(app, jobs, TASKS, before_start)


def process_main(database_url, instance_path, jobs):
    return rounds.process_main(__name__, database_url, instance_path, jobs)
