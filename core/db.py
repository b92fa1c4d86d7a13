"""The database: one peewee ``DatabaseProxy`` for every model.

SQLite (the embedded default) runs in WAL mode with a busy timeout and
foreign keys on; its connections stay open between requests, because opening
one per request costs several times the insert throughput. PostgreSQL (for a
city's several app servers) uses a connection pool: each request takes a
connection and gives it back.
"""

import logging
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import peewee
from peewee import DatabaseProxy, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase

from .problems import OperatorError

database = DatabaseProxy()
POOL_SETTING = "REDARMBAND_DB_POOL_SIZE"
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


def make_database(url, pool_size=None, make_folder=True):
    """A peewee database for ``sqlite:///path`` or ``postgresql://…``.

    A relative SQLite path is taken from the current directory and made
    absolute here, so every message names the file itself. PostgreSQL's pool
    has no cap unless ``pool_size`` (or ``REDARMBAND_DB_POOL_SIZE``) sets one:
    each thread holds at most one connection, so the pool grows to the threads
    that share it and never makes one of them wait for another.
    ``make_folder=False`` leaves a missing SQLite folder missing (``info``).
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return _make_sqlite(url, parts, make_folder)
    if parts.scheme in ("postgres", "postgresql"):
        pool_size = pool_size or pool_size_setting()
        database = PooledPostgresqlDatabase(
            (parts.path or "/").lstrip("/") or None,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,  # %40 for an @ in it, and so on
            host=parts.hostname,
            port=parts.port,
            max_connections=pool_size,  # None: as many as threads ask for
            stale_timeout=300,
            timeout=10,  # seconds to wait for a free pooled connection, when capped
        )
        database.url_for_people = mask_password(url)
        return database
    raise OperatorError(
        f"REDARMBAND_DATABASE_URL: unsupported scheme {parts.scheme!r} in {mask_password(url)!r} "
        "(use sqlite:///relative/path, sqlite:////absolute/path or postgresql://user@host:port/database)"
    )


def _make_sqlite(url, parts, make_folder):
    if parts.netloc:  # sqlite://app.db: Python reads "app.db" as a host name and the path as empty
        raise OperatorError(
            f"REDARMBAND_DATABASE_URL {url!r} has two slashes: write sqlite:///{parts.netloc}{parts.path} "
            "(three slashes: a path relative to the current directory) or sqlite:////absolute/path"
        )
    path = parts.path[1:]
    if not path or path == ":memory:":
        raise OperatorError(
            f"REDARMBAND_DATABASE_URL {url!r} names no file: an in-memory database would lose everything "
            "when the app stops; use sqlite:///path/to/redarmband.sqlite3"
        )
    if sqlite3.sqlite_version_info < (3, 35):  # UPDATE … RETURNING books points in one statement
        raise OperatorError(f"SQLite 3.35 or newer is needed; this Python has {sqlite3.sqlite_version}")
    path = Path(path).absolute()
    try:
        if make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OperatorError(f"cannot make the database's folder {path.parent}: {error.strerror}") from error
    database = _SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS)
    database.url_for_people = f"sqlite:///{path}"
    return database


def pool_size_setting():
    """``REDARMBAND_DB_POOL_SIZE`` as a number, or ``None`` when it is not set (no cap)."""
    value = os.environ.get(POOL_SETTING, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise OperatorError(f"{POOL_SETTING}: expected a whole number of connections, 1 or more, got {value!r}")
    return int(value)


def mask_password(url):
    """``url`` with its password, if any, shown as ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def describe_database():
    """The database in use, as messages name it (password masked)."""
    return getattr(database.obj, "url_for_people", "(none)")


def check_connection():
    """Open a connection (and hand it back), or raise :class:`OperatorError`
    saying in one line why the database cannot be reached."""
    try:
        database.connect(reuse_if_open=True)
        database.execute_sql("SELECT 1")
    except peewee.OperationalError as error:
        raise OperatorError(f"cannot open the database {describe_database()}: {_first_line(error)}") from error
    finally:
        if not is_sqlite() and not database.is_closed():
            database.close()


def _first_line(error):
    """A driver's message as one line: psycopg2 spreads it over several,
    with "FATAL:" and hints such as "Is the server running …"."""
    text = " ".join(str(error).split())
    text = re.sub(r"\bFATAL:\s*", "", text)
    if "unable to open database file" in text:
        text += " (is its folder writable by this user?)"
    return text


