"""Workers for ``test_points_concurrency``: importable, so that processes
started with multiprocessing's "spawn" context can find them.

Each of those processes builds its own app for each run (``process_main``),
with the settings of core.testing's ``make_app``.

A *worker* is a list of jobs; each job is ``(task name, args)`` and runs in
its own thread. Every thread opens its database connection first, then all
threads (of every process) are released together, so the work really
overlaps; a task may call ``sync()`` to meet all the others again (every
task of a run must then call it equally often).

A task returns a list of ``(outcome, value)`` pairs: ``"ok"`` and what the
call returned, the ``code`` of an expected refusal, or ``"error"`` and a
traceback for anything else (which the tests treat as a failure).
"""

import random
import threading
import time
import traceback
from functools import partial
from pathlib import Path

from flask import current_app

from core import db
from core.checkins import AlreadyCheckedIn, check_in
from core.models import Redemption, RedemptionState, User
from core.points import PointsError
from core.rewards import RewardError, cancel, collect, redeem

STATION = "huguo"
REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60  # seconds to wait for the other workers to be ready


def app_settings(database_url):
    """The settings of core.testing's ``make_app`` with this project's world."""
    from tests.conftest import BRAND_PLUGINS

    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "LOAD_ENTRYPOINTS": False,
        "EXTRA_PLUGINS": list(BRAND_PLUGINS),
        "STATIONS_DIR": str(REPO / "stations"),
        "DATABASE_URL": database_url,
    }


def attempt(call, answer):
    """``call()``'s outcome: ``answer(value)``, a refusal's code, or an error."""
    try:
        value = call()
    except (PointsError, RewardError, AlreadyCheckedIn) as error:
        return (error.code, type(error).__name__)
    except Exception:  # noqa: BLE001 - reported, and fails the test
        return ("error", traceback.format_exc())
    return answer(value)


def pickup_code(redemption):
    return ("ok", redemption.code)


def new_state(redemption):
    return ("ok", redemption.state)


def entry_id(result):
    return ("ok", result.entry.id)


# ---------------------------------------------------------------------------
# Tasks: task(station, sync, *args) -> [(outcome, value), …]
# ---------------------------------------------------------------------------


def redeem_times(station, _sync, volunteer_id, reward_id, times):
    volunteer = User.get_by_id(volunteer_id)
    return [attempt(partial(redeem, station, volunteer, reward_id), pickup_code) for _ in range(times)]


def check_in_once(station, _sync, volunteer_id, now):
    volunteer = User.get_by_id(volunteer_id)
    return [attempt(partial(check_in, station, volunteer, now), entry_id)]


def collect_codes(station, sync, codes, collector_id):
    """Collect each code, all workers racing for one code at a time."""
    collector = User.get_by_id(collector_id)
    results = []
    for code in codes:
        sync()
        results.append(attempt(partial(collect, station, code, collector), new_state))
    return results


def cancel_codes(station, sync, codes, user_id):
    """Cancel each code, all workers racing for one code at a time."""
    user = User.get_by_id(user_id)
    results = []
    for code in codes:
        sync()
        results.append(attempt(partial(cancel, station, code, user), new_state))
    return results


def api_redeem_rounds(station, sync, token, reward_id, keys):
    """POST a redemption through the API once per key, every worker sending
    the same key at the same moment (a client's retries racing each other).
    Outcomes: ``ok`` (booked), ``replayed`` (the stored answer) with the
    pickup code, or the API's error code; anything of 500 or more is an error,
    after which this worker only keeps time with the others (an error here
    tends to be a stall of seconds: the test fails soon rather than slowly)."""
    client = current_app.test_client()
    path = f"/api/v1/s/{station.slug}/rewards/{reward_id}/redemptions"
    results = []
    for key in keys:
        sync()
        if results and results[-1][0] == "error":
            continue
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        results.append(attempt(partial(client.post, path, headers=headers), answer_of))
    return results


def answer_of(response):
    body = response.get_json(silent=True) or {}
    if response.status_code >= 500 or not body:
        return ("error", f"{response.status_code}: {response.get_data(as_text=True)[:2000]}")
    if response.status_code == 201:
        return ("replayed" if response.headers.get("Idempotent-Replayed") else "ok", body["code"])
    return (body["error"]["code"], response.status_code)


