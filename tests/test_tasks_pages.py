"""Tasks on the station's pages: officers post tasks, volunteers sign up and
submit work with photos, officers review it with the breakdown in view,
volunteers see their points, hours, notifications, calendar feed and
certificates. Shared helpers are in ``tasks_pages_helpers.py``."""

import logging
import re
from datetime import timedelta

import icalendar
import pytest

from core.models import QualificationGrant, Signup, Submission, SubmissionState, Task, User, utcnow
from core.testing import csrf_token_from, post_form

from .tasks_pages_helpers import (
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
    sign_up,
    submit_work,
    task_id_of,
    user_id,
    volunteer,
)

TITLE = "长春小学正门护学岗"


def posted_task(app, boss, slug="huguo", **overrides):
    """A task posted through the officer's form; its id."""
    overrides.setdefault("title", TITLE)
    response = post_task(boss, slug, **overrides)
    assert response.status_code == 302, page(response)
    return task_id_of(app, overrides["title"])


def approved_work(app, boss=None, vol=None):
    """A volunteer's school-gate duty done and approved: (boss, vol, task_id, submission_id)."""
    boss = boss or officer(app)
    vol = vol or volunteer(app)
    task_id = posted_task(app, boss)
    assert sign_up(vol, task_id).status_code == 302
    begin(app, task_id)
    assert submit_work(vol, f"/s/huguo/tasks/{task_id}/submit", fields={"children_helped": "40"}).status_code == 302
    submission_id = last_submission_id(app)
    assert decide(boss, submission_id, "approve").status_code == 302
    return boss, vol, task_id, submission_id


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
# Submitting work
# ---------------------------------------------------------------------------


def test_a_refused_submission_shows_each_problem_keeps_the_text_and_stores_nothing(app):
    boss = officer(app)
    task_id = posted_task(app, boss)
    vol = volunteer(app)
    sign_up(vol, task_id)
    begin(app, task_id)
    url = f"/s/huguo/tasks/{task_id}/submit"

    no_photos = submit_work(vol, url, text="今天护送了很多学生", photos=0, fields={"children_helped": "abc"})
    assert no_photos.status_code == 400
    text = page(no_photos)
    assert "今天护送了很多学生" in text  # what was typed stays
    assert 'id="photos-problem"' in text and "请上传 1 至 9 张照片。你选择了 0 张。" in text
    assert 'id="fields-children_helped-problem"' in text and "请输入 0 至 5000 之间的整数。" in text
    assert 'value="abc"' in text

    empty = submit_work(vol, url, text="   ")
    assert empty.status_code == 400 and "请描述你做了什么（最多 4000 字）。" in page(empty)

    not_a_photo = vol.post(
        url,
        data={
            "csrf_token": csrf_token_from(vol.get(url)),
            "text": "护送学生",
            "photos": [(__import__("io").BytesIO(b"not a photo"), "x.jpg", "image/jpeg")],
        },
        content_type="multipart/form-data",
    )
    assert not_a_photo.status_code == 400 and "第 1 张照片：请选择不超过 5 MB 的 JPEG、PNG 或 WebP 照片。" in page(
        not_a_photo
    )

    with app.app_context():
        assert Submission.select().count() == 0


def test_work_cannot_be_sent_before_the_task_starts_nor_twice(app):
    boss = officer(app)
    task_id = posted_task(app, boss)
    vol = volunteer(app)
    url = f"/s/huguo/tasks/{task_id}/submit"
    not_signed = submit_work(vol, url)
    assert not_signed.status_code == 409 and "请先报名这个任务，再提交工作。" in page(not_signed)
    sign_up(vol, task_id)
    early = submit_work(vol, url, text="提前写好")
    assert early.status_code == 409 and "任务还没有开始" in page(early) and "提前写好" in page(early)
    begin(app, task_id)
    assert submit_work(vol, url).status_code == 302
    twice = submit_work(vol, url)
    assert twice.status_code == 409 and "你已经提交过这个任务的工作。" in page(twice)


