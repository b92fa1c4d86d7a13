"""The plugin manager, ``/-/plugins``, and the brand plugins at their stations.

Uses the project's test world (tests/conftest.py): the shipped stations
(donghua enables night_patrol; huguo and xiaonanmen enable school_guardian)
and both brand plugins.
"""

import re
import types
from importlib import metadata

import pytest

import plugins.night_patrol
import plugins.school_guardian
from core import hookimpl
from core.config import StationConfigError
from core.plugins import make_plugin_manager
from core.testing import write_station
from core.version import __version__
from tests.conftest import BRAND_PLUGINS

BRANDS = {"night_patrol": plugins.night_patrol, "school_guardian": plugins.school_guardian}
ENABLED_AT = {"donghua": "night_patrol", "huguo": "school_guardian", "xiaonanmen": "school_guardian"}
BRAND_PAGES = {"night_patrol": "night-patrol", "school_guardian": "school-guardian"}
BRAND_HOOKS = {"register_themes", "register_task_types", "register_config_schema", "register_blueprints", "menu_items"}

MENU = re.compile(r'<nav class="menu"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'<a href="([^"]*)"')


def page(response):
    return response.get_data(as_text=True)


def menu_links(response):
    found = MENU.search(page(response))
    assert found, "the page has no station menu"
    return HREF.findall(found.group(1))


def task_types_list(response):
    found = re.search(r'<ul class="task-types">(.*?)</ul>', page(response), re.S)
    assert found, "the page lists no task types"
    return found.group(1)


# ---------------------------------------------------------------------------
# Start-up checks
# ---------------------------------------------------------------------------


class Misspelled:
    @hookimpl
    def register_task_typs(self):
        return []


class WrongArgument:
    @hookimpl
    def menu_items(self, station, usr):
        return []


def refusal(make_app, tmp_path, name, plugin):
    """The one problem a station enabling the broken ``plugin`` is refused with."""
    directory = tmp_path / "enabling-stations"
    directory.mkdir()
    path = write_station(directory, "enabling", plugins=[name])
    with pytest.raises(StationConfigError) as refused:
        make_app(EXTRA_PLUGINS=[(name, plugin)], STATIONS_DIR=str(directory))
    [problem] = refused.value.problems
    assert problem.startswith(
        f"{path}: key 'plugins': plugin {name!r} is installed but failed to load (registered by hand): "
    )
    return problem


def test_a_misspelled_hook_refuses_a_station_that_enables_the_plugin(make_app, tmp_path):
    assert refusal(make_app, tmp_path, "misspelled", Misspelled()).endswith(
        "unknown hook 'register_task_typs' (a typo? the hooks are listed in docs/plugins.md)"
    )


def test_a_misspelled_hook_leaves_out_a_plugin_no_station_enables_and_the_rest_runs(
    make_app, redarmband_plugins, caplog
):
    app = make_app(EXTRA_PLUGINS=[*redarmband_plugins, ("misspelled", Misspelled())])
    pm = app.extensions["redarmband"].pm
    assert pm.get_plugin("misspelled") is None and pm.get_plugin("night_patrol") is plugins.night_patrol
    assert [str(broken) for broken in pm.broken] == [
        "plugin 'misspelled' (registered by hand) failed to load and is left out: "
        "unknown hook 'register_task_typs' (a typo? the hooks are listed in docs/plugins.md)"
    ]
    assert "plugin 'misspelled' (registered by hand) failed to load" in caplog.text  # the log says so at start
    client = app.test_client()
    assert client.get("/s/donghua/night-patrol/").status_code == 200
    assert "misspelled" not in {
        plugin["name"] for plugin in client.get("/s/donghua/-/plugins.json").get_json()["plugins"]
    }


def test_a_hook_argument_that_does_not_exist_refuses_a_station_that_enables_the_plugin(make_app, tmp_path):
    problem = refusal(make_app, tmp_path, "wrong_argument", WrongArgument())
    assert "menu_items" in problem and "{'usr'}" in problem


def test_a_station_enabling_an_unknown_plugin_refuses_start(make_app, tmp_path):
    path = write_station(tmp_path, "typo", plugins=["night_patro"])
    with pytest.raises(StationConfigError) as refused:
        make_app(STATIONS_DIR=str(tmp_path))
    [problem] = refused.value.problems
    assert problem.startswith(f"{path}: key 'plugins': unknown plugin 'night_patro'")
    assert "night_patrol, school_guardian" in problem


