"""A volunteer joins 护小侠 at 护国派出所 on a phone, in a real browser.

The UI is Chinese by default, so elements are found by name attributes,
hrefs and CSS classes rather than by (English) text.
"""

import re

import pytest
from playwright.sync_api import expect

from core.models import User

pytestmark = pytest.mark.browser

STATION = "/s/huguo"
BRAND = "护小侠"
STATION_NAME = "护国派出所"
PRIMARY_RGB = "rgb(21, 101, 192)"  # the huxiaoxia theme's primary, #1565c0
LOGO_PATH = "/-/themes/huxiaoxia/logo.svg"

VOLUNTEER = {"name": "李红", "phone": "13812345678", "password": "correct horse", "occupation": "courier"}


def url_is(live_server, path):
    return re.compile("^" + re.escape(live_server(path)) + r"(\?.*)?$")


def fill_registration(page, volunteer, *, accept_oath):
    form = page.locator("form.stacked")
    form.locator('input[name="name"]').fill(volunteer["name"])
    form.locator('input[name="phone"]').fill(volunteer["phone"])
    form.locator('input[name="password"]').fill(volunteer["password"])
    form.locator('select[name="occupation"]').select_option(volunteer["occupation"])
    if accept_oath:
        form.locator('input[name="accept_oath"]').check()
    form.locator('button[type="submit"]').click()


def expect_signed_in(page):
    menu = page.locator("nav.menu")
    expect(menu.locator(f'a[href="{STATION}/me"]')).to_be_visible()
    expect(menu.locator(f'form[action="{STATION}/logout"] button[type="submit"]')).to_be_visible()
    expect(menu.locator(f'a[href="{STATION}/login"]')).to_have_count(0)


def expect_huxiaoxia_brand(page):
    header = page.locator("header.brand-bar")
    expect(header.locator(".brand-name")).to_have_text(BRAND)
    background = header.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == PRIMARY_RGB, f"header background is {background}, not the 护小侠 primary {PRIMARY_RGB}"
    logo = header.locator("img.logo")
    expect(logo).to_have_attribute("src", LOGO_PATH)
    page.wait_for_function("img => img.complete", arg=logo.element_handle())
    width = logo.evaluate("img => img.naturalWidth")
    assert width > 0, f"the 护小侠 logo {LOGO_PATH} did not load (naturalWidth {width})"


def volunteer_count(app):
    with app.app_context():
        return User.select().count()


def test_volunteer_registers_signs_out_and_back_in(live_server, page, save_screenshot):
    # The station's home page wears the 护小侠 brand.
    response = page.goto(live_server(f"{STATION}/"))
    assert response.status == 200
    expect(page.locator("header.brand-bar")).to_contain_text(BRAND)
    expect(page.locator("header.brand-bar")).to_contain_text(STATION_NAME)
    expect_huxiaoxia_brand(page)

    # Follow the register link in the menu, and register.
    page.locator(f'nav.menu a[href="{STATION}/register"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/register"))
    expect(page.locator("fieldset.oath blockquote")).to_contain_text("我自愿加入护小侠志愿者队伍")
    fill_registration(page, VOLUNTEER, accept_oath=True)

    # Back on the station's home page, signed in and welcomed.
    expect(page).to_have_url(url_is(live_server, f"{STATION}/"))
    expect_signed_in(page)
    expect(page.locator("p.flash[role=status]")).to_contain_text(VOLUNTEER["name"])
    expect(page.locator("section.hero")).to_contain_text(VOLUNTEER["name"])
    expect_huxiaoxia_brand(page)

    save_screenshot("huguo-home-signed-in")

    # Sign out.
    page.locator(f'nav.menu form[action="{STATION}/logout"] button[type="submit"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/"))
    expect(page.locator(f'nav.menu a[href="{STATION}/me"]')).to_have_count(0)
    expect(page.locator(f'nav.menu form[action="{STATION}/logout"]')).to_have_count(0)

    # Sign in through the form with the same phone and password.
    page.locator(f'nav.menu a[href="{STATION}/login"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/login"))
    login = page.locator("form.stacked")
    login.locator('input[name="phone"]').fill(VOLUNTEER["phone"])
    login.locator('input[name="password"]').fill(VOLUNTEER["password"])
    login.locator('button[type="submit"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/"))
    expect_signed_in(page)

    # The profile page shows who they are and where they volunteer.
    page.locator(f'nav.menu a[href="{STATION}/me"]').click()
    expect(page).to_have_url(url_is(live_server, f"{STATION}/me"))
    profile = page.locator("dl.profile")
    expect(profile).to_contain_text(VOLUNTEER["name"])
    expect(profile).to_contain_text(VOLUNTEER["phone"])
    expect(profile).to_contain_text("快递员")  # the courier occupation, in Chinese
    expect(profile).to_contain_text(f"{STATION_NAME} · {BRAND}")
    expect_huxiaoxia_brand(page)

    assert page.problems == []


def test_registering_without_the_oath_keeps_the_form_and_creates_no_account(app, live_server, page, save_screenshot):
    page.goto(live_server(f"{STATION}/register"))
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"{STATION}/register")) as posted:
        fill_registration(page, VOLUNTEER, accept_oath=False)
    assert posted.value.status == 400

    # Still on the form, with the oath problem shown and the answers kept.
    expect(page).to_have_url(url_is(live_server, f"{STATION}/register"))
    expect(page.locator("#accept_oath-problem")).to_be_visible()
    expect(page.locator("#accept_oath-problem")).not_to_be_empty()
    expect(page.locator('input[name="name"]')).to_have_value(VOLUNTEER["name"])
    expect(page.locator('input[name="phone"]')).to_have_value(VOLUNTEER["phone"])
    expect(page.locator('select[name="occupation"]')).to_have_value(VOLUNTEER["occupation"])
    expect(page.locator('input[name="accept_oath"]')).not_to_be_checked()
    expect(page.locator(f'nav.menu a[href="{STATION}/me"]')).to_have_count(0)
    save_screenshot("huguo-register-without-oath")

    assert volunteer_count(app) == 0, "a registration without the oath created an account"

    # Nor can that phone sign in.
    page.goto(live_server(f"{STATION}/login"))
    page.locator('input[name="phone"]').fill(VOLUNTEER["phone"])
    page.locator('input[name="password"]').fill(VOLUNTEER["password"])
    page.locator('form.stacked button[type="submit"]').click()
    expect(page.locator("p.problem[role=alert]")).to_be_visible()
    expect(page.locator(f'nav.menu a[href="{STATION}/me"]')).to_have_count(0)

    assert page.problems == []