def test_self_started_work_counts_the_hours_the_volunteer_gives(app):
    boss = officer(app)
    vol = volunteer(app)
    url = "/s/huguo/work/patrol"
    assert "安全巡查" in page(vol.get("/s/huguo/tasks")) and url in page(vol.get("/s/huguo/tasks"))
    start = utcnow().replace(second=0, microsecond=0) - timedelta(hours=3)
    sent = submit_work(
        vol,
        url,
        text="巡查翠湖周边",
        photos=1,
        extra={"started_at": local_input(start), "ended_at": local_input(start + timedelta(minutes=90))},
    )
    assert sent.status_code == 302, page(sent)
    submission_id = last_submission_id(app)
    review = page(boss.get(f"/s/huguo/manage/review/{submission_id}"))
    assert '<dd class="points total">5</dd>' in review and "1.5" in review
    assert decide(boss, submission_id, "approve").status_code == 302
    assert '<dd class="points">1.5</dd>' in page(vol.get("/s/huguo/me/hours"))

    backwards = submit_work(
        vol,
        url,
        photos=1,
        extra={"started_at": local_input(start), "ended_at": local_input(start - timedelta(hours=1))},
    )
    assert backwards.status_code == 400 and 'id="ended_at-problem"' in page(backwards)
    assert vol.get("/s/huguo/work/no_such_type").status_code == 404


# ---------------------------------------------------------------------------
# Review
# ---------------------------------------------------------------------------


def test_a_second_decision_is_refused_as_already_decided(app):
    _boss, _vol, _task_id, submission_id = approved_work(app)
    colleague = officer(app, phone="13700000002", name="李警官")
    stale = decide(colleague, submission_id, "reject", reason="太晚了")
    assert stale.status_code == 409 and "这份工作已经有人审核过了。" in page(stale)
    with app.app_context():
        assert Submission.get_by_id(submission_id).state == SubmissionState.APPROVED
        assert User.get(User.phone == "13800000001").points_balance == 2


def test_a_decision_on_work_changed_since_the_page_was_opened_is_refused(app):
    boss = officer(app)
    vol = volunteer(app)
    task_id = posted_task(app, boss)
    sign_up(vol, task_id)
    begin(app, task_id)
    submit_work(vol, f"/s/huguo/tasks/{task_id}/submit")
    submission_id = last_submission_id(app)
    token = csrf_token_from(boss.get(f"/s/huguo/manage/review/{submission_id}"))
    changed = boss.post(
        f"/s/huguo/manage/review/{submission_id}", data={"csrf_token": token, "decision": "approve", "revision": "7"}
    )
    assert changed.status_code == 409 and "这份工作刚刚被修改过，请重新查看。" in page(changed)
    with app.app_context():
        assert Submission.get_by_id(submission_id).state == SubmissionState.PENDING


def test_rejecting_and_sending_back_need_a_reason_and_other_hours_show_their_breakdown(app):
    boss = officer(app)
    vol = volunteer(app)
    task_id = posted_task(app, boss)
    sign_up(vol, task_id)
    begin(app, task_id)
    submit_work(vol, f"/s/huguo/tasks/{task_id}/submit")
    submission_id = last_submission_id(app)
    no_reason = decide(boss, submission_id, "reject")
    assert no_reason.status_code == 400 and 'id="reason-problem"' in page(no_reason)
    odd_hours = decide(boss, submission_id, "approve", hours="abc")
    assert odd_hours.status_code == 400 and 'id="hours-problem"' in page(odd_hours)
    unexplained = decide(boss, submission_id, "approve", hours="2")
    assert unexplained.status_code == 400 and 'id="reason-problem"' in page(unexplained)
    previewed = page(boss.get(f"/s/huguo/manage/review/{submission_id}?hours=2"))
    assert '<dd class="points">2</dd>' in previewed.split('id="preview-title"')[1]  # 2 hours
    approved = decide(boss, submission_id, "approve", hours="2", reason="延长执勤")
    assert approved.status_code == 302
    mine = page(vol.get("/s/huguo/me/submissions"))
    assert '<dd class="points">2</dd>' in mine and "民警调整了时长：延长执勤" in mine


def test_work_sent_back_is_changed_and_sent_again(app):
    boss = officer(app)
    vol = volunteer(app)
    task_id = posted_task(app, boss)
    sign_up(vol, task_id)
    begin(app, task_id)
    submit_work(vol, f"/s/huguo/tasks/{task_id}/submit", text="护送学生", fields={"children_helped": "10"})
    submission_id = last_submission_id(app)
    assert decide(boss, submission_id, "return", reason="照片看不清，请重拍").status_code == 302

    notes = page(vol.get("/s/huguo/me/notifications"))
    assert "你的“护学岗”工作被退回修改：照片看不清，请重拍" in notes
    mine = page(vol.get("/s/huguo/me/submissions"))
    assert "退回修改" in mine and "照片看不清，请重拍" in mine
    resubmit_url = f"/s/huguo/me/submissions/{submission_id}/resubmit"
    assert f'action="{resubmit_url}"' in mine and 'value="10"' in mine  # the form, filled in
    again = submit_work(vol, resubmit_url, text="护送学生，已补拍照片", photos=1, fields={"children_helped": "12"})
    assert again.status_code == 302, page(again)
    with app.app_context():
        changed = Submission.get_by_id(submission_id)
        assert changed.state == SubmissionState.PENDING and changed.revision == 2
        assert changed.fields["children_helped"] == 12 and changed.photos.count() == 1
    assert "待审核" in page(vol.get("/s/huguo/me/submissions"))
    twice = submit_work(vol, resubmit_url, text="再改一次")
    assert twice.status_code == 409 and "只有被退回修改的工作才能修改。" in page(twice)


