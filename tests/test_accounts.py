"""Registering, signing in and out on a station's pages; CSRF on every form."""

import pytest

from core.testing import csrf_token_from, post_form

FORM = {
    "name": "王芳",
    "phone": "13900001111",
    "password": "abcdefgh1",
    "occupation": "driver",
    "accept_oath": "yes",
    "oath_version": "2024-1",
}


def register(client, station="xiaonanmen", **overrides):
    return post_form(client, f"/s/{station}/register", {**FORM, **overrides})


def sign_in(client, station="xiaonanmen", phone=FORM["phone"], password=FORM["password"], **kwargs):
    return post_form(client, f"/s/{station}/login", {"phone": phone, "password": password}, **kwargs)


def test_register_page_shows_the_station_oath_and_occupations(client):
    page = client.get("/s/huguo/register").get_data(as_text=True)
    assert "我自愿加入护小侠志愿者队伍" in page
    assert "外卖员" in page and "退休居民" in page


def test_registering_signs_the_volunteer_in_at_their_station(client):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/s/xiaonanmen/"
    home = client.get("/s/xiaonanmen/").get_data(as_text=True)
    assert "欢迎你，王芳" in home
    profile = client.get("/s/xiaonanmen/me").get_data(as_text=True)
    assert "王芳" in profile and "司机" in profile and "第2024-1版" in profile


def test_no_oath_no_account(client):
    form = {key: value for key, value in FORM.items() if key != "accept_oath"}
    response = post_form(client, "/s/xiaonanmen/register", form)
    assert response.status_code == 400
    assert "注册须接受志愿者誓词" in response.get_data(as_text=True)
    assert sign_in(client).status_code == 401


def test_duplicate_phone_on_the_form_is_409_with_a_message(client):
    register(client, station="huguo")
    client.post("/s/huguo/logout", data={"csrf_token": csrf_token_from(client.get("/s/huguo/"))})
    response = register(client, station="xiaonanmen", name="别人")
    assert response.status_code == 409
    assert "该手机号码已注册" in response.get_data(as_text=True)


def test_form_problems_are_shown_per_field_and_input_is_kept(client):
    response = register(client, phone="123", password="short")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="phone-problem"' in page and 'id="password-problem"' in page
    assert 'id="name-problem"' not in page
    assert 'value="王芳"' in page


@pytest.mark.parametrize("path", ["/s/huguo/register", "/s/huguo/login"])
def test_a_post_without_csrf_token_is_refused(client, path):
    response = client.post(path, data={**FORM})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_logout_needs_the_csrf_token(client):
    register(client)
    assert client.post("/s/xiaonanmen/logout").status_code == 400
    assert client.get("/s/xiaonanmen/me").status_code == 200  # still signed in


def test_failed_sign_in_looks_the_same_for_unknown_phone_and_wrong_password(client):
    register(client)
    client.post("/s/xiaonanmen/logout", data={"csrf_token": csrf_token_from(client.get("/s/xiaonanmen/"))})
    wrong_password = sign_in(client, password="wrong-password")
    unknown_phone = sign_in(client, phone="13999999999", password="wrong-password")
    assert wrong_password.status_code == unknown_phone.status_code == 401
    assert "手机号码或密码错误" in wrong_password.get_data(as_text=True)
    strip = lambda page: page.replace("13999999999", "13900001111")  # noqa: E731 - the echoed phone
    assert strip(unknown_phone.get_data(as_text=True)) == wrong_password.get_data(as_text=True).replace(
        csrf_token_from(wrong_password), csrf_token_from(unknown_phone)
    )


def test_sign_in_at_another_station_goes_to_the_volunteers_own_station(client):
    register(client, station="huguo")
    client.post("/s/huguo/logout", data={"csrf_token": csrf_token_from(client.get("/s/huguo/"))})
    response = sign_in(client, station="donghua")
    assert response.status_code == 302
    assert response.headers["Location"] == "/s/huguo/"


def test_sign_in_follows_next_only_within_the_station(client):
    register(client)
    client.post("/s/xiaonanmen/logout", data={"csrf_token": csrf_token_from(client.get("/s/xiaonanmen/"))})

    def sign_in_with_next(next_url):
        token = csrf_token_from(client.get("/s/xiaonanmen/login"))  # a new one after each sign-out
        data = {"csrf_token": token, "phone": FORM["phone"], "password": FORM["password"]}
        location = client.post(f"/s/xiaonanmen/login?next={next_url}", data=data).headers["Location"]
        client.post("/s/xiaonanmen/logout", data={"csrf_token": csrf_token_from(client.get("/s/xiaonanmen/"))})
        return location

    assert sign_in_with_next("/s/xiaonanmen/me") == "/s/xiaonanmen/me"
    assert sign_in_with_next("//evil.example/") == "/s/xiaonanmen/"


def test_profile_needs_sign_in(client):
    response = client.get("/s/huguo/me")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/s/huguo/login?next=")


def test_a_volunteer_cannot_open_profile_pages_of_another_station(client):
    register(client, station="huguo")
    assert client.get("/s/huguo/me").status_code == 200
    assert client.get("/s/xiaonanmen/me").status_code == 404


@pytest.mark.parametrize("configured", [False, True], ids=["served", "test-suite"])
def test_passwords_are_stored_hashed_with_scrypt_unless_configured_otherwise(make_app, configured):
    # the test suite's apps take a cheap hash; a served app (no setting) takes scrypt
    app = make_app()
    if not configured:
        del app.config["PASSWORD_HASH_METHOD"]
    client = app.test_client()
    register(client)
    from core.models import User

    with app.app_context():
        stored = User.get(User.phone == FORM["phone"]).password_hash
    assert FORM["password"] not in stored
    assert stored.startswith("pbkdf2:sha256:1$" if configured else "scrypt:")
    # and the password signs in, a wrong one does not
    client.post("/s/xiaonanmen/logout", data={"csrf_token": csrf_token_from(client.get("/s/xiaonanmen/"))})
    assert sign_in(client, password="not the password").status_code == 401
    assert sign_in(client).status_code == 302


def test_a_next_that_is_not_a_url_is_ignored(client):
    register(client)
    client.post("/s/xiaonanmen/logout", data={"csrf_token": csrf_token_from(client.get("/s/xiaonanmen/"))})
    data = {
        "csrf_token": csrf_token_from(client.get("/s/xiaonanmen/login")),
        "phone": FORM["phone"],
        "password": FORM["password"],
    }
    response = client.post("/s/xiaonanmen/login?next=//[", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/s/xiaonanmen/"


def test_a_visitor_from_another_station_is_shown_the_way_to_their_own_profile(client):
    register(client, station="huguo")
    page = client.get("/s/donghua/").get_data(as_text=True)
    assert 'href="/s/huguo/me"' in page and 'href="/s/donghua/me"' not in page


def test_signing_in_starts_a_new_session_and_keeps_the_language(client):
    client.get("/s/xiaonanmen/login?lang=en")
    before = csrf_token_from(client.get("/s/xiaonanmen/register"))
    response = register(client)
    assert response.status_code == 302
    after_page = client.get("/s/xiaonanmen/")
    assert csrf_token_from(after_page) != before
    assert "Daily check-in" in after_page.get_data(as_text=True)
