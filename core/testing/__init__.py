"""pytest fixtures for Red Armband and for station plugin authors.

Use them with ``pytest_plugins = ["core.testing"]`` in a ``conftest.py``, then
override two fixtures to describe your world:

- ``redarmband_plugins``: the ``(name, module)`` pairs to register (installed
  entry points are not loaded in tests, so nothing else on the machine leaks in);
- ``redarmband_stations_dir``: the directory of station TOML files.

Every test gets a fresh, empty database: a SQLite file in ``tmp_path``, or,
when ``REDARMBAND_DATABASE_URL`` names PostgreSQL, an emptied schema of that
database of its own (one per test process, so runs side by side don't meet).
``make_app`` gives it today's tables at its first call, copied from a schema
made once per test process (``schema_templates``); a PostgreSQL test that
uses ``database_url`` before its first ``make_app`` and needs it empty then
says so with ``@pytest.mark.empty_database``.
"""

import os
import re
import textwrap
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from .. import db
from ..app import create_app
from ..cli import build_cli, init_database
from ..models import CORE_MODELS
from ..schema import sources_for
from . import compiled_once, schema_templates

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def redarmband_plugins():
    """``(name, plugin)`` pairs registered in the test app. Override it."""
    return []


@pytest.fixture
def redarmband_stations_dir(tmp_path):
    """The station configs the test app loads. Override it."""
    directory = tmp_path / "stations"
    directory.mkdir(exist_ok=True)
    return directory


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "empty_database: on PostgreSQL, database_url is empty even before make_app's first call"
    )
    compiled_once.share_url_builders()


@pytest.fixture
def database_url(request, tmp_path):
    url = os.environ.get("REDARMBAND_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        if "make_app" in request.fixturenames and not request.node.get_closest_marker("empty_database"):
            return postgres_for_this_process(url)  # make_app's first call makes its schema
        return empty_postgres(url)
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


_made_databases = {}  # name → the URL of the database it was made from


def pytest_sessionfinish(session, exitstatus):
    """Drop the databases this test process made."""
    db.close_all()
    for name, url in _made_databases.items():
        server = db.make_database(url)
        server.connect()
        server.connection().autocommit = True
        server.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close_all()
    _made_databases.clear()
    schema_templates.drop_templates()


def empty_postgres(url, suffix=""):
    """A database beside ``url``'s for this test process, emptied; its URL.

    One database per process (and ``suffix``, for a test that needs a second
    one), so test runs side by side never meet.
    """
    own_url = postgres_for_this_process(url, suffix)
    database = db.make_database(own_url)
    database.execute_sql("DROP SCHEMA public CASCADE")
    database.execute_sql("CREATE SCHEMA public")
    database.close_all()
    schema_templates.forget_postgres(own_url)
    return own_url


def postgres_for_this_process(url, suffix=""):
    """The URL of this test process's database beside ``url``'s, made if missing."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'test'}_{os.getpid()}{suffix}"
    if name not in _made_databases:  # once per process, not once per test
        server = db.make_database(url)
        server.connect()
        server.connection().autocommit = True  # CREATE DATABASE cannot run in a transaction
        if not server.execute_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            server.execute_sql(f'CREATE DATABASE "{name}"')
        server.close_all()
        _made_databases[name] = url
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def make_app(tmp_path, database_url, redarmband_plugins, redarmband_stations_dir):
    """Build a test app; keyword arguments override its settings."""
    given_schema = set()  # the test's own database gets its tables at the first call only

    def factory(**overrides):
        settings = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "LOAD_ENTRYPOINTS": False,
            "EXTRA_PLUGINS": redarmband_plugins,
            "STATIONS_DIR": str(redarmband_stations_dir),
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),  # uploads never land in the checkout
            "REQUIRE_READY_DATABASE": False,  # the database is made just below
            # a served app hashes passwords with scrypt (0.1 s each, on purpose); tests
            # register and sign in thousands of people, so theirs take a cheap hash
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        }
        settings.update(overrides)
        url = settings["DATABASE_URL"]
        from_template = url == database_url and url not in given_schema
        if from_template and url.startswith("sqlite:///"):
            from_template = not schema_templates.sqlite_path(url).exists()  # the test made it itself
        app = create_app(settings)
        compiled_once.share_compiled_templates(app)
        with app.app_context():
            if from_template:
                registry = app.extensions["redarmband"].registry
                schema_templates.start_from_template(url, [*CORE_MODELS, *registry.models], sources_for(registry))
            given_schema.add(url)
            init_database()
        return app

    yield factory
    db.close_all()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs ``redarmband`` commands against the test app."""
    from flask.cli import ScriptInfo

    class Runner:
        def __init__(self):
            self._runner = app.test_cli_runner()

        def invoke(self, args, **kwargs):
            return self._runner.invoke(
                build_cli(app.extensions["redarmband"].pm), args, obj=ScriptInfo(create_app=lambda: app), **kwargs
            )

    return Runner()


def csrf_token_from(response):
    """The CSRF token in a rendered form page."""
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, "the page has no CSRF token field"
    return match.group(1)


def post_form(client, url, data, **kwargs):
    """GET the form page at ``url`` for its CSRF token, then POST ``data``."""
    token = csrf_token_from(client.get(url))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def write_station(directory, slug, *, plugins=(), theme="default", extra="", **keys):
    """Write ``<directory>/<slug>.toml``; keyword arguments override keys."""
    values = {
        "slug": slug,
        "name": f"{slug} station",
        "district": "test district",
        "brand": f"{slug} brand",
        "theme": theme,
        **keys,
    }
    lines = [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    lines.append(f"plugins = {_toml_value(list(plugins))}")
    text = "\n".join(lines) + '\n\n[oath]\nversion = "v1"\ntext = "I will help."\n' + textwrap.dedent(extra)
    path = Path(directory) / f"{slug}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
