"""What the SQLite and the PostgreSQL side of a backup share: the contents
read from a database and the checks and messages about them."""

from dataclasses import dataclass

from ..problems import OperatorError

HISTORY_TABLE = "schema_migration"  # core.schema.HISTORY_TABLE; not imported: it builds the models


@dataclass(frozen=True)
class Contents:
    tables: dict  # table → rows
    migrations: list | None  # None: no schema_migration table (0.1.0)


def migration(owner, name, applied_at):
    return {"owner": owner, "name": name, "applied_at": str(applied_at)}


def same_rows(dump, expected, found):
    if found != expected:
        differ = sorted(name for name in set(expected) | set(found) if expected.get(name) != found.get(name))
        shown = "; ".join(
            f"{name}: {expected.get(name)} in the manifest, {found.get(name)} restored" for name in differ[:4]
        )
        raise OperatorError(f"the database restored from {dump} does not hold what its manifest says ({shown})")


def some(names, shown=3):
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")
