"""A report reaches the officers' board live: a volunteer of 护国派出所
reports illegal parking (车辆违停) with a photo and an address on their
phone; the officer's board, already open on another phone, shows it without
reloading; the officer opens it and resolves it with a note; the
volunteer's open board shows it resolved, again without reloading.

The UI is Chinese by default, so elements are found by names, hrefs, ids
and CSS classes rather than by (English) text.
"""

import re

import pytest
from playwright.sync_api import expect

from core.accounts import create_user
from core.models import Incident, Role
from core.web import incident_stream

from ..tasks_helpers import photo_bytes
from .conftest import PHONE, TIMEOUT_MS

pytestmark = pytest.mark.browser

STATION = "/s/huguo"
PASSWORD = "correct horse"
VOLUNTEER = {"name": "李红", "phone": "13812345678"}
OFFICER = {"name": "张警官", "phone": "13712345678"}
TEXT = "白色轿车堵住小区消防通道"


@pytest.fixture
def quick_stream(monkeypatch):
    """Poll often and reconnect soon, so the test need not wait seconds."""
    monkeypatch.setattr(incident_stream, "POLL_SECONDS", 0.2)
    monkeypatch.setattr(incident_stream, "MAX_SECONDS", 3)


def make_people(app):
    with app.app_context():
        huguo = app.extensions["redarmband"].tenancy.get("huguo")
        for role, person in ((Role.VOLUNTEER, VOLUNTEER), (Role.OFFICER, OFFICER)):
            create_user(role=role, phone=person["phone"], name=person["name"], password=PASSWORD, station_id=huguo.id)


def sign_in(page, live_server, person):
    page.goto(live_server(f"{STATION}/login"))
    form = page.locator("form.stacked")
    form.locator('input[name="phone"]').fill(person["phone"])
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(live_server(f"{STATION}/"))


def streams_cut(problems):
    """Leaving a page cuts its open event streams (net::ERR_ABORTED): expected, nothing else is."""
    return [problem for problem in problems if "/stream" not in problem]


def test_a_report_appears_on_the_officers_open_board_and_is_resolved(
    app, live_server, browser, page, save_screenshot, quick_stream
):
    make_people(app)

    # The officer has the board open on their phone: nothing yet.
    officer_context = browser.new_context(**PHONE)
    officer_context.set_default_timeout(TIMEOUT_MS)
    officer_page = officer_context.new_page()
    officer_problems = []
    officer_page.on("pageerror", lambda error: officer_problems.append(f"script error: {error}"))
    sign_in(officer_page, live_server, OFFICER)
    officer_page.locator(f'nav.menu a[href="{STATION}/incidents"]').click()
    expect(officer_page).to_have_url(live_server(f"{STATION}/incidents"))
    expect(officer_page.locator("#no-incidents")).to_be_visible()
    officer_page.evaluate("window.notReloaded = true")

    # The volunteer reports illegal parking through the menu's 报告 link.
    sign_in(page, live_server, VOLUNTEER)
    page.locator(f'nav.menu a[href="{STATION}/incidents/report"]').click()
    form = page.locator("form#incident-report")
    plate = form.locator('input[name="fields.plate"]')
    expect(plate).to_be_hidden()
    form.locator('select[name="category"]').select_option("illegal_parking")
    expect(plate).to_be_visible()  # the category's own field shows once it is chosen
    plate.fill("云A12345")
    form.locator('textarea[name="description"]').fill(TEXT)
    form.locator('input[name="photos"]').set_input_files(
        files=[{"name": "car.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(size=(320, 240))}]
    )
    form.locator('input[name="address"]').fill("护国路 12 号")
    expect(page.locator("#duplicates-live")).to_be_hidden()  # nothing like it yet
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(live_server(f"{STATION}/incidents/")) + r"\d+$"))
    with app.app_context():
        incident = Incident.get(Incident.description == TEXT)
    assert incident.fields == {"plate": "云A12345"} and len(incident.photos) == 1
    expect(page.locator("#incident-state")).to_have_attribute("data-state", "open")
    expect(page.locator(".photos img")).to_have_count(1)
    save_screenshot("incident-reported")

    # Starting another report of the same thing there offers this one first.
    page.goto(live_server(f"{STATION}/incidents/report"))
    form = page.locator("form#incident-report")
    form.locator('select[name="category"]').select_option("illegal_parking")
    form.locator('input[name="address"]').fill("护国路 12 号")
    offered = page.locator("#duplicates-live")
    expect(offered).to_be_visible()
    expect(offered.locator(f'a[href="{STATION}/incidents/{incident.id}"]')).to_have_count(1)

    # The volunteer keeps an eye on the whole board.
    page.goto(live_server(f"{STATION}/incidents?state=all"))
    mine = page.locator(f"#incident-{incident.id}")
    expect(mine).to_have_attribute("data-state", "open")
    page.evaluate("window.notReloaded = true")

    # The officer's open board shows it without reloading.
    row = officer_page.locator(f"#incident-{incident.id}")
    expect(row).to_be_visible(timeout=TIMEOUT_MS)
    expect(row.locator(".category")).to_have_text("车辆违停")
    expect(row.locator(".photo-count")).to_contain_text("1")
    assert officer_page.evaluate("window.notReloaded") is True
    save_screenshot("volunteers-board")

    # The officer opens it and resolves it with a note.
    row.locator("a").click()
    expect(officer_page).to_have_url(live_server(f"{STATION}/incidents/{incident.id}"))
    state_form = officer_page.locator("form.state-form")
    state_form.locator('textarea[name="note"]').fill("车主已挪车")
    state_form.locator('button[name="to_state"][value="resolved"]').click()
    expect(officer_page.locator("#incident-state")).to_have_attribute("data-state", "resolved")
    expect(officer_page.locator("#timeline")).to_contain_text("车主已挪车")

    # The volunteer's open board shows it resolved, without reloading.
    expect(mine).to_have_attribute("data-state", "resolved", timeout=TIMEOUT_MS)
    assert page.evaluate("window.notReloaded") is True
    mine.locator("a").click()
    expect(page.locator("#timeline")).to_contain_text("车主已挪车")
    save_screenshot("incident-resolved")

    assert officer_problems == []
    officer_context.close()
    assert streams_cut(page.problems) == []
