"""东华红枫夜巡队 in a real browser, on a phone: an officer of donghua opens a
volunteer's Saturday-night patrol (20:00–02:00) for review, sees the night
multiplier and the weekend bonus as lines of the breakdown, and approves it.

The UI is Chinese by default, so elements are found by hrefs, names and CSS
classes, and the labels are the Chinese ones a donghua officer reads.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.accounts import create_user
from core.models import Role, Submission, SubmissionState, Task, User
from core.tasks import qualifications
from core.tasks.signups import sign_up
from core.tasks.submissions import load_submission, submit

from ..brands.night_patrol_helpers import SATURDAY, shift

pytestmark = pytest.mark.browser

STATION = "/s/donghua"
PASSWORD = "correct horse"
VOLUNTEER = {"name": "李红", "phone": "13812345678"}
OFFICER = {"name": "张警官", "phone": "13712345678"}


def url_is(live_server, path):
    return re.compile("^" + re.escape(live_server(path)) + r"(\?.*)?$")


def saturday_night_patrol_sent(app):
    """The officer, and a volunteer's Saturday 20:00–02:00 patrol sent for review; its id."""
    with app.app_context():
        donghua = app.extensions["redarmband"].tenancy.get("donghua")
        for role, person in ((Role.VOLUNTEER, VOLUNTEER), (Role.OFFICER, OFFICER)):
            create_user(role=role, phone=person["phone"], name=person["name"], password=PASSWORD, station_id=donghua.id)
        officer = User.get(User.phone == OFFICER["phone"])
        volunteer = User.get(User.phone == VOLUNTEER["phone"])
        qualifications.grant(donghua, officer, volunteer.id, "shield_drill")
    task_id = shift(app, "donghua", SATURDAY, "20:00", "02:00", title="周六东华街夜巡")
    with app.app_context():
        task = Task.get_by_id(task_id)
        sign_up(donghua, volunteer, task_id, now=task.starts_at - timedelta(hours=1))
        data = load_submission(
            {
                "task_id": task_id,
                "text": "巡逻酒吧街，劝离醉酒人员 2 名",
                "fields": {"route": "东华街—金马坊", "observations": "秩序良好"},
            }
        )
        return submit(donghua, volunteer, data, [], now=task.ends_at + timedelta(minutes=5)).id


def test_officer_sees_the_night_multiplier_in_the_breakdown_and_approves(app, live_server, page, save_screenshot):
    submission_id = saturday_night_patrol_sent(app)

    page.goto(live_server(f"{STATION}/login"))
    expect(page.locator("body")).to_have_class(re.compile(r"\btheme-maple\b"))
    form = page.locator("form.stacked")
    form.locator('input[name="phone"]').fill(OFFICER["phone"])
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/"))

    review_link = page.locator(f'nav.menu a[href="{STATION}/manage/review"]')
    expect(review_link).to_have_text("审核 (1)")
    review_link.click()
    page.locator(f'a[href="{STATION}/manage/review/{submission_id}"]').click()
    expect(page.locator(".field-route")).to_have_text("东华街—金马坊")

    lines = page.locator("section.preview .breakdown li")
    expect(lines).to_have_count(3)
    expect(lines.nth(0)).to_contain_text("任务积分")
    expect(lines.nth(0)).to_contain_text("+3")
    expect(lines.nth(1)).to_contain_text("夜间加成")
    expect(lines.nth(1)).to_contain_text("+2")
    expect(lines.nth(2)).to_contain_text("周末加分")
    expect(lines.nth(2)).to_contain_text("+2")
    expect(page.locator("section.preview dd.total")).to_have_text("7")
    save_screenshot("donghua-night-patrol-review")

    page.locator('form.decision button[value="approve"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/manage/review"))
    expect(page.locator("p.flash[role=status]")).to_contain_text(VOLUNTEER["name"])
    with app.app_context():
        assert Submission.get_by_id(submission_id).state == SubmissionState.APPROVED
    assert page.problems == []
