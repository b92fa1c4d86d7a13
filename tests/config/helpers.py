"""Helpers of the station-config tests."""

from click.testing import CliRunner
from flask.cli import ScriptInfo

from core.cli import build_cli
from core.plugins import PluginRegistry, make_plugin_manager
from tests.conftest import BRAND_PLUGINS

SCHOOLS = """
[[plugin_settings.school_guardian.schools]]
name = "测试小学"
gates = ["正门"]
"""


def registry():
    return PluginRegistry(make_plugin_manager(load_entrypoints=False, extra_plugins=BRAND_PLUGINS))


def stations_check(directory):
    """``redarmband stations check DIRECTORY``: it needs no app and no database."""
    cli = build_cli(make_plugin_manager(load_entrypoints=False, extra_plugins=BRAND_PLUGINS))
    return CliRunner().invoke(cli, ["stations", "check", str(directory)], obj=ScriptInfo(create_app=None))


def problem_lines(message, path):
    """The lines of ``message`` about ``path``."""
    lines = [line.strip() for line in message.splitlines() if line.strip().startswith(f"{path}:")]
    assert lines, message
    return lines


def problem_line(message, path):
    """The one line of ``message`` about ``path``."""
    [line] = problem_lines(message, path)
    return line
