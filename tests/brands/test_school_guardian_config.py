"""护小侠 config: schools, windows and holidays and their mistakes; one brand at two stations, none at donghua."""

from datetime import datetime

import pytest

from core.config import StationConfigError, load_stations
from core.testing import write_station
from tests.config.helpers import registry
from tests.conftest import REPO

from ..tasks_pages_helpers import menu_of, page, volunteer
from .school_guardian_helpers import api_token, post_roster, report_hazard, roster_url, slot_task
from .school_guardian_week_helpers import DAY, boss_fixture, stations_dir_fixture  # noqa: F401 - fixtures

# ---------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------


def test_schools_windows_and_holidays_load(redarmband_stations_dir):
    loaded = load_stations(redarmband_stations_dir, registry()).by_slug
    settings = loaded["huguo"].plugin_settings["school_guardian"]
    changchun, huguolu = settings["schools"]
    assert (changchun["name"], changchun["gates"], changchun["volunteers_per_slot"]) == (
        "昆明市长春小学",
        ["正门", "后门"],
        2,
    )
    assert changchun["windows"] == {
        "morning": {"start": "07:30", "end": "08:10"},
        "noon": {"start": "11:40", "end": "12:20"},
        "afternoon": {"start": "16:30", "end": "17:10"},
    }
    assert huguolu["windows"]["morning"] == {"start": "07:40", "end": "08:20"}  # its own
    assert huguolu["windows"]["noon"] == {"start": "11:40", "end": "12:20"}  # the default
    assert settings["holidays"] == [
        {"first": DAY["wed"], "last": DAY["wed"], "name": "校庆"},
        {"first": datetime(2099, 1, 1).date(), "last": datetime(2099, 1, 1).date(), "name": ""},
    ]
    assert (settings["punctuality_bonus"], settings["streak_days"], settings["streak_bonus"]) == (1, 5, 3)
    xiaonanmen = loaded["xiaonanmen"].plugin_settings["school_guardian"]
    assert [school["name"] for school in xiaonanmen["schools"]] == ["五华区小南门小学"]
    assert xiaonanmen["holidays"] == []


def test_the_shipped_stations_have_their_own_schools_windows_and_holidays():
    loaded = load_stations(REPO / "stations", registry()).by_slug
    huguo = loaded["huguo"].plugin_settings["school_guardian"]
    xiaonanmen = loaded["xiaonanmen"].plugin_settings["school_guardian"]
    assert [(s["name"], s["gates"]) for s in huguo["schools"]] == [("昆明市长春小学", ["正门", "后门"])]
    assert [(s["name"], s["gates"]) for s in xiaonanmen["schools"]] == [("五华区小南门小学", ["南门"])]
    assert xiaonanmen["schools"][0]["windows"]["morning"] == {"start": "07:40", "end": "08:20"}
    assert any(h["name"] == "寒假" and h["first"] < h["last"] for h in huguo["holidays"])


MISTAKES = [
    ('windows = { morning = "7:30-8:10" }', "schools.0.windows.morning", "HH:MM-HH:MM"),
    ('windows = { noon = "12:20-11:40" }', "schools.0.windows.noon", "must end after it starts"),
    ('windows = { evening = "18:00-18:30" }', "schools.0.windows.evening", "Unknown field"),
    ('windows = { noon = "08:00-08:30" }', "schools.0.windows.noon", "after the morning window ends"),
    ('gates = ["正门", "正门"]', "schools.0.gates", "named twice: 正门"),
    ("volunteers_per_slot = 0", "schools.0.volunteers_per_slot", "greater than or equal to 1"),
]


@pytest.mark.parametrize("line, key, expected", MISTAKES, ids=[m[1] + ":" + m[2][:12] for m in MISTAKES])
def test_a_school_mistake_names_the_file_and_key(make_app, tmp_path, line, key, expected):
    directory = tmp_path / "bad"
    directory.mkdir()
    school = '[[plugin_settings.school_guardian.schools]]\nname = "测试小学"\n'
    if not line.startswith("gates"):
        school += 'gates = ["正门"]\n'
    path = write_station(directory, "alpha", plugins=["school_guardian"], theme="huxiaoxia", extra=school + line + "\n")
    _assert_refused(make_app, directory, path, f"plugin_settings.school_guardian.{key}", expected)


