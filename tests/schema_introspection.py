"""A database's schema as plain data, to compare two databases.

Tables with their columns (type, length, null, default, primary key),
indexes (columns, unique), foreign keys (target, on delete) and, on
PostgreSQL, check constraints — what a migration can get wrong. Read with a
connection of its own, never the app's.
"""

from core import db


def schema_of(url):
    """``{table: {"columns": …, "indexes": …, "foreign_keys": …, "checks": …}}``."""
    database = db.make_database(url)
    try:
        database.connect()
        if url.startswith("sqlite"):
            return _sqlite(database)
        return _postgresql(database)
    finally:
        if hasattr(database, "close_all"):
            database.close_all()
        else:
            database.close()


def _rows(database, sql, params=()):
    return database.execute_sql(sql, params).fetchall()


def _sqlite(database):
    schema = {}
    tables = [name for (name,) in _rows(database, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for table in (name for name in tables if not name.startswith("sqlite_")):
        columns = sorted(
            (name, kind.upper(), not not_null, default, bool(primary_key))
            for _cid, name, kind, not_null, default, primary_key in _rows(database, f'PRAGMA table_info("{table}")')
        )
        indexes = sorted(
            (name, tuple(column for *_rest, column in _rows(database, f'PRAGMA index_info("{name}")')), bool(unique))
            for _seq, name, unique, origin, _partial in _rows(database, f'PRAGMA index_list("{table}")')
            if origin == "c"  # made by CREATE INDEX, not an automatic one for a PRIMARY KEY
        )
        foreign_keys = sorted(
            (source, target, target_column, on_delete)
            for _id, _seq, target, source, target_column, _on_update, on_delete, _match in _rows(
                database, f'PRAGMA foreign_key_list("{table}")'
            )
        )
        schema[table] = {"columns": columns, "indexes": indexes, "foreign_keys": foreign_keys, "checks": []}
    return schema


def _postgresql(database):
    schema = {}
    for table, column, kind, length, nullable, default in _rows(
        database,
        "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name",
    ):
        entry = schema.setdefault(table, {"columns": [], "indexes": [], "foreign_keys": [], "checks": []})
        entry["columns"].append((column, kind, length, nullable == "YES", default))
    for table, name, definition in _rows(
        database, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"
    ):
        schema[table]["indexes"].append((name, definition))
    for table, kind, definition in _rows(
        database,
        "SELECT conrelid::regclass::text, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace AND contype IN ('f', 'c') ORDER BY 1, 3",
    ):
        schema[table.strip('"')]["foreign_keys" if kind == "f" else "checks"].append(definition)
    return schema


def row_counts(url):
    """``{table: rows}`` of every table."""
    database = db.make_database(url)
    try:
        tables = [name for name in database.get_tables() if not name.startswith("sqlite_")]
        return {table: database.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        if hasattr(database, "close_all"):
            database.close_all()
        else:
            database.close()
