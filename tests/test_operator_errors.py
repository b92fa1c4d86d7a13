"""Operator mistakes get one clear line, a non-zero exit and nothing half-written.

Each runs the real ``redarmband`` entry point (``core.cli.main``) in this
process, with the environment an operator would set; the last two run it as
a process of its own, to show the same from a shell.
"""

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.command_line import one_line
from tests.conftest import REPO

REDARMBAND = Path(sys.executable).parent / "redarmband"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
ACCOUNT = ["--role", "city_admin", "--phone", "13700000001", "--name", "张警官", "--password", "secret123"]


def files_under(path):
    return sorted(str(p.relative_to(path)) for p in Path(path).rglob("*"))


# --- before init-db --------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["users", "create", *ACCOUNT],
        ["points", "verify"],
        ["open311", "keys", "list", "--station", "huguo"],
        [
            "school-guardian",
            "post-roster",
            "--station",
            "huguo",
            "--officer",
            "13700000001",
            "--from",
            "2026-12-07",
            "--to",
            "2026-12-11",
        ],
        ["routes"],
    ],
)
def test_any_command_before_init_db_says_to_run_it_and_makes_no_database(redarmband, args):
    code, _out, err = redarmband(*args)
    assert code == 1
    line = one_line(err)
    database = redarmband.site / "instance" / "redarmband.sqlite3"
    assert line == f"Error: the database sqlite:///{database} has no tables yet: run `redarmband init-db` first"
    assert files_under(redarmband.site) == []  # no empty database file, no instance folder


def test_init_db_then_the_same_command_works(redarmband):
    code, out, _err = redarmband("init-db")
    assert code == 0
    assert f"instance folder: {redarmband.site / 'instance'}" in out
    assert "database ready: sqlite:///" in out
    code, out, err = redarmband("users", "create", *ACCOUNT)
    assert code == 0, err
    assert "created city_admin 张警官 (13700000001)" in out


# --- the database URL ----------------------------------------------------------------


def test_a_postgresql_database_that_does_not_exist_is_named(redarmband):
    missing = f"redarmband_missing_{os.getpid()}"
    code, _out, err = redarmband("init-db", REDARMBAND_DATABASE_URL=f"{PG_SERVER}/{missing}")
    assert code == 1
    line = one_line(err)
    assert line.startswith(f"Error: cannot open the database {PG_SERVER}/{missing}: ")
    assert f'database "{missing}" does not exist' in line


def test_a_postgresql_role_that_does_not_exist_is_named(redarmband):
    code, _out, err = redarmband(
        "points", "verify", REDARMBAND_DATABASE_URL="postgresql://no_such_role@127.0.0.1:5432/test"
    )
    assert code == 1
    assert 'role "no_such_role" does not exist' in one_line(err)


def test_a_postgresql_server_that_is_down_is_named_and_the_password_is_masked(redarmband):
    code, _out, err = redarmband("init-db", REDARMBAND_DATABASE_URL="postgresql://postgres:s3cret@127.0.0.1:1/test")
    assert code == 1
    line = one_line(err)
    assert line.startswith("Error: cannot open the database postgresql://postgres:***@127.0.0.1:1/test: ")
    assert "Connection refused" in line
    assert "s3cret" not in err


def test_an_unsupported_database_url_is_named(redarmband):
    code, _out, err = redarmband("init-db", REDARMBAND_DATABASE_URL="mysql://root@localhost/redarmband")
    assert code == 1
    assert one_line(err).startswith("Error: REDARMBAND_DATABASE_URL: unsupported scheme 'mysql'")
    assert files_under(redarmband.site) == []


def test_a_sqlite_url_with_two_slashes_is_refused_not_read_as_a_memory_database(redarmband):
    code, _out, err = redarmband("init-db", REDARMBAND_DATABASE_URL="sqlite://relative.db")
    assert code == 1
    assert one_line(err) == (
        "Error: REDARMBAND_DATABASE_URL 'sqlite://relative.db' has two slashes: write sqlite:///relative.db "
        "(three slashes: a path relative to the current directory) or sqlite:////absolute/path"
    )
    assert files_under(redarmband.site) == []


