"""护小侠: volunteers sign up on the roster and report at the gate (到岗); the punctuality and streak bonuses."""

import re
from datetime import timedelta

import pytest

from core.models import LedgerEntry, Submission, Task
from core.tasks import TaskError
from core.tasks.review import decide
from core.tasks.signups import sign_up
from core.tasks.submissions import load_submission, submit
from plugins.school_guardian.models import Arrival

from ..tasks_helpers import officer as make_officer
from ..tasks_helpers import photo_bytes
from ..tasks_helpers import volunteer as make_volunteer
from ..tasks_pages_helpers import decide as decide_on_page
from ..tasks_pages_helpers import page, station_of, submit_work, volunteer
from .school_guardian_helpers import cell, move_task, post_roster, press, roster_url, slot_task, time_passes
from .school_guardian_week_helpers import DAY, NEXT, boss_fixture, stations_dir_fixture  # noqa: F401 - fixtures

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
