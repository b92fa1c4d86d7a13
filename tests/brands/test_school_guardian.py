"""护小侠 (school_guardian) at huguo and xiaonanmen: schools, windows and
holidays in the station config; the officers' duty roster posted with
``post_weekly``; volunteers signing up and reporting at the gate (到岗) on
the week's roster; the punctuality and streak bonuses; 校园周边隐患 reports
and each school's hazard board; and nothing of it at donghua.

The test world (school_guardian_helpers.write_world) puts a holiday on the
Wednesday of a week two weeks ahead, so every date used is still to come.
"""

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from core.config import StationConfigError, load_stations
from core.models import LedgerEntry, Submission, Task
from core.tasks import TaskError
from core.tasks.review import decide
from core.tasks.signups import sign_up
from core.tasks.submissions import load_submission, submit
from core.testing import post_form, write_station
from plugins.school_guardian.models import Arrival, DutySlot
from tests.config.helpers import registry
from tests.conftest import REPO

from ..tasks_helpers import officer as make_officer
from ..tasks_helpers import photo_bytes
from ..tasks_helpers import volunteer as make_volunteer
from ..tasks_pages_helpers import decide as decide_on_page
from ..tasks_pages_helpers import (
    menu_of,
    officer,
    page,
    station_of,
    submit_work,
    volunteer,
)
from .school_guardian_helpers import (
    SHANGHAI,
    api_token,
    cell,
    first_monday,
    move_task,
    post_roster,
    press,
    report_hazard,
    roster_url,
    slot_task,
    time_passes,
    write_world,
)

MONDAY = first_monday()
DAY = {name: MONDAY + timedelta(days=offset) for offset, name in enumerate(["mon", "tue", "wed", "thu", "fri"])}
NEXT = {name: day + timedelta(days=7) for name, day in DAY.items()}
PER_WEEK = 3 * 3 * 4  # (正门, 后门, 东门) × three windows × four school days (Wednesday is 校庆)


@pytest.fixture
def redarmband_stations_dir(tmp_path):
    directory = tmp_path / "school-guardian-stations"
    directory.mkdir()
    return write_world(directory, MONDAY)


@pytest.fixture
def boss(app):
    """huguo's officer, signed in."""
    return officer(app)


def huguo_tasks(app, slug="huguo"):
    with app.app_context():
        return list(Task.select().where(Task.station == station_of(app, slug).id).order_by(Task.starts_at, Task.id))


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


# ---------------------------------------------------------------------------
# The roster: signing up, and 到岗
# ---------------------------------------------------------------------------


def test_a_volunteer_fills_an_empty_slot_from_the_roster(app, boss):
    post_roster(boss, DAY["mon"], DAY["fri"])
    task = slot_task(app, DAY["thu"], window="noon", gate="后门")
    client = volunteer(app, name="李红")
    before = cell(page(client.get(roster_url(DAY["mon"]))), task.id)
    assert "空缺 2 / 2" in before and "李红" not in before and "报名" in before
    done = press(client, DAY["mon"], f"/s/huguo/school-guardian/duties/{task.id}/signup")
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"week={DAY['mon'].isoformat()}#slot-{task.id}"
    )
    roster = page(client.get(done.headers["Location"]))
    assert "已报名：昆明市长春小学 后门 午间护学岗" in roster
    after = cell(roster, task.id)
    assert "李红" in after and "✓ 你" in after and "空缺 1 / 2" in after and 'class="sign-up"' not in after
    # the officer sees who is on; a visitor sees the open places but no names
    assert "李红" in cell(page(boss.get(roster_url(DAY["mon"]))), task.id)
    visitor = app.test_client().get(roster_url(DAY["mon"]))
    assert visitor.status_code == 200 and "李红" not in page(visitor) and "空缺 1 / 2" in cell(page(visitor), task.id)
    # and it is core's sign-up: the task is in the volunteer's own task list
    assert "昆明市长春小学 后门 午间护学岗" in page(client.get("/s/huguo/tasks"))


