"""The database schema: each owner's migrations, what a database has applied,
initialising an empty database and upgrading an older one.

Core's migrations are the package ``core.migrations``; a plugin that keeps
tables ships a package of its own through the ``register_migrations`` hook,
and its history is kept under its own name, so two owners never collide. A
migration is a module ``m<NNNN>_<words>.py`` whose docstring says what it does
(``redarmband db status`` shows the first line) and whose ``upgrade(migration)``
gets a :class:`MigrationContext`. Migrations only go forward: the way back is
the backup taken before upgrading.

A database is one of:

- **empty**: no tables. ``init-db`` creates today's schema from the models and
  records every known migration as applied (the tests prove the two agree);
- **unmanaged**: tables but no ``schema_migration``, made by 0.1.0 before
  there were migrations. Everything is pending; each owner's first migration
  adopts the tables it finds and checks their columns;
- **managed**: pending are the known migrations it has not recorded.

The app and every command that touches data start only on a managed database
with nothing pending (``SchemaState.ready``; :func:`describe_state` says why not).
"""

import importlib
import pkgutil
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources

from peewee import CharField, DateTimeField
from playhouse.migrate import SchemaMigrator, migrate

from .db import database, describe_database, is_sqlite, write_transaction
from .models.base import BaseModel, utcnow
from .problems import OperatorError

CORE_OWNER = "core"
CORE_MIGRATIONS = "core.migrations"
HISTORY_TABLE = "schema_migration"
MIGRATION_MODULE = re.compile(r"^m(\d{4})_([a-z0-9_]+)$")
# One PostgreSQL advisory lock for all schema changes, so two operators (or
# two app servers' deploy scripts) upgrading at once take turns.
ADVISORY_LOCK = 0x5241_6D69_6772  # "RAmigr"
SHOWN_BY_NAME = 4  # a refusal names this many pending migrations, then counts the rest


class DatabaseNotReady(OperatorError):
    """The database is not initialised, or not at this version's schema."""


class MigrationFailed(OperatorError):
    """A migration raised; its transaction was rolled back."""


class SchemaMigration(BaseModel):
    """One applied migration of one owner (core or a plugin)."""

    owner = CharField(max_length=100)
    name = CharField(max_length=200)
    applied_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = HISTORY_TABLE
        indexes = ((("owner", "name"), True),)


@dataclass(frozen=True)
class Migration:
    owner: str
    name: str  # "0001_initial": the module's name without its "m"
    module_name: str

    @property
    def label(self):
        return f"{self.owner} {self.name}"

    @property
    def key(self):
        return (self.owner, self.name)

    def module(self):
        return importlib.import_module(self.module_name)

    def summary(self):
        """The first line of the migration's docstring."""
        return ((self.module().__doc__ or "").strip().splitlines() or [""])[0]


@dataclass(frozen=True)
class MigrationSource:
    """One owner's migrations: core's, or one plugin's package."""

    owner: str
    package: str

    def migrations(self):
        return _scan(self.owner, self.package)


@cache
def _scan(owner, package):
    module = importlib.import_module(package)
    found = {}
    for info in pkgutil.iter_modules(module.__path__):
        match = MIGRATION_MODULE.match(info.name)
        if not match:
            continue
        number = match[1]
        if number in found:
            raise ValueError(
                f"{package}: two migrations numbered {number}: {found[number].module_name} and {info.name}"
            )
        found[number] = Migration(owner, f"{number}_{match[2]}", f"{package}.{info.name}")
    return tuple(found[number] for number in sorted(found))


def sources_for(registry):
    """Core's migrations first, then each installed plugin's in name order:
    a plugin's tables may refer to core's, never the other way round."""
    return [MigrationSource(CORE_OWNER, CORE_MIGRATIONS), *registry.migration_sources]


@dataclass(frozen=True)
class SchemaState:
    tables: frozenset
    applied: dict  # (owner, name) → when
    known: tuple  # every Migration of the installed owners, in the order they run

    @property
    def empty(self):
        return not self.tables

    @property
    def managed(self):
        return HISTORY_TABLE in self.tables

    @property
    def pending(self):
        return [migration for migration in self.known if migration.key not in self.applied]

    @property
    def unknown(self):
        """Applied migrations of installed owners that this code does not have:
        the database was upgraded by a newer version."""
        owners = {migration.owner for migration in self.known}
        known = {migration.key for migration in self.known}
        return sorted(key for key in self.applied if key[0] in owners and key not in known)

    @property
    def uninstalled(self):
        """Owners with applied migrations whose plugin is not installed now."""
        owners = {migration.owner for migration in self.known}
        return sorted({owner for owner, _name in self.applied if owner not in owners})

    @property
    def ready(self):
        return self.managed and not self.pending and not self.unknown


NOTHING = SchemaState(frozenset(), {}, ())  # a database with no tables, or no file yet


def read_state(sources):
    tables = frozenset(name for name in database.get_tables() if not name.startswith("sqlite_"))
    applied = {}
    if HISTORY_TABLE in tables:
        applied = {(row.owner, row.name): row.applied_at for row in SchemaMigration.select()}
    known = tuple(migration for source in sources for migration in source.migrations())
    return SchemaState(tables, applied, known)


