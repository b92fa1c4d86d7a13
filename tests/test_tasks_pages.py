"""Task pages: the school-gate flow end to end, menus, sign-ups, the posting forms, English and sign-in."""

import re
from datetime import timedelta

import pytest

from core.models import QualificationGrant, Signup, Submission, Task, User, utcnow
from core.testing import csrf_token_from, post_form

from .tasks_pages_helpers import (
    TITLE,
    action,
    app_with_shield_patrol,
    begin,
    decide,
    last_submission_id,
    local_input,
    local_text,
    menu_of,
    officer,
    page,
    post_task,
    posted_task,
    sign_up,
    submit_work,
    task_id_of,
    user_id,
    volunteer,
)

# ---------------------------------------------------------------------------
# The school-gate flow, end to end
# ---------------------------------------------------------------------------


def test_school_gate_duty_posted_signed_up_submitted_reviewed_and_seen(app):
    boss = officer(app)
    posted = post_task(boss, title=TITLE)
    assert posted.status_code == 302 and posted.headers["Location"] == "/s/huguo/manage/tasks"
    assert "已发布：长春小学正门护学岗" in page(boss.get("/s/huguo/manage/tasks"))
    task_id = task_id_of(app, TITLE)
    with app.app_context():
        task = Task.get_by_id(task_id)
    assert task.ends_at - task.starts_at == timedelta(hours=1)

    # The volunteer sees the task in the station's time and signs up.
    vol = volunteer(app)
    listing = page(vol.get("/s/huguo/tasks"))
    assert "护学岗" in listing and TITLE in listing and "昆明市长春小学正门" in listing
    assert local_text(task.starts_at) in listing  # station-local, not UTC
    assert "剩余 3 个名额（共 3 个）" in listing
    assert f'action="/s/huguo/tasks/{task_id}/signup"' in listing
    assert sign_up(vol, task_id).status_code == 302
    listing = page(vol.get("/s/huguo/tasks"))
    assert "报名成功" in listing and "✓ 已报名" in listing and "剩余 2 个名额（共 3 个）" in listing
    assert f'action="/s/huguo/tasks/{task_id}/withdraw"' in listing

    # Once the duty has begun, the work form asks for what the type needs.
    begin(app, task_id)
    form = page(vol.get(f"/s/huguo/tasks/{task_id}/submit"))
    assert 'type="file" name="photos"' in form and "multiple" in form
    assert 'accept="image/jpeg,image/png,image/webp"' in form and "capture" in form
    assert "请上传 1 至 9 张照片。" in form
    assert re.search(r'<input type="number" name="fields.children_helped"[^>]*min="0" max="5000"', form)
    assert "护送学生人数" in form and 'name="latitude"' in form and 'name="longitude"' in form
    sent = submit_work(
        vol,
        f"/s/huguo/tasks/{task_id}/submit",
        text="护送学生 40 人过马路",
        fields={"children_helped": "40"},
        extra={"latitude": "25.0437", "longitude": "102.7068"},
    )
    assert sent.status_code == 302 and sent.headers["Location"] == "/s/huguo/me/submissions"
    submission_id = last_submission_id(app)
    mine = page(vol.get("/s/huguo/me/submissions"))
    assert "待审核" in mine and "护送学生 40 人过马路" in mine
    assert f"/s/huguo/submissions/{submission_id}/photos/2/thumb" in mine

    # The officer sees it waiting, with the breakdown approving would book.
    queue = page(boss.get("/s/huguo/manage/review"))
    assert "审核 (1)" in menu_of(queue) and "发布任务" in menu_of(queue)
    assert f"/s/huguo/manage/review/{submission_id}" in queue and "李红" in queue
    review = page(boss.get(f"/s/huguo/manage/review/{submission_id}"))
    assert "护送学生 40 人过马路" in review and "护送学生人数" in review and ">40<" in review
    assert "25.0437, 102.7068" in review
    for n in (1, 2):
        assert f'href="/s/huguo/submissions/{submission_id}/photos/{n}?v=' in review
        assert f'src="/s/huguo/submissions/{submission_id}/photos/{n}/thumb?v=' in review
    preview = review.split('id="preview-title"')[1]
    assert "任务积分" in preview and "+2" in preview
    assert '<dd class="points total">2</dd>' in preview
    approved = decide(boss, submission_id, "approve")
    assert approved.status_code == 302
    assert "已通过：李红获得 2 积分、1 小时服务时长。" in page(boss.get("/s/huguo/manage/review"))

    # The volunteer hears of it and sees points, hours and the booked breakdown.
    home = page(vol.get("/s/huguo/"))
    assert "通知 (1)" in menu_of(home)
    mine = page(vol.get("/s/huguo/me/submissions"))
    assert "已通过" in mine and '<dd class="points">+2</dd>' in mine and '<dd class="points">1</dd>' in mine
    assert re.search(r'class="breakdown".*任务积分</span> <span>\+2</span>', mine, re.DOTALL)
    notes = page(vol.get("/s/huguo/me/notifications"))
    assert "你的“护学岗”工作已通过：2 积分，1 小时。" in notes
    assert "通知 (1)" not in menu_of(notes) and "通知" in menu_of(notes)  # opening the page read them
    hours = page(vol.get("/s/huguo/me/hours"))
    assert '<dd class="points">1</dd>' in hours and "☆☆☆☆☆" in hours
    assert "距下一星级还需 99 小时（100 小时）。" in hours and "护学岗" in hours
    with app.app_context():
        assert User.get(User.phone == "13800000001").points_balance == 2
        assert Submission.get_by_id(submission_id).minutes == 60