def churn(station, _sync, volunteer_id, reward_id, staff_id, collector_id, seed, max_steps, seconds):
    """Redeem, cancel and collect at random, for ``max_steps`` steps or
    ``seconds`` seconds. Outcomes are ``(action, outcome, value)``."""
    rng = random.Random(seed)
    volunteer = User.get_by_id(volunteer_id)
    staff = User.get_by_id(staff_id)
    collector = User.get_by_id(collector_id)
    deadline = time.monotonic() + seconds
    results = []
    for _ in range(max_steps):
        if time.monotonic() > deadline:
            break
        roll = rng.random()
        if roll < 0.5:
            results.append(("redeem", *attempt(partial(redeem, station, volunteer, reward_id), pickup_code)))
            continue
        reserved = [
            row.code for row in Redemption.select(Redemption.code).where(Redemption.state == RedemptionState.RESERVED)
        ]
        if not reserved:
            results.append(("idle", "idle", None))
            continue
        code = rng.choice(reserved)
        if roll < 0.9:
            # the volunteer cancels one of their own, or the station admin any
            mine = code_of(volunteer_id, reserved, rng)
            canceller = staff
            if mine is not None and rng.random() < 0.5:
                canceller, code = volunteer, mine
            results.append(("cancel", *attempt(partial(cancel, station, code, canceller), new_state)))
        else:
            results.append(("collect", *attempt(partial(collect, station, code, collector), new_state)))
    return results


def code_of(volunteer_id, reserved, rng):
    """One of ``reserved`` that belongs to the volunteer, or ``None``."""
    mine = [
        row.code
        for row in Redemption.select(Redemption.code).where(
            Redemption.volunteer == volunteer_id, Redemption.code.in_(reserved)
        )
    ]
    return rng.choice(mine) if mine else None


TASKS = {
    "redeem_times": redeem_times,
    "check_in_once": check_in_once,
    "collect_codes": collect_codes,
    "cancel_codes": cancel_codes,
    "churn": churn,
    "api_redeem_rounds": api_redeem_rounds,
}


# ---------------------------------------------------------------------------
# Running workers
# ---------------------------------------------------------------------------


def run_jobs(app, jobs, before_start=None):
    """Run each job in its own thread, all released at once; the results in
    job order. ``before_start`` runs once every thread is connected (a
    cross-process barrier, say) and before any is released; it runs again at
    each ``sync()``."""
    results = [None] * len(jobs)
    start = threading.Barrier(len(jobs), action=before_start, timeout=START_TIMEOUT)

    def sync():
        start.wait()

    def thread_main(index, name, args):
        try:
            with app.test_request_context():
                station = app.extensions["redarmband"].tenancy.get(STATION)
                station.id  # noqa: B018 - the station's row id, looked up before the start
                db.database.connect(reuse_if_open=True)
                start.wait()
                results[index] = TASKS[name](station, sync, *args)
        except BaseException:  # noqa: BLE001 - reported, and fails the test
            start.abort()
            results[index] = [("error", traceback.format_exc())]
        finally:
            db.database.close()  # connections are per thread (back to the pool on PostgreSQL)

    threads = [threading.Thread(target=thread_main, args=(i, name, args)) for i, (name, args) in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


_barrier = None  # every worker process's: the start of a run in all of them


def init_process(barrier):
    """A pool process's initializer: keep the cross-process barrier."""
    global _barrier
    _barrier = barrier


def process_main(database_url, jobs):
    """One process's part of a run: its own app, its jobs in threads."""
    try:
        from core import create_app

        app = create_app(app_settings(database_url))
        return run_jobs(app, jobs, before_start=lambda: _barrier.wait(START_TIMEOUT))
    except BaseException:  # noqa: BLE001 - reported, and fails the test
        _barrier.abort()
        return [[("error", traceback.format_exc())]] * len(jobs)
    finally:
        db.close_all()  # every connection of this process (the whole pool on PostgreSQL)