def test_refused_sign_ups_are_said_plainly(app, boss):
    post_roster(boss, DAY["mon"], DAY["fri"])
    east = slot_task(app, DAY["mon"], school="护国路小学", gate="东门")  # one volunteer per slot
    first, second = volunteer(app, name="李红"), volunteer(app, name="王芳", phone="13800000002")
    url = f"/s/huguo/school-guardian/duties/{east.id}/signup"
    assert press(first, DAY["mon"], url, number=2).status_code == 302
    twice = press(first, DAY["mon"], url, number=2)
    assert twice.status_code == 409 and "你已经报名了这个护学岗" in page(twice)
    full = press(second, DAY["mon"], url, number=2)
    assert full.status_code == 409 and "抱歉，这个护学岗已满" in page(full)
    assert 'class="slot full' in page(full) and "refused" in cell(page(full), east.id)
    assert press(boss, DAY["mon"], url, number=2).status_code == 403  # officers do not sign up
    with app.app_context():
        assert Task.get_by_id(east.id).taken == 1


def _signed_up_volunteer(app, boss, day, **slot):
    post_roster(boss, DAY["mon"], DAY["fri"])
    task = slot_task(app, day, **slot)
    client = volunteer(app)
    assert press(client, day, f"/s/huguo/school-guardian/duties/{task.id}/signup").status_code == 302
    return client, task


def _approve_through_the_pages(app, client, boss, task):
    """The duty begins, the volunteer sends the work, the officer sees the breakdown and approves."""
    time_passes(app, task.id)
    assert submit_work(client, f"/s/huguo/tasks/{task.id}/submit", photos=1).status_code == 302
    with app.app_context():
        submission = Submission.get(Submission.task == task.id)
    preview = page(boss.get(f"/s/huguo/manage/review/{submission.id}"))
    assert decide_on_page(boss, submission.id, "approve").status_code == 302
    with app.app_context():
        entry = LedgerEntry.get_by_id(Submission.get_by_id(submission.id).entry_id)
    return preview, {line["rule"]: line["points"] for line in entry.breakdown}


def test_reporting_at_the_gate_before_the_start_earns_the_punctuality_bonus(app, boss):
    client, task = _signed_up_volunteer(app, boss, DAY["tue"])
    assert 'class="arrive"' not in cell(page(client.get(roster_url(DAY["mon"]))), task.id)  # days ahead: not yet
    move_task(app, task.id, timedelta(minutes=30))  # the morning comes: the duty starts in half an hour
    assert 'class="arrive"' in cell(page(client.get(roster_url(DAY["mon"]))), task.id)
    done = press(client, DAY["mon"], f"/s/huguo/school-guardian/duties/{task.id}/arrive")
    assert done.status_code == 302
    roster = page(client.get(done.headers["Location"]))
    assert re.search(r"已于 \d\d:\d\d 到岗", roster)
    assert "已到岗" in cell(roster, task.id) and 'class="arrive"' not in cell(roster, task.id)
    preview, lines = _approve_through_the_pages(app, client, boss, task)
    assert "准时到岗" in preview
    assert lines == {"core.task": 2, "school_guardian.punctuality": 1}
    mine = page(client.get("/s/huguo/me/submissions"))
    assert "准时到岗" in mine


def test_reporting_after_the_start_earns_no_punctuality_bonus(app, boss):
    client, task = _signed_up_volunteer(app, boss, DAY["tue"])
    move_task(app, task.id, -timedelta(minutes=5))  # already begun when they arrive
    assert press(client, DAY["mon"], f"/s/huguo/school-guardian/duties/{task.id}/arrive").status_code == 302
    with app.app_context():
        assert Arrival.select().where(Arrival.task == task.id).count() == 1
    preview, lines = _approve_through_the_pages(app, client, boss, task)
    assert "准时到岗" not in preview
    assert lines == {"core.task": 2}


def test_no_punctuality_bonus_without_reporting_at_the_gate(app, boss):
    client, task = _signed_up_volunteer(app, boss, DAY["tue"])
    _preview, lines = _approve_through_the_pages(app, client, boss, task)
    assert lines == {"core.task": 2}


def test_refused_arrivals_are_said_plainly(app, boss):
    client, task = _signed_up_volunteer(app, boss, DAY["tue"])
    url = f"/s/huguo/school-guardian/duties/{task.id}/arrive"
    early = press(client, DAY["mon"], url)
    assert early.status_code == 409 and "太早了" in page(early)
    stranger = volunteer(app, name="王芳", phone="13800000002")
    move_task(app, task.id, timedelta(minutes=20))
    not_on = press(stranger, DAY["mon"], url)
    assert not_on.status_code == 409 and "请先报名这个护学岗" in page(not_on)
    assert press(client, DAY["mon"], url).status_code == 302
    again = press(client, DAY["mon"], url)
    assert again.status_code == 409 and "你已经到岗了" in page(again)
    with app.app_context():
        assert Arrival.select().count() == 1


