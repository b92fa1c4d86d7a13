"""One station team's broken plugin does not take down the city.

Each test installs a real distribution — a ``.dist-info`` folder with an
entry point of the ``redarmband`` group, and its module — in a folder put on
the path, the way pip would, then runs the command line and the app with
entry points loaded.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from core import db
from core.app import create_app
from core.cli import build_cli
from core.config import StationConfigError
from core.plugins import make_plugin_manager
from core.testing import write_station
from tests.conftest import REPO

REDARMBAND = Path(sys.executable).parent / "redarmband"

BROKEN_IMPORT = "import lantern_helpers  # a dependency the team forgot to declare\n"
TYPO = textwrap.dedent(
    """\
    from core import hookimpl


    @hookimpl
    def register_task_typs():
        return []
    """
)
RAISING_AT_START = textwrap.dedent(
    """\
    from core import hookimpl


    @hookimpl
    def register_task_types():
        raise RuntimeError("the lantern types table is missing")
    """
)
RAISING_COMMANDS = textwrap.dedent(
    """\
    from core import hookimpl


    @hookimpl
    def register_commands(cli):
        raise KeyError("lantern")
    """
)


def install(site, module, source, version="1.0"):
    """A distribution ``redarmband-<module>`` whose plugin ``<module>`` is ``source``."""
    site.mkdir(exist_ok=True)
    (site / f"{module}.py").write_text(source, encoding="utf-8")
    info = site / f"redarmband_{module}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: redarmband-{module}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[redarmband]\n{module} = {module}\n")
    return site


@pytest.fixture
def site(tmp_path, monkeypatch):
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name in [name for name in sys.modules if name.startswith("lantern")]:
        del sys.modules[name]


def cli_output(args):
    cli = build_cli(make_plugin_manager())  # entry points loaded, as `redarmband` does
    return CliRunner().invoke(cli, args, obj=ScriptInfo(create_app=None))


def app_settings(tmp_path, stations, **more):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "STATIONS_DIR": str(stations),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'city.sqlite3'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "REQUIRE_READY_DATABASE": False,
        **more,
    }


def stations_enabling(folder, plugin, *, enabled=True):
    folder.mkdir()
    write_station(folder, "alpha")
    return write_station(folder, "lantern-town", plugins=[plugin], enabled=enabled)


def test_help_runs_and_names_a_plugin_that_cannot_be_imported(tmp_path):
    site = install(tmp_path / "site", "lantern_broken", BROKEN_IMPORT)
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [str(REDARMBAND), "--help"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "init-db" in result.stdout and "school-guardian" in result.stdout  # the other plugins' commands too
    assert result.stderr.splitlines() == [
        "WARNING: plugin 'lantern_broken' (redarmband-lantern_broken 1.0) failed to load and is left out: "
        "ModuleNotFoundError: No module named 'lantern_helpers' (lantern_broken.py:1)"
    ]


def test_a_hook_typo_is_named_with_its_distribution(site):
    install(site, "lantern_typo", TYPO, version="2.3")
    [broken] = make_plugin_manager().broken
    assert str(broken) == (
        "plugin 'lantern_typo' (redarmband-lantern_typo 2.3) failed to load and is left out: "
        "unknown hook 'register_task_typs' (a typo? the hooks are listed in docs/plugins.md)"
    )


def test_a_start_up_hook_that_raises_leaves_the_plugin_out(site, tmp_path):
    install(site, "lantern_raising", RAISING_AT_START)
    app = create_app(app_settings(tmp_path, REPO / "stations"))
    pm = app.extensions["redarmband"].pm
    assert pm.get_plugin("lantern_raising") is None
    [broken] = pm.broken
    assert broken.error == "RuntimeError: the lantern types table is missing (lantern_raising.py:6) in a start-up hook"
    assert pm.get_plugin("night_patrol") is not None  # the rest is there


def test_stations_check_reports_it_and_passes_when_no_station_uses_it(site):
    install(site, "lantern_broken", BROKEN_IMPORT)
    result = cli_output(["stations", "check", str(REPO / "stations")])
    assert result.exit_code == 0, result.output
    assert result.output.count(" ok\n") == 3


def test_stations_check_fails_naming_the_station_that_enables_it(site, tmp_path):
    install(site, "lantern_broken", BROKEN_IMPORT)
    path = stations_enabling(tmp_path / "stations", "lantern_broken")
    result = cli_output(["stations", "check", str(path.parent)])
    assert result.exit_code == 1
    assert (
        f"{path}: key 'plugins': plugin 'lantern_broken' is installed but failed to load "
        "(redarmband-lantern_broken 1.0): ModuleNotFoundError: No module named 'lantern_helpers'"
    ) in result.output
    assert "alpha.toml" not in result.output


def test_the_app_starts_without_it_when_no_station_enables_it(site, tmp_path, caplog):
    install(site, "lantern_broken", BROKEN_IMPORT)
    app = create_app(app_settings(tmp_path, REPO / "stations"))
    assert "plugin 'lantern_broken' (redarmband-lantern_broken 1.0) failed to load and is left out" in caplog.text
    assert app.extensions["redarmband"].pm.get_plugin("night_patrol") is not None
    db.close_all()


def test_the_app_refuses_to_start_when_an_enabled_station_uses_it(site, tmp_path):
    install(site, "lantern_broken", BROKEN_IMPORT)
    path = stations_enabling(tmp_path / "stations", "lantern_broken")
    with pytest.raises(StationConfigError) as refused:
        create_app(app_settings(tmp_path, path.parent))
    assert [problem.split(": key")[0] for problem in refused.value.problems] == [str(path)]
    assert not (tmp_path / "city.sqlite3").exists()  # refused before anything was written


def test_a_disabled_station_using_it_is_left_out_not_a_reason_to_refuse(site, tmp_path):
    install(site, "lantern_broken", BROKEN_IMPORT)
    path = stations_enabling(tmp_path / "stations", "lantern_broken", enabled=False)
    app = create_app(app_settings(tmp_path, path.parent))
    directory = app.extensions["redarmband"].directory
    assert sorted(directory.by_slug) == ["alpha"]
    assert directory.warnings == [
        f"{path}: disabled station left out: it enables 'lantern_broken', which failed to load"
    ]
    db.close_all()


def test_info_reports_it_and_exits_non_zero(site, tmp_path, monkeypatch):
    install(site, "lantern_broken", BROKEN_IMPORT)
    monkeypatch.setenv("REDARMBAND_STATIONS_DIR", str(REPO / "stations"))
    monkeypatch.setenv("REDARMBAND_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("REDARMBAND_DATABASE_URL", raising=False)
    result = cli_output(["info"])
    assert result.exit_code == 1
    assert (
        "!   plugin 'lantern_broken' (redarmband-lantern_broken 1.0) failed to load and is left out: "
        "ModuleNotFoundError: No module named 'lantern_helpers' (lantern_broken.py:1) (enabled at no station)"
    ) in result.output
    assert "    night_patrol 0.2.0: enabled at donghua" in result.output


def test_a_plugin_whose_commands_raise_loses_only_its_commands(site, caplog):
    install(site, "lantern_commands", RAISING_COMMANDS)
    result = cli_output(["--help"])
    assert result.exit_code == 0
    assert "school-guardian" in result.output and "init-db" in result.output
    assert "plugin 'lantern_commands' added no commands: KeyError: 'lantern' (lantern_commands.py:6)" in caplog.text
