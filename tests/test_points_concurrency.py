"""The points ledger under simultaneous load, from threads and from processes.

Points are money: whatever the interleaving, nothing may be lost, booked
twice, overdrawn or oversold, and no worker may fail with anything but the
refusal the situation calls for. Each scenario runs on the database of the
run (a SQLite file, or PostgreSQL with ``REDARMBAND_DATABASE_URL``), once
with threads of this process and once with processes started by
multiprocessing's "spawn" context, each building its own app
(see ``tests/concurrency_workers.py``).
"""

import itertools
import multiprocessing
from collections import Counter

import pytest

from core import db
from core.accounts import issue_token
from core.models import CheckIn, EntryKind, LedgerEntry, Redemption, RedemptionState, Reward, Role, User, utcnow
from core.points import adjust, verify_balances
from core.rewards import create_reward, grant_collect, redeem
from tests.concurrency_workers import STATION, init_process, process_main, run_jobs

PROCESSES = 4
PROCESS_TIMEOUT = 90  # seconds for every process to report back


class World:
    """One station's people and rewards, and a way to set workers loose."""

    def __init__(self, app, database_url, request):
        self.app = app
        self.database_url = database_url
        self.request = request
        self.station = app.extensions["redarmband"].tenancy.get(STATION)
        self._phones = itertools.count(13900000000)
        self.admin = self.user(Role.STATION_ADMIN)
        self.officer = self.user(Role.OFFICER)

    def user(self, role):
        return User.create(
            station=self.station.id, role=role, phone=str(next(self._phones)), name=role, password_hash="!"
        )

    def volunteer(self, points=0):
        volunteer = self.user(Role.VOLUNTEER)
        if points:
            adjust(self.station, self.admin, volunteer.id, points, "测试充值", key=f"fund:{volunteer.id}")
        return User.get_by_id(volunteer.id)

    def reward(self, cost, stock):
        data = {
            "name": "雨伞",
            "cost": cost,
            "stock": stock,
            "place_name": "护国警务室",
            "place_address": "护国路 1 号",
            "place_hours": "9:00–17:00",
        }
        return create_reward(self.station, self.admin, data)

    def run(self, mode, workers):
        """Run ``workers`` (each a list of ``(task, args)`` jobs) together:
        every job in a thread of this process (``threads``), or each worker in
        a process of its own, its jobs in threads there (``processes``).
        Returns each job's results, in job order."""
        db.database.close()  # this thread's connection goes back to the pool meanwhile
        if mode == "threads":
            return run_jobs(self.app, [job for jobs in workers for job in jobs])
        pool, barrier = self.request.getfixturevalue("process_pool")
        assert len(workers) == PROCESSES, "every process takes part in every run"
        barrier.reset()
        # Each process takes one worker: one that has taken one waits at the
        # barrier until all have, so it cannot take a second.
        pending = [pool.apply_async(process_main, (self.database_url, jobs)) for jobs in workers]
        return [results for answer in pending for results in answer.get(timeout=PROCESS_TIMEOUT)]


