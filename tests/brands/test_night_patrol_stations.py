"""Night patrol by station: invisible where not enabled, run at huguo by config alone, its settings checked."""

import pytest

from core.config import StationConfigError, load_stations
from core.testing import write_station
from plugins.night_patrol.models import Finding

from ..config.helpers import registry
from ..tasks_pages_helpers import action, decide, last_submission_id, menu_of, page, station_of
from .night_patrol_helpers import (
    SATURDAY,
    add_venue,
    admin,
    grant_shield_drill,
    patrolled,
    preview_lines,
    staff,
    stations_with_night_patrol_at_huguo,
    visit,
    volunteer,
)

# ---------------------------------------------------------------------------
# Other stations: invisible where not enabled, working where enabled by config
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["huguo", "xiaonanmen"])
def test_invisible_at_stations_that_do_not_enable_it(app, client, slug):
    venue_id = add_venue(app)
    for path in (
        "night-patrol/",
        "night-patrol/alliance",
        f"night-patrol/alliance/{venue_id}",
        "night-patrol/manage/alliance",
    ):
        assert client.get(f"/s/{slug}/{path}").status_code == 404, path
    home = page(client.get(f"/s/{slug}/"))
    assert "night-patrol" not in menu_of(home) and "酒吧联盟" not in home and "夜间巡逻" not in home
    types = {t["key"] for t in client.get(f"/api/v1/s/{slug}/task-types").get_json()["task_types"]}
    assert "night_patrol" not in types and "venue_visit" not in types
    assert {"night_patrol", "venue_visit"} <= {
        t["key"] for t in client.get("/api/v1/s/donghua/task-types").get_json()["task_types"]
    }
    vol = volunteer(app, slug, phone="13800000005")
    assert vol.get(f"/s/{slug}/work/venue_visit").status_code == 404


def test_huguo_runs_the_night_patrol_by_config_alone_with_its_own_data(make_app, tmp_path):
    app = make_app(STATIONS_DIR=str(stations_with_night_patrol_at_huguo(tmp_path)))
    donghua_venue = add_venue(app, "donghua", name="金马坊酒吧", licence="A1")
    huguo_venue = add_venue(app, "huguo", name="护国路清吧", licence="H1")
    client = app.test_client()

    alliance = page(client.get("/s/huguo/night-patrol/alliance"))
    assert "护国路清吧" in alliance and "护国街区酒吧不向学生售酒" in alliance
    assert "金马坊酒吧" not in alliance and "消防通道保持畅通" not in alliance
    assert client.get(f"/s/huguo/night-patrol/alliance/{donghua_venue}").status_code == 404
    assert client.get(f"/s/donghua/night-patrol/alliance/{huguo_venue}").status_code == 404
    assert "护国路清吧" not in page(client.get("/s/donghua/night-patrol/alliance"))
    home = page(client.get("/s/huguo/"))
    assert 'href="/s/huguo/night-patrol/"' in menu_of(home) and "夜间巡逻" in home
    assert "护学岗" in home  # its own brand stays

    # huguo's admin manages huguo's alliance only
    boss = admin(app, "huguo", phone="13700000019")
    assert "护国路清吧" in page(boss.get("/s/huguo/night-patrol/manage/alliance"))
    assert "金马坊酒吧" not in page(boss.get("/s/huguo/night-patrol/manage/alliance"))
    assert (
        action(boss, f"/s/huguo/night-patrol/manage/alliance/{donghua_venue}/suspend", "/s/huguo/").status_code == 404
    )

    # a night patrol at huguo, scored by huguo's settings (22:00–04:00, ×2, weekend +5)
    officer = staff(app, "huguo", phone="13700000011")
    vol = volunteer(app, "huguo", phone="13800000011")
    grant_shield_drill(app, "huguo", "13800000011")
    submission_id = patrolled(app, vol, officer, SATURDAY, "22:00", "04:00", slug="huguo", phone="13800000011")
    assert preview_lines(officer, submission_id, slug="huguo") == [
        ("任务积分", "+3"),
        ("夜间加成", "+3"),
        ("周末加分", "+5"),
    ]
    tonight = page(app.test_client().get("/s/huguo/night-patrol/"))
    assert "巡逻时段：22:00 – 04:00" in tonight

    # huguo's venue visits choose among huguo's venues; donghua's is refused there
    form = page(vol.get("/s/huguo/work/venue_visit"))
    assert "护国路清吧" in form and "金马坊酒吧" not in form
    assert visit(vol, "huguo", venue_id=donghua_venue).status_code == 400
    assert (
        visit(
            vol, "huguo", venue_id=huguo_venue, photos=1, security_staff="fail", security_staff_note="无安保"
        ).status_code
        == 302
    )
    assert decide(officer, last_submission_id(app), "approve", slug="huguo").status_code == 302
    with app.app_context():
        [finding] = list(Finding.select())
        assert finding.venue_id == huguo_venue and finding.station_id == station_of(app, "huguo").id
    assert "无安保" in page(client.get(f"/s/huguo/night-patrol/alliance/{huguo_venue}"))
    assert "无安保" not in page(client.get(f"/s/donghua/night-patrol/alliance/{donghua_venue}"))


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "key", "words"),
    [
        ("night_multiplier = 0.5", "night_multiplier", "expected a multiplier from 1"),
        ('night_multiplier = "lots"', "night_multiplier", "Not a valid number"),
        ("weekend_bonus = -1", "weekend_bonus", "expected whole points from 0 to 100"),
        ('night_start = "22:00"\nnight_end = "22:00"', "night_end", "must differ from night_start"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(tmp_path, settings, key, words):
    write_station(tmp_path, "alpha", plugins=["night_patrol"], extra=f"[plugin_settings.night_patrol]\n{settings}\n")
    with pytest.raises(StationConfigError) as refused:
        load_stations(tmp_path, registry())
    message = str(refused.value)
    assert f"key 'plugin_settings.night_patrol.{key}'" in message and words in message


def test_shipped_donghua_settings(app):
    settings = station_of(app, "donghua").plugin_config("night_patrol")
    assert (
        settings["night_start"],
        settings["night_end"],
        settings["night_multiplier"],
        settings["weekend_bonus"],
    ) == (
        "20:00",
        "02:00",
        1.5,
        2,
    )
