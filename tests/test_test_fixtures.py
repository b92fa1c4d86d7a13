"""The test suite's own shortcuts (core.testing) never let one test see another's world."""

import pytest
from werkzeug.routing import rules

from core import db
from core.models import CORE_MODELS, User
from core.schema import HISTORY_TABLE, SchemaMigration, sources_for
from core.testing import compiled_once, schema_templates


def schema_args(app):
    registry = app.extensions["redarmband"].registry
    return [*CORE_MODELS, *registry.models], sources_for(registry)


def next_tests_database(app, url, tmp_path):
    """What the next test's first make_app does to its database (a new file on SQLite)."""
    if not db.is_sqlite():
        schema_templates.start_from_template(url, *schema_args(app))
        return url
    fresh = f"sqlite:///{tmp_path / 'next.sqlite3'}"
    db.database.initialize(db.make_database(fresh))
    schema_templates.start_from_template(fresh, *schema_args(app))
    return fresh


def test_the_next_test_starts_with_no_rows_but_the_migration_records(make_app, database_url, tmp_path):
    app = make_app()
    with app.app_context():
        applied = SchemaMigration.select().count()
        User.create(role="volunteer", phone="13800000001", name="甲", password_hash="x", station=1)
        assert User.select().count() == 1
        next_tests_database(app, database_url, tmp_path)
        with db.database.connection_context():
            assert User.select().count() == 0
            assert SchemaMigration.select().count() == applied > 0
            # ids start again at 1, as in a database made from nothing
            assert (
                User.create(role="volunteer", phone="13800000002", name="乙", password_hash="x", station=None).id == 1
            )


def test_a_table_a_test_changed_is_made_anew_for_the_next(make_app, database_url, tmp_path):
    app = make_app()
    with app.app_context():
        with db.database.connection_context():
            db.database.execute_sql('ALTER TABLE "user" ADD COLUMN nickname VARCHAR(20)')
            db.database.execute_sql(f"DELETE FROM {HISTORY_TABLE} WHERE name = '0001_initial'")
        next_tests_database(app, database_url, tmp_path)
        with db.database.connection_context():
            assert "nickname" not in [column.name for column in db.database.get_columns("user")]
            assert SchemaMigration.select().where(SchemaMigration.name == "0001_initial").exists()


def test_a_second_make_app_in_one_test_keeps_what_the_first_wrote(make_app):
    app = make_app()
    with app.app_context():
        User.create(role="volunteer", phone="13800000003", name="丙", password_hash="x", station=None)
    db.close_all()
    again = make_app()
    with again.app_context():
        assert User.select().where(User.phone == "13800000003").exists()


@pytest.mark.parametrize("unknown", [False, True], ids=["build", "build-with-query"])
def test_shared_url_builders_build_what_werkzeug_builds(app, unknown):
    compiled_once.share_url_builders()  # (already, for the whole run)
    assert rules.Rule._compile_builder is not compiled_once._original_compile_builder
    checked = 0
    for rule in app.url_map.iter_rules():
        values = {name: 7 for name in rule.arguments}
        if unknown:
            values["page"] = "2"  # an argument the rule lacks: a query string
        werkzeugs = compiled_once._original_compile_builder(rule, unknown).__get__(rule, None)
        shared = rule._build_unknown if unknown else rule._build
        assert shared(**values) == werkzeugs(**values), rule.rule
        checked += 1
    assert checked > 150  # every page and API route of core and both brands


@pytest.mark.empty_database
def test_a_test_marked_empty_database_finds_no_tables_before_make_app(make_app, database_url):
    own = db.make_database(database_url)
    with own.connection_context():
        assert own.get_tables() == []
    if hasattr(own, "close_all"):  # PostgreSQL's pool keeps it open otherwise
        own.close_all()
    app = make_app()  # and make_app still gives it today's tables
    with app.app_context(), db.database.connection_context():
        assert "user" in db.database.get_tables()
