"""Workers for ``test_groups_concurrency``: importable, so that processes
started with multiprocessing's "spawn" context can find them.

They work like ``tests/tasks_concurrency_workers.py`` (whose app settings and
timeouts they share): a *worker* is a list of jobs ``(task name, args)``,
each run in a thread of its own; every thread connects first, then all
threads of every process are released together, and a task calls ``sync()``
to meet all the others again before each contested step. A task returns a
list of ``(outcome, value)``: ``"ok"`` and a value, the ``code`` and HTTP
status of a :class:`~core.groups.GroupError`, or ``"error"`` and a traceback
(which the tests treat as a failure).
"""
import os
import threading
import traceback
from functools import partial

from core import db
from core.groups import GroupError, instructions, liaison, mobilisation
from core.models import User
from tests.concurrency_workers import START_TIMEOUT, STATION, app_settings


def attempt(call, answer):
    try:
        value = call()
    except GroupError as error:
        return (error.code, error.status)
    except Exception:  # noqa: BLE001 - reported, and fails the test
        return ("error", traceback.format_exc())
    return answer(value)


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
# Running workers
# ---------------------------------------------------------------------------


def run_jobs(app, jobs, before_start=None):
    """Each job in its own thread, all released at once; results in job order.
    ``before_start`` runs once every thread is connected (a cross-process
    barrier), and again at each ``sync()``."""
    results = [None] * len(jobs)
    start = threading.Barrier(len(jobs), action=before_start, timeout=START_TIMEOUT)

    def thread_main(index, name, args):
        try:
            with app.test_request_context():
                station = app.extensions["redarmband"].tenancy.get(STATION)
                station.id  # noqa: B018 - the station's row id, looked up before the start
                db.database.connect(reuse_if_open=True)
                start.wait()
                results[index] = TASKS[name](station, start.wait, *args)
        except BaseException:  # noqa: BLE001 - reported, and fails the test
            start.abort()
            results[index] = [("error", traceback.format_exc())]
        finally:
            db.database.close()

    threads = [threading.Thread(target=thread_main, args=(i, name, args)) for i, (name, args) in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


_barrier = None  # shared by the pool's processes: the start of each round in all of them


def init_process(barrier):
    global _barrier
    _barrier = barrier


def process_main(database_url, instance_path, jobs):
    """One process's part of a run: its own app, its jobs in threads (each
    holding a pooled PostgreSQL connection, so the pool holds them all)."""
    try:
        from core import create_app

        pool_size = max(int(os.environ.get("REDARMBAND_DB_POOL_SIZE", "10")), len(jobs) + 2)
        os.environ["REDARMBAND_DB_POOL_SIZE"] = str(pool_size)
        app = create_app({**app_settings(database_url), "INSTANCE_PATH": instance_path})
        return run_jobs(app, jobs, before_start=lambda: _barrier.wait(START_TIMEOUT))
    except BaseException:  # noqa: BLE001 - reported, and fails the test
        _barrier.abort()
        return [[("error", traceback.format_exc())]] * len(jobs)
    finally:
        db.close_all()
