"""The tasks of ``test_groups_concurrency``: importable, so that processes started
with multiprocessing's "spawn" context can find them. How workers run and
what a task returns: ``tests/round_workers.py``.
"""

from functools import partial

from core.groups import instructions, liaison, mobilisation
from core.models import User
from tests import round_workers as rounds
from tests.round_workers import attempt


def _ok(_value):
    return ("ok", None)


# ---------------------------------------------------------------------------
# Tasks: task(station, sync, *args) -> [(outcome, value), …]
# ---------------------------------------------------------------------------


def answer_rounds(_station, sync, user_id, answers):
    """Answer each mobilisation ``(mobilisation id, available, location)``,
    everyone called up answering one mobilisation at a time."""
    user = User.get_by_id(user_id)
    results = []
    for mobilisation_id, available, location in answers:
        sync()
        data = {"available": available, "location": location}
        results.append(attempt(partial(mobilisation.answer, user, mobilisation_id, data), _ok))
    return results


def assign_rounds(station, sync, admin_id, pairs):
    """Make each ``(officer id, volunteer id)`` a liaison, all admins racing
    for one officer's last place at a time."""
    admin = User.get_by_id(admin_id)
    results = []
    for officer_id, volunteer_id in pairs:
        sync()
        call = partial(liaison.assign, station, admin, officer_id, volunteer_id)
        results.append(attempt(call, lambda row: ("ok", row.volunteer_id)))
    return results


def acknowledge_rounds(_station, sync, user_id, instruction_ids):
    """Acknowledge each instruction, all workers (the same volunteer's double tap) at once."""
    user = User.get_by_id(user_id)
    results = []
    for instruction_id in instruction_ids:
        sync()
        results.append(attempt(partial(instructions.acknowledge, user, instruction_id), _ok))
    return results


TASKS = {"answer_rounds": answer_rounds, "assign_rounds": assign_rounds, "acknowledge_rounds": acknowledge_rounds}


# ---------------------------------------------------------------------------
# Running workers: tests/round_workers.py, with this module's TASKS
# ---------------------------------------------------------------------------

init_process = rounds.init_process


def run_jobs(app, jobs, before_start=None):
    return rounds.run_jobs(app, jobs, TASKS, before_start)


def process_main(database_url, instance_path, jobs):
    return rounds.process_main(__name__, database_url, instance_path, jobs)
