"""Running the real ``redarmband`` entry point in this process, as an operator would."""

import sys

import pytest

from core import db
from core.cli import main
from tests.conftest import REPO

SETTINGS = ("REDARMBAND_DATABASE_URL", "REDARMBAND_INSTANCE_PATH", "REDARMBAND_STATIONS_DIR", "REDARMBAND_SECRET_KEY")


@pytest.fixture
def redarmband(monkeypatch, capsys, tmp_path):
    """``redarmband ARGS`` in ``tmp_path/site`` with the shipped stations;
    keyword arguments set environment variables. Returns (exit code, stdout, stderr)."""
    site = tmp_path / "site"
    site.mkdir()

    def run(*args, **env):
        for name in SETTINGS:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("REDARMBAND_STATIONS_DIR", str(REPO / "stations"))
        for name, value in env.items():
            monkeypatch.setenv(name, str(value))
        monkeypatch.chdir(site)
        monkeypatch.setattr(sys, "argv", ["redarmband", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        db.close_all()
        out, err = capsys.readouterr()
        return exited.value.code, out, err

    run.site = site
    return run


def one_line(err):
    """The error, asserted to be one line with no traceback."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]
