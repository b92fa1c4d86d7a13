"""``redarmband demo``: the shipped demo stations on a database of their own."""

import logging
from pathlib import Path

import click

from ..problems import OperatorError
from .listening import refuse_busy_address

DEMO_FOLDER = "demo"  # inside the instance folder: the demo's database, secret key and uploads
DEMO_DATABASE = "redarmband-demo.sqlite3"


def add_commands(cli, _pm):
    @cli.command("demo", with_appcontext=False)
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option(
        "--database",
        "database_url",
        help="a database for the demo alone  [default: a SQLite file in the instance folder's demo/]",
    )
    @click.option(
        "--stations",
        "stations_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="station files to show  [default: the shipped demo stations]",
    )
    def demo_command(host, port, database_url, stations_dir):
        """Serve the demo: its own database, the demo stations and demo accounts.

        It never uses REDARMBAND_DATABASE_URL or REDARMBAND_STATIONS_DIR, and it
        refuses a database that holds accounts other than the demo's, because
        every demo account has the public password "redarmband".
        """
        from .. import demo
        from ..app import create_app
        from ..instance import instance_path

        refuse_busy_address(host, port)  # before anything is written
        folder = instance_path() / DEMO_FOLDER
        app = create_app(
            {
                "INSTANCE_PATH": str(folder),
                "DATABASE_URL": database_url or f"sqlite:///{folder / DEMO_DATABASE}",
                "STATIONS_DIR": str(stations_dir or demo.STATIONS),
                "REQUIRE_READY_DATABASE": False,
            }
        )
        with app.app_context():
            _prepare(app)
            logins = demo.fill()
        from ..db import describe_database

        click.echo(f"Red Armband demo: database {describe_database()}")
        click.echo(f"instance folder {app.instance_path}; stations from {app.config['STATIONS_DIR']}")
        click.echo(f"Demo log-ins (password for all: {demo.PASSWORD}):")
        for where, role, phone in logins:
            click.echo(f"  {where:<12} {role:<14} {phone}")
        click.echo(f"Open http://{host}:{port}/")
        logging.getLogger("werkzeug").setLevel(logging.INFO)  # a line per request, as a demo should show
        app.run(host=host, port=port, debug=False, threaded=True)


def _prepare(app):
    """Make the demo's database ready: refuse one with real accounts, create an
    empty one, upgrade an older demo database (it is the demo's own)."""
    from ..db import database, describe_database
    from ..demo import is_demo_phone
    from ..schema import read_state, sources_for
    from .database import init_database, upgrade_database

    with database.connection_context():
        state = read_state(sources_for(app.extensions["redarmband"].registry))
        phones = database.execute_sql('SELECT phone FROM "user"').fetchall() if "user" in state.tables else []
    others = [phone for (phone,) in phones if not is_demo_phone(phone)]
    if others:
        raise OperatorError(
            f"the database {describe_database()} has {len(others)} account(s) that are not the demo's: "
            "the demo adds accounts with a public password, so it runs only on a database of its own "
            "(leave out --database to use the demo's)"
        )
    if state.empty:
        init_database()
    else:
        upgrade_database()
