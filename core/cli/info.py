"""``redarmband info``: what this installation is and whether it can run.

It reads and reports; it never creates the instance folder, the database
file or a table, so it is safe to run on a broken or half-made installation
(and from monitoring). It exits 1 when anything it reports is wrong.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import click

OK, WRONG = "ok", "PROBLEM"


def add_commands(cli, pm):
    @cli.command("info", with_appcontext=False)
    def info_command():
        """Version, database and schema, instance folder, stations, plugins, rate limits."""
        problems = 0
        for line, wrong in report(pm):
            problems += wrong
            click.echo(f"{'!' if wrong else ' '} {line}")
        if problems:
            raise click.ClickException(f"{problems} problem(s) above, marked with '!'")


def report(pm):
    """``(line, is_a_problem)`` for each thing an operator needs to know."""
    from ..config import settings_from_environment
    from ..instance import instance_path
    from ..plugins import PluginRegistry
    from ..version import __version__

    instance = instance_path()
    settings = settings_from_environment(instance)
    registry = PluginRegistry(pm)
    yield f"Red Armband {__version__}", False
    yield from _instance_lines(instance)
    stations = yield from _station_lines(settings["STATIONS_DIR"], registry)
    yield from _database_lines(settings["DATABASE_URL"], registry)
    yield from _plugin_lines(registry, stations)
    yield from _rate_limit_lines()


def _instance_lines(instance):
    from ..instance import writable_problem

    problem = writable_problem(instance)
    state = "exists" if instance.is_dir() else "not made yet"
    yield f"instance folder: {instance} ({state}; {problem or 'writable'})", problem is not None
    key_file = instance / "secret_key"
    if os.environ.get("REDARMBAND_SECRET_KEY"):
        yield "secret key: from REDARMBAND_SECRET_KEY", False
    elif key_file.exists() and not os.access(key_file, os.R_OK):
        yield f"secret key: {key_file} is not readable by this user", True
    else:
        yield f"secret key: {key_file} ({'exists' if key_file.exists() else 'made at first start'})", False


def _station_lines(directory, registry):
    from ..config import StationConfigError, load_stations

    try:
        stations = load_stations(directory, registry)
    except StationConfigError as error:
        yield f"stations folder: {directory}: {len(error.problems)} problem(s)", True
        for problem in error.problems:
            yield f"  {problem}", True
        return None
    for warning in stations.warnings:
        yield f"  {warning}", True
    names = ", ".join(station.slug for station in stations.enabled()) or "none"
    yield f"stations folder: {directory}: {len(stations.by_slug)} station(s), enabled: {names}", False
    return stations


def _database_lines(url, registry):
    from .. import db
    from ..problems import OperatorError
    from ..schema import describe_state, read_state, sources_for

    try:
        database = db.make_database(url, make_folder=False)
    except OperatorError as error:
        yield f"database: {error}", True
        return
    shown = database.url_for_people
    if url.startswith("sqlite") and not Path(database.database).exists():
        yield f"database: {shown}: no such file yet: run `redarmband init-db`", True
        return
    db.database.initialize(database)
    try:
        db.check_connection()
        with db.database.connection_context():
            state = read_state(sources_for(registry))
    except OperatorError as error:
        yield f"database: {error}", True
        return
    finally:
        db.close_all()
    problem = describe_state(state)
    applied = len([migration for migration in state.known if migration.key in state.applied])
    yield f"database: {shown}: {problem or f'ready ({applied} migrations applied)'}", bool(problem)


def _plugin_lines(registry, stations):
    from ..plugins import registered

    enabling = {}
    for station in stations.by_slug.values() if stations else ():
        for name in station.plugins:
            enabling.setdefault(name, []).append(station.slug)
    described = {plugin["name"]: plugin for plugin in registry.describe()}
    names = [name for name, _plugin in registered(registry.pm) if not name.startswith("core.")]
    yield f"plugins: {len(names)} installed" + (f", {len(registry.broken)} left out" if registry.broken else ""), False
    for name in sorted(names):
        where = ", ".join(enabling.get(name, [])) or "no station"
        yield f"  {name} {described[name]['version'] or ''}: enabled at {where}", False
    for broken in registry.broken:
        where = ", ".join(enabling.get(broken.name, [])) or "no station"
        yield f"  {broken} (enabled at {where})", True


def _rate_limit_lines():
    from limits.storage import storage_from_string

    from ..ratelimits import storage_uri

    uri = storage_uri()
    shown = urlsplit(uri)._replace(netloc=urlsplit(uri).netloc.rpartition("@")[2]).geturl()
    if uri.startswith("memory://"):
        yield "rate-limit storage: memory:// (each worker counts alone; use redis:// for several app servers)", False
        return
    try:
        reachable = storage_from_string(uri).check()
        reason = "" if reachable else "does not answer"
    except Exception as error:  # noqa: BLE001 - a missing driver, a bad URI: all reported alike
        reachable, reason = False, f"{type(error).__name__}: {error}"
    yield f"rate-limit storage: {shown}: {'reachable' if reachable else reason}", not reachable
