"""Groups under simultaneous load: everyone answering a mobilisation at once,
two admins giving away an officer's last liaison place, and double taps.

Each scenario runs on the database of the run (a SQLite file, or PostgreSQL
with ``REDARMBAND_DATABASE_URL``), once with threads of this process and once
with two processes started by multiprocessing's "spawn" context, each
building its own app (see ``tests/groups_concurrency_workers.py``). Every
scenario is played for several rounds, all workers meeting before each one,
so the contested step really overlaps.
"""

import math
import multiprocessing
from collections import Counter
from datetime import timedelta

import pytest

from core import db
from core.groups import instructions, liaison, mobilisation, tree
from core.models import Group, Liaison, MobilisationAnswer, Role, utcnow
from tests.groups_concurrency_workers import init_process, process_main, run_jobs
from tests.groups_helpers import person, tenancy

PROCESSES = 2
PROCESS_TIMEOUT = 120  # seconds for every process to report back
ROUNDS = 3
MODES = ["threads", "processes"]
VOLUNTEERS = 40  # answering one mobilisation at once, with the staff who made the teams
POOL_SIZE = 50  # PostgreSQL connections of this process: one per thread, and this test's own


@pytest.fixture
def app(make_app, monkeypatch):
    """The test app, its PostgreSQL pool large enough for a thread per person."""
    monkeypatch.setenv("REDARMBAND_DB_POOL_SIZE", str(POOL_SIZE))
    return make_app()


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
        self.tenancy = tenancy(app)

    def station(self, slug):
        return self.tenancy.get(slug)

    def run(self, mode, jobs):
        """Run ``jobs`` together: all in threads here, or shared out among the
        processes, each running its share in threads. Returns each job's
        results, in job order."""
        db.database.close()  # this thread's connection goes back to the pool meanwhile
        if mode == "threads":
            return run_jobs(self.app, jobs)
        pool, barrier = self.request.getfixturevalue("process_pool")
        share = math.ceil(len(jobs) / PROCESSES)
        workers = [jobs[i * share : (i + 1) * share] for i in range(PROCESSES)]
        assert all(workers), "every process takes part in every run"
        barrier.reset()
        pending = [
            pool.apply_async(process_main, (self.database_url, self.app.instance_path, part)) for part in workers
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


def district_group(name="五华分局"):
    return Group.get(Group.key == f"district:{name}")


# ---------------------------------------------------------------------------
# 1. Everyone answering one mobilisation at once
# ---------------------------------------------------------------------------


def choice(index, round_):
    """What person ``index`` answers in round ``round_``: known in advance."""
    available = (index + round_) % 3 != 0
    return available, (f"路口{index}" if available and index % 2 else "")


@pytest.mark.parametrize("mode", MODES)
def test_the_tally_is_exact_when_everyone_answers_at_once(world, mode):
    tenancy_ = world.tenancy
    huguo, xiaonanmen = world.station("huguo"), world.station("xiaonanmen")
    vols = [person(world.app, "huguo" if i % 2 else "xiaonanmen") for i in range(VOLUNTEERS)]
    # teams: a huguo team with a sub-team, and a xiaonanmen team; some people
    # in none, one in two teams (they count in each)
    huguo_admin, xnm_admin = (
        person(world.app, "huguo", Role.STATION_ADMIN),
        person(world.app, "xiaonanmen", Role.STATION_ADMIN),
    )
    school = tree.create_team(huguo, huguo_admin, "护学队")
    gate = tree.create_team(huguo, huguo_admin, "正门组", school.id)
    patrol = tree.create_team(xiaonanmen, xnm_admin, "巡逻队")
    members = {school.id: [], gate.id: [], patrol.id: []}
    for index, vol in enumerate(vols):
        if vol.station_id == huguo.id and index % 4 == 1:
            members[school.id].append(index)
        if vol.station_id == huguo.id and index % 4 == 3 or index == 1:
            members[gate.id].append(index)
        if vol.station_id == xiaonanmen.id and index % 3 == 0:
            members[patrol.id].append(index)
    for team_id, indexes in members.items():
        station, admin = (huguo, huguo_admin) if team_id != patrol.id else (xiaonanmen, xnm_admin)
        for index in indexes:
            tree.add_member(station, admin, team_id, vols[index].id)
    people = [*vols, huguo_admin, xnm_admin]  # the station admins are called up too
    outsider = person(world.app, "donghua")  # 盘龙分局: not called
    boss = person(world.app, None, Role.DISTRICT_ADMIN, district="五华分局")
    now = utcnow()
    mobs = [
        mobilisation.start(
            tenancy_, boss, district_group().id, {"text": f"全员集结 {r}", "deadline": now + timedelta(hours=2)}
        )
        for r in range(ROUNDS)
    ]
    for mob in mobs:
        called = {row.user_id for row in MobilisationAnswer.select().where(MobilisationAnswer.mobilisation == mob.id)}
        assert called == {p.id for p in people}, "exactly the people of 五华分局 are called up"
        assert outsider.id not in called and boss.id not in called
    jobs = [
        ("answer_rounds", (p.id, [(mob.id, *choice(index, r)) for r, mob in enumerate(mobs)]))
        for index, p in enumerate(people)
    ]

    results = world.run(mode, jobs)

    assert_no_errors(results)
    assert all(outcome == ("ok", None) for job in results for outcome in job), results
    for r, mob in enumerate(mobs):
        answers = {
            row.user_id: row for row in MobilisationAnswer.select().where(MobilisationAnswer.mobilisation == mob.id)
        }
        assert len(answers) == len(people)
        for index, p in enumerate(people):
            available, location = choice(index, r)
            row = answers[p.id]
            assert (row.available, row.location) == (available, location)
            assert row.answered_at is not None

        def expected(indexes, r=r):
            yes = sum(1 for i in indexes if choice(i, r)[0])
            return {"available": yes, "not_available": len(indexes) - yes, "waiting": 0}

        by_station = {
            station.id: [i for i, p in enumerate(people) if p.station_id == station.id]
            for station in (huguo, xiaonanmen)
        }
        counted = mobilisation.tally(mob)
        assert counted["total"] == expected(range(len(people)))
        assert {
            row["id"]: {k: row[k] for k in ("available", "not_available", "waiting")} for row in counted["stations"]
        } == {station_id: expected(indexes) for station_id, indexes in by_station.items()}
        assert {
            row["id"]: {k: row[k] for k in ("available", "not_available", "waiting")} for row in counted["teams"]
        } == {team_id: expected(indexes) for team_id, indexes in members.items()}
        assert mobilisation.waiting(mob) == []
        ended = mobilisation.end(tenancy_, boss, mob.id)
        assert ended.result == counted  # the tally at the end is kept as it stood


@pytest.mark.parametrize("mode", MODES)
def test_a_double_tapped_answer_counts_once(world, mode):
    boss = person(world.app, None, Role.DISTRICT_ADMIN, district="五华分局")
    vol = person(world.app, "huguo")
    others = [person(world.app, "xiaonanmen") for _ in range(3)]
    mobs = [
        mobilisation.start(
            world.tenancy, boss, district_group().id, {"text": "集结", "deadline": utcnow() + timedelta(hours=1)}
        )
        for _ in range(ROUNDS)
    ]
    taps = [(True, "护国路口"), (False, "")]  # two taps, two different answers
    jobs = [("answer_rounds", (vol.id, [(mob.id, *tap) for mob in mobs])) for tap in taps]

    results = world.run(mode, jobs)

    assert_no_errors(results)
    for round_, mob in enumerate(mobs):
        attempts = [job[round_] for job in results]
        assert sorted(attempts, key=str) == sorted([("ok", None), ("already_answered", 409)], key=str), attempts
        winner = taps[attempts.index(("ok", None))]
        row = MobilisationAnswer.get(MobilisationAnswer.mobilisation == mob.id, MobilisationAnswer.user == vol.id)
        assert (row.available, row.location) == winner and row.answered_at is not None
        total = mobilisation.tally(mob)["total"]
        assert total["available"] + total["not_available"] == 1
        assert total["waiting"] == len(others)


# ---------------------------------------------------------------------------
# 2. Two station admins giving away an officer's last liaison place
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_the_last_liaison_place_goes_to_exactly_one_volunteer(world, mode):
    huguo = world.station("huguo")
    limit = huguo.config.groups.liaison_limit
    assert limit == 10  # the shipped huguo.toml keeps the default
    admins = [person(world.app, "huguo", Role.STATION_ADMIN) for _ in range(2)]
    officers = [person(world.app, "huguo", Role.OFFICER) for _ in range(ROUNDS)]
    for officer in officers:  # all places but one are taken
        for _ in range(limit - 1):
            liaison.assign(huguo, admins[0], officer.id, person(world.app, "huguo").id)
    racers = [[person(world.app, "huguo") for _ in officers] for _ in admins]  # a volunteer of each admin per round
    jobs = [
        ("assign_rounds", (admin.id, [(officer.id, racers[a][r].id) for r, officer in enumerate(officers)]))
        for a, admin in enumerate(admins)
    ]

    results = world.run(mode, jobs)

    assert_no_errors(results)
    for round_, officer in enumerate(officers):
        attempts = [job[round_] for job in results]
        outcomes = Counter(outcome for outcome, _ in attempts)
        assert outcomes == {"ok": 1, "liaison_limit": 1}, f"officer {officer.id}: {attempts}"
        winner = next(a for a, (outcome, _) in enumerate(attempts) if outcome == "ok")
        assert attempts[1 - winner] == ("liaison_limit", 409)
        assert Liaison.select().where(Liaison.officer == officer.id).count() == limit
        assert (
            Liaison.select()
            .where(Liaison.volunteer == racers[winner][round_].id, Liaison.officer == officer.id)
            .exists()
        )
        assert not Liaison.select().where(Liaison.volunteer == racers[1 - winner][round_].id).exists()
    assert [row["volunteers"] for row in liaison.overview(huguo)] == [limit] * ROUNDS
    assert not any(row["over_limit"] for row in liaison.overview(huguo))


# ---------------------------------------------------------------------------
# 3. A double-tapped acknowledgement
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_double_tapped_acknowledgement_counts_once(world, mode):
    huguo = world.station("huguo")
    admin = person(world.app, "huguo", Role.STATION_ADMIN)
    team = tree.create_team(huguo, admin, "护学队")
    vol, other = person(world.app, "huguo"), person(world.app, "huguo")
    for member in (vol, other):
        tree.add_member(huguo, admin, team.id, member.id)
    officer = person(world.app, "huguo", Role.OFFICER)
    sent = [
        instructions.post(world.tenancy, officer, team.id, {"text": f"明早 7:20 到岗 {r}"})[0] for r in range(ROUNDS)
    ]
    jobs = [("acknowledge_rounds", (vol.id, [instruction.id for instruction in sent])) for _ in range(2)]

    results = world.run(mode, jobs)

    assert_no_errors(results)
    for round_, instruction in enumerate(sent):
        attempts = sorted((job[round_] for job in results), key=str)
        assert attempts == sorted([("ok", None), ("already_acknowledged", 409)], key=str), attempts
        assert instructions.tally(instruction.id) == (1, 2)
    assert instructions.unread_count(vol) == 0 and instructions.unread_count(other) == ROUNDS
