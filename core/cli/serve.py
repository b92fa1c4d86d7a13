"""``redarmband serve``: the app under gunicorn, with threaded workers.

Every signed-in page keeps a Server-Sent Events stream open for up to 25
seconds at a time (``core.web.sse``), and reconnects 3 seconds after it ends,
so an open page holds a thread about nine tenths of the time. Gunicorn's
default sync workers would be held by one open page each; the ``gthread``
worker gives each request a thread of its own, and a sleeping stream costs a
thread almost nothing. Hence the defaults:

- ``--threads 32``: a worker carries some 25 open pages and still has threads
  free for the clicks on them;
- ``--workers 2``: two cores' worth of Python, and the site stays up while
  gunicorn replaces a worker that died. 2 × 32 = 64 PostgreSQL connections at
  most per server, inside PostgreSQL's default ``max_connections`` of 100;
- ``--timeout 30``: a gthread worker's heartbeat comes from its main loop, not
  from the requests, so a 25-second stream never counts against it.

A stop (SIGTERM) waits :data:`GRACEFUL_SECONDS` for the requests in hand, then
ends the workers: long enough for an ordinary request (a photo being
re-encoded), while a live stream cut short is reopened by the browser 3 s
later, on another app server or on this one restarted. Waiting for every
stream to run its 25 s would only make each restart slower.

The app is built once, in the master, before anything listens: a mistake in
the set-up (station files, instance folder, database) is one line and exit 1,
not a worker crashing in a loop. Its database connections are closed before
the workers fork, so no two processes share one.
"""

import os
import sys
from pathlib import Path

import click

from ..problems import OperatorError
from .listening import refuse_busy_address

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 32
DEFAULT_TIMEOUT = 30
GRACEFUL_SECONDS = 10


def add_commands(cli, _pm):
    @cli.command("serve", with_appcontext=False)
    @click.option(
        "--bind",
        default=DEFAULT_BIND,
        show_default=True,
        metavar="HOST:PORT",
        help="where to listen; behind nginx on the same machine keep 127.0.0.1",
    )
    @click.option(
        "--workers",
        default=DEFAULT_WORKERS,
        show_default=True,
        type=click.IntRange(1, 64),
        help="worker processes",
    )
    @click.option(
        "--threads",
        default=DEFAULT_THREADS,
        show_default=True,
        type=click.IntRange(1, 1000),
        help="threads per worker: each open signed-in page holds one for up to 25 s",
    )
    @click.option(
        "--timeout",
        default=DEFAULT_TIMEOUT,
        show_default=True,
        type=click.IntRange(5, 3600),
        help="seconds before a stuck worker is restarted",
    )
    @click.option("--access-log/--no-access-log", default=False, show_default=True, help="log each request to stdout")
    def serve_command(bind, workers, threads, timeout, access_log):
        """Serve Red Armband with gunicorn (threaded workers).

        The settings come from the REDARMBAND_* environment variables (see
        docs/deploy.md). The database must be ready: `redarmband init-db` for
        a new one, `redarmband db upgrade` after installing a new version.
        """
        host, port = parse_bind(bind)
        refuse_busy_address(host, port, option="--bind")  # before anything is read or written
        refuse_small_pool(threads)
        keep_working_directory_off_path()

        from .. import db
        from ..app import create_app
        from ..version import __version__

        app = create_app()  # OperatorError here: one line, nothing started
        directory = app.extensions["redarmband"].directory
        enabled = len(directory.enabled())
        click.echo(f"Red Armband {__version__}")
        click.echo(f"instance folder: {app.instance_path}")
        click.echo(f"database: {db.describe_database()}")
        click.echo(f"stations: {app.config['STATIONS_DIR']} ({len(directory.by_slug)} station(s), {enabled} enabled)")
        for warning in directory.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"serving on http://{format_bind(host, port)}/ with {workers} worker(s) × {threads} thread(s)")
        db.close_all()  # each worker opens its own after the fork
        sys.stdout.flush()

        Server(
            app, bind=format_bind(host, port), workers=workers, threads=threads, timeout=timeout, access_log=access_log
        ).run()


def parse_bind(bind):
    """``HOST:PORT`` (``[::1]:8000`` for IPv6) as ``(host, port)``."""
    host, _, port = bind.strip().rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"expected HOST:PORT, e.g. {DEFAULT_BIND}, got {bind!r}", param_hint="--bind")
    return host, int(port)


def format_bind(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def refuse_small_pool(threads):
    """A PostgreSQL pool smaller than the threads sharing it makes threads
    wait for connections (and fail after 10 s) while streams hold them."""
    from ..db import POOL_SETTING, pool_size_setting

    cap = pool_size_setting()  # None: no cap, the pool grows to the threads that use it
    if cap is not None and cap < threads:
        raise OperatorError(
            f"{POOL_SETTING}={cap} is smaller than --threads {threads}: every thread may need a connection "
            f"at once; set it to {threads} or more, unset it (the pool then grows to the threads), "
            f"or serve with --threads {cap}"
        )


def keep_working_directory_off_path(cwd=None, path=None):
    """Take the current directory off ``sys.path`` unless Red Armband itself
    was imported from there (a checkout): a ``core/`` or ``plugins/`` folder
    where the server happens to start must never stand in for the installed
    packages. Refuses if one already has."""
    import core

    path = sys.path if path is None else path
    cwd = Path(cwd or os.getcwd()).resolve()
    home = Path(core.__file__).resolve().parent.parent  # the folder `core` came from
    if cwd != home:
        path[:] = [entry for entry in path if _resolved(entry, cwd) != cwd]
    for name in ("core", "plugins"):
        module = sys.modules.get(name)
        origin = getattr(module, "__file__", None)
        if origin and Path(origin).resolve().parent.parent == cwd and cwd != home:
            raise OperatorError(
                f"{name} was imported from {Path(origin).parent}, which is not the installed {name} package: "
                "start redarmband from another directory (e.g. the instance folder)"
            )
    return path


def _resolved(entry, cwd):
    try:
        return (cwd / entry).resolve()  # "" is the current directory; an absolute entry stays itself
    except (OSError, RuntimeError):
        return None


def _gunicorn_base():
    from gunicorn.app.base import BaseApplication

    return BaseApplication


class Server:
    """Gunicorn's documented custom application (``BaseApplication``): its
    settings from here, never from the command line, ``GUNICORN_CMD_ARGS`` or a
    ``gunicorn.conf.py`` in the current directory, and ``load()`` returns the
    app already built (so nothing is imported by name from the current
    directory)."""

    def __init__(self, app, **settings):
        self.app = app
        self.settings = settings

    def run(self):
        app, settings = self.app, self.settings

        class Application(_gunicorn_base()):
            def load_config(self):
                self.cfg.set("bind", [settings["bind"]])
                self.cfg.set("workers", settings["workers"])
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("threads", settings["threads"])
                self.cfg.set("timeout", settings["timeout"])
                self.cfg.set("graceful_timeout", GRACEFUL_SECONDS)
                self.cfg.set("preload_app", True)  # load() in the master: the app is already built
                self.cfg.set("proc_name", "redarmband")
                self.cfg.set("accesslog", "-" if settings["access_log"] else None)
                # Whom to believe about X-Forwarded-* is REDARMBAND_PROXY_HOPS's
                # decision alone (the app's ProxyFix), not gunicorn's as well.
                self.cfg.set("forwarded_allow_ips", "")

            def load(self):
                return app

        Application(prog="redarmband serve").run()
