"""Backups of an instance, and restoring one into an empty instance.

A backup is a folder ``redarmband-backup-<UTC time>/`` (mode 0700) holding:

- the database: ``database.sqlite3``, a copy made with SQLite's online backup
  API from a connection of its own (consistent while the app keeps writing,
  WAL mode lets it), or ``database.pgdump``, ``pg_dump --format=custom
  --no-owner --no-privileges`` of PostgreSQL;
- ``uploads/``: the instance's uploaded photos, copied after the database, so
  every photo the copied database names is there (photos are written before
  the rows that name them);
- ``secret_key``: the instance's key file, if it has one (0600);
- ``stations/``: the station files, for reference only (restore leaves them);
- ``manifest.json``, written last: the version, the time, the database's kind
  and masked URL, its applied migrations, its row counts per table and the
  number of upload files. A folder without one is not a (complete) backup.

Backing up works on a database in any state, also one made by 0.1.0 before
there were migrations (back it up before ``db upgrade``): it needs neither the
app nor a ready database. Restoring goes into an empty database and an
instance without uploads only, and on failure removes whatever it wrote.
"""

import json
import os
import secrets
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from ..db import make_database, mask_password
from ..instance import SECRET_KEY_FILE
from ..problems import OperatorError
from ..version import __version__
from .files import copy_secret_key, copy_stations, copy_uploads, count_files, has_uploads, restore_secret_key
from .postgres import Postgres
from .sqlite import Sqlite

FOLDER_PREFIX = "redarmband-backup-"
TIME_FORMAT = "%Y%m%dT%H%M%SZ"
MANIFEST = "manifest.json"
FORMAT = 1
UPLOADS = "uploads"
STATIONS = "stations"


# --- backing up ---------------------------------------------------------------


def make_backup(database_url, instance, to_dir, stations_dir=None, now=None):
    """Back up the database at ``database_url`` and the instance folder's
    uploads and secret key into a new folder in ``to_dir``; return its path.

    ``stations_dir`` (default: ``REDARMBAND_STATIONS_DIR`` or ./stations)
    holds the station files copied for reference.
    """
    from ..config import settings_from_environment

    instance = Path(instance).absolute()
    stations_dir = Path(stations_dir or settings_from_environment(instance)["STATIONS_DIR"])
    source = _database(database_url)
    source.check_readable()  # before any folder is made
    now = now or datetime.now(UTC)
    to_dir = Path(to_dir).expanduser().absolute()
    folder = to_dir / f"{FOLDER_PREFIX}{now:{TIME_FORMAT}}"
    try:
        to_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.mkdir(mode=0o700)
    except FileExistsError:
        raise OperatorError(f"{folder} already exists: not overwriting it; wait a second and back up again") from None
    except OSError as error:
        raise OperatorError(f"cannot make the backup folder {folder}: {error.strerror or error}") from error
    try:
        folder.chmod(0o700)  # whatever the umask: it holds the secret key and every account
        contents = source.dump(folder / source.file_name)
        uploads = copy_uploads(instance / UPLOADS, folder / UPLOADS)
        has_key = copy_secret_key(instance / SECRET_KEY_FILE, folder / SECRET_KEY_FILE)
        stations = copy_stations(stations_dir, folder / STATIONS)
        manifest = {
            "format": FORMAT,
            "redarmband_version": __version__,
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "database": {"kind": source.kind, "url": mask_password(source.url_for_people), "file": source.file_name},
            "migrations": contents.migrations,
            "tables": contents.tables,
            "rows": sum(contents.tables.values()),
            "upload_files": uploads,
            "secret_key": has_key,
            "stations": stations,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except BaseException as error:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, OSError):
            raise OperatorError(f"backing up into {folder} failed (nothing kept): {_os_problem(error)}") from error
        raise
    return folder


