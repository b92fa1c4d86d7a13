"""Where a request's time goes, in-process: CPU per request and SQL
statements per request, for the points endpoints of the app as it is and
for the floor's check-in.

    .venv/bin/python bench/profile_requests.py [CITY_DIR] [--requests 400] [--breakdown]

CITY_DIR is a city made by ``make_city.py`` (default: the quick run's big
city in bench/.work). Requests go through Flask's test client, not HTTP, so
the figures exclude gunicorn and the network and hardly depend on other load
on the machine (CPU time, not wall time, is measured). Works on copies of
the city's database.

``--breakdown`` then runs one more batch of check-ins of each under cProfile
and prints where a check-in's CPU goes (token lookup, peewee building SQL,
SQLite, Flask-Limiter, marshmallow, the rest), each part's share of the
profiled time applied to the unprofiled CPU per request.
"""

import argparse
import cProfile
import json
import logging
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))


class StatementCounter(logging.Handler):
    """Counts the statements peewee executes (it logs each one at DEBUG)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        self.count += 1


def measure(client, method, path, tokens, counter, expect):
    """CPU ms, wall ms and statements per request over ``tokens``."""
    counter.count = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for token in tokens:
        answer = client.open(
            path.replace("{slug}", token[1]), method=method, headers={"Authorization": f"Bearer {token[0]}"}
        )
        if answer.status_code != expect:
            raise SystemExit(f"{method} {path}: {answer.status_code} {answer.get_data(as_text=True)[:300]}")
    n = len(tokens)
    return {
        "cpu_ms": 1000 * (time.process_time() - cpu) / n,
        "wall_ms": 1000 * (time.perf_counter() - wall) / n,
        "statements": counter.count / n,
    }


def _is_peewee_building_sql(function):
    import peewee

    code = peewee.Context.sql.__code__
    return function[:3] == (code.co_filename, code.co_firstlineno, code.co_name)


# The parts of a check-in: (label, test on cProfile's (file, line, name) of
# the functions whose cumulative time is that part). They do not overlap.
BREAKDOWN = [
    ("peewee: building SQL", _is_peewee_building_sql),
    ("peewee: rows into model objects", lambda f: f[0].endswith("peewee.py") and f[2] == "process_row"),
    ("SQLite: statements", lambda f: f[2] == "<method 'execute' of 'sqlite3.Cursor' objects>"),
    ("SQLite: commit", lambda f: f[2] == "<method 'commit' of 'sqlite3.Connection' objects>"),
    ("Flask-Limiter", lambda f: "flask_limiter" in f[0] and f[2] in ("_check_request_limit", "__inject_headers")),
    ("marshmallow (the answer)", lambda f: f[0].endswith(os.path.join("api", "bodies.py")) and f[2] == "dump"),
]
REST = "the rest (Flask, Werkzeug, the test client, the view's own Python)"


def breakdown(client, tokens, cpu_ms):
    """Where a check-in's time goes: each part's share of the time under
    cProfile, and that share of the unprofiled CPU per request in ms."""
    profile = cProfile.Profile()
    profile.enable()
    for token in tokens:
        answer = client.post("/api/v1/me/checkins", headers={"Authorization": f"Bearer {token[0]}"})
        if answer.status_code != 201:
            raise SystemExit(f"check-in under the profiler: {answer.status_code} {answer.get_data(as_text=True)[:300]}")
    profile.disable()
    stats = pstats.Stats(profile).stats
    total = sum(tottime for _calls, _primitive, tottime, _cumtime, _callers in stats.values())
    parts = {
        label: sum(cumtime for function, (_c, _p, _t, cumtime, _callers) in stats.items() if test(function))
        for label, test in BREAKDOWN
    }
    parts[REST] = total - sum(parts.values())
    return {label: (seconds / total, cpu_ms * seconds / total) for label, seconds in parts.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("city", nargs="?", default=str(BENCH / ".work" / "city-20000-500000"))
    parser.add_argument("--requests", type=int, default=400, help="requests per measurement")
    parser.add_argument(
        "--breakdown", action="store_true", help="and where a check-in's CPU goes, app and floor (cProfile)"
    )
    args = parser.parse_args(argv)
    city = json.loads((Path(args.city) / "city.json").read_text())
    tokens = [line.split()[:2] for line in Path(city["tokens"]).read_text().splitlines()]
    read_tokens = [line.split()[:2] for line in Path(city["read_tokens"]).read_text().splitlines()]
    n = args.requests
    warm_count = 60
    batches = 4 if args.breakdown else 2  # each check-in batch is a different set of volunteers
    if len(tokens) < batches * n + warm_count:
        raise SystemExit(
            f"{args.city}: {len(tokens)} volunteers, {batches * n + warm_count} needed; "
            f"use --requests {(len(tokens) - warm_count) // batches}"
        )
    work = Path(tempfile.mkdtemp(prefix="redarmband-profile-"))
    try:
        core_db = shutil.copyfile(city["database"], work / "core.sqlite3")
        floor_db = shutil.copyfile(city["database"], work / "floor.sqlite3")
        os.environ.update(
            REDARMBAND_DATABASE_URL=f"sqlite:///{core_db}",
            REDARMBAND_STATIONS_DIR=city["stations_dir"],
            REDARMBAND_SECRET_KEY="bench",
            REDARMBAND_INSTANCE_PATH=str(work / "instance"),
        )
        counter = StatementCounter()
        peewee_log = logging.getLogger("peewee")
        peewee_log.addHandler(counter)
        peewee_log.setLevel(logging.DEBUG)
        peewee_log.propagate = False

        import floor_app

        from core import create_app

        # The floor first (its own peewee database object), then the app.
        os.environ["REDARMBAND_DATABASE_URL"] = f"sqlite:///{floor_db}"
        floor = floor_app.create_app().test_client()
        rows = {}
        warm = tokens[-warm_count:]  # each check-in batch is a different set of volunteers
        measure(floor, "POST", "/api/v1/me/checkins", warm[:30], counter, 201)
        rows["check-in, floor"] = measure(floor, "POST", "/api/v1/me/checkins", tokens[:n], counter, 201)
        parts = {}
        if args.breakdown:
            peewee_log.setLevel(logging.WARNING)  # no statement counting under the profiler
            parts["floor"] = breakdown(floor, tokens[2 * n : 3 * n], rows["check-in, floor"]["cpu_ms"])
            peewee_log.setLevel(logging.DEBUG)
        floor_app.database.close()

        os.environ["REDARMBAND_DATABASE_URL"] = f"sqlite:///{core_db}"
        app = create_app()
        client = app.test_client()
        measure(client, "POST", "/api/v1/me/checkins", warm[30:], counter, 201)
        app_batch = tokens[n : 2 * n]
        rows["check-in, app"] = measure(client, "POST", "/api/v1/me/checkins", app_batch, counter, 201)
        measure(client, "POST", "/api/v1/me/checkins", app_batch[:5], counter, 409)  # still once a day
        if args.breakdown:
            peewee_log.setLevel(logging.WARNING)
            parts["app"] = breakdown(client, tokens[3 * n : 4 * n], rows["check-in, app"]["cpu_ms"])
            peewee_log.setLevel(logging.DEBUG)
        reads = read_tokens[:n]
        for label, path in (
            ("me", "/api/v1/me"),
            ("my points", "/api/v1/me/points"),
            ("leaderboard month", "/api/v1/s/{slug}/leaderboard?period=month"),
            ("leaderboard all", "/api/v1/s/{slug}/leaderboard?period=all"),
        ):
            measure(client, "GET", path, reads[:30], counter, 200)
            rows[label] = measure(client, "GET", path, reads, counter, 200)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"In-process, {n} requests each, city {args.city} ({city['counts']['ledgerentry']:,} entries)\n")
    print("| request | CPU ms/request | wall ms/request | SQL statements/request |")
    print("|---|---:|---:|---:|")
    for label, row in rows.items():
        print(f"| {label} | {row['cpu_ms']:.2f} | {row['wall_ms']:.2f} | {row['statements']:.1f} |")
    if parts:
        print(f"\nWhere a check-in's CPU goes (cProfile, {n} check-ins each; ms are shares of the CPU above)\n")
        print("| part | app ms | app share | floor ms | floor share |")
        print("|---|---:|---:|---:|---:|")
        for label in parts["app"]:
            (app_share, app_ms), (floor_share, floor_ms) = parts["app"][label], parts["floor"][label]
            print(f"| {label} | {app_ms:.2f} | {app_share:.0%} | {floor_ms:.2f} | {floor_share:.0%} |")
    return rows


if __name__ == "__main__":
    main()
