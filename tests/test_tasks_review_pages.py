"""Task pages: submitting work with its photos, and the officers' review, decisions and queue."""

from datetime import timedelta

from core.models import Submission, SubmissionState, User, utcnow
from core.testing import csrf_token_from

from .tasks_pages_helpers import (
    approved_work,
    begin,
    decide,
    last_submission_id,
    local_input,
    officer,
    page,
    posted_task,
    sign_up,
    submit_work,
    user_id,
    volunteer,
)

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
