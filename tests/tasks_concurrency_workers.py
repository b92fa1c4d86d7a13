"""Workers for ``test_tasks_concurrency``: importable, so that processes
started with multiprocessing's "spawn" context can find them.

They work like ``tests/concurrency_workers.py`` (whose app settings and
timeouts they share): a *worker* is a list of jobs ``(task name, args)``,
each run in a thread of its own; every thread connects first, then all
threads of every process are released together, and a task calls ``sync()``
to meet all the others again before each contested step. A task returns a
list of ``(outcome, value)``: ``"ok"`` and a value, the ``code`` and HTTP
status of a :class:`~core.tasks.TaskError`, or ``"error"`` and a traceback
(which the tests treat as a failure).
"""
import threading
import traceback
from functools import partial

from core import db
from core.models import User
from core.tasks import TaskError
from core.tasks.review import decide
from core.tasks.signups import sign_up, withdraw
from tests.concurrency_workers import START_TIMEOUT, STATION, app_settings


def attempt(call, answer):
    try:
        value = call()
    except TaskError as error:
        return (error.code, error.status)
    except Exception:  # noqa: BLE001 - reported, and fails the test
        return ("error", traceback.format_exc())
    return answer(value)


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
    """One process's part of a run: its own app, its jobs in threads."""
    try:
        from core import create_app

        app = create_app({**app_settings(database_url), "INSTANCE_PATH": instance_path})
        return run_jobs(app, jobs, before_start=lambda: _barrier.wait(START_TIMEOUT))
    except BaseException:  # noqa: BLE001 - reported, and fails the test
        _barrier.abort()
        return [[("error", traceback.format_exc())]] * len(jobs)
    finally:
        db.close_all()
