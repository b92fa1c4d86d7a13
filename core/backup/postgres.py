"""The PostgreSQL side of a backup: pg_dump of one snapshot, put back with
pg_restore in one transaction."""

import os
import shutil
import subprocess
from urllib.parse import unquote, urlsplit, urlunsplit

from ..db import mask_password
from ..problems import OperatorError
from .common import HISTORY_TABLE, Contents, migration, same_rows, some

POSTGRES_FILE = "database.pgdump"
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")
POSTGRES_CLIENT = (
    "the PostgreSQL client tools of the server's major version (Debian/Ubuntu: apt-get install postgresql-client)"
)


class Postgres:
    kind = "postgresql"
    file_name = POSTGRES_FILE

    def __init__(self, url):
        self.url = url
        self.url_for_people = mask_password(url)
        parts = urlsplit(url)
        self.password = unquote(parts.password) if parts.password is not None else None
        # the URL the client tools get: no password (PGPASSWORD carries it)
        user, _, host = parts.netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}@{host}" if user else host
        self.url_for_tools = urlunsplit(parts._replace(netloc=netloc))

    def _connect(self, hint=""):
        import psycopg2

        try:
            return psycopg2.connect(self.url)
        except psycopg2.Error as error:
            raise OperatorError(f"cannot open the database {self.url_for_people}: {_one_line(error)}{hint}") from error

    def _tool(self, name, manual):
        path = shutil.which(name)
        if path is None:
            raise OperatorError(f"{name} was not found on the PATH: install {POSTGRES_CLIENT}, or by hand: {manual}")
        return path

    def _environment(self):
        environment = dict(os.environ)
        if self.password is not None:
            environment["PGPASSWORD"] = self.password
        return environment

    # backing up

    def check_readable(self):
        self._tool("pg_dump", self._manual_dump("redarmband.pgdump"))
        self._connect().close()

    def _manual_dump(self, file):
        return f"PGPASSWORD=… pg_dump --format=custom --no-owner --no-privileges --file={file} '{self.url_for_tools}'"

    def dump(self, destination):
        """pg_dump of one exported snapshot, the row counts read in that same
        snapshot: the manifest describes exactly the dump."""
        pg_dump = self._tool("pg_dump", self._manual_dump(destination))
        connection = self._connect()
        try:
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                (snapshot,) = cursor.fetchone()
                contents = _postgres_contents(cursor)
                result = subprocess.run(
                    [
                        pg_dump,
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={destination}",
                        f"--dbname={self.url_for_tools}",
                    ],
                    env=self._environment(),
                    capture_output=True,
                    text=True,
                )
            connection.rollback()
        finally:
            connection.close()
        if result.returncode != 0:
            raise OperatorError(f"pg_dump of {self.url_for_people} failed: {_tool_error(result)}")
        return contents

    # restoring

    def not_empty(self):
        database = urlsplit(self.url).path.lstrip("/") or "<name>"
        connection = self._connect(
            f"; restore goes into an existing, empty database: create it first (createdb {database})"
        )
        try:
            with connection.cursor() as cursor:
                tables = [name for _schema, name in _postgres_tables(cursor)]
        finally:
            connection.close()
        if tables:
            return (
                f"the database {self.url_for_people} has {len(tables)} tables ({some(tables)}): "
                "restore into a new, empty database (createdb) and point REDARMBAND_DATABASE_URL at it"
            )
        return None

    def restore(self, dump, tables, undo):
        """pg_restore in one transaction: it restores everything or nothing."""
        manual = (
            f"PGPASSWORD=… pg_restore --no-owner --no-privileges --single-transaction "
            f"--dbname='{self.url_for_tools}' {dump}"
        )
        pg_restore = self._tool("pg_restore", manual)
        result = subprocess.run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={self.url_for_tools}",
                str(dump),
            ],
            env=self._environment(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise OperatorError(f"pg_restore of {dump} into {self.url_for_people} failed: {_tool_error(result)}")
        undo.append(self._drop_everything)
        connection = self._connect()
        try:
            with connection.cursor() as cursor:
                found = _postgres_contents(cursor).tables
        finally:
            connection.close()
        same_rows(dump, tables, found)

    def _drop_everything(self):
        """Undo a restore: the target was empty, so every table and sequence goes."""
        from psycopg2 import sql

        connection = self._connect()
        try:
            with connection.cursor() as cursor:
                for schema, name in _postgres_tables(cursor):
                    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(schema, name)))
                cursor.execute(
                    "SELECT sequence_schema, sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema NOT IN %s",
                    (SYSTEM_SCHEMAS,),
                )
                for schema, name in cursor.fetchall():
                    cursor.execute(sql.SQL("DROP SEQUENCE IF EXISTS {} CASCADE").format(sql.Identifier(schema, name)))
            connection.commit()
        finally:
            connection.close()


# --- contents -------------------------------------------------------------------


def _postgres_tables(cursor):
    cursor.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN %s ORDER BY table_schema, table_name",
        (SYSTEM_SCHEMAS,),
    )
    return cursor.fetchall()


def _postgres_contents(cursor):
    from psycopg2 import sql

    tables = {}
    for schema, name in _postgres_tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, name)))
        tables[name if schema == "public" else f"{schema}.{name}"] = cursor.fetchone()[0]
    migrations = None
    if HISTORY_TABLE in tables:
        cursor.execute(f"SELECT owner, name, applied_at FROM {HISTORY_TABLE} ORDER BY applied_at, owner, name")
        migrations = [migration(*row) for row in cursor.fetchall()]
    return Contents(tables, migrations)


# --- messages ---------------------------------------------------------------------


def _one_line(error):
    return " ".join(str(error).replace("FATAL:", "").split())


def _tool_error(result):
    lines = [line.strip() for line in (result.stderr or result.stdout or "").splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()] or lines
    return "; ".join(errors[:3]) or f"exit status {result.returncode}"
