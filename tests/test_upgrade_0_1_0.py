"""The kept Red Armband 0.1.0 database (tests/fixtures/db_0_1_0) upgraded to
this version: every row still there, the ledger balanced, the schema the
same as a new database's, and the app serving it.

Every later schema change is tested here the same way. Runs on SQLite, and on
PostgreSQL when REDARMBAND_DATABASE_URL names it.
"""

import json
import math
import os
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from core import db
from core.app import create_app
from core.cli import app_factory, build_cli, init_database
from core.migrations import m0001_initial
from core.plugins import make_plugin_manager
from core.testing import empty_postgres, post_form
from plugins.night_patrol.migrations import m0001_initial as night_patrol_0001
from plugins.school_guardian.migrations import m0001_initial as school_guardian_0001
from tests.conftest import BRAND_PLUGINS, REPO
from tests.fixtures.db_0_1_0.load import ROWS, UPLOADS, load_fixture
from tests.schema_introspection import row_counts, schema_of

FIXTURE = {table["name"]: table for table in json.loads(ROWS.read_text(encoding="utf-8"))["tables"]}
TABLES_OF_0_1_0 = {**m0001_initial.TABLES, **night_patrol_0001.TABLES, **school_guardian_0001.TABLES}
PASSWORD = "redarmband"  # every account of the fixture
LI_HONG = "13808710011"  # a donghua volunteer with points, submissions and reports


def on_postgresql():
    return os.environ.get("REDARMBAND_DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.fixture
def settings(tmp_path, database_url):
    def make(url=None, **more):
        return {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "LOAD_ENTRYPOINTS": False,
            "EXTRA_PLUGINS": BRAND_PLUGINS,
            "STATIONS_DIR": str(REPO / "stations"),
            "DATABASE_URL": url or database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **more,
        }

    yield make
    db.close_all()


@pytest.fixture
def old_database(database_url, tmp_path):
    """The database URL, holding 0.1.0's schema and rows; uploads in the instance folder."""
    load_fixture(database_url, tmp_path / "instance")
    return database_url


def command(settings, args):
    pm = make_plugin_manager(load_entrypoints=False, extra_plugins=BRAND_PLUGINS)
    return CliRunner().invoke(build_cli(pm), args, obj=ScriptInfo(create_app=app_factory(settings)))


def rows_of(url, table, columns):
    """The rows of ``table`` by id, their values as the fixture writes them."""
    database = db.make_database(url)
    try:
        quoted = ", ".join(f'"{column}"' for column in columns)
        rows = database.execute_sql(f'SELECT {quoted} FROM "{table}" ORDER BY id').fetchall()
    finally:
        db_close(database)
    return [dict(zip(columns, map(as_stored, row), strict=True)) for row in rows]


def db_close(database):
    if hasattr(database, "close_all"):
        database.close_all()
    else:
        database.close()


def as_stored(value):
    """A value read back, in SQLite's storage form that rows.json keeps."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def same(expected, found):
    if isinstance(expected, float) and isinstance(found, float):
        # 0.1.0 kept locations as PostgreSQL's 4-byte real: about 7 digits
        return math.isclose(expected, found, rel_tol=1e-6 if on_postgresql() else 0)
    return expected == found


def test_the_fixture_has_rows_in_every_table_0_1_0_had(old_database):
    counts = row_counts(old_database)
    assert set(counts) == set(TABLES_OF_0_1_0)
    assert {table for table, count in counts.items() if count == 0} == set()


def test_the_app_and_the_commands_refuse_the_0_1_0_database_until_it_is_upgraded(old_database, settings):
    with pytest.raises(Exception, match="made by Red Armband 0.1.0, before migrations"):
        create_app(settings())
    assert command(settings(), ["points", "verify"]).exit_code == 1


def test_upgrading_keeps_every_row_and_the_ledger_balanced(old_database, settings):
    upgraded = command(settings(), ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "applied core 0001_initial" in upgraded.output
    assert "applied core 0002_locations_double_precision" in upgraded.output

    counts = row_counts(old_database)
    for table, fixture in FIXTURE.items():
        assert counts[table] == len(fixture["rows"]), table
        found = rows_of(old_database, table, fixture["columns"])
        for expected, row in zip(fixture["rows"], found, strict=True):
            differing = {c: (expected[c], row[c]) for c in fixture["columns"] if not same(expected[c], row[c])}
            assert not differing, f"{table} row {expected['id']}: {differing}"

    verified = command(settings(), ["points", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "ledger ok: 27 accounts match their entries" in verified.output


def test_an_upgraded_database_has_the_schema_a_new_one_has(old_database, settings, tmp_path):
    assert command(settings(), ["db", "upgrade"]).exit_code == 0
    if on_postgresql():
        new_url = empty_postgres(os.environ["REDARMBAND_DATABASE_URL"], suffix="_new")
    else:
        new_url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    new = create_app(settings(url=new_url, INSTANCE_PATH=str(tmp_path / "new-instance"), REQUIRE_READY_DATABASE=False))
    with new.app_context():
        init_database()
    db.close_all()
    upgraded_schema, new_schema = schema_of(old_database), schema_of(new_url)
    assert sorted(upgraded_schema) == sorted(new_schema)
    for table in new_schema:
        assert upgraded_schema[table] == new_schema[table], table


def test_the_upgraded_database_serves_its_people_their_points_and_photos(old_database, settings):
    assert command(settings(), ["db", "upgrade"]).exit_code == 0
    app = create_app(settings())
    client = app.test_client()
    token = client.post("/api/v1/auth/tokens", json={"phone": LI_HONG, "password": PASSWORD}).get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    [row] = [row for row in FIXTURE["user"]["rows"] if row["phone"] == LI_HONG]
    assert me["points_balance"] == row["points_balance"] > 0
    assert me["station"]["slug"] == "donghua"

    photo = next(p for p in FIXTURE["submissionphoto"]["rows"] if p["position"] == 2)  # its id is not its position
    [submission] = [s for s in FIXTURE["submission"]["rows"] if s["id"] == photo["submission_id"]]
    [owner] = [u for u in FIXTURE["user"]["rows"] if u["id"] == submission["volunteer_id"]]
    [station] = [s for s in FIXTURE["station"]["rows"] if s["id"] == submission["station_id"]]
    signed_in = app.test_client()
    landed = post_form(signed_in, f"/s/{station['slug']}/login", {"phone": owner["phone"], "password": PASSWORD})
    assert landed.status_code in (302, 303), landed.get_data(as_text=True)[:500]
    shown = signed_in.get(f"/s/{station['slug']}/submissions/{submission['id']}/photos/{photo['position']}")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert shown.data == (UPLOADS / photo["path"]).read_bytes()  # the very file 0.1.0 stored