# ---------------------------------------------------------------------------
# The streak bonus
# ---------------------------------------------------------------------------


def _duty(app, huguo, boss, vol, day, window):
    """``vol`` does the duty of ``day`` (正门, ``window``); returns the pending submission."""
    task = slot_task(app, day, window=window)
    sign_up(huguo, vol, task.id, now=task.starts_at - timedelta(hours=1))
    data = load_submission({"task_id": task.id, "text": "护送学生过马路", "fields": {"children_helped": 30}})
    return submit(huguo, vol, data, [photo_bytes()], now=task.starts_at + timedelta(minutes=10)), task


def _approve(huguo, boss, submission, task):
    decided, _review = decide(huguo, boss, submission.id, "approve", now=task.ends_at + timedelta(hours=1))
    return {line["rule"]: line["points"] for line in LedgerEntry.get_by_id(decided.entry_id).breakdown}


@pytest.fixture
def two_weeks(app, boss):
    post_roster(boss, DAY["mon"], NEXT["fri"])


def test_the_fifth_consecutive_school_day_earns_the_streak_bonus(app, two_weeks):
    # Mon, Tue, (Wednesday is 校庆), Thu, Fri, (the weekend), Mon: five school days in a row
    with app.app_context():
        huguo, chief = station_of(app), make_officer(app)
        vol = make_volunteer(app)
        streaks = []
        for day in (DAY["mon"], DAY["tue"], DAY["thu"], DAY["fri"], NEXT["mon"]):
            submission, task = _duty(app, huguo, chief, vol, day, "morning")
            streaks.append(_approve(huguo, chief, submission, task).get("school_guardian.streak", 0))
        assert streaks == [0, 0, 0, 0, 3]
        # a second duty on a day already counted adds no streak
        submission, task = _duty(app, huguo, chief, vol, NEXT["mon"], "afternoon")
        assert "school_guardian.streak" not in _approve(huguo, chief, submission, task)


def test_a_missed_school_day_breaks_the_streak(app, two_weeks):
    # Mon, Tue, Thu — Friday missed — Mon, Tue, Wed, Thu: never five in a row
    with app.app_context():
        huguo, chief = station_of(app), make_officer(app)
        vol = make_volunteer(app)
        days = (DAY["mon"], DAY["tue"], DAY["thu"], NEXT["mon"], NEXT["tue"], NEXT["wed"], NEXT["thu"])
        for day in days:
            submission, task = _duty(app, huguo, chief, vol, day, "noon")
            assert "school_guardian.streak" not in _approve(huguo, chief, submission, task), day
        # one more day makes five in a row again
        submission, task = _duty(app, huguo, chief, vol, NEXT["fri"], "noon")
        assert _approve(huguo, chief, submission, task)["school_guardian.streak"] == 3


def test_gate_duty_is_done_only_as_a_posted_duty_so_no_self_started_day_feeds_the_streak(app):
    with app.app_context():
        huguo = station_of(app)
        vol = make_volunteer(app)
        assert not huguo.task_type("school_gate_duty").self_start
        data = load_submission(
            {"type": "school_gate_duty", "text": "护送学生过马路", "fields": {"children_helped": 30}}
        )
        with pytest.raises(TaskError) as refused:
            submit(huguo, vol, data, [photo_bytes()])
        assert refused.value.status == 400 and "type" in refused.value.fields
        assert Submission.select().count() == 0
    client = volunteer(app, phone="13800000009")
    assert client.get("/s/huguo/work/school_gate_duty").status_code == 404
    offered = page(client.get("/s/huguo/tasks"))
    assert "/s/huguo/work/school_hazard" in offered and "/s/huguo/work/school_gate_duty" not in offered


def test_the_streak_bonus_does_not_depend_on_the_order_of_approval(app, two_weeks):
    with app.app_context():
        huguo, chief = station_of(app), make_officer(app)
        vol = make_volunteer(app)
        done = {
            day: _duty(app, huguo, chief, vol, day, "afternoon")
            for day in (DAY["mon"], DAY["tue"], DAY["thu"], DAY["fri"], NEXT["mon"])
        }
        streaks = {}
        for day in (
            NEXT["mon"],
            DAY["mon"],
            DAY["tue"],
            DAY["fri"],
            DAY["thu"],
        ):  # Thursday, approved last, joins the runs
            streaks[day] = _approve(huguo, chief, *done[day]).get("school_guardian.streak", 0)
        assert streaks[DAY["thu"]] == 3 and sum(streaks.values()) == 3