def describe_state(state):
    """What is wrong with the database's schema and the command that fixes it; '' when nothing is."""
    where = describe_database()
    if state.empty:
        return f"the database {where} has no tables yet: run `redarmband init-db` first"
    if state.unknown:
        return (
            f"the database {where} was upgraded by a newer Red Armband ({_names(state.unknown)}: not in this version): "
            "run that version, or restore a backup made before the upgrade"
        )
    if not state.managed:
        return (
            f"the database {where} was made by Red Armband 0.1.0, before migrations: "
            "back it up (`redarmband backup`), then run `redarmband db upgrade`"
        )
    if state.pending:
        return (
            f"the database {where} needs {len(state.pending)} migration(s) of this version "
            f"({_names([m.key for m in state.pending])}): back it up (`redarmband backup`), "
            "then run `redarmband db upgrade`"
        )
    return ""


def _names(keys):
    shown = [f"{owner} {name}" for owner, name in keys[:SHOWN_BY_NAME]]
    more = len(keys) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


@contextmanager
def _schema_transaction():
    """One transaction that only one schema change at a time may hold:
    SQLite's write lock (``BEGIN IMMEDIATE``), PostgreSQL's advisory lock."""
    with write_transaction():
        if not is_sqlite():
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK,))
        yield


@contextmanager
def _foreign_keys_deferred_to_commit():
    """SQLite changes most of a table by building a new one and dropping the
    old (playhouse.migrate does so to add a NOT NULL column). With foreign
    keys on, that DROP deletes every row that refers to the table, through
    ON DELETE CASCADE. So, as SQLite's documentation prescribes, foreign keys
    are off during a migration (the pragma only takes effect outside a
    transaction), checked with ``foreign_key_check`` before it commits, and on
    again after. PostgreSQL alters tables in place: nothing to do."""
    if not is_sqlite():
        yield lambda: None
        return
    database.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        yield _check_foreign_keys
    finally:
        database.execute_sql("PRAGMA foreign_keys = ON")


def _check_foreign_keys():
    broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(
            f"it leaves {len(broken)} row(s) referring to rows that do not exist, in {', '.join(tables)}"
        )


def initialise(sources, models):
    """Create today's schema in an empty database and record every known
    migration as applied, in one transaction. Returns False (and changes
    nothing) when the database is not empty."""
    with _schema_transaction():
        if not read_state(sources).empty:  # read under the lock: another init-db may have won
            return False
        database.create_tables([SchemaMigration, *models])
        rows = [{"owner": m.owner, "name": m.name} for source in sources for m in source.migrations()]
        if rows:
            SchemaMigration.insert_many(rows).execute()
    return True


def upgrade(sources, on_applied=lambda migration: None):
    """Apply every pending migration, each in its own transaction; returns them.

    A migration that raises is rolled back and stops the upgrade with
    :class:`MigrationFailed`: those before it stay applied, the database is
    exactly as they left it.
    """
    with _schema_transaction():
        database.create_tables([SchemaMigration])  # adopts an unmanaged (0.1.0) database
    applied = []
    for migration in read_state(sources).pending:
        try:
            with _foreign_keys_deferred_to_commit() as check_foreign_keys, _schema_transaction():
                if (
                    SchemaMigration.select()
                    .where(SchemaMigration.owner == migration.owner, SchemaMigration.name == migration.name)
                    .exists()
                ):
                    continue  # another upgrade applied it while this one waited
                migration.module().upgrade(MigrationContext(migration))
                check_foreign_keys()
                SchemaMigration.create(owner=migration.owner, name=migration.name)
        except Exception as error:
            raise MigrationFailed(
                f"migration {migration.label} failed and was rolled back: {type(error).__name__}: {error}"
                + (f" ({len(applied)} applied before it stay applied)" if applied else "")
            ) from error
        applied.append(migration)
        on_applied(migration)
    return applied


class MigrationContext:
    """What a migration's ``upgrade(migration)`` works with.

    - ``database``: the peewee database (SQLite or PostgreSQL), inside the
      migration's transaction;
    - ``dialect``: ``"sqlite"`` or ``"postgresql"``;
    - ``migrator`` and ``apply(*operations)``: peewee's ``playhouse.migrate``,
      e.g. ``migration.apply(migration.migrator.add_column("task", "note", TextField(default="")))``;
    - ``execute(sql, params)`` and ``run_sql_file(stem)``: plain SQL, the latter
      from ``<stem>.<dialect>.sql`` beside the migration module;
    - ``require_columns({table: [column, …]})``: stop with a clear message when
      a table the migration builds on lacks columns.
    """

    def __init__(self, migration):
        self.migration = migration
        self.database = database.obj
        self.dialect = "sqlite" if is_sqlite() else "postgresql"
        self.migrator = SchemaMigrator.from_database(self.database)

    def apply(self, *operations):
        migrate(*operations)

    def execute(self, sql, params=None):
        return self.database.execute_sql(sql, params)

    def run_sql_file(self, stem):
        package = self.migration.module_name.rpartition(".")[0]
        text = resources.files(package).joinpath(f"{stem}.{self.dialect}.sql").read_text(encoding="utf-8")
        for statement in split_statements(text):
            self.execute(statement)

    def require_columns(self, tables):
        problems = []
        for table, columns in tables.items():
            have = {column.name for column in self.database.get_columns(table)}
            missing = [column for column in columns if column not in have]
            if missing:
                problems.append(f"table {table!r} lacks {', '.join(missing)}")
        if problems:
            raise RuntimeError(
                f"this database's tables are not the ones {self.migration.owner} expects: " + "; ".join(problems)
            )


def split_statements(text):
    """The statements of a SQL file: each ends with ';' at the end of a line;
    lines starting with '--' are comments."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    chunks = ("\n".join(lines) + "\n").split(";\n")
    return [chunk.strip().removesuffix(";").strip() for chunk in chunks if chunk.strip().removesuffix(";").strip()]
