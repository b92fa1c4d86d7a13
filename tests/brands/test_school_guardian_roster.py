"""护小侠: the officers post the school-gate duty roster by page or command, each station its own schools."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from core.models import Task
from core.testing import post_form
from plugins.school_guardian.models import DutySlot

from ..tasks_helpers import officer as make_officer
from ..tasks_pages_helpers import menu_of, officer, page, station_of, volunteer
from .school_guardian_helpers import SHANGHAI, cell, post_roster, roster_url, slot_task
from .school_guardian_week_helpers import DAY, NEXT, boss_fixture, stations_dir_fixture  # noqa: F401 - fixtures

PER_WEEK = 3 * 3 * 4  # (正门, 后门, 东门) × three windows × four school days (Wednesday is 校庆)


def huguo_tasks(app, slug="huguo"):
    with app.app_context():
        return list(Task.select().where(Task.station == station_of(app, slug).id).order_by(Task.starts_at, Task.id))


# ---------------------------------------------------------------------------
# Posting the roster
# ---------------------------------------------------------------------------


def test_posting_a_week_gives_one_task_per_school_gate_window_and_school_day(app, boss):
    response = post_roster(boss, DAY["mon"], DAY["fri"])
    assert response.status_code == 302
    assert f"已发布 {PER_WEEK} 个护学岗" in page(boss.get(response.headers["Location"]))
    tasks = huguo_tasks(app)
    assert len(tasks) == PER_WEEK
    assert {task.type_key for task in tasks} == {"school_gate_duty"}
    with app.app_context():
        slots = list(DutySlot.select())
    assert DAY["wed"] not in {slot.day for slot in slots}  # 校庆: no duties
    assert {(slot.school, slot.gate) for slot in slots} == {
        ("昆明市长春小学", "正门"),
        ("昆明市长春小学", "后门"),
        ("护国路小学", "东门"),
    }

    # Asia/Shanghai: 07:30 at 昆明市长春小学 is 23:30 UTC the evening before; 护国路小学 has its own morning.
    morning = slot_task(app, DAY["tue"])
    assert morning.starts_at == datetime.combine(DAY["tue"], time(7, 30), SHANGHAI).astimezone(UTC).replace(tzinfo=None)
    assert morning.ends_at - morning.starts_at == timedelta(minutes=40)
    assert morning.title == "昆明市长春小学 正门 早间入校护学岗" and morning.capacity == 2
    east = slot_task(app, DAY["tue"], school="护国路小学", gate="东门")
    assert east.starts_at.replace(tzinfo=UTC).astimezone(SHANGHAI).strftime("%H:%M") == "07:40" and east.capacity == 1
    afternoon = slot_task(app, DAY["fri"], window="afternoon", gate="后门")
    assert afternoon.starts_at.replace(tzinfo=UTC).astimezone(SHANGHAI).strftime("%H:%M") == "16:30"

    # The roster shows the week: the holiday by name, the slots open.
    roster = page(boss.get(roster_url(DAY["mon"])))
    assert "放假" in roster and "校庆" in roster
    assert roster.count('class="slot open') == 2 * 3 * 4
    assert "空缺 2 / 2" in cell(roster, morning.id)


def test_posting_the_same_range_again_adds_nothing(app, boss):
    post_roster(boss, DAY["mon"], DAY["fri"])
    again = post_roster(boss, DAY["mon"], DAY["fri"])
    shown = page(boss.get(again.headers["Location"]))
    assert "没有新的护学岗可发布" in shown and f"有 {PER_WEEK} 个护学岗此前已发布" in shown
    assert len(huguo_tasks(app)) == PER_WEEK
    # a longer range adds only what is new: the next week, five school days
    post_roster(boss, DAY["mon"], NEXT["fri"])
    assert len(huguo_tasks(app)) == PER_WEEK + 3 * 3 * 5
    with app.app_context():
        keys = [(s.school, s.gate, s.window, s.day) for s in DutySlot.select()]
    assert len(keys) == len(set(keys)) == PER_WEEK + 45


def test_the_plugins_command_posts_the_roster_too(app, runner):
    with app.app_context():
        boss = make_officer(app)
    args = [
        "school-guardian",
        "post-roster",
        "--station",
        "huguo",
        "--officer",
        boss.phone,
        "--from",
        DAY["mon"].isoformat(),
        "--to",
        DAY["fri"].isoformat(),
    ]
    result = runner.invoke(args)
    assert result.exit_code == 0, result.output
    assert f"posted {PER_WEEK};" in result.output and "昆明市长春小学: 24 new" in result.output
    assert "posted 0; posted before 36" in runner.invoke(args).output
    refused = runner.invoke([*args[:4], "--officer", "13000000000", *args[6:]])
    assert refused.exit_code != 0 and "no officer of huguo" in refused.output


def test_each_station_posts_and_shows_only_its_own_schools(app, boss):
    post_roster(boss, DAY["mon"], DAY["fri"])
    other = officer(app, "xiaonanmen", phone="13700000002")
    post_roster(other, DAY["mon"], DAY["fri"], slug="xiaonanmen")
    assert len(huguo_tasks(app, "xiaonanmen")) == 3 * 5  # 南门 × three windows × five days: no 校庆 there
    with app.app_context():
        by_station = {
            slug: {slot.school for slot in DutySlot.select().where(DutySlot.station == station_of(app, slug).id)}
            for slug in ("huguo", "xiaonanmen")
        }
    assert by_station == {"huguo": {"昆明市长春小学", "护国路小学"}, "xiaonanmen": {"五华区小南门小学"}}
    huguo = page(boss.get(roster_url(DAY["mon"])))
    xiaonanmen = page(other.get(roster_url(DAY["mon"], "xiaonanmen")))
    assert "昆明市长春小学" in huguo and "正门" in huguo and "后门" in huguo and "小南门" not in huguo
    assert (
        "五华区小南门小学" in xiaonanmen
        and "南门" in xiaonanmen
        and "长春" not in xiaonanmen
        and "校庆" not in xiaonanmen
    )
    assert other.get(roster_url(DAY["mon"], "xiaonanmen", number=2)).status_code == 404
    schools = page(other.get("/s/xiaonanmen/school-guardian/"))
    assert "五华区小南门小学" in schools and "护国路小学" not in schools


def test_only_officers_post_the_roster_and_see_it_in_their_menu(app, boss):
    assert "/s/huguo/school-guardian/roster/post" in menu_of(page(boss.get("/s/huguo/")))
    client = volunteer(app)
    assert "/s/huguo/school-guardian/roster/post" not in menu_of(page(client.get("/s/huguo/")))
    assert client.get("/s/huguo/school-guardian/roster/post").status_code == 403
    bad = post_roster(boss, DAY["fri"], DAY["mon"])
    assert bad.status_code == 400 and "不早于开始日期" in page(bad)
    assert huguo_tasks(app) == []


WEEK_SHOWN = re.compile(r'<p class="week">[^<]*?(\d{4}-\d{2}-\d{2})[^<]*</p>')


def test_a_week_outside_the_years_2000_to_2999_shows_the_current_week_like_an_unreadable_one(app, client):
    default = WEEK_SHOWN.search(page(client.get("/s/huguo/school-guardian/schools/1/roster"))).group(1)
    for week in ("0001-01-01", "1999-12-31", "3000-01-01", "9999-12-31", "yesterday"):
        shown = client.get(f"/s/huguo/school-guardian/schools/1/roster?week={week}")
        assert shown.status_code == 200, week
        assert WEEK_SHOWN.search(page(shown)).group(1) == default, week
    last = page(client.get("/s/huguo/school-guardian/schools/1/roster?week=2999-12-31"))
    assert WEEK_SHOWN.search(last).group(1) == "2999-12-30"  # the last week still readable


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("9999-12-31", "9999-12-31", "first_date"),
        ("2999-12-30", "3000-01-02", "last_date"),
        ("0001-01-01", "0001-01-03", "first_date"),
    ],
)
def test_posting_a_roster_outside_the_years_2000_to_2999_is_refused_naming_the_field(app, boss, first, last, field):
    form = {"first_date": first, "last_date": last}
    refused = post_form(boss, "/s/huguo/school-guardian/roster/post", form)
    assert refused.status_code == 400
    text = page(refused)
    assert f'id="{field}-problem"' in text and f'name="{field}" value="{form[field]}"' in text
    assert huguo_tasks(app) == []


def test_the_roster_command_refuses_a_range_outside_the_years_2000_to_2999(app, runner):
    with app.app_context():
        boss = make_officer(app)
    result = runner.invoke(
        [
            "school-guardian",
            "post-roster",
            "--station",
            "huguo",
            "--officer",
            boss.phone,
            "--from",
            "9999-12-31",
            "--to",
            "9999-12-31",
        ]
    )
    assert result.exit_code != 0 and "first_date" in result.output
    assert huguo_tasks(app) == []
