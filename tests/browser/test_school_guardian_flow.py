"""护小侠 at 护国派出所 in a real browser, on phones: an officer posts the duty
roster, a volunteer finds an empty slot on the week's roster, signs up right
there, and the slot then shows them.

The UI is Chinese by default, so elements are found by name attributes,
hrefs, ids and CSS classes rather than by (English) text.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.accounts import create_user
from core.models import Role, Task, User
from plugins.school_guardian.models import DutySlot

from ..brands.school_guardian_helpers import first_monday
from .conftest import PHONE, TIMEOUT_MS

pytestmark = pytest.mark.browser

STATION = "/s/huguo"
PASSWORD = "correct horse"
VOLUNTEER = {"name": "李红", "phone": "13812345678"}
OFFICER = {"name": "张警官", "phone": "13712345678"}


def url_is(live_server, path):
    return re.compile("^" + re.escape(live_server(path)) + r"([?#].*)?$")


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
    expect(page).to_have_url(url_is(live_server, f"{STATION}/"))


def first_slot(app):
    """The earliest posted slot at 昆明市长春小学's 正门, in the morning."""
    with app.app_context():
        huguo = app.extensions["redarmband"].tenancy.get("huguo")
        slot = (
            DutySlot.select()
            .where(DutySlot.station == huguo.id, DutySlot.gate == "正门", DutySlot.window == "morning")
            .order_by(DutySlot.day)
            .first()
        )
        assert slot is not None, "the roster posted nothing"
        return slot.task_id, slot.day


def test_a_volunteer_fills_an_empty_slot_from_huguos_roster(app, live_server, browser, page, save_screenshot):
    make_people(app)
    monday = first_monday()

    # The officer posts three weeks of duties from the menu.
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    officer_page = context.new_page()
    try:
        sign_in(officer_page, live_server, OFFICER)
        officer_page.locator(f'nav.menu a[href="{STATION}/school-guardian/roster/post"]').click()
        form = officer_page.locator("form.post-roster")
        form.locator('input[name="first_date"]').fill(monday.isoformat())
        form.locator('input[name="last_date"]').fill((monday + timedelta(days=18)).isoformat())
        form.locator('button[type="submit"]').click()
        expect(officer_page).to_have_url(url_is(live_server, f"{STATION}/school-guardian/schools/1/roster"))
        expect(officer_page.locator("p.flash[role=status]").first).to_contain_text("已发布")
    finally:
        context.close()
    task_id, day = first_slot(app)

    # The volunteer opens the school's roster through the menu and the school card.
    sign_in(page, live_server, VOLUNTEER)
    page.locator(f'nav.menu a[href="{STATION}/school-guardian/"]').click()
    expect(page.locator("#school-1")).to_contain_text("昆明市长春小学")
    page.goto(live_server(f"{STATION}/school-guardian/schools/1/roster?week={day.isoformat()}"))
    expect(page.locator("h1")).to_contain_text("昆明市长春小学")
    gates = page.locator("section.roster-gate h2")
    expect(gates).to_have_text(["正门", "后门"])
    slot = page.locator(f"#slot-{task_id}")
    expect(slot).to_have_class(re.compile(r"\bopen\b"))
    expect(slot.locator(".places")).to_contain_text("空缺 2 / 2")
    expect(slot.locator("ul.on-duty li")).to_have_count(0)
    save_screenshot("huguo-roster-empty-slot")

    # Signs up right there, and the slot shows them.
    slot.locator('form.sign-up button[type="submit"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/school-guardian/schools/1/roster"))
    expect(page.locator("p.flash[role=status]")).to_contain_text("已报名")
    slot = page.locator(f"#slot-{task_id}")
    expect(slot.locator("ul.on-duty li")).to_have_text([VOLUNTEER["name"]])
    expect(slot.locator(".mark")).to_be_visible()
    expect(slot.locator(".places")).to_contain_text("空缺 1 / 2")
    expect(slot.locator("form.sign-up")).to_have_count(0)
    save_screenshot("huguo-roster-slot-filled")
    with app.app_context():
        assert Task.get_by_id(task_id).taken == 1
        assert User.get(User.phone == VOLUNTEER["phone"]).id in [
            s.volunteer_id for s in Task.get_by_id(task_id).signups
        ]

    assert page.problems == []
