"""The world of the hook tests (``test_hook_<name>``), one hook seen the way a station's users see it.

Each test class installs one throw-away plugin under the name ``probe`` by
overriding the ``probe`` fixture (Datasette's way: a plugin for one test). The
default stations are ``enabling`` (``plugins = ["probe"]``) and ``other`` (no
plugins), so every per-station hook is checked where it is enabled and where
it is not. Brand plugins and the shipped stations are left out of this world.
"""

import re

import pytest

from core.testing import write_station

DEFAULT_PRIMARY = "#c8102e"  # core's default theme

MENU = re.compile(r'<nav class="menu"[^>]*>(.*?)</nav>', re.S)
MENU_LINK = re.compile(r'<a href="([^"]*)">([^<]*)</a>')


def menu_of(response):
    """``[(href, label), …]`` of the station menu on a rendered page."""
    found = MENU.search(response.get_data(as_text=True))
    return MENU_LINK.findall(found.group(1)) if found else []


def page(response):
    return response.get_data(as_text=True)


def platform(app):
    return app.extensions["redarmband"]


WEB_VOLUNTEER = {
    "name": "王芳",
    "phone": "13987654321",
    "password": "correct horse",
    "occupation": "shop_staff",
    "accept_oath": "yes",
    "oath_version": "v1",
}


class NoHooks:
    """A plugin that implements nothing."""


@pytest.fixture
def probe():
    """The plugin under test, installed as ``probe``; test classes override it."""
    return NoHooks()


@pytest.fixture
def redarmband_plugins(probe):
    return [("probe", probe)]


@pytest.fixture
def redarmband_stations_dir(tmp_path):
    directory = tmp_path / "stations"
    directory.mkdir()
    write_station(directory, "enabling", plugins=["probe"], hosts=["enabling.test"])
    write_station(directory, "other", hosts=["other.test"])
    return directory