def test_the_queue_is_oldest_first_and_filters_by_type_and_volunteer(app):
    boss = officer(app)
    first = volunteer(app, name="王一", phone="13800000031")
    second = volunteer(app, name="王二", phone="13800000032")
    submit_work(first, "/s/huguo/work/patrol", text="巡查一", photos=1)
    submit_work(second, "/s/huguo/work/illegal_posters", text="清理二", photos=2)
    queue = page(boss.get("/s/huguo/manage/review"))
    assert queue.index("王一") < queue.index("王二")
    only_posters = page(boss.get("/s/huguo/manage/review?type=illegal_posters"))
    assert "清理小广告" in only_posters and "/manage/review/" in only_posters
    first_id = user_id(app, "13800000031")
    only_first = page(boss.get(f"/s/huguo/manage/review?volunteer={first_id}"))
    assert only_first.count('class="queue-item"') == 1 and "王一" in only_first
    assert boss.get("/s/huguo/manage/review?type=nope").status_code == 400


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
# Photos
# ---------------------------------------------------------------------------


def test_submission_photos_go_to_the_submitter_and_the_stations_staff_only(app):
    boss, vol, _task_id, submission_id = approved_work(app)
    url = f"/s/huguo/submissions/{submission_id}/photos/1"
    for client in (vol, boss):
        for address in (url, url + "/thumb"):
            response = client.get(address)
            assert response.status_code == 200 and response.mimetype == "image/jpeg"
            assert response.data[:2] == b"\xff\xd8"
            assert "private" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]
    other = volunteer(app, name="路人", phone="13800000041")
    assert other.get(url).status_code == 404 and other.get(url + "/thumb").status_code == 404
    elsewhere = officer(app, slug="xiaonanmen", phone="13700000008")
    assert elsewhere.get(url).status_code == 404
    assert elsewhere.get(f"/s/xiaonanmen/submissions/{submission_id}/photos/1").status_code == 404
    assert vol.get(f"/s/huguo/submissions/{submission_id}/photos/3").status_code == 404
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/s/huguo/login" in anonymous.headers["Location"]


# ---------------------------------------------------------------------------
# The calendar feed
# ---------------------------------------------------------------------------


def test_the_calendar_feed_holds_my_tasks_and_a_reset_retires_the_old_address(app):
    boss = officer(app)
    mine = posted_task(app, boss, title="我报名的护学岗")
    posted_task(app, boss, title="别人的护学岗")
    vol = volunteer(app)
    sign_up(vol, mine)

    calendar_page = page(vol.get("/s/huguo/me/calendar"))
    feed_url = re.search(r'value="(http://localhost/s/huguo/calendar/[^"]+\.ics)"', calendar_page).group(1)
    assert f'href="{feed_url.replace("http://", "webcal://")}"' in calendar_page
    path = feed_url.removeprefix("http://localhost")

    feed = app.test_client().get(path)  # no sign-in: the address is the key
    assert feed.status_code == 200 and feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(feed.data)
    events = [component for component in calendar.walk("VEVENT")]
    assert [str(event["summary"]) for event in events] == ["护学岗：我报名的护学岗"]
    with app.app_context():
        task = Task.get_by_id(mine)
    assert events[0].decoded("dtstart").replace(tzinfo=None) == task.starts_at
    assert str(events[0]["location"]) == "昆明市长春小学正门"

    assert app.test_client().get("/s/huguo/calendar/1-0123456789abcdef0123456789abcdef.ics").status_code == 404
    assert app.test_client().get("/s/huguo/calendar/nonsense.ics").status_code == 404
    user_number = path.rsplit("/", 1)[1].split("-")[0]
    assert app.test_client().get(f"/s/huguo/calendar/{user_number}-%C3%A9.ics").status_code == 404  # not a 500
    assert app.test_client().get(path.replace("/s/huguo/", "/s/xiaonanmen/")).status_code == 404

    reset = action(vol, "/s/huguo/me/calendar/reset", "/s/huguo/me/calendar")
    assert reset.status_code == 302
    assert app.test_client().get(path).status_code == 404
    new_page = page(vol.get("/s/huguo/me/calendar"))
    assert "旧地址已失效" in new_page
    new_path = re.search(r'value="http://localhost(/s/huguo/calendar/[^"]+\.ics)"', new_page).group(1)
    assert new_path != path and app.test_client().get(new_path).status_code == 200


