"""The database: one peewee ``DatabaseProxy`` for every model.

SQLite (the embedded default) runs in WAL mode with a busy timeout and
foreign keys on; its connections stay open between requests, because opening
one per request costs several times the insert throughput. PostgreSQL (for a
city's several app servers) uses a connection pool: each request takes a
connection and gives it back.
"""
import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import peewee
from peewee import DatabaseProxy, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase

database = DatabaseProxy()
logger = logging.getLogger("peewee")  # the logger peewee logs its SQL to

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10_000,  # ms: wait for another writer instead of failing
    "foreign_keys": 1,
    "synchronous": "normal",  # safe with WAL, and much faster than "full"
}


class _SqliteDatabase(SqliteDatabase):
    """SqliteDatabase that closes a failed statement's cursor at once.

    Otherwise the cursor lives on in the exception's reference cycle until
    the garbage collector frees it, in whatever thread runs next; finalising
    it there waits for this connection's lock, which may be held by a thread
    itself waiting (BEGIN IMMEDIATE) for the collecting thread's write lock:
    both stall for the busy timeout and one fails with "database is locked".
    """

    def execute_sql(self, sql, params=None, commit=None):
        logger.debug((sql, params))
        cursor = self.cursor()
        try:
            with peewee.__exception_wrapper__:
                cursor.execute(sql, params or ())
        except BaseException:
            cursor.close()
            raise
        return cursor


def make_database(url):
    """A peewee database for ``sqlite:///path`` or ``postgresql://…``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them
        path = parts.path[1:] or ":memory:"
        if sqlite3.sqlite_version_info < (3, 35):  # UPDATE … RETURNING books points in one statement
            raise RuntimeError(f"SQLite 3.35 or newer is needed; this Python has {sqlite3.sqlite_version}")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return _SqliteDatabase(path, pragmas=SQLITE_PRAGMAS)
    if parts.scheme in ("postgres", "postgresql"):
        return PooledPostgresqlDatabase(
            (parts.path or "/").lstrip("/") or None,
            user=parts.username,
            password=parts.password,
            host=parts.hostname,
            port=parts.port,
            # per worker process: keep workers × this under the server's max_connections
            max_connections=int(os.environ.get("REDARMBAND_DB_POOL_SIZE", "10")),
            stale_timeout=300,
            timeout=10,  # seconds to wait for a free pooled connection
        )
    raise ValueError(f"REDARMBAND_DATABASE_URL: unsupported scheme {parts.scheme!r} (use sqlite or postgresql)")


def is_sqlite():
    return isinstance(database.obj, SqliteDatabase)


def write_transaction():
    """A transaction for read-then-write work.

    On SQLite it starts with ``BEGIN IMMEDIATE``, taking the write lock up
    front: a deferred transaction that reads first and then writes fails with
    "database is locked" when another worker wrote in between. PostgreSQL
    serialises such work with row locks (``SELECT … FOR UPDATE``) instead.
    """
    if is_sqlite():
        return database.atomic("IMMEDIATE")
    return database.atomic()


def for_update(query):
    """``query`` taking row locks where the database has them.

    Inside :func:`write_transaction` this serialises read-then-write work on
    both databases: SQLite already holds the write lock, PostgreSQL locks the
    selected rows until commit.
    """
    return query if is_sqlite() else query.for_update()


def close_all():
    """Close this process's connections (every pooled one on PostgreSQL)."""
    if database.obj is None:
        return
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()
    elif not database.is_closed():
        database.close()


def init_app(app):
    database.initialize(make_database(app.config["DATABASE_URL"]))
    if is_sqlite():
        return  # connections stay open per thread; see the module docstring

    @app.before_request
    def _take_connection():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _return_connection(_exc):
        if not database.is_closed():
            database.close()
