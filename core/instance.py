"""The instance folder: the SQLite database, the secret key and uploaded photos.

It is ``REDARMBAND_INSTANCE_PATH`` (a relative path is taken from the current
directory) or else ``./instance`` in the current directory, made absolute at
once. It is never inside the installed package, so rebuilding a virtualenv to
upgrade loses nothing, and every command names the same folder.
"""

import getpass
import os
import secrets
import tempfile
from pathlib import Path

from .problems import OperatorError

DEFAULT_FOLDER = "instance"
SECRET_KEY_FILE = "secret_key"


def instance_path(configured=None):
    """The instance folder as an absolute path (it may not exist yet)."""
    raw = configured or os.environ.get("REDARMBAND_INSTANCE_PATH") or DEFAULT_FOLDER
    return Path(raw).expanduser().absolute()


def ensure_writable(path):
    """Make ``path`` if need be and prove this user can write in it, or raise
    :class:`OperatorError` naming the folder."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        _write_probe(path)
    except OSError as error:
        raise OperatorError(
            f"the instance folder {path} is not writable by {_user()}: {error.strerror or error}; "
            "make it writable by this user, or set REDARMBAND_INSTANCE_PATH to a folder that is"
        ) from error
    return path


def writable_problem(path):
    """Why ``path`` cannot be the instance folder, or ``None``; makes nothing."""
    path = Path(path)
    existing = next((folder for folder in (path, *path.parents) if folder.exists()), None)
    if existing is None or not existing.is_dir():
        return f"{existing} is not a folder"
    try:
        _write_probe(existing)
    except OSError as error:
        return f"{existing} is not writable by {_user()}: {error.strerror or error}"
    return None


def _write_probe(folder):
    """Write (and remove) a file in ``folder``: the only test of writability
    that holds for root, read-only mounts and immutable folders alike."""
    with tempfile.TemporaryFile(dir=folder):
        pass


def secret_key(instance):
    """The key kept in the instance folder, made once. Several app servers must
    share one: set ``REDARMBAND_SECRET_KEY`` for them instead."""
    path = Path(instance) / SECRET_KEY_FILE
    try:
        if not path.exists():
            _make_secret_key(path)
        return path.read_text().strip()
    except PermissionError as error:
        owner = _owner_of(path)
        raise OperatorError(
            f"cannot read the secret key {path} as {_user()}: it belongs to {owner}; "
            "give the instance folder to the user that runs Red Armband (see docs/deploy.md) "
            "or set REDARMBAND_SECRET_KEY"
        ) from error


def _make_secret_key(path):
    # Written in full to a private file first, then linked into place in one
    # step: a worker starting at the same moment either finds no file or a
    # whole key, never an empty one.
    draft = path.with_name(f"{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as key_file:
        key_file.write(secrets.token_hex(32))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another worker made it first; use theirs
    finally:
        draft.unlink()


def _user():
    try:
        return f"user {getpass.getuser()!r}"
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _owner_of(path):
    try:
        import pwd

        return f"user {pwd.getpwuid(path.stat().st_uid).pw_name!r}"
    except (KeyError, OSError, ImportError):
        return "another user"