def test_a_relative_sqlite_path_is_taken_from_the_current_directory(redarmband):
    code, out, err = redarmband("init-db", REDARMBAND_DATABASE_URL="sqlite:///data/city.sqlite3")
    assert code == 0, err
    assert f"database ready: sqlite:///{redarmband.site / 'data' / 'city.sqlite3'}" in out
    assert (redarmband.site / "data" / "city.sqlite3").is_file()


# --- the instance folder ---------------------------------------------------------------


def test_a_relative_instance_folder_is_taken_from_the_current_directory(redarmband):
    code, out, err = redarmband("init-db", REDARMBAND_INSTANCE_PATH="var/redarmband")
    assert code == 0, err
    folder = redarmband.site / "var" / "redarmband"
    assert f"instance folder: {folder}\n" in out
    assert (folder / "redarmband.sqlite3").is_file() and (folder / "secret_key").is_file()


def test_an_instance_folder_below_a_file_is_named(redarmband, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    folder = tmp_path / "a-file" / "instance"
    code, _out, err = redarmband(
        "init-db", REDARMBAND_INSTANCE_PATH=folder, REDARMBAND_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    assert code == 1
    line = one_line(err)
    assert line.startswith(f"Error: the instance folder {folder} is not writable by ")
    assert "Not a directory" in line and "REDARMBAND_INSTANCE_PATH" in line


@contextmanager
def read_only(folder):
    """``folder`` made unwritable even for root (the immutable attribute), or
    by its mode for anyone else."""
    folder.mkdir()
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("running as root on a file system without chattr +i: no way to make a folder read-only")
        try:
            yield folder
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def test_a_read_only_instance_folder_is_named(redarmband, tmp_path):
    with read_only(tmp_path / "locked") as folder:
        code, _out, err = redarmband("init-db", REDARMBAND_INSTANCE_PATH=folder)
        assert code == 1
        line = one_line(err)
        assert line.startswith(f"Error: the instance folder {folder} is not writable by ")
        assert files_under(folder) == []


# --- stations and ports --------------------------------------------------------------------


def test_init_db_refuses_an_empty_stations_folder_and_writes_nothing(redarmband, tmp_path):
    empty = tmp_path / "no-stations"
    empty.mkdir()
    code, _out, err = redarmband("init-db", REDARMBAND_STATIONS_DIR=empty)
    assert code == 1
    assert f"{empty}: no station files (*.toml)" in err and "Traceback" not in err
    assert files_under(redarmband.site) == []


def test_the_demo_on_a_busy_port_says_so_before_writing_anything(redarmband):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _out, err = redarmband("demo", "--port", str(port))
    assert code == 1
    line = one_line(err)
    assert line.startswith(f"Error: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert line.endswith("choose another with --port")
    assert files_under(redarmband.site) == []


# --- from a shell -------------------------------------------------------------------------------


def test_from_a_shell_a_command_before_init_db_is_one_line(tmp_path):
    env = {
        **os.environ,
        "REDARMBAND_STATIONS_DIR": str(REPO / "stations"),
        "REDARMBAND_INSTANCE_PATH": str(tmp_path / "i"),
    }
    env.pop("REDARMBAND_DATABASE_URL", None)
    result = subprocess.run([str(REDARMBAND), "points", "verify"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert one_line(result.stderr).endswith("has no tables yet: run `redarmband init-db` first")


def test_from_a_shell_help_and_version_answer_without_a_database(tmp_path):
    env = {**os.environ, "REDARMBAND_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/down"}
    version = subprocess.run(
        [str(REDARMBAND), "--version"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert (version.returncode, version.stdout) == (0, "redarmband 0.2.0\n")
    helped = subprocess.run(
        [str(REDARMBAND), "--help"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert helped.returncode == 0 and "db " in helped.stdout and "serve " in helped.stdout
    assert list(tmp_path.iterdir()) == []
