"""How much keeping SQLite connections open is worth, measured side by side.

Inserts rows the way a request does (one small write transaction each), once
with the connection kept open (what core.db does) and once opening and
closing a connection around every write (what per-request connect/close
would do). Each variant runs ROUNDS times, interleaved; medians are printed.

    .venv/bin/python bench/sqlite_connections.py [rows-per-round] [rounds]
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from peewee import CharField, Model

from core import db


class Row(Model):
    value = CharField()

    class Meta:
        database = db.database


def run(rows, reconnect_each_time):
    started = time.perf_counter()
    for number in range(rows):
        if reconnect_each_time:
            db.database.connect(reuse_if_open=True)
        with db.write_transaction():
            Row.create(value=f"row {number}")
        if reconnect_each_time:
            db.database.close()
    return rows / (time.perf_counter() - started)


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    with tempfile.TemporaryDirectory() as folder:
        db.database.initialize(db.make_database(f"sqlite:///{Path(folder) / 'bench.db'}"))
        db.database.create_tables([Row])
        kept, reopened = [], []
        for _ in range(rounds):
            kept.append(run(rows, reconnect_each_time=False))
            reopened.append(run(rows, reconnect_each_time=True))
        db.database.close()
    kept_median, reopened_median = statistics.median(kept), statistics.median(reopened)
    print(f"{rounds} rounds of {rows} single-row write transactions (SQLite, WAL, BEGIN IMMEDIATE)")
    print(f"connection kept open:        median {kept_median:8.0f} inserts/s")
    print(f"connect/close around each:   median {reopened_median:8.0f} inserts/s")
    print(f"ratio kept/reopened:         {kept_median / reopened_median:.2f}x")


if __name__ == "__main__":
    main()
