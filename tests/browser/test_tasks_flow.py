"""A school-gate duty at 护国派出所 in a real browser, on phones: a volunteer
signs up and sends two photos of the work, an officer approves it after
seeing the breakdown, and the volunteer sees the points and hours.

The UI is Chinese by default, so elements are found by name attributes,
hrefs and CSS classes rather than by (English) text.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.accounts import create_user
from core.models import Role, Submission, SubmissionState, Task, User, utcnow
from core.tasks.posting import TaskSchema, post_task

from ..tasks_helpers import photo_bytes
from .conftest import PHONE, TIMEOUT_MS

pytestmark = pytest.mark.browser

STATION = "/s/huguo"
PASSWORD = "correct horse"
VOLUNTEER = {"name": "李红", "phone": "13812345678"}
OFFICER = {"name": "张警官", "phone": "13712345678"}
TITLE = "长春小学正门护学岗"


def url_is(live_server, path):
    return re.compile("^" + re.escape(live_server(path)) + r"(\?.*)?$")


def make_people_and_task(app):
    """The volunteer, the officer and a school-gate duty starting in two hours."""
    with app.app_context():
        huguo = app.extensions["redarmband"].tenancy.get("huguo")
        for role, person in ((Role.VOLUNTEER, VOLUNTEER), (Role.OFFICER, OFFICER)):
            create_user(role=role, phone=person["phone"], name=person["name"], password=PASSWORD, station_id=huguo.id)
        officer = User.get(User.phone == OFFICER["phone"])
        start = utcnow() + timedelta(hours=2)
        body = {
            "type": "school_gate_duty",
            "title": TITLE,
            "place": "昆明市长春小学正门",
            "starts_at": start.isoformat() + "+00:00",
            "ends_at": (start + timedelta(hours=1)).isoformat() + "+00:00",
            "capacity": 3,
        }
        return post_task(huguo, officer, TaskSchema().load(body)).id


def begin(app, task_id):
    """Time passes: the duty began ten minutes ago (it still lasts an hour)."""
    with app.app_context():
        start = utcnow() - timedelta(minutes=10)
        Task.update(starts_at=start, ends_at=start + timedelta(hours=1)).where(Task.id == task_id).execute()


def sign_in(page, live_server, person):
    page.goto(live_server(f"{STATION}/login"))
    form = page.locator("form.stacked")
    form.locator('input[name="phone"]').fill(person["phone"])
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/"))


def test_a_school_gate_duty_from_sign_up_to_points(app, live_server, browser, page, save_screenshot, tmp_path):
    task_id = make_people_and_task(app)

    # The volunteer finds the task through the menu and signs up.
    sign_in(page, live_server, VOLUNTEER)
    page.locator(f'nav.menu a[href="{STATION}/tasks"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/tasks"))
    card = page.locator(f"#task-{task_id}")
    expect(card).to_contain_text(TITLE)
    expect(card.locator(".badge")).to_have_text("护学岗")
    card.locator(f'form[action="{STATION}/tasks/{task_id}/signup"] button').click()
    expect(page.locator("p.flash[role=status]")).to_contain_text(TITLE)
    expect(page.locator(f"#task-{task_id} .mark")).to_be_visible()
    expect(page.locator(f"#task-{task_id} .places")).to_contain_text("2")

    # Once the duty has begun, the volunteer sends the work with two photos.
    begin(app, task_id)
    page.reload()
    page.locator(f'#my-task-{task_id} a[href="{STATION}/tasks/{task_id}/submit"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/tasks/{task_id}/submit"))
    expect(page.locator(".photo-hint")).not_to_be_empty()
    form = page.locator("form.work-form")
    form.locator('textarea[name="text"]').fill("护送学生 40 人过马路，秩序良好")
    form.locator('input[name="fields.children_helped"]').fill("40")
    photos = []
    for number, colour in enumerate(((200, 30, 30), (30, 120, 200)), start=1):
        path = tmp_path / f"gate-{number}.jpg"
        path.write_bytes(photo_bytes(colour=colour, size=(800, 600)))
        photos.append(str(path))
    form.locator('input[type="file"][name="photos"]').set_input_files(photos)
    save_screenshot("huguo-submit-work")
    form.locator('button[type="submit"].big').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/me/submissions"))
    item = page.locator("li.submission").first
    expect(item.locator(".state")).to_have_text("待审核")
    expect(item.locator("img.thumb")).to_have_count(2)
    with app.app_context():
        submission = Submission.get(Submission.volunteer == User.get(User.phone == VOLUNTEER["phone"]).id)
        assert submission.photos.count() == 2

    # The officer, on another phone, sees the work and the breakdown, then approves.
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    officer_page = context.new_page()
    officer_problems = []
    officer_page.on("pageerror", lambda error: officer_problems.append(f"script error: {error}"))
    officer_page.on(
        "response",
        lambda response: (
            officer_problems.append(f"{response.status} for {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    try:
        sign_in(officer_page, live_server, OFFICER)
        review_link = officer_page.locator(f'nav.menu a[href="{STATION}/manage/review"]')
        expect(review_link).to_have_text("审核 (1)")
        review_link.click()
        officer_page.locator(f'a[href="{STATION}/manage/review/{submission.id}"]').click()
        expect(officer_page.locator(".work-text")).to_contain_text("护送学生 40 人过马路")
        expect(officer_page.locator(".field-children_helped")).to_have_text("40")
        thumbs = officer_page.locator("p.photos img.thumb")
        expect(thumbs).to_have_count(2)
        for index in range(2):
            officer_page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=thumbs.nth(index).element_handle()
            )
        preview = officer_page.locator("section.preview")
        expect(preview.locator(".breakdown li")).to_have_count(1)
        expect(preview.locator(".breakdown li")).to_contain_text("任务积分")
        expect(preview.locator(".breakdown li")).to_contain_text("+2")
        expect(preview.locator("dd.total")).to_have_text("2")
        officer_page.screenshot(path=str(tmp_path / "officer-review.png"), full_page=True)
        officer_page.locator('form.decision button[value="approve"]').click()
        expect(officer_page).to_have_url(url_is(live_server, f"{STATION}/manage/review"))
        expect(officer_page.locator("p.flash[role=status]")).to_contain_text(VOLUNTEER["name"])
        expect(officer_page.locator(f'nav.menu a[href="{STATION}/manage/review"]')).to_have_text("审核")
    finally:
        context.close()
    assert officer_problems == []
    with app.app_context():
        assert Submission.get_by_id(submission.id).state == SubmissionState.APPROVED

    # The volunteer is told, and sees the points, the hours and the breakdown.
    page.goto(live_server(f"{STATION}/"))
    notifications = page.locator(f'nav.menu a[href="{STATION}/me/notifications"]')
    expect(notifications).to_have_text("通知 (1)")
    notifications.click()
    expect(page.locator("li.notification")).to_contain_text("2 积分")
    page.locator(f'nav.menu a[href="{STATION}/me/submissions"]').click()
    item = page.locator(f"#submission-{submission.id}")
    expect(item.locator(".state")).to_have_text("已通过")
    expect(item.locator("dl.figures dd").nth(0)).to_have_text("+2")
    expect(item.locator("dl.figures dd").nth(1)).to_have_text("1")
    expect(item.locator(".breakdown li")).to_contain_text("任务积分")
    save_screenshot("huguo-submission-approved")
    page.locator(f'nav.menu a[href="{STATION}/me/hours"]').click()
    expect(page.locator("dl.figures dd").first).to_have_text("1")
    expect(page.locator(".stars")).to_have_text("☆☆☆☆☆")
    page.locator(f'nav.menu a[href="{STATION}/me/points"]').click()
    expect(page.locator(".balance .points")).to_have_text("2")

    assert page.problems == []