def test_the_menus_show_the_task_entries_with_counts(app):
    vol = volunteer(app)
    menu = menu_of(page(vol.get("/s/huguo/")))
    for label, href in (
        ("任务", "/s/huguo/tasks"),
        ("我的提交", "/s/huguo/me/submissions"),
        ("服务时长", "/s/huguo/me/hours"),
    ):
        assert f'<a href="{href}">{label}</a>' in menu
    assert '<a href="/s/huguo/me/notifications">通知</a>' in menu
    assert "/s/huguo/manage/review" not in menu
    boss = officer(app)
    menu = menu_of(page(boss.get("/s/huguo/")))
    assert (
        '<a href="/s/huguo/manage/tasks">发布任务</a>' in menu and '<a href="/s/huguo/manage/review">审核</a>' in menu
    )
    assert "/s/huguo/tasks" not in menu


# ---------------------------------------------------------------------------
# Sign-up refusals
# ---------------------------------------------------------------------------


def test_a_full_task_refuses_the_next_volunteer_and_changes_nothing(app):
    boss = officer(app)
    task_id = posted_task(app, boss, capacity="1")
    first = volunteer(app, name="王一", phone="13800000011")
    second = volunteer(app, name="王二", phone="13800000012")
    assert sign_up(first, task_id).status_code == 302
    refused = sign_up(second, task_id)
    assert refused.status_code == 409
    assert "抱歉，这个任务的名额已满。" in page(refused) and 'role="alert"' in page(refused)
    with app.app_context():
        assert Task.get_by_id(task_id).taken == 1
        assert Signup.select().where(Signup.task == task_id).count() == 1

    # withdrawing frees the place for the next one
    assert action(first, f"/s/huguo/tasks/{task_id}/withdraw").status_code == 302
    assert sign_up(second, task_id).status_code == 302


