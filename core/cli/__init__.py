"""The ``redarmband`` command.

Each module here adds one group of commands. They import what they work with
inside the commands, so ``redarmband --help`` and ``--version`` answer without
building the app.

Commands that touch data run inside the app context (Flask's
``with_appcontext``), and the app is built by :func:`app_factory`, which
refuses a database that is not initialised or has pending migrations — the
same refusal the web app gives at start. The few commands that prepare the
database are marked with :func:`prepares_database` and get the app without
that check.
"""

import logging
import sys

import click
from flask.cli import AppGroup, ScriptInfo, routes_command, run_command, shell_command

from ..problems import OperatorError
from ..version import __version__

PROG = "redarmband"
logger = logging.getLogger(__name__)


def prepares_database(callback):
    """Mark a command's function as one that works on a database not ready yet
    (init-db, db upgrade …); put it below ``@with_appcontext``."""
    callback.prepares_database = True
    return callback


def app_factory(overrides=None):
    """``ScriptInfo``'s app factory: the app, checked for a ready database
    unless the running command prepares it."""

    def make():
        from ..app import create_app

        context = click.get_current_context(silent=True)
        callback = getattr(context.command, "callback", None) if context else None
        prepares = getattr(callback, "prepares_database", False)
        return create_app({**(overrides or {}), "REQUIRE_READY_DATABASE": not prepares})

    return make


def build_cli(pm=None):
    """The command group; ``pm`` (default: installed plugins) adds plugin commands."""
    from ..plugins import make_plugin_manager

    pm = pm or make_plugin_manager()
    cli = AppGroup(name=PROG, help="Red Armband (红袖标): run and manage station volunteer programmes.")
    click.version_option(__version__, "--version", prog_name=PROG, message="%(prog)s %(version)s")(cli)
    for command in (run_command, shell_command, routes_command):
        cli.add_command(command)

    from . import accounts, backup, database, demo, info, open311, points, project, serve, stations

    for module in (database, demo, serve, info, backup, stations, accounts, points, open311, project):
        module.add_commands(cli, pm)
    _add_plugin_commands(cli, pm)
    return cli


def _add_plugin_commands(cli, pm):
    """Each plugin's ``register_commands``, one at a time: one that raises
    loses its commands, not everyone's."""
    from ..plugins import describe_error

    for impl in pm.hook.register_commands.get_hookimpls():
        try:
            impl.function(cli=cli)
        except Exception as error:  # noqa: BLE001 - a plugin's mistake
            logger.warning("plugin %r added no commands: %s", impl.plugin_name, describe_error(error))


class _CurrentStderr(logging.StreamHandler):
    """A handler writing to whatever ``sys.stderr`` is when it writes."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def _log_to_stderr():
    """Warnings (a plugin left out, say) go to stderr as one line each, on
    every command, --help included; other loggers keep their own levels."""
    root = logging.getLogger()
    if not any(isinstance(handler, _CurrentStderr) for handler in root.handlers):
        handler = _CurrentStderr()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        root.addHandler(handler)


def main():
    from ..plugins import make_plugin_manager

    _log_to_stderr()
    try:
        pm = make_plugin_manager()
        cli = build_cli(pm)
        cli.main(prog_name=PROG, obj=ScriptInfo(create_app=app_factory(), load_dotenv_defaults=False))
    except OperatorError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


# For the test fixtures and scripts that prepare a database (below: it imports
# prepares_database from here).
from .database import init_database  # noqa: E402, F401
