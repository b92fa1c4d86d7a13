"""Each test's database starts from a schema made once per test process.

Making today's tables costs about 45 ms on SQLite and 330 ms on PostgreSQL,
for every test. The schema depends only on the models and migrations of the
app's plugins, so it is made once per distinct set (its *key*) and then:

- **SQLite**: the made file is kept as a template and copied to each new
  test's database file (a fresh file per test, as before);
- **PostgreSQL**: each test process has one database of its own; when it
  already holds the wanted schema (checked against the catalogue, in case a
  test changed it), its rows are removed and its sequences restarted, which
  leaves it as ``init-db`` would; otherwise it is emptied and made anew.
  (``CREATE DATABASE … TEMPLATE`` was measured too: 80 ms to copy, 40 ms to
  drop, against 6 ms to remove the rows.)

Either way the database is exactly what ``initialise`` makes: the tables,
their indexes and the applied-migration records, and no other row. The
station rows and the group tree are then made by ``init_database`` as usual,
from the test's own station files.
"""

import hashlib
import shutil
import tempfile
from pathlib import Path

import peewee

from ..db import close_all, database, is_sqlite
from ..schema import HISTORY_TABLE, SchemaMigration, initialise

_sqlite_templates = {}  # key → Path of a SQLite file holding that schema and nothing else
_postgres_holds = {}  # database URL → (key, catalogue fingerprint) of what that database holds
_template_folder = None


def schema_key(models, sources):
    """A digest of the DDL ``initialise`` runs and the migrations it records."""
    digest = hashlib.sha256(_ddl_digest(type(database.obj), tuple(models)))
    for source in sources:
        for migration in source.migrations():
            digest.update(f"{migration.owner}/{migration.name};".encode())
    return digest.hexdigest()


_ddl_digests = {}  # (database class, model classes) → digest; the key holds the classes, so no id is reused


def _ddl_digest(database_class, models):
    key = (database_class, models)
    if key not in _ddl_digests:
        digest = hashlib.sha256()
        for model in (SchemaMigration, *models):
            digest.update(model._schema._create_table(safe=True).query()[0].encode())
            for index in model._schema._create_indexes(safe=True):
                digest.update(index.query()[0].encode())
        _ddl_digests[key] = digest.digest()
    return _ddl_digests[key]


def sqlite_path(url):
    return Path(url.removeprefix("sqlite:///"))


def start_from_template(url, models, sources):
    """Give the (new) test database at ``url`` the schema of ``models`` and
    ``sources``, from this process's template when there is one."""
    key = schema_key(models, sources)
    if is_sqlite():
        _copy_sqlite_template(sqlite_path(url), key, models, sources)
    else:
        _reuse_postgres_schema(url, key, models, sources)


def _copy_sqlite_template(path, key, models, sources):
    close_all()  # create_app may have opened (and so made) the file
    template = _sqlite_templates.get(key)
    if template is None:
        _remove_sqlite_files(path)
        with database.connection_context():
            initialise(sources, models)
            database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
        template = _templates() / f"{key}.sqlite3"
        shutil.copyfile(path, template)
        _sqlite_templates[key] = template
        return
    _remove_sqlite_files(path)
    shutil.copyfile(template, path)


def _remove_sqlite_files(path):
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _templates():
    global _template_folder
    if _template_folder is None:
        _template_folder = Path(tempfile.mkdtemp(prefix="redarmband-schemas-"))
    return _template_folder


def _reuse_postgres_schema(url, key, models, sources):
    with database.connection_context():
        held = _postgres_holds.get(url)
        if held is not None and held[1] is not None and held == (key, _catalogue_fingerprint()):
            _remove_rows()
            return
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
        initialise(sources, models)
        _postgres_holds[url] = (key, _catalogue_fingerprint())


def forget_postgres(url):
    """The database at ``url`` was emptied or changed outside this module."""
    _postgres_holds.pop(url, None)


# One round trip: delete every row but the migration records, with foreign key
# triggers off for the transaction (any order will do), and restart every
# sequence but the kept records' (%% is psycopg2's way of writing %). About
# 6 ms for today's 36 tables; TRUNCATE of the same takes 190 ms, since it
# makes new files for every table and index.
_REMOVE_ROWS = f"""
DO $$
DECLARE item record;
BEGIN
  SET LOCAL session_replication_role = replica;
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '{HISTORY_TABLE}' LOOP
    EXECUTE 'DELETE FROM ' || quote_ident(item.tablename);
  END LOOP;
  FOR item IN SELECT sequencename FROM pg_sequences
               WHERE schemaname = 'public' AND sequencename NOT LIKE '{HISTORY_TABLE}\\_%%' LOOP
    PERFORM setval(quote_ident(item.sequencename)::regclass, 1, false);
  END LOOP;
END $$
"""


def _remove_rows():
    try:
        with database.atomic():
            database.execute_sql(_REMOVE_ROWS)
    except peewee.DatabaseError:  # not a superuser: no session_replication_role
        tables = [name for name in database.get_tables() if name != HISTORY_TABLE]
        if tables:
            quoted = ", ".join(f'"{name}"' for name in tables)
            database.execute_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


def _catalogue_fingerprint():
    """Every column, index and sequence of the public schema, and the
    recorded migrations: a test that altered any of them is noticed."""
    try:
        return _fingerprint_query()
    except peewee.DatabaseError:  # e.g. a test dropped the history table
        return None


def _fingerprint_query():
    return (
        database.execute_sql(
            """
        SELECT md5(string_agg(c.relkind::text || c.relname || ':' || a.attname || ':'
                              || format_type(a.atttypid, a.atttypmod) || a.attnotnull::text, ','
                              ORDER BY c.relname, a.attnum))
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = c.oid
         WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
        """
        ).fetchone()[0]
        + (
            database.execute_sql(
                f"SELECT md5(coalesce(string_agg(owner || '/' || name, ',' ORDER BY owner, name), '')) FROM {HISTORY_TABLE}"
            ).fetchone()[0]
        )
    )


def drop_templates():
    """Remove this process's SQLite templates (at the end of the session)."""
    global _template_folder
    _sqlite_templates.clear()
    _postgres_holds.clear()
    if _template_folder is not None:
        shutil.rmtree(_template_folder, ignore_errors=True)
        _template_folder = None
