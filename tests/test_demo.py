"""``redarmband demo`` never touches real data, and works outside a checkout.

The server itself is not started (``Flask.run`` does nothing here); all the
rest is the real command.
"""

import sqlite3

import flask
import pytest

from core.demo import STATIONS
from tests.command_line import one_line
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def no_server(monkeypatch):
    served = []
    monkeypatch.setattr(flask.Flask, "run", lambda self, **kwargs: served.append(kwargs))
    return served


def phones(path):
    with sqlite3.connect(path) as connection:
        return sorted(phone for (phone,) in connection.execute('SELECT phone FROM "user"'))


@pytest.fixture
def real_database(redarmband, tmp_path):
    """A city's database with one real officer in it."""
    path = tmp_path / "real.sqlite3"
    assert redarmband("init-db", REDARMBAND_DATABASE_URL=f"sqlite:///{path}")[0] == 0
    code, _out, err = redarmband(
        "users",
        "create",
        "--role",
        "officer",
        "--station",
        "huguo",
        "--phone",
        "13700000001",
        "--name",
        "张警官",
        "--password",
        "real-secret-1",
        REDARMBAND_DATABASE_URL=f"sqlite:///{path}",
    )
    assert code == 0, err
    return path


def test_the_demo_uses_its_own_database_even_when_a_real_one_is_configured(redarmband, real_database, no_server):
    code, out, err = redarmband("demo", "--port", "0", REDARMBAND_DATABASE_URL=f"sqlite:///{real_database}")
    assert code == 0, err
    demo_database = redarmband.site / "instance" / "demo" / "redarmband-demo.sqlite3"
    assert f"Red Armband demo: database sqlite:///{demo_database}" in out
    assert phones(real_database) == ["13700000001"]  # nothing added beside the real officer
    assert len(phones(demo_database)) == 3 * 3 + 2 + 1
    assert no_server == [{"host": "127.0.0.1", "port": 0, "debug": False, "threaded": True}]


def test_the_demo_prints_every_log_in_with_the_district_admins(redarmband):
    code, out, _err = redarmband("demo", "--port", "0")
    assert code == 0
    lines = out.splitlines()
    assert "Demo log-ins (password for all: redarmband):" in lines
    assert any("五华分局" in line and "district_admin" in line and "13900009801" in line for line in lines), out
    assert any("盘龙分局" in line and "district_admin" in line and "13900009802" in line for line in lines), out
    assert any("(city)" in line and "13900009999" in line for line in lines), out


def test_the_demo_refuses_a_database_with_accounts_that_are_not_the_demos(redarmband, real_database):
    code, _out, err = redarmband("demo", "--port", "0", "--database", f"sqlite:///{real_database}")
    assert code == 1
    assert one_line(err) == (
        f"Error: the database sqlite:///{real_database} has 1 account(s) that are not the demo's: the demo adds "
        "accounts with a public password, so it runs only on a database of its own (leave out --database to use the demo's)"
    )
    assert phones(real_database) == ["13700000001"]


def test_a_second_demo_start_keeps_its_data_and_adds_nothing(redarmband):
    assert redarmband("demo", "--port", "0")[0] == 0
    demo_database = redarmband.site / "instance" / "demo" / "redarmband-demo.sqlite3"
    first = phones(demo_database)
    with sqlite3.connect(demo_database) as connection:
        tasks = connection.execute("SELECT COUNT(*) FROM task").fetchone()[0]
    assert redarmband("demo", "--port", "0")[0] == 0
    assert phones(demo_database) == first
    with sqlite3.connect(demo_database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM task").fetchone()[0] == tasks


def test_the_demo_shows_the_shipped_stations_not_the_configured_ones(redarmband, tmp_path):
    elsewhere = tmp_path / "city-stations"
    elsewhere.mkdir()  # an empty stations folder configured: the demo does not use it
    code, out, err = redarmband("demo", "--port", "0", REDARMBAND_STATIONS_DIR=elsewhere)
    assert code == 0, err
    assert f"stations from {STATIONS}" in out
    assert {path.name for path in STATIONS.glob("*.toml")} == {path.name for path in (REPO / "stations").glob("*.toml")}
