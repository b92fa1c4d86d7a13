"""Task pages: a volunteer's calendar feed and certificates, queries per page, control characters refused."""

import logging
import re

import icalendar

from core.models import Submission, SubmissionState, Task
from core.testing import csrf_token_from

from .tasks_pages_helpers import (
    action,
    approved_work,
    begin,
    decide,
    last_submission_id,
    officer,
    page,
    posted_task,
    sign_up,
    submit_work,
    user_id,
    volunteer,
)

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