def sqlite_file_missing():
    """Whether the database is a SQLite file that does not exist yet (opening
    it would make an empty one)."""
    return is_sqlite() and not Path(database.obj.database).exists()


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
    # An app that needs a ready database makes no folder for one that is not there.
    make_folder = not app.config.get("REQUIRE_READY_DATABASE", True)
    database.initialize(make_database(app.config["DATABASE_URL"], app.config.get("DB_POOL_SIZE"), make_folder))
    if is_sqlite():
        return  # connections stay open per thread; see the module docstring

    @app.before_request
    def _take_connection():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _return_connection(_exc):
        if not database.is_closed():
            database.close()


class Prepared:
    """A peewee query whose SQL is built once per kind of database and then
    run with new values: for the statements of the hottest requests, where
    building the SQL costs more CPU than SQLite spends running it.

    ``build`` takes one placeholder per value, in the order :meth:`execute`
    takes the values, and returns the query; ``converters`` has one entry per
    value: what turns it into what the database stores (a field's
    ``db_value``, so the row is the one the query itself would write), or
    ``None`` to pass it as it is. Each placeholder must appear exactly once::

        MOVE = Prepared(
            lambda amount, user_id: User.update(points_balance=User.points_balance + amount)
            .where(User.id == user_id)
            .returning(User.points_balance),
            None,
            User.id.db_value,
        )
        MOVE.execute(5, volunteer.id).fetchall()

    :meth:`execute` returns the cursor, as ``database.execute_sql`` does.
    """

    def __init__(self, build, *converters):
        self._build = build
        self._converters = converters
        self._compiled = {}  # type of database → (sql, ((position, converter), …))

    def _compiled_sql(self):
        kind = type(database.obj)
        compiled = self._compiled.get(kind)
        if compiled is None:
            placeholders = [peewee.Value(position, converter=False) for position in range(len(self._converters))]
            sql, order = self._build(*placeholders).sql()
            if sorted(order) != list(range(len(self._converters))):
                raise ValueError(f"each placeholder must appear once in the query, not {order}: {sql}")
            compiled = self._compiled[kind] = (sql, tuple((i, self._converters[i]) for i in order))
        return compiled

    def sql(self, *values):
        """``(sql, params)`` for these values, as the query's own ``sql()`` gives them."""
        sql, order = self._compiled_sql()
        return sql, [values[i] if convert is None else convert(values[i]) for i, convert in order]

    def execute(self, *values):
        return database.execute_sql(*self.sql(*values))


class PreparedInsert:
    """``Model.create`` over a :class:`Prepared` ``INSERT … RETURNING`` of
    every field of ``model`` but its key (so a field added later is never
    left out): :meth:`create` takes the values by field name, as
    ``Model.create`` does, a missing one taking the field's default, and
    returns the saved row."""

    def __init__(self, model):
        key = model._meta.primary_key
        fields = tuple(field for field in model._meta.sorted_fields if field is not key)
        self._model = model
        self._key = key.name
        self._fields = fields
        self._names = frozenset(field.name for field in fields)
        self._statement = Prepared(
            lambda *values: model.insert(dict(zip(fields, values, strict=True))).returning(key),
            *(field.db_value for field in fields),
        )

    def _values(self, given):
        if not given.keys() <= self._names:
            raise TypeError(f"{self._model.__name__} has no field {sorted(given.keys() - self._names)}")
        values = {}
        for field in self._fields:
            if field.name in given:
                values[field.name] = given[field.name]
            elif field.default is not None:
                values[field.name] = field.default() if callable(field.default) else field.default
            elif field.null:
                values[field.name] = None
            else:
                raise TypeError(f"{self._model.__name__}.{field.name}: a value is needed")
        return values

    def sql(self, **given):
        """``(sql, params)`` for these values, as the insert's own ``sql()`` gives them."""
        return self._statement.sql(*self._values(given).values())

    def create(self, **given):
        values = self._values(given)
        (row_id,) = self._statement.execute(*values.values()).fetchone()
        row = self._model(**values, **{self._key: row_id})
        row._dirty.clear()  # as Model.create leaves it: saved
        return row