@pytest.fixture(scope="module")
def process_pool():
    """``PROCESSES`` processes started with "spawn", kept for the module's
    processes runs (starting interpreters is most of such a run's cost)."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    with context.Pool(PROCESSES, initializer=init_process, initargs=(barrier,)) as pool:
        yield pool, barrier
    pool.join()  # leaving the with block terminated the (idle) processes


@pytest.fixture
def world(app, database_url, request):
    with app.test_request_context():
        yield World(app, database_url, request)
    db.database.close()


def flatten(results):
    return [outcome for job_results in results for outcome in job_results]


def assert_no_errors(outcomes):
    errors = [outcome[-1] for outcome in outcomes if outcome[-2] == "error"]
    kinds = Counter(error.strip().splitlines()[-1] for error in errors)
    assert not errors, f"{len(errors)} unexpected error(s): {dict(kinds)}; the first:\n{errors[0] if errors else ''}"


def balance_of(user):
    return User.get_by_id(user.id).points_balance


def stock_of(reward):
    return Reward.get_by_id(reward.id).stock


def assert_books_balance(volunteers):
    """Kept balances equal their entries, and no volunteer's balance was ever
    below zero (their entries are booked one at a time, under the row lock,
    so id order is booking order)."""
    assert verify_balances() == []
    for volunteer in volunteers:
        amounts = [
            entry.amount
            for entry in LedgerEntry.select(LedgerEntry.amount)
            .where(LedgerEntry.volunteer == volunteer.id)
            .order_by(LedgerEntry.id)
        ]
        assert sum(amounts) == balance_of(volunteer)
        running = list(itertools.accumulate(amounts))
        assert min(running, default=0) >= 0, f"volunteer {volunteer.id}'s balance went negative: {running}"


def layout(mode, threads):
    """How many jobs each worker runs: all ``threads`` in this process, or
    shared out among the ``PROCESSES`` processes."""
    return [threads] if mode == "threads" else [threads // PROCESSES] * PROCESSES


MODES = ["threads", "processes"]


# ---------------------------------------------------------------------------
# 1. Many simultaneous spends of one volunteer
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode, workers", [("threads", 8), ("processes", PROCESSES)])
def test_simultaneous_spends_never_overdraw(world, mode, workers):
    volunteer = world.volunteer(points=30)
    reward = world.reward(cost=1, stock=100)

    outcomes = flatten(world.run(mode, [[("redeem_times", (volunteer.id, reward.id, 10))]] * workers))

    assert_no_errors(outcomes)
    assert Counter(outcome for outcome, _ in outcomes) == {"ok": 30, "insufficient_points": workers * 10 - 30}
    assert len({code for outcome, code in outcomes if outcome == "ok"}) == 30
    assert balance_of(volunteer) == 0
    assert stock_of(reward) == 70
    assert Redemption.select().where(Redemption.volunteer == volunteer.id).count() == 30
    assert LedgerEntry.select().where(LedgerEntry.kind == EntryKind.REDEMPTION).count() == 30
    assert_books_balance([volunteer])


# ---------------------------------------------------------------------------
# 2. The last item, wanted by many
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_last_item_goes_to_exactly_one_volunteer(world, mode):
    reward = world.reward(cost=5, stock=1)
    volunteers = [world.volunteer(points=10) for _ in range(8)]
    jobs = iter([("redeem_times", (volunteer.id, reward.id, 1))] for volunteer in volunteers)
    workers = [list(itertools.chain.from_iterable(itertools.islice(jobs, n))) for n in layout(mode, 8)]

    results = world.run(mode, workers)

    assert_no_errors(flatten(results))
    outcomes = [outcome for [(outcome, _)] in results]
    assert Counter(outcomes) == {"ok": 1, "out_of_stock": 7}
    winner = volunteers[outcomes.index("ok")]
    assert stock_of(reward) == 0
    assert [balance_of(volunteer) for volunteer in volunteers] == [5 if v is winner else 10 for v in volunteers]
    assert [r.volunteer_id for r in Redemption.select()] == [winner.id]
    assert LedgerEntry.select().where(LedgerEntry.kind == EntryKind.REDEMPTION).count() == 1
    assert_books_balance(volunteers)


# ---------------------------------------------------------------------------
# 3. One volunteer checking in from several places at once
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_simultaneous_check_ins_book_once(world, mode):
    volunteer = world.volunteer()
    now = utcnow()
    workers = [[("check_in_once", (volunteer.id, now))] * n for n in layout(mode, 8)]

    outcomes = flatten(world.run(mode, workers))

    assert_no_errors(outcomes)
    assert Counter(outcome for outcome, _ in outcomes) == {"ok": 1, "already_checked_in": 7}
    [entry_id] = [value for outcome, value in outcomes if outcome == "ok"]
    assert [c.entry_id for c in CheckIn.select().where(CheckIn.volunteer == volunteer.id)] == [entry_id]
    assert [e.id for e in LedgerEntry.select().where(LedgerEntry.volunteer == volunteer.id)] == [entry_id]
    points = world.station.config.points.checkin_points
    assert balance_of(volunteer) == points
    assert User.get_by_id(volunteer.id).points_earned == points
    assert_books_balance([volunteer])


# ---------------------------------------------------------------------------
# 4. Collecting and cancelling one reservation at once
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_collect_and_cancel_race_has_one_winner(world, mode):
    volunteer = world.volunteer(points=12)
    reward = world.reward(cost=2, stock=10)
    codes = [redeem(world.station, volunteer, reward.id).code for _ in range(6)]
    assert (balance_of(volunteer), stock_of(reward)) == (0, 4)
    workers = [
        [("collect_codes", (codes, world.officer.id))],
        [("cancel_codes", (codes, volunteer.id))],
        [("collect_codes", (codes, world.officer.id))],
        [("cancel_codes", (codes, world.admin.id))],
    ]
    wins = [RedemptionState.COLLECTED, RedemptionState.CANCELLED] * 2

    results = world.run(mode, workers)

    assert_no_errors(flatten(results))
    for i, code in enumerate(codes):
        attempts = [worker_results[i] for worker_results in results]
        winners = [w for w, (outcome, _) in enumerate(attempts) if outcome == "ok"]
        assert len(winners) == 1, f"{code}: {attempts}"
        state = wins[winners[0]]
        assert Redemption.get(Redemption.code == code).state == state
        assert [outcome for outcome, _ in attempts] == ["ok" if w in winners else f"already_{state}" for w in range(4)]
    redemptions = list(Redemption.select().order_by(Redemption.id))
    cancelled = [r for r in redemptions if r.state == RedemptionState.CANCELLED]
    collected = [r for r in redemptions if r.state == RedemptionState.COLLECTED]
    assert len(cancelled) + len(collected) == 6
    assert balance_of(volunteer) == 2 * len(cancelled)
    assert stock_of(reward) == 4 + len(cancelled)
    refunds = list(LedgerEntry.select().where(LedgerEntry.kind == EntryKind.REFUND))
    assert sorted((e.id, e.amount, e.reverses_id) for e in refunds) == sorted(
        (r.refund_entry_id, 2, r.debit_entry_id) for r in cancelled
    )
    assert all(r.refund_entry_id is None and r.collected_by_id == world.officer.id for r in collected)
    assert_books_balance([volunteer])


@pytest.mark.parametrize("mode", MODES)
def test_one_code_is_collected_exactly_once(world, mode):
    volunteer = world.volunteer(points=5)
    reward = world.reward(cost=5, stock=3)
    code = redeem(world.station, volunteer, reward.id).code
    helper = world.volunteer()
    grant_collect(helper)
    collectors = [world.officer.id, world.admin.id, helper.id] * 3
    jobs = iter([("collect_codes", ([code], collector))] for collector in collectors[:8])
    workers = [list(itertools.chain.from_iterable(itertools.islice(jobs, n))) for n in layout(mode, 8)]

    results = world.run(mode, workers)

    outcomes = flatten(results)
    assert_no_errors(outcomes)
    assert Counter(outcome for outcome, _ in outcomes) == {"ok": 1, "already_collected": 7}
    redemption = Redemption.get(Redemption.code == code)
    assert redemption.state == RedemptionState.COLLECTED
    assert redemption.collected_by_id == collectors[[o for [(o, _)] in results].index("ok")]
    assert redemption.refund_entry_id is None
    assert (balance_of(volunteer), stock_of(reward)) == (0, 2)
    assert LedgerEntry.select().where(LedgerEntry.kind == EntryKind.REFUND).count() == 0
    assert_books_balance([volunteer, helper])


# ---------------------------------------------------------------------------
# 5. Redeeming, cancelling and collecting at random, for a while
# ---------------------------------------------------------------------------

CHURN_POINTS, CHURN_COST, CHURN_STOCK = 12, 2, 10
CHURN_STEPS, CHURN_SECONDS = 25, 2.0
CHURN_OUTCOMES = {
    "redeem": {"ok", "insufficient_points", "out_of_stock"},
    "cancel": {"ok", "already_cancelled", "already_collected"},
    "collect": {"ok", "already_cancelled", "already_collected", "own_redemption"},
    "idle": {"idle"},
}


@pytest.mark.parametrize("mode", MODES)
def test_redeem_cancel_churn_keeps_the_books(world, mode):
    volunteers = [world.volunteer(points=CHURN_POINTS) for _ in range(3)]
    reward = world.reward(cost=CHURN_COST, stock=CHURN_STOCK)
    grant_collect(volunteers[0])  # hands out rewards while redeeming herself
    collectors = [world.officer.id, volunteers[0].id]
    jobs = iter(
        ("churn", (volunteers[i % 3].id, reward.id, world.admin.id, collectors[i % 2], i, CHURN_STEPS, CHURN_SECONDS))
        for i in range(8)
    )
    workers = [list(itertools.islice(jobs, n)) for n in layout(mode, 8)]

    steps = flatten(world.run(mode, workers))

    assert_no_errors(steps)
    unexpected = [step[:2] for step in steps if step[1] not in CHURN_OUTCOMES[step[0]]]
    assert not unexpected
    done = Counter(action for action, outcome, _ in steps if outcome == "ok")
    assert done["redeem"] > 0
    redemptions = list(Redemption.select())
    by_state = Counter(r.state for r in redemptions)
    assert len(redemptions) == done["redeem"]
    assert by_state[RedemptionState.CANCELLED] == done["cancel"]
    assert by_state[RedemptionState.COLLECTED] == done["collect"]
    assert by_state[RedemptionState.EXPIRED] == 0
    held = [r for r in redemptions if r.state in RedemptionState.HELD]
    assert stock_of(reward) + len(held) == CHURN_STOCK
    for volunteer in volunteers:
        assert balance_of(volunteer) + sum(r.cost for r in held if r.volunteer_id == volunteer.id) == CHURN_POINTS
    refunds = list(LedgerEntry.select().where(LedgerEntry.kind == EntryKind.REFUND))
    assert sorted((e.id, e.amount, e.reverses_id) for e in refunds) == sorted(
        (r.refund_entry_id, r.cost, r.debit_entry_id) for r in redemptions if r.state == RedemptionState.CANCELLED
    )
    assert all(r.refund_entry_id is None for r in held)
    assert_books_balance(volunteers)


# ---------------------------------------------------------------------------
# 6. A client's retries of one redemption, racing each other through the API
# ---------------------------------------------------------------------------


RETRY_ROUNDS = 20


@pytest.mark.parametrize("mode", MODES)
def test_simultaneous_retries_through_the_api_book_once(world, mode):
    """Eight copies of each request, sent at once with one Idempotency-Key:
    one redemption each, the others replay its answer or are told to retry.

    Every copy that loses the claim meets a unique-index IntegrityError in
    the idempotency layer, so this also shows that a failed statement in one
    thread never stalls the others (each must answer below 500).
    """
    volunteer = world.volunteer(points=30)
    reward = world.reward(cost=1, stock=100)
    token = issue_token(volunteer)
    keys = [f"retry-{round_}" for round_ in range(RETRY_ROUNDS)]
    workers = [[("api_redeem_rounds", (token, reward.id, keys))] * n for n in layout(mode, 8)]

    results = world.run(mode, workers)

    assert_no_errors(flatten(results))
    for i, key in enumerate(keys):
        answers = [job_results[i] for job_results in results]
        [(_, code)] = [answer for answer in answers if answer[0] == "ok"]
        assert {answer for answer in answers if answer[0] != "ok"} <= {
            ("replayed", code),
            ("request_in_progress", 409),
        }, f"{key}: {answers}"
        assert Redemption.get(Redemption.code == code).volunteer_id == volunteer.id
    assert Redemption.select().count() == len(keys)
    assert (balance_of(volunteer), stock_of(reward)) == (30 - len(keys), 100 - len(keys))
    assert_books_balance([volunteer])
