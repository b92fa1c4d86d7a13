"""Instructions arrive live: a volunteer of 护国派出所 has "my instructions"
open on their phone; an officer, in a second browser, posts an urgent
instruction to the station group; the volunteer's page shows it at the top,
with the urgent banner and the menu count, without reloading, and the
volunteer acknowledges it right there.

The UI is Chinese by default, so elements are found by names, hrefs, ids
and CSS classes rather than by (English) text.
"""

import pytest
from playwright.sync_api import expect

from core.accounts import create_user
from core.models import Group, Instruction, Role
from core.web import instruction_stream

from .conftest import PHONE, TIMEOUT_MS

pytestmark = pytest.mark.browser

STATION = "/s/huguo"
PASSWORD = "correct horse"
VOLUNTEER = {"name": "李红", "phone": "13812345678"}
OFFICER = {"name": "张警官", "phone": "13712345678"}
TEXT = "长春小学门口有可疑人员，附近志愿者请立即前往"


@pytest.fixture
def quick_stream(monkeypatch):
    """Poll often and reconnect soon, so the test need not wait seconds."""
    monkeypatch.setattr(instruction_stream, "POLL_SECONDS", 0.2)
    monkeypatch.setattr(instruction_stream, "MAX_SECONDS", 3)


def make_people(app):
    with app.app_context():
        huguo = app.extensions["redarmband"].tenancy.get("huguo")
        for role, person in ((Role.VOLUNTEER, VOLUNTEER), (Role.OFFICER, OFFICER)):
            create_user(role=role, phone=person["phone"], name=person["name"], password=PASSWORD, station_id=huguo.id)
        return Group.get(Group.key == "station:huguo").id


def sign_in(page, live_server, person):
    page.goto(live_server(f"{STATION}/login"))
    form = page.locator("form.stacked")
    form.locator('input[name="phone"]').fill(person["phone"])
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(live_server(f"{STATION}/"))


def test_an_urgent_instruction_appears_on_an_open_page_without_reloading(
    app, live_server, browser, page, save_screenshot, quick_stream
):
    station_group = make_people(app)

    # The volunteer opens "my instructions" through the menu: nothing yet.
    sign_in(page, live_server, VOLUNTEER)
    page.locator(f'nav.menu a[href="{STATION}/instructions"]').click()
    expect(page).to_have_url(live_server(f"{STATION}/instructions"))
    expect(page.locator("#no-instructions")).to_be_visible()
    expect(page.locator(f'nav.menu a[href="{STATION}/instructions"]')).to_have_text("指令")
    page.evaluate("window.notReloaded = true")

    # The officer, on another phone, posts an urgent instruction to the station.
    officer_context = browser.new_context(**PHONE)
    officer_context.set_default_timeout(TIMEOUT_MS)
    officer_page = officer_context.new_page()
    officer_problems = []
    officer_page.on("pageerror", lambda error: officer_problems.append(f"script error: {error}"))
    sign_in(officer_page, live_server, OFFICER)
    officer_page.locator(f'nav.menu a[href="{STATION}/manage/groups"]').click()
    officer_page.locator(f"#group-{station_group} a.send").click()
    form = officer_page.locator("form.stacked")
    expect(form.locator('select[name="group"]')).to_have_value(str(station_group))
    form.locator('textarea[name="text"]').fill(TEXT)
    form.locator('input[name="place"]').fill("长春小学正门")
    form.locator('input[name="priority"][value="urgent"]').check()
    form.locator('button[type="submit"]').click()
    with app.app_context():
        instruction_id = Instruction.get(Instruction.text == TEXT).id
    expect(officer_page).to_have_url(live_server(f"{STATION}/manage/instructions/{instruction_id}"))
    expect(officer_page.locator("#waiting-count")).to_have_text("1")

    # The volunteer's open page shows it, urgent, at the top, with the banner and the count.
    item = page.locator(f"#instruction-list > li#instruction-{instruction_id}")
    expect(item).to_be_visible(timeout=TIMEOUT_MS)
    expect(item).to_have_class("instruction unread fresh urgent")
    expect(item.locator(".instruction-text")).to_have_text(TEXT)
    expect(item.locator(".badge.urgent")).to_have_text("紧急")
    expect(item.locator(".place")).to_have_text("地点：长春小学正门")
    expect(page.locator("#urgent-banner")).to_be_visible()
    expect(page.locator("#urgent-banner .urgent-text")).to_have_text(TEXT)
    expect(page.locator(f'nav.menu a[href="{STATION}/instructions"]')).to_have_text("指令 (1)")
    expect(page.locator("#unread-count")).to_have_text("1")
    expect(page.locator("#no-instructions")).to_be_hidden()
    assert page.evaluate("window.notReloaded") is True
    save_screenshot("instruction-arrived-live")

    # It is acknowledged from the live item (its form carries the page's CSRF token).
    item.locator("button.acknowledge").click()
    expect(page).to_have_url(live_server(f"{STATION}/instructions#instruction-{instruction_id}"))
    expect(page.locator(f"#instruction-{instruction_id} .mark")).to_be_visible()
    expect(page.locator(f'nav.menu a[href="{STATION}/instructions"]')).to_have_text("指令")
    officer_page.reload()
    expect(officer_page.locator("#acknowledged-count")).to_have_text("1")

    assert officer_problems == []
    officer_context.close()
    # leaving the page cuts its open stream (net::ERR_ABORTED): expected, nothing else is
    assert [problem for problem in page.problems if f"{STATION}/instructions/stream" not in problem] == []
