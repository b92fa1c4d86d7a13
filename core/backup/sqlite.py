"""The SQLite side of a backup: a copy made with SQLite's online backup API,
put back by moving a checked copy into place."""

import os
import secrets
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from ..db import make_database
from ..problems import OperatorError
from .common import HISTORY_TABLE, Contents, migration, same_rows, some

SQLITE_FILE = "database.sqlite3"
SQLITE_BUSY_MS = 10_000


class Sqlite:
    kind = "sqlite"
    file_name = SQLITE_FILE

    def __init__(self, url):
        database = make_database(url)  # checks the URL; makes the path absolute
        self.path = Path(database.database)
        self.url_for_people = database.url_for_people

    # backing up

    def check_readable(self):
        if not self.path.is_file():
            raise OperatorError(
                f"there is no database file {self.path}: nothing to back up "
                "(check REDARMBAND_DATABASE_URL and REDARMBAND_INSTANCE_PATH)"
            )
        with _sqlite_problems(self.path):
            connection = self._connect(self.path)
            try:
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                connection.close()

    def dump(self, destination):
        """Copy the live database with the online backup API, in one step:
        one read transaction, so one consistent moment, while WAL lets the app
        go on writing. The copy is left in rollback-journal mode, one file."""
        with _sqlite_problems(self.path, destination):
            source = self._connect(self.path)
            try:
                copy = sqlite3.connect(destination)
                try:
                    source.backup(copy)  # pages=-1: everything in one step
                    copy.execute("PRAGMA journal_mode=DELETE")
                    contents = _sqlite_contents(copy)
                finally:
                    copy.close()
            finally:
                source.close()
        return contents

    @staticmethod
    def _connect(path):
        # mode=rw: never create a database where there was none
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=SQLITE_BUSY_MS / 1000)
        connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        return connection

    # restoring

    def not_empty(self):
        if not self.path.exists():
            return None
        with _sqlite_problems(self.path):
            connection = self._connect(self.path)
            try:
                tables = _sqlite_tables(connection)
            finally:
                connection.close()
        if tables:
            return (
                f"the database {self.path} has {len(tables)} tables ({some(tables)}): "
                "move it aside or point REDARMBAND_DATABASE_URL at a new file"
            )
        return None

    def restore(self, dump, tables, undo):
        """Copy the file beside the target, check it opens and holds what the
        manifest says, then move it into place in one step."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        draft = self.path.with_name(f".{self.path.name}.restoring-{secrets.token_hex(4)}")
        undo.append(lambda: draft.unlink(missing_ok=True))
        shutil.copyfile(dump, draft)
        try:
            connection = self._connect(draft)
            try:
                (check,) = connection.execute("PRAGMA quick_check").fetchone()
                found = _sqlite_contents(connection).tables
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise OperatorError(f"the backup's database {dump} does not open: {error}") from error
        if check != "ok":
            raise OperatorError(f"the backup's database {dump} is damaged: {check}")
        same_rows(dump, tables, found)
        self._release_empty_target()
        os.replace(draft, self.path)
        undo.append(self._remove)

    def _release_empty_target(self):
        """An existing empty target goes only when nobody has it open: its
        -wal file must not be applied to the restored database."""
        if not self.path.exists():
            return
        connection = self._connect(self.path)
        try:
            if _sqlite_tables(connection):  # written to since the check
                raise OperatorError(f"the database {self.path} got tables while restoring: not replacing it")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()  # the last connection removes -wal and -shm
        busy = [p for p in self._companions() if p.exists()]
        if busy:
            raise OperatorError(
                f"the database {self.path} is in use ({busy[0].name} stays): stop Red Armband, then restore"
            )

    def _companions(self):
        return [self.path.with_name(self.path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]

    def _remove(self):
        for path in (self.path, *self._companions()):
            path.unlink(missing_ok=True)


# --- contents -------------------------------------------------------------------


def _sqlite_tables(connection):
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    ).fetchall()
    return [name for (name,) in rows]


def _sqlite_contents(connection):
    tables = {}
    for name in _sqlite_tables(connection):
        (tables[name],) = connection.execute(f'SELECT count(*) FROM "{_quoted(name)}"').fetchone()
    migrations = None
    if HISTORY_TABLE in tables:
        rows = connection.execute(
            f"SELECT owner, name, applied_at FROM {HISTORY_TABLE} ORDER BY applied_at, owner, name"
        )
        migrations = [migration(*row) for row in rows]
    return Contents(tables, migrations)


# --- messages ---------------------------------------------------------------------


@contextmanager
def _sqlite_problems(path, destination=None):
    """sqlite3's errors on a database file as one :class:`OperatorError` naming it."""
    try:
        yield
    except sqlite3.Error as error:
        doing = f"copying the database {path} to {destination}" if destination else f"reading the database {path}"
        raise OperatorError(f"{doing} failed: {error}") from error


def _quoted(name):
    return name.replace('"', '""')