def test_a_started_task_can_be_neither_signed_up_for_nor_left(app):
    boss = officer(app)
    task_id = posted_task(app, boss)
    early = volunteer(app, phone="13800000021")
    assert sign_up(early, task_id).status_code == 302
    begin(app, task_id)
    late = volunteer(app, phone="13800000022")
    refused = sign_up(late, task_id)
    assert refused.status_code == 409 and "任务已经开始，报名已截止。" in page(refused)
    left = action(early, f"/s/huguo/tasks/{task_id}/withdraw")
    assert left.status_code == 409 and "任务已经开始，不能再取消报名。" in page(left)
    with app.app_context():
        assert Task.get_by_id(task_id).taken == 1


def test_work_needing_a_qualification_says_which_until_an_officer_records_it(make_app, tmp_path):
    app = app_with_shield_patrol(make_app, tmp_path)
    boss = officer(app)
    task_id = posted_task(app, boss, type="shield_patrol", title="夜间持盾巡逻")
    vol = volunteer(app)
    refused = sign_up(vol, task_id)
    assert refused.status_code == 403
    assert "这项工作需要“一棍一盾”资格" in page(refused)
    with app.app_context():
        assert Task.get_by_id(task_id).taken == 0

    # The officer records the drill on the volunteer's page; then sign-up works.
    vol_id = user_id(app, "13800000001")
    detail = page(boss.get(f"/s/huguo/manage/volunteers/{vol_id}"))
    assert "一棍一盾" in detail and "尚未取得" in detail
    token = csrf_token_from(boss.get(f"/s/huguo/manage/volunteers/{vol_id}"))
    url = f"/s/huguo/manage/volunteers/{vol_id}/qualifications"
    granted = boss.post(url, data={"csrf_token": token, "key": "shield_drill", "action": "grant"})
    assert granted.status_code == 302
    assert "已登记：李红取得“一棍一盾”资格。" in page(boss.get(f"/s/huguo/manage/volunteers/{vol_id}"))
    again = boss.post(url, data={"csrf_token": token, "key": "shield_drill", "action": "grant"})
    assert again.status_code == 409 and "该志愿者已取得这项资格。" in page(again)
    assert sign_up(vol, task_id).status_code == 302

    revoked = boss.post(url, data={"csrf_token": token, "key": "shield_drill", "action": "revoke"})
    assert revoked.status_code == 302
    with app.app_context():
        assert not QualificationGrant.select().where(QualificationGrant.volunteer == vol_id).exists()
    unknown = boss.post(url, data={"csrf_token": token, "key": "made_up", "action": "grant"})
    assert unknown.status_code == 400 and "请从列表中选择一项资格。" in page(unknown)


def test_another_stations_task_and_pages_are_not_there(app):
    boss = officer(app, slug="xiaonanmen", phone="13700000009")
    task_id = posted_task(app, boss, "xiaonanmen", title="小南门护学岗")
    vol = volunteer(app)
    with app.app_context():
        assert Task.get_by_id(task_id).station.slug == "xiaonanmen"
    assert sign_up(vol, task_id).status_code == 404
    assert "小南门护学岗" not in page(vol.get("/s/huguo/tasks"))
    assert vol.get(f"/s/huguo/tasks/{task_id}/submit").status_code == 404
    # a volunteer of huguo is no one at xiaonanmen
    assert vol.get("/s/xiaonanmen/tasks").status_code == 404
    assert vol.get("/s/xiaonanmen/me/submissions").status_code == 404
    # and officers' pages are for officers
    assert vol.get("/s/huguo/manage/review").status_code == 403
    assert vol.get("/s/huguo/manage/tasks/new").status_code == 403


# ---------------------------------------------------------------------------
# Posting forms
# ---------------------------------------------------------------------------


