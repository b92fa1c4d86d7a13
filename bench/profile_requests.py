"""Where a request's time goes, in-process: CPU per request and SQL
statements per request, for the points endpoints of the app as it is and
for the floor's check-in.

    .venv/bin/python bench/profile_requests.py [CITY_DIR] [--requests 400]

CITY_DIR is a city made by ``make_city.py`` (default: the quick run's big
city in bench/.work). Requests go through Flask's test client, not HTTP, so
the figures exclude gunicorn and the network and hardly depend on other load
on the machine (CPU time, not wall time, is measured). Works on copies of
the city's database.
"""

import argparse
import json
import logging
import os
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("city", nargs="?", default=str(BENCH / ".work" / "city-20000-500000"))
    parser.add_argument("--requests", type=int, default=400, help="requests per measurement")
    args = parser.parse_args(argv)
    city = json.loads((Path(args.city) / "city.json").read_text())
    tokens = [line.split()[:2] for line in Path(city["tokens"]).read_text().splitlines()]
    read_tokens = [line.split()[:2] for line in Path(city["read_tokens"]).read_text().splitlines()]
    n = args.requests
    warm_count = 60
    if len(tokens) < 2 * n + warm_count:
        raise SystemExit(
            f"{args.city}: {len(tokens)} volunteers, {2 * n + warm_count} needed; "
            f"use --requests {(len(tokens) - warm_count) // 2}"
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
        floor_app.database.close()

        os.environ["REDARMBAND_DATABASE_URL"] = f"sqlite:///{core_db}"
        app = create_app()
        client = app.test_client()
        measure(client, "POST", "/api/v1/me/checkins", warm[30:], counter, 201)
        app_batch = tokens[n : 2 * n]
        rows["check-in, app"] = measure(client, "POST", "/api/v1/me/checkins", app_batch, counter, 201)
        measure(client, "POST", "/api/v1/me/checkins", app_batch[:5], counter, 409)  # still once a day
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
    return rows


if __name__ == "__main__":
    main()