# ---------------------------------------------------------------------------
# 校园周边隐患 and the hazard board
# ---------------------------------------------------------------------------


@pytest.fixture
def reporter(app):
    volunteer(app, name="李红")
    return api_token(app.test_client(), "13800000001")


def test_a_hazard_report_needs_location_photo_and_one_of_the_stations_schools(app, client, reporter):
    no_place = report_hazard(client, reporter, location=None)
    assert no_place.status_code == 400 and "location" in no_place.get_json()["error"]["fields"]
    no_photo = report_hazard(client, reporter, photos=0)
    assert no_photo.status_code == 400 and "photos" in no_photo.get_json()["error"]["fields"]
    elsewhere = report_hazard(client, reporter, school="五华区小南门小学")  # xiaonanmen's school
    assert elsewhere.status_code == 400
    assert "五华区小南门小学" in elsewhere.get_json()["error"]["fields"]["fields.school"][0]
    with app.app_context():
        assert Submission.select().count() == 0
    assert report_hazard(client, reporter).status_code == 201


def test_a_hazard_report_without_location_is_refused_on_the_page_too(app):
    client = volunteer(app)
    form = client.get("/s/huguo/work/school_hazard")
    assert '<option value="昆明市长春小学">' in page(form) and '<option value="五华区小南门小学">' not in page(form)
    fields = {"school": "昆明市长春小学", "kind": "falling_object", "description": "太阳能热水器被风刮落在学校后巷"}
    refused = submit_work(client, "/s/huguo/work/school_hazard", photos=1, fields=fields)
    assert refused.status_code == 400 and "上报隐患须附位置" in page(refused)
    sent = submit_work(
        client,
        "/s/huguo/work/school_hazard",
        photos=1,
        fields=fields,
        extra={"latitude": "25.0453", "longitude": "102.7046"},
    )
    assert sent.status_code == 302


def test_the_hazard_board_lists_the_schools_reports_newest_first(app, client, reporter, boss):
    first = report_hazard(client, reporter, description="太阳能热水器被风刮落在学校后巷").get_json()["id"]
    report_hazard(client, reporter, school="护国路小学", description="东门外井盖破损")
    second = report_hazard(client, reporter, photos=2, kind="traffic", description="放学时段车辆占用斑马线").get_json()[
        "id"
    ]

    volunteer_client = _client_of(app, "13800000001")
    board = page(volunteer_client.get("/s/huguo/school-guardian/schools/1/hazards"))
    assert board.index(f'id="hazard-{second}"') < board.index(f'id="hazard-{first}"')
    assert "井盖破损" not in board and "待审核" in board and "太阳能热水器被风刮落在学校后巷" in board
    assert "交通隐患" in board
    thumb = f"/s/huguo/submissions/{first}/photos/1/thumb"
    assert thumb in board  # the submitter sees their photos
    assert volunteer_client.get(re.search(re.escape(thumb) + r'[^"]*', board).group(0)).status_code == 200
    assert thumb in page(boss.get("/s/huguo/school-guardian/schools/1/hazards"))  # and the officer
    other = volunteer(app, name="王芳", phone="13800000002")
    theirs = page(other.get("/s/huguo/school-guardian/schools/1/hazards"))
    assert "太阳能热水器被风刮落在学校后巷" in theirs and "/photos/" not in theirs and "张照片（仅民警可见）" in theirs
    assert "东门外井盖破损" in page(other.get("/s/huguo/school-guardian/schools/2/hazards"))

    # the officer confirms it; the board says so
    with app.app_context():
        decide(station_of(app), make_officer(app), first, "approve")
    assert "已核实" in page(other.get("/s/huguo/school-guardian/schools/1/hazards"))
    # visitors sign in first; another station's people find nothing here
    assert app.test_client().get("/s/huguo/school-guardian/schools/1/hazards").status_code == 302
    stranger = volunteer(app, "xiaonanmen", phone="13800000003")
    assert stranger.get("/s/huguo/school-guardian/schools/1/hazards").status_code == 404
    assert "太阳能热水器" not in page(stranger.get("/s/xiaonanmen/school-guardian/schools/1/hazards"))


def _client_of(app, phone):
    from ..tasks_pages_helpers import sign_in

    return sign_in(app, "huguo", phone)


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