# ---------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------


def test_an_officer_issues_a_certificate_with_the_four_parts(app):
    boss, vol, _task_id, _submission_id = approved_work(app)
    vol_id = user_id(app, "13800000001")
    token = csrf_token_from(boss.get(f"/s/huguo/manage/volunteers/{vol_id}"))
    issued = boss.post(f"/s/huguo/manage/volunteers/{vol_id}/certificates", data={"csrf_token": token})
    assert issued.status_code == 302
    url = issued.headers["Location"]
    number = re.fullmatch(r"/s/huguo/certificates/(HUGUO-\d{8}-\w{6})", url).group(1)

    for client in (boss, vol):
        text = page(client.get(url))
        assert "志愿服务证明" in text
        assert '<dd class="name">李红</dd>' in text  # identity
        assert f'<dd class="volunteer-number">HXB-{vol_id:06d}</dd>' in text
        assert "确认服务时长：1 小时" in text and "<td>护学岗</td>" in text  # hours and content
        assert "护国派出所 · 护小侠" in text and '<dd class="officer">张警官</dd>' in text  # issuer
        assert f'<dd class="certificate-number">{number}</dd>' in text  # number and date
        assert re.search(r'<dd class="issued-on">\d{4}-\d{2}-\d{2}</dd>', text)
        assert "@page { size: A4" in text and "@media print" in text
    assert number in page(vol.get("/s/huguo/me/hours"))

    stranger = volunteer(app, name="路人", phone="13800000051")
    assert stranger.get(url).status_code == 404
    assert boss.get("/s/huguo/certificates/HUGUO-20240101-XXXXXX").status_code == 404

    nobody_id = user_id(app, "13800000051")
    none_yet = boss.post(f"/s/huguo/manage/volunteers/{nobody_id}/certificates", data={"csrf_token": token})
    assert none_yet.status_code == 409 and "该志愿者还没有已确认的服务时长。" in page(none_yet)


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


# ---------------------------------------------------------------------------
# Queries per page
# ---------------------------------------------------------------------------


class _QueryCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []

    def emit(self, record):
        if record.name == "peewee":  # the SQL peewee runs (not its pool's notes)
            self.statements.append(record.getMessage())


def queries_of(client, url):
    """How many SQL statements answering GET ``url`` took."""
    logger = logging.getLogger("peewee")
    counter, level = _QueryCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        response = client.get(url)
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
    assert response.status_code == 200
    return len(counter.statements)


def test_the_volunteers_and_officers_pages_take_a_few_queries_however_many_rows(app):
    boss, vol, _task_id, _submission_id = approved_work(app)
    pages = ["/s/huguo/tasks", "/s/huguo/me/submissions", "/s/huguo/me/hours"]
    before = {url: queries_of(vol, url) for url in pages}
    queue_before = queries_of(boss, "/s/huguo/manage/review")
    for number in range(3):
        posted_task(app, boss, title=f"更多的护学岗 {number}")
        assert submit_work(vol, "/s/huguo/work/patrol", text=f"巡查 {number}", photos=1).status_code == 302
    pending = last_submission_id(app)
    for submission_id in (pending - 2, pending - 1):
        assert decide(boss, submission_id, "approve").status_code == 302
    after = {url: queries_of(vol, url) for url in pages}
    assert after == before
    assert all(count <= 10 for count in after.values()), after
    assert queries_of(boss, "/s/huguo/manage/review") == queue_before <= 10


def test_control_characters_in_a_reason_a_search_or_a_certificate_address_are_refused_not_a_crash(app):
    """PostgreSQL cannot store or compare a NUL: each is answered, not a 500."""
    boss = officer(app)
    vol = volunteer(app)
    task_id = posted_task(app, boss)
    sign_up(vol, task_id)
    begin(app, task_id)
    submit_work(vol, f"/s/huguo/tasks/{task_id}/submit")
    submission_id = last_submission_id(app)

    refused = decide(boss, submission_id, "reject", reason="看不清\x00")
    assert refused.status_code == 400
    with app.app_context():
        assert Submission.get_by_id(submission_id).state == SubmissionState.PENDING

    assert boss.get("/s/huguo/manage/volunteers?q=%E6%9D%8E%00").status_code == 200
    assert boss.get("/s/huguo/certificates/HUGUO-%00").status_code == 404
    assert boss.get("/s/huguo/certificates/" + "A" * 80).status_code == 404