def test_the_task_form_refuses_an_end_before_the_start_and_keeps_what_was_typed(app):
    boss = officer(app)
    form_page = page(boss.get("/s/huguo/manage/tasks/new"))
    assert 'type="datetime-local" name="starts_at"' in form_page and '<option value="school_gate_duty"' in form_page
    start = utcnow() + timedelta(days=1)
    refused = post_task(
        boss, title="倒着的任务", starts_at=local_input(start), ends_at=local_input(start - timedelta(hours=1))
    )
    assert refused.status_code == 400
    text = page(refused)
    assert 'id="ends_at-problem"' in text and 'value="倒着的任务"' in text
    past = post_task(boss, title="过去的任务", start_in=timedelta(hours=-3))
    assert past.status_code == 400 and 'id="ends_at-problem"' in page(past)
    with app.app_context():
        assert Task.select().count() == 0


def test_a_weekly_pattern_posts_a_task_on_each_chosen_day_but_the_skipped(app):
    boss = officer(app)
    today = (utcnow() + timedelta(hours=8)).date()
    monday = today + timedelta(days=7 - today.weekday())  # next week's Monday
    form = {
        "type": "school_gate_duty",
        "title": "护学岗（早）",
        "place": "长春小学正门",
        "weekdays": ["1", "2", "3", "4", "5"],
        "start_time": "07:30",
        "end_time": "08:30",
        "first_date": monday.isoformat(),
        "last_date": (monday + timedelta(days=13)).isoformat(),
        "skip_dates": f"{(monday + timedelta(days=2)).isoformat()}，{(monday + timedelta(days=9)).isoformat()}",
        "capacity": "4",
        "notes": "",
    }
    posted = post_form(boss, "/s/huguo/manage/tasks/weekly", form)
    assert posted.status_code == 302, page(posted)
    assert "已发布 8 个任务" in page(boss.get("/s/huguo/manage/tasks"))
    with app.app_context():
        tasks = list(Task.select().order_by(Task.starts_at))
    assert len(tasks) == 8
    assert all(local_text(task.starts_at).endswith("07:30") for task in tasks)

    no_days = post_form(boss, "/s/huguo/manage/tasks/weekly", {**form, "weekdays": [], "title": "无日期"})
    assert no_days.status_code == 400 and 'id="weekdays-problem"' in page(no_days)
    bad_skip = post_form(boss, "/s/huguo/manage/tasks/weekly", {**form, "skip_dates": "下周三"})
    assert bad_skip.status_code == 400 and 'id="skip_dates-problem"' in page(bad_skip)


# ---------------------------------------------------------------------------
# Languages
# ---------------------------------------------------------------------------


def test_the_task_pages_read_in_english_on_request(app):
    boss = officer(app)
    task_id = posted_task(app, boss)
    vol = volunteer(app)
    listing = page(vol.get("/s/huguo/tasks?lang=en"))
    assert "Upcoming tasks" in listing and "School-gate duty" in listing and "3 of 3 places left" in listing
    assert '<a href="/s/huguo/tasks">Tasks</a>' in menu_of(listing)
    assert '<a href="/s/huguo/me/hours">My hours</a>' in menu_of(listing)
    sign_up(vol, task_id)
    begin(app, task_id)
    form = page(vol.get(f"/s/huguo/tasks/{task_id}/submit"))
    assert "Add 1 to 9 photos." in form and "Children helped across" in form
    submit_work(vol, f"/s/huguo/tasks/{task_id}/submit")
    submission_id = last_submission_id(app)
    review = page(boss.get(f"/s/huguo/manage/review/{submission_id}?lang=en"))
    assert "Approving books" in review and "Task points" in review
    decide(boss, submission_id, "approve")
    assert "Your School-gate duty work was approved: 2 points, 1 hours." in page(vol.get("/s/huguo/me/notifications"))
    assert "more hours to the next star" in page(vol.get("/s/huguo/me/hours"))


@pytest.mark.parametrize(
    "path",
    [
        "/s/huguo/tasks",
        "/s/huguo/me/submissions",
        "/s/huguo/me/notifications",
        "/s/huguo/me/hours",
        "/s/huguo/me/calendar",
    ],
)
def test_the_volunteers_pages_ask_for_sign_in(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 302 and "/s/huguo/login" in response.headers["Location"]
