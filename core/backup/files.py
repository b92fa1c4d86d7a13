"""The files of an instance in a backup: uploads, the secret key and the
station files, copied in and (uploads and key) put back."""

import os
import shutil
from pathlib import Path

from ..instance import SECRET_KEY_FILE

# --- backing up -------------------------------------------------------------------


def copy_uploads(source, destination):
    if not source.is_dir():
        return 0

    def copy_present(src, dst):
        try:
            shutil.copy2(src, dst)
        except FileNotFoundError:
            pass  # deleted since the folder was listed (a replaced photo): gone anyway

    shutil.copytree(source, destination, copy_function=copy_present)
    return count_files(destination)


def copy_secret_key(source, destination):
    if not source.is_file():
        return False
    _write_private(destination, source.read_bytes())
    return True


def copy_stations(source, destination):
    files = sorted(source.glob("*.toml")) if source.is_dir() else []
    if files:
        destination.mkdir()
        for path in files:
            shutil.copy2(path, destination / path.name)
    return [path.name for path in files]


# --- restoring --------------------------------------------------------------------


def has_uploads(instance, uploads):
    if not uploads.is_dir():
        return None
    count = count_files(uploads)
    if count:
        return (
            f"the instance folder {instance} has uploads ({count} files in {uploads}): "
            "restore into an instance without any (set REDARMBAND_INSTANCE_PATH to a new folder)"
        )
    return None


def restore_secret_key(source, target, staging, undo):
    if not source.is_file():
        return "none"
    if target.exists():
        return "kept"
    staged = staging / SECRET_KEY_FILE
    _write_private(staged, source.read_bytes())
    try:
        os.link(staged, target)  # never over a key an app made in the meantime
    except FileExistsError:
        return "kept"
    undo.append(lambda: target.unlink(missing_ok=True))
    return "restored"


# --- helpers ----------------------------------------------------------------------


def _write_private(path, data):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def count_files(folder):
    return sum(1 for path in Path(folder).rglob("*") if path.is_file())
