"""The tasks of ``test_incidents_concurrency``: importable, so that processes
started with multiprocessing's "spawn" context can find them. How workers
run and what a task returns: ``tests/round_workers.py``.
"""

from functools import partial

from core.incidents import lifecycle
from core.models import User
from tests import round_workers as rounds
from tests.round_workers import attempt


def change_rounds(station, sync, officer_id, changes):
    """Make each ``(incident id, state, note, state seen or None)`` change,
    every officer at the same incident at once."""
    officer = User.get_by_id(officer_id)
    results = []
    for incident_id, to_state, note, seen in changes:
        sync()
        call = partial(lifecycle.change_state, station, officer, incident_id, to_state, note=note, expected_state=seen)
        results.append(attempt(call, lambda pair: ("ok", pair[1].to_state)))
    return results


def useful_rounds(station, sync, officer_id, incident_ids):
    """Confirm each incident useful, every officer at the same one at once."""
    officer = User.get_by_id(officer_id)
    results = []
    for incident_id in incident_ids:
        sync()
        call = partial(lifecycle.confirm_useful, station, officer, incident_id)
        results.append(attempt(call, lambda pair: ("ok", pair[0].entry_id)))
    return results


TASKS = {"change_rounds": change_rounds, "useful_rounds": useful_rounds}

init_process = rounds.init_process


def run_jobs(app, jobs, before_start=None):
    return rounds.run_jobs(app, jobs, TASKS, before_start)


def process_main(database_url, instance_path, jobs):
    return rounds.process_main(__name__, database_url, instance_path, jobs)
