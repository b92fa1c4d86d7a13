"""How the task and group concurrency tests run their workers, shared.

A *worker* is a list of jobs ``(task name, args)``, each run in a thread of
its own; every thread connects first, then all threads of every process are
released together, and a task calls ``sync()`` to meet all the others again
before each contested step. A task returns a list of ``(outcome, value)``:
``"ok"`` and a value, the ``code`` and HTTP status of a domain refusal
(:class:`core.errors.Refused`), or ``"error"`` and a traceback (which the
tests treat as a failure). Each workers module names its tasks in ``TASKS``;
processes started with "spawn" find them by the module's name.
"""

import importlib
import os
import threading
import traceback

from core import db
from core.errors import Refused
from tests.concurrency_workers import START_TIMEOUT, STATION, app_settings


def attempt(call, answer):
    try:
        value = call()
    except Refused as error:
        return (error.code, error.status)
    except Exception:  # noqa: BLE001 - reported, and fails the test
        return ("error", traceback.format_exc())
    return answer(value)


def run_jobs(app, jobs, tasks, before_start=None):
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
                results[index] = tasks[name](station, start.wait, *args)
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


def process_main(module_name, database_url, instance_path, jobs):
    """One process's part of a run: its own app, its jobs in threads (each
    holding a pooled PostgreSQL connection, so the pool holds them all)."""
    try:
        from core import create_app

        tasks = importlib.import_module(module_name).TASKS
        pool_size = max(int(os.environ.get("REDARMBAND_DB_POOL_SIZE", "10")), len(jobs) + 2)
        os.environ["REDARMBAND_DB_POOL_SIZE"] = str(pool_size)
        app = create_app({**app_settings(database_url), "INSTANCE_PATH": instance_path})
        return run_jobs(app, jobs, tasks, before_start=lambda: _barrier.wait(START_TIMEOUT))
    except BaseException:  # noqa: BLE001 - reported, and fails the test
        _barrier.abort()
        return [[("error", traceback.format_exc())]] * len(jobs)
    finally:
        db.close_all()
