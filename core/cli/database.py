"""``redarmband init-db``, ``db status`` and ``db upgrade``."""

import click
from flask import current_app
from flask.cli import with_appcontext

from . import prepares_database


def _platform():
    return current_app.extensions["redarmband"]


def _sources():
    from ..schema import sources_for

    return sources_for(_platform().registry)


def init_database():
    """Create today's schema in an empty database (recording every migration
    as applied), then the station rows and the group tree. On a database
    that is not empty it creates nothing; returns the schema state after."""
    from ..db import database
    from ..models import CORE_MODELS
    from ..schema import initialise

    with database.connection_context():
        initialise(_sources(), [*CORE_MODELS, *_platform().registry.models])
        return _follow_the_station_files()


def upgrade_database(on_applied=lambda migration: None):
    """Apply the pending migrations (all of them on an empty database), then
    the station rows and the group tree; returns (applied, state after)."""
    from ..db import database
    from ..schema import upgrade

    with database.connection_context():
        applied = upgrade(_sources(), on_applied=on_applied)
        return applied, _follow_the_station_files()


def _follow_the_station_files():
    """Once the database is ready, its station rows and the city, district
    and station groups follow the station files; returns the schema state."""
    from ..groups.tree import ensure_tree
    from ..schema import read_state
    from ..tenancy import current_tenancy

    state = read_state(_sources())
    if state.ready:
        current_tenancy().resolve_station_rows()
        ensure_tree(current_tenancy())
    return state


def add_commands(cli, _pm):
    @cli.command("init-db")
    @with_appcontext
    @prepares_database
    def init_db_command():
        """Create the tables in an empty database; on one made before, change nothing."""
        from ..db import describe_database
        from ..schema import DatabaseNotReady, describe_state

        state = init_database()
        if not state.ready:
            raise DatabaseNotReady(describe_state(state))
        click.echo(f"instance folder: {current_app.instance_path}")
        click.echo(f"database ready: {describe_database()}")

    @cli.group("db")
    def db_group():
        """The database schema: its migrations (core's and each plugin's)."""

    @db_group.command("status")
    @with_appcontext
    @prepares_database
    def db_status():
        """List each owner's migrations, applied and pending; exit 1 if any are pending."""
        from ..db import database, describe_database
        from ..schema import describe_state, read_state

        with database.connection_context():
            state = read_state(_sources())
        click.echo(f"database: {describe_database()}")
        owner = None
        for migration in state.known:
            if migration.owner != owner:
                owner = migration.owner
                click.echo(owner)
            applied = state.applied.get(migration.key)
            when = f"applied {applied:%Y-%m-%d %H:%M} UTC" if applied else "pending"
            click.echo(f"  {migration.name:<28} {when:<28} {migration.summary()}")
        for owner in state.uninstalled:
            click.echo(f"{owner}: applied here, but the plugin is not installed (its tables are kept)")
        problem = describe_state(state)
        if problem:
            raise click.ClickException(problem)
        click.echo("up to date")

    @db_group.command("upgrade")
    @with_appcontext
    @prepares_database
    def db_upgrade():
        """Apply the pending migrations, each in its own transaction."""
        from ..db import database, describe_database
        from ..schema import describe_state, read_state

        click.echo(f"database: {describe_database()}")
        with database.connection_context():
            if read_state(_sources()).empty:
                click.echo("the database is empty: creating it with every migration")
        applied, state = upgrade_database(on_applied=lambda m: click.echo(f"applied {m.label}: {m.summary()}"))
        if not state.ready:
            raise click.ClickException(describe_state(state))
        click.echo(f"up to date ({len(applied)} applied)" if applied else "up to date: nothing to apply")
