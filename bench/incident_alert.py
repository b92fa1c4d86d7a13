"""What a missing-child report costs beside an ordinary one.

An urgent category (寻找走失儿童) is stored together with an urgent
instruction to every member of the station's district: one INSERT … SELECT
of a recipient row per person, in the reporting request's own transaction.
This measures, side by side and interleaved in one run, the wall time of
``core.incidents.reporting.report`` for an ordinary report (车辆违停) and for
a missing-child report, in a district of ``--stations`` stations with
``--volunteers`` volunteers each (Kunming: about 150 stations and 200,000
volunteers in some 14 districts, so a district is about 10 stations and
14,000 people), and, for the live board, the cost of one poll of
``board.changed_since`` when nothing changed, with ``--history`` timeline
lines already in the station.

    .venv/bin/python bench/incident_alert.py [--stations 10 --volunteers 1400 --rounds 9]
    REDARMBAND_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/incident_alert.py

prints medians (milliseconds) and the ratio. The database is made anew:
SQLite in a temporary folder, or on PostgreSQL a database of this process's
own beside the one given (``<name>_<pid>``), dropped at the end, also when
the run fails. CI's smoke run (``.ci/bench_smoke``) uses
``--stations 2 --volunteers 20 --history 100 --rounds 1``.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from core import db
from core.app import create_app
from core.cli import init_database
from core.incidents import board
from core.incidents.reporting import load_report, report
from core.models import Incident, IncidentEvent, IncidentEventKind, Role, User, utcnow
from core.testing import empty_postgres, pytest_sessionfinish, write_station

BODIES = {
    "ordinary (车辆违停)": {
        "category": "illegal_parking",
        "description": "白色轿车堵住小区大门",
        "address": "小区东门",
    },
    "missing child (to the district)": {
        "category": "missing_child",
        "description": "五岁男孩在菜市场走失",
        "address": "篆新农贸市场",
        "fields": {"age": 5, "clothing": "红色外套，蓝色裤子"},
    },
}


def build(directory, stations, volunteers, history):
    stations_dir = Path(directory) / "stations"
    stations_dir.mkdir()
    for number in range(stations):
        write_station(stations_dir, f"s{number:03d}", district="五华分局")
    url = os.environ.get("REDARMBAND_DATABASE_URL") or f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
    if url.startswith("postgresql"):
        url = empty_postgres(url)  # a database of this process's own, dropped at the end
    settings = {
        "DATABASE_URL": url,
        "STATIONS_DIR": str(stations_dir),
        "INSTANCE_PATH": str(Path(directory) / "instance"),
        "LOAD_ENTRYPOINTS": False,
    }
    app = create_app({**settings, "REQUIRE_READY_DATABASE": False})  # init-db's app: the tables come next
    with app.app_context():
        init_database()
    app = create_app(settings)  # again, now that the tables and the groups exist
    tenancy = app.extensions["redarmband"].tenancy
    with app.app_context(), db.database.connection_context():
        for station in tenancy.stations.values():
            rows = [
                {
                    "station": station.id,
                    "role": Role.VOLUNTEER,
                    "phone": f"1{station.id:04d}{n:06d}",
                    "name": f"v{n}",
                    "password_hash": "-",
                }
                for n in range(volunteers)
            ]
            with db.database.atomic():
                for start in range(0, len(rows), 500):
                    User.insert_many(rows[start : start + 500]).execute()
        first = tenancy.stations["s000"]
        reporter = User.select().where(User.station == first.id).first()
        if history:
            seed = report(first, reporter, load_report(BODIES["ordinary (车辆违停)"]))
            events = [
                {
                    "incident": seed.id,
                    "station": first.id,
                    "kind": IncidentEventKind.COMMENT,
                    "actor": reporter.id,
                    "note": "x",
                    "created_at": utcnow(),
                }
                for _ in range(history)
            ]
            with db.database.atomic():
                for start in range(0, len(events), 1000):
                    IncidentEvent.insert_many(events[start : start + 1000]).execute()
    return app, first, reporter


def wall_ms(function):
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--volunteers", type=int, default=1400, help="per station")
    parser.add_argument("--history", type=int, default=100_000, help="timeline lines already in the first station")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory() as directory:
            app, station, reporter = build(directory, args.stations, args.volunteers, args.history)
            times = {name: [] for name in BODIES}
            polls = []
            with app.test_request_context(), db.database.connection_context():
                last = board.last_event_id(station)
                for _ in range(args.rounds):
                    for name, body in BODIES.items():  # interleaved: any drift in the machine hits both
                        times[name].append(wall_ms(lambda body=body: report(station, reporter, load_report(body))))
                    last = board.last_event_id(station)
                    polls.append(wall_ms(lambda last=last: board.changed_since(station, last)))
                incidents = Incident.select().count()
            people = args.stations * args.volunteers
            print(
                f"district: {args.stations} stations × {args.volunteers} volunteers = {people:,} people; {args.rounds} rounds; {db.database.obj.__class__.__name__}"
            )
            medians = {name: statistics.median(values) for name, values in times.items()}
            for name, value in medians.items():
                print(f"  report, {name:32s} median {value:8.1f} ms")
            ordinary, urgent = medians.values()
            print(
                f"  ratio missing child / ordinary: {urgent / ordinary:.1f}×  ({(urgent - ordinary) / people * 1000:.1f} µs per person alerted)"
            )
            print(
                f"  live board poll, nothing new, {args.history:,} timeline lines: median {statistics.median(polls):.2f} ms"
            )
            print(f"  ({incidents} incidents stored)")
    finally:
        pytest_sessionfinish(None, 0)  # closes the connections and drops a PostgreSQL database made here


if __name__ == "__main__":
    main()
