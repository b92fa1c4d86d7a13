"""The database layer: URLs, SQLite settings, serialised read-then-write."""

import os
import threading

import pytest

from core import db
from core.accounts import create_user
from core.models import Role, User
from core.problems import OperatorError
from core.testing import empty_postgres

POSTGRES_URL = os.environ.get("REDARMBAND_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def test_sqlite_urls_relative_and_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert db.make_database("sqlite:///rel/app.db").database == str(
        tmp_path / "rel" / "app.db"
    )  # from the current directory
    assert db.make_database(f"sqlite:///{tmp_path}/abs.db").database == f"{tmp_path}/abs.db"
    assert (tmp_path / "rel").is_dir()


def test_unsupported_database_url_names_the_setting():
    with pytest.raises(OperatorError, match="REDARMBAND_DATABASE_URL: unsupported scheme 'mysql'"):
        db.make_database("mysql://root@localhost/test")


def test_postgres_url_gives_a_connection_pool():
    database = db.make_database("postgresql://postgres@127.0.0.1:5432/test")
    assert database.database == "test"
    assert database.connect_params["host"] == "127.0.0.1"
    assert database.connect_params["port"] == 5432
    assert hasattr(database, "close_all")


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path):
    database = db.make_database(f"sqlite:///{tmp_path}/settings.db")
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10_000
    database.close()


def test_sqlite_connection_stays_open_between_requests(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/kept.db")
    client = app.test_client()
    client.get("/api/v1/stations")
    connection = db.database.connection()
    client.get("/api/v1/stations")
    assert db.database.connection() is connection


def test_postgres_requests_hand_their_connection_back_to_the_pool(make_app):
    app = make_app(DATABASE_URL=empty_postgres(POSTGRES_URL))
    assert app.test_client().get("/api/v1/stations").status_code == 200
    assert db.database.is_closed()
    assert len(db.database._in_use) == 0


def test_concurrent_read_then_write_loses_no_update(app):
    """Eight workers each add 1 five times to one row: the total is exactly 40."""
    with app.app_context():
        station_id = app.extensions["redarmband"].tenancy.get("huguo").id
        user = create_user(
            role=Role.OFFICER, phone="13700000000", name="计数", password="counter-pass", station_id=station_id
        )
    errors = []

    def worker():
        try:
            for _ in range(5):
                with db.write_transaction():
                    row = db.for_update(User.select().where(User.id == user.id)).get()
                    User.update(points_balance=row.points_balance + 1).where(User.id == user.id).execute()
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(error)
        finally:
            db.database.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert User.get_by_id(user.id).points_balance == 40