HOLIDAY_MISTAKES = [
    ('holidays = ["2027-13-01"]', "holidays.0", "expected a date such as 2027-01-01"),
    ("holidays = [{ first = 2027-02-21, last = 2027-01-16 }]", "holidays.0", "ends (2027-01-16) before it begins"),
    ("holidays = [2027-01-01, { first = 2027-01-16 }]", "holidays.1", "or a range such as"),
    ("streak_days = 1", "streak_days", "greater than or equal to 2"),
    ('punctuality_bonus = "one"', "punctuality_bonus", "Not a valid integer"),
]


@pytest.mark.parametrize("line, key, expected", HOLIDAY_MISTAKES, ids=[m[0][:20] for m in HOLIDAY_MISTAKES])
def test_a_holiday_or_bonus_mistake_names_the_file_and_key(make_app, tmp_path, line, key, expected):
    directory = tmp_path / "bad"
    directory.mkdir()
    extra = f'[plugin_settings.school_guardian]\n{line}\n[[plugin_settings.school_guardian.schools]]\nname = "测试小学"\ngates = ["正门"]\n'
    path = write_station(directory, "alpha", plugins=["school_guardian"], theme="huxiaoxia", extra=extra)
    _assert_refused(make_app, directory, path, f"plugin_settings.school_guardian.{key}", expected)


def test_a_school_named_twice_is_refused(make_app, tmp_path):
    directory = tmp_path / "bad"
    directory.mkdir()
    school = '[[plugin_settings.school_guardian.schools]]\nname = "测试小学"\ngates = ["正门"]\n'
    path = write_station(directory, "alpha", plugins=["school_guardian"], theme="huxiaoxia", extra=school + school)
    _assert_refused(make_app, directory, path, "plugin_settings.school_guardian.schools", "named twice: 测试小学")


def _assert_refused(make_app, directory, path, key, expected):
    with pytest.raises(StationConfigError) as loading:
        load_stations(directory, registry())
    with pytest.raises(StationConfigError) as starting:
        make_app(STATIONS_DIR=str(directory))
    assert str(starting.value) == str(loading.value)
    lines = [line for line in str(loading.value).splitlines() if line.strip().startswith(f"{path}:")]
    assert len(lines) == 1, str(loading.value)
    assert f"key '{key}'" in lines[0] and expected in lines[0], lines[0]


# ---------------------------------------------------------------------------
# One brand, two stations; nothing at donghua
# ---------------------------------------------------------------------------


def test_huguo_and_xiaonanmen_share_the_brand_but_not_their_data(app, boss):
    post_roster(boss, DAY["mon"], DAY["fri"])
    task = slot_task(app, DAY["mon"])
    for slug in ("huguo", "xiaonanmen"):
        home = page(app.test_client().get(f"/s/{slug}/"))
        assert "--primary: #1565c0;" in home and "/-/themes/huxiaoxia/logo.svg" in home and "护小侠守校门" in home
    assert b"<svg" in app.test_client().get("/-/themes/huxiaoxia/logo.svg").data
    outsider = volunteer(app, "xiaonanmen", phone="13800000003")
    token = outsider.get(roster_url(DAY["mon"], "xiaonanmen"))
    from core.testing import csrf_token_from

    url = f"/s/xiaonanmen/school-guardian/duties/{task.id}/signup"  # huguo's task, through xiaonanmen
    assert outsider.post(url, data={"csrf_token": csrf_token_from(token)}).status_code == 404
    assert outsider.get(roster_url(DAY["mon"], "huguo")).status_code == 200  # the public roster …
    assert "李红" not in page(outsider.get(roster_url(DAY["mon"], "huguo")))  # … without names for outsiders


def test_nothing_of_it_at_donghua(app):
    for path in ("/", "/schools/1/roster", "/schools/1/hazards", "/roster/post"):
        assert app.test_client().get(f"/s/donghua/school-guardian{path}").status_code == 404, path
    client = volunteer(app, "donghua")
    home = page(client.get("/s/donghua/"))
    assert "school-guardian" not in menu_of(home)
    assert "护学岗" not in home and "校园周边隐患" not in home
    assert client.get("/s/donghua/work/school_hazard").status_code == 404
    token = api_token(app.test_client(), "13800000001")
    refused = report_hazard(app.test_client(), token, slug="donghua")
    assert (
        refused.status_code == 400
        and "unknown task type 'school_hazard'" in refused.get_json()["error"]["fields"]["type"][0]
    )
    huguo = page(app.test_client().get("/s/huguo/"))
    assert "校园周边隐患" in huguo and "/s/huguo/school-guardian/" in menu_of(huguo)
