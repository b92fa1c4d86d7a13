"""Two officers at one incident at once: exactly one change happens, the
other is told (409); two confirmations of one useful report book once.

Run on the database of the run (a SQLite file, or PostgreSQL with
``REDARMBAND_DATABASE_URL``), with threads of this process and with two
processes started by "spawn" (``tests/incidents_concurrency_workers.py``),
for several rounds, all workers meeting before each one.
"""

import math
import multiprocessing

import pytest

from core import db
from core.incidents.lifecycle import change_state, timeline
from core.models import (
    EntryKind,
    Incident,
    IncidentEventKind,
    IncidentState,
    LedgerEntry,
    User,
)
from core.points import verify_balances
from tests.incidents_concurrency_workers import init_process, process_main, run_jobs
from tests.incidents_helpers import file_report, officer, volunteer
from tests.points_helpers import station

PROCESSES = 2
PROCESS_TIMEOUT = 120
ROUNDS = 4
MODES = ["threads", "processes"]
S = IncidentState


@pytest.fixture(scope="module")
def process_pool():
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    with context.Pool(PROCESSES, initializer=init_process, initargs=(barrier,)) as pool:
        yield pool, barrier
    pool.join()


@pytest.fixture
def run(app, database_url, request):
    """``run(mode, jobs)``: every job at once; each job's results, in job order."""

    def go(mode, jobs):
        db.database.close()  # this thread's connection goes back to the pool meanwhile
        if mode == "threads":
            return run_jobs(app, jobs)
        pool, barrier = request.getfixturevalue("process_pool")
        share = math.ceil(len(jobs) / PROCESSES)
        parts = [jobs[i * share : (i + 1) * share] for i in range(PROCESSES)]
        barrier.reset()
        pending = [pool.apply_async(process_main, (database_url, app.instance_path, part)) for part in parts]
        return [results for answer in pending for results in answer.get(timeout=PROCESS_TIMEOUT)]

    with app.test_request_context():
        yield go
    db.database.close()


def assert_no_errors(results):
    errors = [value for job in results for outcome, value in job if outcome == "error"]
    assert not errors, f"{len(errors)} unexpected error(s); the first:\n{errors[0]}"


def one_win(outcomes):
    """The one success among ``outcomes``, the rest being 409s."""
    wins = [outcome for outcome in outcomes if outcome[0] == "ok"]
    assert len(wins) == 1 and [status for code, status in outcomes if code != "ok"] == [409], outcomes
    return wins[0]


@pytest.mark.parametrize("mode", MODES)
def test_two_officers_changing_one_incident_they_saw_open_make_one_change(app, run, mode):
    first, second = officer(app), officer(app)
    reporter = volunteer(app)
    incidents = [file_report(app, reporter) for _ in range(ROUNDS)]
    # each round both saw it open: one acknowledges while the other resolves it
    jobs = [
        ("change_rounds", (first.id, [(incident.id, S.ACKNOWLEDGED, "", S.OPEN) for incident in incidents])),
        ("change_rounds", (second.id, [(incident.id, S.RESOLVED, "已处理", S.OPEN) for incident in incidents])),
    ]

    results = run(mode, jobs)

    assert_no_errors(results)
    for round_, incident in enumerate(incidents):
        outcomes = [job[round_] for job in results]
        _ok, state = one_win(outcomes)
        assert [code for code, _status in outcomes if code != "ok"] == ["changed"]
        lines = [e for e in timeline(incident) if e.kind == IncidentEventKind.STATE]
        assert [(e.from_state, e.to_state) for e in lines] == [(S.OPEN, state)]
        assert Incident.get_by_id(incident.id).state == state


@pytest.mark.parametrize("mode", MODES)
def test_two_officers_making_the_same_change_make_it_once(app, run, mode):
    first, second = officer(app), officer(app)
    reporter = volunteer(app)
    incidents = [file_report(app, reporter) for _ in range(ROUNDS)]
    jobs = [
        ("change_rounds", (boss.id, [(incident.id, S.RESOLVED, "已处理", None) for incident in incidents]))
        for boss in (first, second)
    ]

    results = run(mode, jobs)

    assert_no_errors(results)
    for round_, incident in enumerate(incidents):
        outcomes = [job[round_] for job in results]
        assert one_win(outcomes) == ("ok", S.RESOLVED)
        # the later one lost the guarded update, or read the change already
        assert {code for code, _status in outcomes if code != "ok"} <= {"changed", "bad_transition"}
        lines = [e for e in timeline(incident) if e.kind == IncidentEventKind.STATE]
        assert [(e.from_state, e.to_state) for e in lines] == [(S.OPEN, S.RESOLVED)]


@pytest.mark.parametrize("mode", MODES)
def test_a_useful_report_confirmed_twice_at_once_books_once(app, run, mode):
    first, second = officer(app), officer(app)
    reporter = volunteer(app)
    incidents = [file_report(app, reporter) for _ in range(ROUNDS)]
    for incident in incidents:
        change_state(station(app), first, incident.id, S.RESOLVED, note="已处理")
    jobs = [("useful_rounds", (boss.id, [incident.id for incident in incidents])) for boss in (first, second)]

    results = run(mode, jobs)

    assert_no_errors(results)
    for round_, incident in enumerate(incidents):
        outcomes = [job[round_] for job in results]
        assert one_win(outcomes) == ("ok", Incident.get_by_id(incident.id).entry_id)
        assert [code for code, _status in outcomes if code != "ok"] == ["already_useful"]
        assert [e.kind for e in timeline(incident)].count(IncidentEventKind.USEFUL) == 1
    entries = LedgerEntry.select().where(LedgerEntry.kind == EntryKind.INCIDENT)
    assert entries.count() == ROUNDS
    assert User.get_by_id(reporter.id).points_balance == 2 * ROUNDS
    assert verify_balances() == []