def read_manifest(backup_dir):
    """The manifest of the backup in ``backup_dir``, or :class:`OperatorError`
    naming the folder when it is not a backup."""
    backup_dir = Path(backup_dir)
    if not backup_dir.is_dir():
        raise OperatorError(f"{backup_dir} is not a folder: name a backup folder ({FOLDER_PREFIX}<time>)")
    path = backup_dir / MANIFEST
    if not path.is_file():
        raise OperatorError(
            f"{backup_dir} is not a Red Armband backup: it has no {MANIFEST} "
            f"(a backup folder is named {FOLDER_PREFIX}<time>; one without a manifest was not finished)"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        kind = manifest["database"]["kind"]
        if not isinstance(manifest["database"]["file"], str) or not isinstance(manifest["tables"], dict):
            raise TypeError("database.file or tables has the wrong type")
    except (ValueError, KeyError, TypeError) as error:
        raise OperatorError(f"{path} is not a Red Armband backup manifest ({type(error).__name__}: {error})") from error
    if manifest.get("format") != FORMAT or kind not in ("sqlite", "postgresql"):
        raise OperatorError(
            f"{backup_dir}: backup format {manifest.get('format')!r} with a {kind!r} database is not one this "
            f"Red Armband {__version__} reads "
            f"(it was made by {manifest.get('redarmband_version', 'an unknown version')})"
        )
    return manifest


def describe_backup(manifest):
    """One line: what a backup holds."""
    tables = manifest["tables"]
    parts = [f"database {manifest['database']['url']}: {len(tables)} tables, {sum(tables.values())} rows"]
    migrations = manifest.get("migrations")
    if migrations is None:
        parts.append("no migration history (made before 0.2.0)")
    else:
        parts.append(f"{len(migrations)} migrations applied")
    parts.append(f"{manifest.get('upload_files', 0)} upload files")
    parts.append("the secret key" if manifest.get("secret_key") else "no secret key file")
    parts.append(f"{len(manifest.get('stations', []))} station files")
    return "; ".join(parts)


# --- restoring ------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """What :func:`restore_backup` put in place."""

    manifest: dict
    database: str  # the target's URL, password masked
    tables: int
    rows: int
    uploads: Path | None  # the uploads folder written, None when the backup had no uploads
    upload_files: int
    secret_key: str  # "restored", "kept" (the instance had its own) or "none" (the backup had none)


def restore_backup(backup_dir, database_url, instance):
    """Put the backup in ``backup_dir`` into the empty database at
    ``database_url`` and the instance folder ``instance``.

    Refuses (:class:`OperatorError`) a folder that is not a backup, a backup
    of the other kind of database, a database that has tables and an instance
    that has uploads. On failure it removes what it wrote.
    """
    backup_dir = Path(backup_dir).absolute()
    manifest = read_manifest(backup_dir)
    target = _database(database_url)
    kind = manifest["database"]["kind"]
    if kind != target.kind:
        raise OperatorError(
            f"{backup_dir} holds a {kind} database, but the target {target.url_for_people} is {target.kind}: "
            f"restore it into a {kind} database (set REDARMBAND_DATABASE_URL)"
        )
    dump = backup_dir / target.file_name
    if not dump.is_file():
        raise OperatorError(f"{backup_dir} is incomplete: its database file {dump.name} is missing")
    instance = Path(instance).absolute()
    uploads = instance / UPLOADS
    problems = [problem for problem in (target.not_empty(), has_uploads(instance, uploads)) if problem]
    if problems:
        raise OperatorError("will not restore over existing data: " + "; ".join(problems))

    undo = []  # what to take back, newest last
    try:
        instance.mkdir(parents=True, exist_ok=True)
        staging = instance / f".restoring-{secrets.token_hex(6)}"
        staging.mkdir(mode=0o700)
        undo.append(lambda: shutil.rmtree(staging, ignore_errors=True))
        backup_uploads = backup_dir / UPLOADS
        if backup_uploads.is_dir():
            shutil.copytree(backup_uploads, staging / UPLOADS)
        target.restore(dump, manifest["tables"], undo)  # the step most likely to fail, before anything is in place
        upload_files = 0
        if backup_uploads.is_dir():
            if uploads.exists():
                shutil.rmtree(uploads)  # folders without a file in them (checked above)
            os.replace(staging / UPLOADS, uploads)
            undo.append(lambda: shutil.rmtree(uploads, ignore_errors=True))
            upload_files = count_files(uploads)
        key_state = restore_secret_key(backup_dir / SECRET_KEY_FILE, instance / SECRET_KEY_FILE, staging, undo)
        shutil.rmtree(staging, ignore_errors=True)
    except BaseException as error:
        failures = []
        for step in reversed(undo):
            try:
                step()
            except Exception as undo_error:  # noqa: BLE001 - report it, go on undoing
                failures.append(f"{type(undo_error).__name__}: {undo_error}")
        left = "; nothing was left in place"
        if failures:
            left = (
                f"; could not take everything back ({'; '.join(failures)}): "
                f"check {target.url_for_people} and {instance}"
            )
        if isinstance(error, OperatorError):
            raise OperatorError(f"{error}{left}") from error
        if isinstance(error, (OSError, sqlite3.Error)):
            raise OperatorError(f"restoring {backup_dir} failed: {_os_problem(error)}{left}") from error
        raise
    tables = manifest["tables"]
    return Restored(
        manifest=manifest,
        database=target.url_for_people,
        tables=len(tables),
        rows=sum(tables.values()),
        uploads=uploads if backup_uploads.is_dir() else None,
        upload_files=upload_files,
        secret_key=key_state,
    )


# --- the two kinds of database ----------------------------------------------------


def _database(url):
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return Sqlite(url)
    if scheme in ("postgres", "postgresql"):
        return Postgres(url)
    make_database(url)  # raises OperatorError naming the schemes it takes
    raise OperatorError(f"unsupported database URL {mask_password(url)!r}")


# --- messages ---------------------------------------------------------------------


def _os_problem(error):
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    return str(error)
