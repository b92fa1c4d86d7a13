"""Station configs: the shipped ones load, and every mistake is refused with a
message naming the file, the key and what was expected, both by
``load_stations`` and by the app refusing to start."""

import pytest

from core.config import load_stations
from core.testing import write_station
from tests.conftest import REPO

from .helpers import SCHOOLS, problem_line, registry

# --- the shipped stations -------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_stations(REPO / "stations", registry()).by_slug


def test_shipped_stations_all_load(shipped):
    assert sorted(shipped) == ["donghua", "huguo", "xiaonanmen"]
    assert all(station.enabled for station in shipped.values())


def test_donghua_is_the_night_patrol_brand(shipped):
    donghua = shipped["donghua"]
    assert (donghua.name, donghua.district, donghua.brand) == ("东华派出所", "盘龙分局", "东华红枫夜巡队")
    assert donghua.plugins == ("night_patrol",)
    assert donghua.theme == "maple"
    assert donghua.plugin_settings["night_patrol"]["night_start"] == "20:00"
    assert donghua.plugin_settings["night_patrol"]["night_end"] == "02:00"


def test_huguo_and_xiaonanmen_share_the_school_guardian_brand(shipped):
    for slug in ("huguo", "xiaonanmen"):
        station = shipped[slug]
        assert (station.district, station.brand) == ("五华分局", "护小侠")
        assert station.plugins == ("school_guardian",)
        assert station.theme == "huxiaoxia"


def test_each_school_station_keeps_its_own_schools(shipped):
    huguo = shipped["huguo"].plugin_settings["school_guardian"]["schools"]
    xiaonanmen = shipped["xiaonanmen"].plugin_settings["school_guardian"]["schools"]
    assert [(school["name"], school["gates"]) for school in huguo] == [("昆明市长春小学", ["正门", "后门"])]
    assert [(school["name"], school["gates"]) for school in xiaonanmen] == [("五华区小南门小学", ["南门"])]


def test_shipped_stations_run_on_kunming_time(shipped):
    assert {station.timezone for station in shipped.values()} == {"Asia/Shanghai"}
    assert shipped["donghua"].tz.key == "Asia/Shanghai"


def test_shipped_stations_are_served_by_the_app(make_app):
    client = make_app(STATIONS_DIR=str(REPO / "stations")).test_client()
    stations = client.get("/api/v1/stations").get_json()["stations"]
    assert {s["slug"]: s["brand"] for s in stations} == {
        "donghua": "东华红枫夜巡队",
        "huguo": "护小侠",
        "xiaonanmen": "护小侠",
    }


# --- defaults and disabled stations --------------------------------------


def test_timezone_defaults_to_asia_shanghai(stations_dir):
    write_station(stations_dir, "alpha")
    assert load_stations(stations_dir, registry()).by_slug["alpha"].timezone == "Asia/Shanghai"


def test_timezone_can_be_set(stations_dir):
    write_station(stations_dir, "alpha", timezone="Asia/Urumqi")
    assert load_stations(stations_dir, registry()).by_slug["alpha"].timezone == "Asia/Urumqi"


def test_disabled_station_loads_but_is_not_served(stations_dir, make_app):
    write_station(stations_dir, "alpha")
    write_station(stations_dir, "sleepy", enabled=False)
    assert load_stations(stations_dir, registry()).by_slug["sleepy"].enabled is False

    client = make_app().test_client()
    assert client.get("/s/alpha/").status_code == 200
    assert client.get("/s/sleepy/").status_code == 404
    slugs = [s["slug"] for s in client.get("/api/v1/stations").get_json()["stations"]]
    assert slugs == ["alpha"]


# --- each kind of mistake ------------------------------------------------


def test_unknown_plugin_lists_the_installed_ones(stations_dir, refused):
    path = write_station(stations_dir, "alpha", plugins=["nigth_patrol"])
    line = problem_line(refused(), path)
    assert "key 'plugins'" in line and "'nigth_patrol'" in line
    assert "night_patrol, school_guardian" in line


def test_duplicate_slug_names_both_files(stations_dir, refused):
    first = write_station(stations_dir, "alpha")
    second = stations_dir / "copy-of-alpha.toml"
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    [line] = refused().splitlines()[1:]
    assert "key 'slug'" in line and "duplicate slug 'alpha'" in line
    assert str(first) in line and str(second) in line


def test_bad_timezone_says_an_iana_zone_is_expected(stations_dir, refused):
    path = write_station(stations_dir, "alpha", timezone="Kunming/Yunnan")
    line = problem_line(refused(), path)
    assert "key 'timezone'" in line and "'Kunming/Yunnan'" in line
    assert "IANA time zone such as Asia/Shanghai" in line


def test_school_guardian_without_schools_is_refused(stations_dir, refused):
    path = write_station(stations_dir, "alpha", plugins=["school_guardian"], theme="huxiaoxia")
    line = problem_line(refused(), path)
    assert "key 'plugin_settings.school_guardian.schools'" in line
    assert "required" in line