# ---------------------------------------------------------------------------
# /-/plugins and /-/plugins.json
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(ENABLED_AT))
def test_plugins_json_lists_installed_plugins_and_what_this_station_enabled(client, slug):
    response = client.get(f"/s/{slug}/-/plugins.json")
    assert response.status_code == 200
    data = response.get_json()
    assert data["station"] == slug
    listed = {plugin["name"]: plugin for plugin in data["plugins"]}
    assert {name for name in listed if not name.startswith("core.")} == set(BRANDS)
    for name, module in BRANDS.items():
        assert listed[name]["version"] == module.__version__
        assert BRAND_HOOKS <= set(listed[name]["hooks"])
        assert listed[name]["hooks"] == sorted(listed[name]["hooks"])
        assert listed[name]["builtin"] is False
        assert listed[name]["enabled"] is (name == ENABLED_AT[slug])
    builtins = [plugin for plugin in data["plugins"] if plugin["name"].startswith("core.")]
    expected_builtins = {"core.defaults.theme", "core.defaults.task_types", "core.defaults.menu"}
    assert {plugin["name"] for plugin in builtins} >= expected_builtins
    for plugin in builtins:
        assert plugin["enabled"] is True and plugin["builtin"] is True
        assert plugin["version"] == __version__ == "0.2.0"
    assert listed["core.defaults.menu"]["hooks"] == ["menu_items"]


def _plugin_table(response):
    """``{plugin name: {column header: cell text}}`` from the /-/plugins page."""
    html = page(response)
    headers = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th>(.*?)</th>", html, re.S)]
    table = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        if cells:
            named = dict(zip(headers, cells, strict=True))
            table[named["Plugin"].split()[0]] = named
    return table


@pytest.mark.parametrize("slug", sorted(ENABLED_AT))
def test_plugins_page_shows_what_this_station_enabled(client, slug):
    response = client.get(f"/s/{slug}/-/plugins?lang=en")
    assert response.status_code == 200
    table = _plugin_table(response)
    for name, module in BRANDS.items():
        assert table[name]["Enabled here"] == ("yes" if name == ENABLED_AT[slug] else "no")
        assert table[name]["Version"] == module.__version__
        assert "register_blueprints" in table[name]["Hooks"]
    assert table["core.defaults.menu"]["Enabled here"] == "yes"


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def test_brand_plugins_are_declared_in_the_redarmband_entry_point_group():
    declared = {entry_point.name: entry_point.value for entry_point in metadata.entry_points(group="redarmband")}
    assert declared["night_patrol"] == "plugins.night_patrol"
    assert declared["school_guardian"] == "plugins.school_guardian"


def test_plugin_manager_loads_the_entry_points():
    pm = make_plugin_manager(load_entrypoints=True)
    for name, module in BRANDS.items():
        assert pm.get_plugin(name) is module
    distributions = {name: dist.metadata["Name"] for name, dist in pm.distributions.items()}
    assert distributions["night_patrol"] == "redarmband"
    assert distributions["school_guardian"] == "redarmband"
    assert pm.broken == []


def test_plugin_manager_without_entry_points_has_only_core():
    pm = make_plugin_manager(load_entrypoints=False)
    assert [name for name, _plugin in pm.list_name_plugin() if not name.startswith("core.")] == []


def test_an_app_with_installed_plugins_serves_the_brand_pages(make_app):
    client = make_app(LOAD_ENTRYPOINTS=True, EXTRA_PLUGINS=()).test_client()
    assert client.get("/s/donghua/night-patrol/").status_code == 200
    assert client.get("/s/huguo/school-guardian/").status_code == 200
    listed = {p["name"]: p for p in client.get("/s/donghua/-/plugins.json").get_json()["plugins"]}
    assert listed["night_patrol"]["version"] == metadata.version("redarmband")  # from its distribution
    assert listed["night_patrol"]["enabled"] is True and listed["school_guardian"]["enabled"] is False


# ---------------------------------------------------------------------------
# The brand plugins at their stations
# ---------------------------------------------------------------------------


def test_night_patrol_page_at_donghua(client):
    response = client.get("/s/donghua/night-patrol/")
    assert response.status_code == 200
    shown = page(response)
    assert "20:00" in shown and "02:00" in shown
    assert "不向未成年人售酒" in shown and "发现警情及时报告" in shown
    assert "--primary: #8b1a1a;" in shown  # donghua's maple theme


@pytest.mark.parametrize("slug", ["huguo", "xiaonanmen"])
def test_night_patrol_page_is_404_at_stations_without_it(client, slug):
    assert client.get(f"/s/{slug}/night-patrol/").status_code == 404


def test_night_patrol_page_on_station_hosts(client):
    assert client.get("/night-patrol/", base_url="http://donghua.redarmband.local").status_code == 200
    assert client.get("/night-patrol/", base_url="http://huguo.redarmband.local").status_code == 404


