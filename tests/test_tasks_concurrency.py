"""Tasks under simultaneous load: the last place of a task, and two officers
deciding one submission.

Each scenario runs on the database of the run (a SQLite file, or PostgreSQL
with ``REDARMBAND_DATABASE_URL``), once with threads of this process and once
with two processes started by multiprocessing's "spawn" context, each
building its own app (see ``tests/tasks_concurrency_workers.py``). Every
scenario is played for several rounds, all workers meeting before each one,
so the contested step really overlaps.
"""

import multiprocessing
from collections import Counter

import pytest

from core import db
from core.models import EntryKind, LedgerEntry, Notification, Review, Signup, Submission, Task, User
from core.points import verify_balances
from core.tasks.signups import sign_up
from tests.concurrency_workers import STATION
from tests.tasks_concurrency_workers import init_process, process_main, run_jobs
from tests.tasks_helpers import do_work, make_task, officer, volunteer

PROCESSES = 2
PROCESS_TIMEOUT = 90  # seconds for every process to report back
ROUNDS = 5
MODES = ["threads", "processes"]


@pytest.fixture(scope="module")
def process_pool():
    """``PROCESSES`` processes started with "spawn", kept for the module."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    with context.Pool(PROCESSES, initializer=init_process, initargs=(barrier,)) as pool:
        yield pool, barrier
    pool.join()


class World:
    def __init__(self, app, database_url, request):
        self.app = app
        self.database_url = database_url
        self.request = request
        self.station = app.extensions["redarmband"].tenancy.get(STATION)

    def run(self, mode, workers):
        """Run ``workers`` (each a list of ``(task, args)`` jobs) together: all
        jobs in threads here, or each worker in a process of its own. Returns
        each job's results, in job order."""
        db.database.close()  # this thread's connection goes back to the pool meanwhile
        if mode == "threads":
            return run_jobs(self.app, [job for jobs in workers for job in jobs])
        pool, barrier = self.request.getfixturevalue("process_pool")
        assert len(workers) == PROCESSES, "every process takes part in every run"
        barrier.reset()
        pending = [
            pool.apply_async(process_main, (self.database_url, self.app.instance_path, jobs)) for jobs in workers
        ]
        return [results for answer in pending for results in answer.get(timeout=PROCESS_TIMEOUT)]


@pytest.fixture
def world(app, database_url, request):
    with app.test_request_context():
        yield World(app, database_url, request)
    db.database.close()


def assert_no_errors(results):
    errors = [value for job in results for outcome, value in job if outcome == "error"]
    assert not errors, f"{len(errors)} unexpected error(s); the first:\n{errors[0]}"


def split(jobs, mode):
    """All jobs in one worker (threads), or shared out among the processes."""
    if mode == "threads":
        return [jobs]
    share = len(jobs) // PROCESSES
    return [jobs[i * share : (i + 1) * share] for i in range(PROCESSES)]


# ---------------------------------------------------------------------------
# 1. The last place of a task
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_the_last_place_goes_to_exactly_one_volunteer(world, mode):
    app, huguo = world.app, world.station
    boss = officer(app)
    tasks = [make_task(app, by=boss, capacity=2) for _ in range(ROUNDS)]
    early = volunteer(app)
    for task in tasks:  # one place of two is taken already
        sign_up(huguo, early, task.id)
    racers = [volunteer(app) for _ in range(4)]
    jobs = [("sign_up_rounds", (racer.id, [task.id for task in tasks])) for racer in racers]

    results = world.run(mode, split(jobs, mode))

    assert_no_errors(results)
    for round_, task in enumerate(tasks):
        outcomes = [job[round_][0] for job in results]
        assert Counter(outcomes) == {"ok": 1, "task_full": 3}, f"task {task.id}: {outcomes}"
        assert {job[round_] for job in results if job[round_][0] != "ok"} == {("task_full", 409)}
        winner = racers[outcomes.index("ok")]
        signed_up = sorted(s.volunteer_id for s in Signup.select().where(Signup.task == task.id))
        assert signed_up == sorted([early.id, winner.id])
        stored = Task.get_by_id(task.id)
        assert stored.taken == stored.capacity == 2


@pytest.mark.parametrize("mode", MODES)
def test_a_double_tapped_withdrawal_gives_one_place_back(world, mode):
    app, huguo = world.app, world.station
    boss = officer(app)
    tasks = [make_task(app, by=boss, capacity=1) for _ in range(ROUNDS)]
    vol = volunteer(app)
    for task in tasks:
        sign_up(huguo, vol, task.id)
    jobs = [("withdraw_rounds", (vol.id, [task.id for task in tasks])) for _ in range(PROCESSES)]

    results = world.run(mode, split(jobs, mode))

    assert_no_errors(results)
    for round_, task in enumerate(tasks):
        outcomes = sorted(job[round_][0] for job in results)
        assert outcomes == ["not_found", "ok"], f"task {task.id}: {outcomes}"
        stored = Task.get_by_id(task.id)
        assert stored.taken == 0 and not Signup.select().where(Signup.task == task.id).exists()


# ---------------------------------------------------------------------------
# 2. Two officers deciding one submission
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("decisions", [("approve", "approve"), ("approve", "reject")])
def test_one_submission_is_decided_exactly_once(world, mode, decisions):
    app = world.app
    boss = officer(app)
    vol = volunteer(app)
    submissions = [do_work(app, STATION, vol, make_task(app, by=boss), photos=1) for _ in range(ROUNDS)]
    officers = [officer(app) for _ in decisions]
    ids = [submission.id for submission in submissions]
    jobs = [("decide_rounds", (o.id, ids, decision)) for o, decision in zip(officers, decisions, strict=True)]

    results = world.run(mode, split(jobs, mode))

    assert_no_errors(results)
    approved = 0
    for round_, submission_id in enumerate(ids):
        attempts = [job[round_] for job in results]
        winners = [i for i, (outcome, _) in enumerate(attempts) if outcome == "ok"]
        assert len(winners) == 1, f"submission {submission_id}: {attempts}"
        [winner] = winners
        assert [a for i, a in enumerate(attempts) if i != winner] == [("already_decided", 409)]
        stored = Submission.get_by_id(submission_id)
        expected = {"approve": "approved", "reject": "rejected"}[decisions[winner]]
        assert stored.state == expected and stored.decided_by_id == officers[winner].id
        [review] = Review.select().where(Review.submission == submission_id)
        assert review.id == attempts[winner][1] and review.decision == expected
        assert Notification.select().where(Notification.submission == submission_id).count() == 1
        if expected == "approved":
            approved += 1
            assert stored.entry_id is not None and stored.minutes == 60
        else:
            assert stored.entry_id is None
    entries = list(LedgerEntry.select().where(LedgerEntry.volunteer == vol.id))
    assert len(entries) == approved and all(e.kind == EntryKind.TASK for e in entries)
    assert sorted(e.id for e in entries) == sorted(
        s.entry_id for s in Submission.select().where(Submission.id.in_(ids)) if s.entry_id
    )
    if decisions == ("approve", "approve"):
        assert approved == ROUNDS  # every round booked exactly one entry
    balance = User.get_by_id(vol.id).points_balance
    assert balance == sum(e.amount for e in entries) == 2 * approved  # school_gate_duty earns 2
    assert verify_balances() == []