def test_night_patrol_hour_out_of_range_is_refused(stations_dir, refused):
    path = write_station(
        stations_dir,
        "alpha",
        plugins=["night_patrol"],
        extra='[plugin_settings.night_patrol]\nnight_start = "25:00"\n',
    )
    line = problem_line(refused(), path)
    assert "key 'plugin_settings.night_patrol.night_start'" in line
    assert "HH:MM" in line


def test_unknown_top_level_key_names_the_key(stations_dir, refused):
    path = write_station(stations_dir, "alpha", timzone="Asia/Shanghai")
    line = problem_line(refused(), path)
    assert "key 'timzone'" in line


def test_unknown_top_level_key_says_which_keys_are_expected(stations_dir, refused):
    # A typo such as ``timzone`` should point the user at ``timezone``.
    path = write_station(stations_dir, "alpha", timzone="Asia/Shanghai")
    line = problem_line(refused(), path)
    after_key = line.split("key 'timzone'", 1)[1]
    assert "timezone" in after_key and "brand" in after_key


def test_missing_oath_is_refused(stations_dir, refused):
    path = stations_dir / "alpha.toml"
    path.write_text('slug = "alpha"\nname = "甲"\ndistrict = "乙"\nbrand = "丙"\n', encoding="utf-8")
    line = problem_line(refused(), path)
    assert "key 'oath'" in line and "required" in line


def test_invalid_toml_is_refused_with_its_position(stations_dir, refused):
    path = stations_dir / "alpha.toml"
    path.write_text('slug = "alpha\nname = "甲"\n', encoding="utf-8")
    line = problem_line(refused(), path)
    assert "not valid TOML" in line and "line 1" in line


def test_unknown_theme_lists_the_installed_ones(stations_dir, refused):
    path = write_station(stations_dir, "alpha", theme="neon")
    line = problem_line(refused(), path)
    assert "key 'theme'" in line and "'neon'" in line
    assert "default, huxiaoxia, maple" in line


def test_theme_of_a_plugin_the_station_does_not_enable_is_refused(stations_dir, refused):
    path = write_station(stations_dir, "alpha", theme="maple")
    line = problem_line(refused(), path)
    assert "key 'theme'" in line
    assert "'maple'" in line and "'night_patrol'" in line and "does not enable" in line


def test_settings_for_a_plugin_not_enabled_are_refused(stations_dir, refused):
    path = write_station(
        stations_dir,
        "alpha",
        plugins=["night_patrol"],
        theme="maple",
        extra=SCHOOLS,
    )
    line = problem_line(refused(), path)
    assert "key 'plugin_settings.school_guardian'" in line
    assert "not in this station's plugins list" in line


def test_host_claimed_by_two_stations_is_refused(stations_dir, refused):
    first = write_station(stations_dir, "alpha", hosts=["shared.redarmband.local"])
    second = write_station(stations_dir, "beta", hosts=["Shared.redarmband.local"])
    line = problem_line(refused(), second)
    assert "key 'hosts'" in line and "shared.redarmband.local" in line.lower() and str(first) in line


def test_problems_in_several_files_are_reported_together(stations_dir, refused):
    bad_zone = write_station(stations_dir, "alpha", timezone="Nowhere/Else")
    bad_theme = write_station(stations_dir, "beta", theme="neon")
    write_station(stations_dir, "gamma")
    message = refused()
    assert "key 'timezone'" in problem_line(message, bad_zone)
    assert "key 'theme'" in problem_line(message, bad_theme)
    assert "gamma" not in message


def test_several_problems_in_one_file_are_reported_together(stations_dir, refused):
    path = write_station(stations_dir, "alpha", timezone="Nowhere/Else", colour="red")
    message = refused()
    assert f"{path}: key 'timezone'" in message
    assert f"{path}: key 'colour'" in message


def test_schema_problem_does_not_hide_an_unknown_plugin(stations_dir, refused):
    # One run should report both mistakes, not the second only after the first is fixed.
    path = write_station(stations_dir, "alpha", timezone="Nowhere/Else", plugins=["nigth_patrol"])
    message = refused()
    assert f"{path}: key 'timezone'" in message
    assert f"{path}: key 'plugins'" in message


@pytest.mark.parametrize("host", ["https://donghua.example.org", "donghua.example.org:8443", "donghua.example.org/"])
def test_a_host_must_be_a_bare_host_name(stations_dir, refused, host):
    path = write_station(stations_dir, "alpha", hosts=[host])
    line = problem_line(refused(), path)
    assert "key 'hosts.0'" in line and "host name" in line


def test_a_file_saved_with_a_byte_order_mark_loads(stations_dir):
    path = write_station(stations_dir, "alpha")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert "alpha" in load_stations(stations_dir, registry()).by_slug