@pytest.mark.parametrize(
    "slug, own, other",
    [("huguo", "昆明市长春小学", "五华区小南门小学"), ("xiaonanmen", "五华区小南门小学", "昆明市长春小学")],
)
def test_school_guardian_page_shows_only_this_stations_schools(client, slug, own, other):
    response = client.get(f"/s/{slug}/school-guardian/")
    assert response.status_code == 200
    assert own in page(response)
    assert other not in page(response)
    assert "--primary: #1565c0;" in page(response)  # the huxiaoxia theme


def test_school_guardian_gates_are_listed(client):
    shown = page(client.get("/s/huguo/school-guardian/"))
    assert "正门" in shown and "后门" in shown


def test_school_guardian_page_is_404_at_donghua(client):
    assert client.get("/s/donghua/school-guardian/").status_code == 404


@pytest.mark.parametrize("slug", sorted(ENABLED_AT))
def test_each_station_menu_shows_only_its_plugins_item(client, slug):
    links = menu_links(client.get(f"/s/{slug}/"))
    enabled = ENABLED_AT[slug]
    assert f"/s/{slug}/{BRAND_PAGES[enabled]}/" in links
    for name, path in BRAND_PAGES.items():
        if name != enabled:
            assert not [link for link in links if path in link]


@pytest.mark.parametrize(
    "slug, own, other",
    [("donghua", "夜间巡逻", "护学岗"), ("huguo", "护学岗", "夜间巡逻"), ("xiaonanmen", "护学岗", "夜间巡逻")],
)
def test_each_station_lists_its_plugins_task_types(client, slug, own, other):
    listed = task_types_list(client.get(f"/s/{slug}/"))
    assert own in listed and other not in listed
    assert "安全巡查" in listed  # core's


@pytest.mark.parametrize(
    "slug, motto", [("donghua", "Red maples light the night"), ("huguo", "Little Guardians at the school gate")]
)
def test_each_brand_theme_overrides_its_home_page(client, slug, motto):
    assert motto in page(client.get(f"/s/{slug}/?lang=en"))


def test_a_plugin_is_enabled_for_a_station_by_config_alone(make_app, tmp_path):
    write_station(
        tmp_path,
        "wuhua",
        plugins=["night_patrol"],
        theme="maple",
        extra="""
        [plugin_settings.night_patrol]
        night_start = "21:30"
        alliance_commitments = ["打烊前清场"]
        """,
    )
    write_station(tmp_path, "quiet")
    client = make_app(STATIONS_DIR=str(tmp_path)).test_client()
    tonight = client.get("/s/wuhua/night-patrol/")
    assert tonight.status_code == 200
    assert "21:30" in page(tonight) and "02:00" in page(tonight)  # its own start, the default end
    assert "打烊前清场" in page(tonight) and "不向未成年人售酒" not in page(tonight)
    home = client.get("/s/wuhua/")
    assert "/s/wuhua/night-patrol/" in menu_links(home)
    assert "夜间巡逻" in task_types_list(home)
    assert "--primary: #8b1a1a;" in page(home)
    assert client.get("/s/quiet/night-patrol/").status_code == 404
    assert not [link for link in menu_links(client.get("/s/quiet/")) if "night-patrol" in link]


def test_a_plugin_may_not_take_a_name_reserved_for_core(make_app, redarmband_plugins):
    app = make_app(EXTRA_PLUGINS=[*redarmband_plugins, ("core.sneaky", types.SimpleNamespace())])
    pm = app.extensions["redarmband"].pm
    assert pm.get_plugin("core.sneaky") is None
    assert [broken.error for broken in pm.broken] == ["plugin name 'core.sneaky': 'core.' names are reserved for core"]


def test_an_event_hook_cannot_be_a_wrapper(make_app, tmp_path):
    class Wrapper:
        @hookimpl(wrapper=True)
        def on_checkin(self, station, volunteer, checkin, entry):
            return (yield)

    assert refusal(make_app, tmp_path, "wrapper", Wrapper()).endswith("event hook on_checkin cannot be a wrapper")


def test_events_run_in_pluggys_order_and_a_failure_does_not_stop_the_rest(make_app):
    calls = []

    class First:
        @hookimpl(tryfirst=True)
        def on_volunteer_registered(self, volunteer):
            calls.append("first")
            raise RuntimeError("broken plugin")

    class Plain:
        @hookimpl
        def on_volunteer_registered(self, volunteer):
            calls.append("plain")

    app = make_app(EXTRA_PLUGINS=[*BRAND_PLUGINS, ("plain", Plain()), ("first", First())])
    tenancy = app.extensions["redarmband"].tenancy
    hooks = app.extensions["redarmband"].registry.hooks_for(["plain", "first"])
    hooks.fire("on_volunteer_registered", station=tenancy.get("huguo"), volunteer=None)
    assert calls == ["first", "plain"]
