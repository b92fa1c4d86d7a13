"""Migrations: what init-db records, what upgrade applies, what the app and
the commands refuse, and that both ways of making a database agree.

Runs on SQLite, and on PostgreSQL when REDARMBAND_DATABASE_URL names it.
"""

import os
import threading

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from peewee import ForeignKeyField

from core import BaseModel, Station, db, hookimpl
from core.app import create_app
from core.cli import app_factory, build_cli
from core.models import CheckIn, User
from core.plugins import PluginRegistry, make_plugin_manager
from core.points import verify_balances
from core.schema import (
    DatabaseNotReady,
    MigrationFailed,
    MigrationSource,
    SchemaMigration,
    read_state,
    sources_for,
    upgrade,
)
from core.testing import empty_postgres
from tests.conftest import BRAND_PLUGINS, REPO
from tests.points_helpers import give_points
from tests.schema_introspection import schema_of
from tests.schema_probes import BrokenStepPlugin, StepsBulb, StepsLamp, StepsPlugin
from tests.tasks_helpers import volunteer

SHIPPED = [
    ("core", "0001_initial"),
    ("core", "0002_locations_double_precision"),
    ("night_patrol", "0001_initial"),
    ("school_guardian", "0001_initial"),
]


@pytest.fixture
def second_url(tmp_path):
    """Another empty database of the kind under test."""
    url = os.environ.get("REDARMBAND_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return empty_postgres(url, suffix="_second")
    return f"sqlite:///{tmp_path / 'second.sqlite3'}"


@pytest.fixture
def settings(tmp_path, database_url):
    """The test app's settings, for building it the way the command line does."""

    def make(plugins=(), url=None, **more):
        return {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "LOAD_ENTRYPOINTS": False,
            "EXTRA_PLUGINS": [*BRAND_PLUGINS, *plugins],
            "STATIONS_DIR": str(REPO / "stations"),
            "DATABASE_URL": url or database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **more,
        }

    yield make
    db.close_all()


def command(settings, args):
    """``redarmband ARGS`` with the app built as the real command builds it."""
    pm = make_plugin_manager(load_entrypoints=False, extra_plugins=settings["EXTRA_PLUGINS"])
    return CliRunner().invoke(build_cli(pm), args, obj=ScriptInfo(create_app=app_factory(settings)))


def applied_rows():
    return sorted((row.owner, row.name) for row in SchemaMigration.select())


def sources_of(app):
    return sources_for(app.extensions["redarmband"].registry)


class FirstOnly:
    """One owner's first migration only: a database as an older release left it."""

    def __init__(self, owner, package):
        self.source = MigrationSource(owner, package)

    def migrations(self):
        return self.source.migrations()[:1]


# --- init-db and the two ways of making a database --------------------------


def test_init_db_records_every_shipped_migration_as_applied(app):
    with app.app_context():
        assert applied_rows() == SHIPPED
        assert read_state(sources_of(app)).ready


def test_migrations_from_an_empty_database_make_the_schema_init_db_makes(make_app, database_url, second_url, settings):
    make_app()  # init-db: tables from today's models
    migrated = create_app(settings(url=second_url, REQUIRE_READY_DATABASE=False))
    with migrated.app_context():
        assert [migration.key for migration in upgrade(sources_of(migrated))] == SHIPPED
        assert applied_rows() == SHIPPED
    db.close_all()
    made_by_init, made_by_migrations = schema_of(database_url), schema_of(second_url)
    assert sorted(made_by_migrations) == sorted(made_by_init)
    for table in made_by_init:
        assert made_by_migrations[table] == made_by_init[table], table


def test_a_plugins_migrations_make_the_tables_its_models_describe(make_app, database_url, second_url, settings):
    make_app(EXTRA_PLUGINS=[*BRAND_PLUGINS, ("steps", StepsPlugin())])
    migrated = create_app(settings([("steps", StepsPlugin())], url=second_url, REQUIRE_READY_DATABASE=False))
    with migrated.app_context():
        upgrade(sources_of(migrated))
    db.close_all()
    made_by_init, made_by_migrations = schema_of(database_url), schema_of(second_url)
    for table in ("steps_lamp", "steps_bulb"):
        assert made_by_migrations[table] == made_by_init[table], table


# --- refusals ----------------------------------------------------------------


def test_the_app_refuses_a_database_without_tables(settings, database_url):
    with pytest.raises(DatabaseNotReady) as refused:
        create_app(settings())
    assert str(refused.value).endswith("has no tables yet: run `redarmband init-db` first")
    assert db.mask_password(database_url).split("://")[0] in str(refused.value)


def test_data_commands_refuse_a_database_without_tables(settings):
    for args in (
        ["points", "verify"],
        ["open311", "keys", "list", "--station", "huguo"],
        ["users", "grant-collect", "--phone", "13800000000"],
    ):
        result = command(settings(), args)
        assert result.exit_code == 1, args
        assert isinstance(result.exception, DatabaseNotReady), (args, result.output)
        assert "run `redarmband init-db` first" in str(result.exception)


def test_a_database_made_before_migrations_is_refused_then_upgraded_with_its_rows(make_app, settings):
    app = make_app()
    with app.app_context():
        person = give_points(app, volunteer(app, "huguo").id, 7)
        phone = person.phone
        SchemaMigration.drop_table()  # what 0.1.0's init-db left: every table but this one
    db.close_all()

    with pytest.raises(DatabaseNotReady, match=r"was made by Red Armband 0\.1\.0, before migrations: back it up"):
        create_app(settings())
    assert isinstance(command(settings(), ["points", "verify"]).exception, DatabaseNotReady)
    status = command(settings(), ["db", "status"])
    assert status.exit_code == 1 and status.output.count("pending") == len(SHIPPED), status.output

    upgraded = command(settings(), ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    for owner, name in SHIPPED:
        assert f"applied {owner} {name}: " in upgraded.output
    assert upgraded.output.rstrip().endswith(f"up to date ({len(SHIPPED)} applied)")

    ready = create_app(settings())
    with ready.app_context():
        assert applied_rows() == SHIPPED
        assert User.get(User.phone == phone).points_balance == 7
        assert verify_balances() == []
    again = command(settings(), ["db", "upgrade"])
    assert again.exit_code == 0 and "nothing to apply" in again.output


def test_pending_migrations_stop_the_app_and_the_data_commands_until_upgraded(make_app, settings):
    make_app()  # a database of the brands only; the steps plugin is installed later
    db.close_all()
    with_steps = settings([("steps", StepsPlugin())])
    with pytest.raises(DatabaseNotReady) as refused:
        create_app(with_steps)
    assert "needs 2 migration(s) of this version (steps 0001_lamps, steps 0002_lamp_lit)" in str(refused.value)
    assert str(refused.value).endswith("then run `redarmband db upgrade`")
    verify = command(with_steps, ["points", "verify"])
    assert verify.exit_code == 1 and "steps 0001_lamps" in str(verify.exception)

    status = command(with_steps, ["db", "status"])
    assert status.exit_code == 1
    lines = status.output.splitlines()
    assert lines[lines.index("steps") + 1].split() == [
        "0001_lamps",
        "pending",
        "Lamps",
        "of",
        "each",
        "station,",
        "and",
        "their",
        "bulbs.",
    ]
    assert "0001_initial" in lines[lines.index("core") + 1] and "applied" in lines[lines.index("core") + 1]

    upgraded = command(with_steps, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert (
        "applied steps 0001_lamps: Lamps of each station, and their bulbs.\napplied steps 0002_lamp_lit: Lamps can be lit.\n"
        in upgraded.output
    )
    app = create_app(with_steps)
    with app.app_context():
        station = app.extensions["redarmband"].tenancy.get("huguo")
        lamp = StepsLamp.create(station=station.id, colour="red", lit=True)
        assert StepsLamp.get_by_id(lamp.id).lit is True
    assert command(with_steps, ["db", "status"]).output.rstrip().endswith("up to date")


def test_a_database_upgraded_by_a_newer_version_is_refused(app, settings):
    with app.app_context():
        SchemaMigration.create(owner="core", name="9999_from_the_future")
    db.close_all()
    with pytest.raises(
        DatabaseNotReady,
        match=r"was upgraded by a newer Red Armband \(core 9999_from_the_future: not in this version\)",
    ):
        create_app(settings())


def test_the_history_of_a_plugin_no_longer_installed_does_not_stop_the_app(app, settings):
    with app.app_context():
        SchemaMigration.create(owner="lanterns", name="0001_lanterns")
    db.close_all()
    create_app(settings())  # starts
    status = command(settings(), ["db", "status"])
    assert status.exit_code == 0
    assert "lanterns: applied here, but the plugin is not installed (its tables are kept)" in status.output


# --- how upgrades run -----------------------------------------------------------


def test_a_failing_migration_is_rolled_back_and_those_before_it_stay(make_app, settings, database_url):
    make_app()
    db.close_all()
    app = create_app(settings([("broken_step", BrokenStepPlugin())], REQUIRE_READY_DATABASE=False))
    with app.app_context():
        with pytest.raises(MigrationFailed) as failed:
            upgrade(sources_of(app))
        assert str(failed.value) == (
            "migration broken_step 0002_half_done failed and was rolled back: "
            "RuntimeError: lamp 7 has no colour this migration understands (1 applied before it stay applied)"
        )
        assert [row for row in applied_rows() if row[0] == "broken_step"] == [("broken_step", "0001_lamps")]
        with pytest.raises(MigrationFailed):
            upgrade(sources_of(app))  # tried again: the same, nothing doubled
    db.close_all()
    columns = [column[0] for column in schema_of(database_url)["broken_step_lamp"]["columns"]]
    assert sorted(columns) == ["colour", "id", "station_id"]  # the column it added is gone with it


def test_a_column_added_by_rebuilding_a_table_keeps_the_rows_that_refer_to_it(make_app, settings):
    """SQLite adds a NOT NULL column by building a new table and dropping the
    old: with foreign keys on, that drop would delete every bulb of every lamp."""
    make_app()
    db.close_all()
    app = create_app(settings([("steps", StepsPlugin())], REQUIRE_READY_DATABASE=False))
    with app.app_context():
        older = [
            *sources_for(app.extensions["redarmband"].registry)[:-1],
            FirstOnly("steps", "tests.schema_probes.steps"),
        ]
        assert [m.name for m in upgrade(older)] == ["0001_lamps"]
        station = app.extensions["redarmband"].tenancy.get("huguo")
        lamp_id = db.database.execute_sql(
            "INSERT INTO steps_lamp (station_id, colour) VALUES (%s, 'red')".replace(
                "%s", "?" if db.is_sqlite() else "%s"
            ),
            (station.id,),
        ).lastrowid
        if not db.is_sqlite():
            lamp_id = db.database.execute_sql("SELECT max(id) FROM steps_lamp").fetchone()[0]
        for _ in range(3):
            StepsBulb.insert(lamp=lamp_id).execute()

        assert [m.name for m in upgrade(sources_of(app))] == ["0002_lamp_lit"]
        assert StepsBulb.select().count() == 3
        assert StepsLamp.get_by_id(lamp_id).lit is False
        assert db.database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1 if db.is_sqlite() else True


def test_two_upgrades_at_once_apply_each_migration_once(make_app, settings):
    make_app()
    db.close_all()
    app = create_app(settings([("steps", StepsPlugin())], REQUIRE_READY_DATABASE=False))
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            with app.app_context():
                start.wait()
                results.append([m.label for m in upgrade(sources_of(app))])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            if not db.database.is_closed():
                db.database.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(label for labels in results for label in labels) == ["steps 0001_lamps", "steps 0002_lamp_lit"]
    with app.app_context():
        assert [row for row in applied_rows() if row[0] == "steps"] == [
            ("steps", "0001_lamps"),
            ("steps", "0002_lamp_lit"),
        ]


def test_a_plugin_with_models_but_no_migrations_is_left_out(make_app):
    class NoMigrations:
        @hookimpl
        def register_models(self):
            return [StepsLamp]

    registry = PluginRegistry(make_plugin_manager(load_entrypoints=False, extra_plugins=[("steps", NoMigrations())]))
    assert [str(broken) for broken in registry.broken] == [
        "plugin 'steps' (registered by hand) failed to load and is left out: "
        "it registers models but no migrations (register_migrations; see docs/plugins.md)"
    ]
    assert StepsLamp not in registry.models


def test_a_plugin_whose_tables_are_not_named_after_it_is_left_out():
    registry = PluginRegistry(make_plugin_manager(load_entrypoints=False, extra_plugins=[("lamps", StepsPlugin())]))
    [broken] = registry.broken
    assert broken.error == "its tables must be named lamps_…: steps_lamp, steps_bulb"


def test_a_plugin_whose_index_names_another_owner_uses_is_left_out():
    """Index names share one namespace per database, and peewee names them
    after the model class: another plugin's StepsLamp would make the same
    stepslamp_station_id, and CREATE INDEX IF NOT EXISTS would skip it silently."""

    class StepsLamp(BaseModel):  # noqa: F811 - the same class name on purpose
        station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")

        class Meta:
            table_name = "again_lamp"

    class Again:
        @hookimpl
        def register_models(self):
            return [StepsLamp]

        @hookimpl
        def register_migrations(self):
            return "tests.schema_probes.steps"

    steps = StepsPlugin()
    pm = make_plugin_manager(load_entrypoints=False, extra_plugins=[("steps", steps), ("again", Again())])
    [broken] = PluginRegistry(pm).broken
    assert (broken.name, broken.error) == (
        "again",
        "its table or index names stepslamp_station_id are already used by steps",
    )
    assert pm.get_plugin("steps") is steps


def test_checkins_still_work_after_an_upgrade(make_app, settings):
    """The shipped stations on an upgraded database: a volunteer checks in."""
    app = make_app()
    with app.app_context():
        SchemaMigration.drop_table()
    db.close_all()
    assert command(settings(), ["db", "upgrade"]).exit_code == 0
    upgraded = create_app(settings())
    with upgraded.app_context():
        person = volunteer(upgraded, "donghua")
    response = upgraded.test_client().post(
        "/api/v1/auth/tokens", json={"phone": person.phone, "password": "pass-word-1"}
    )
    token = response.get_json()["token"]
    checked = upgraded.test_client().post("/api/v1/me/checkins", headers={"Authorization": f"Bearer {token}"})
    assert checked.status_code == 201, checked.get_json()
    with upgraded.app_context():
        assert CheckIn.select().count() == 1
