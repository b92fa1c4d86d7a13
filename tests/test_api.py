"""The JSON API: registration, tokens, profile, stations, errors, OpenAPI."""

import re

import pytest
from openapi_spec_validator import validate


def _token(client, phone="13812345678", password="correct horse"):
    response = client.post("/api/v1/auth/tokens", json={"phone": phone, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def test_stations_lists_enabled_stations_with_their_oath(client):
    stations = {s["slug"]: s for s in client.get("/api/v1/stations").get_json()["stations"]}
    assert set(stations) == {"donghua", "huguo", "xiaonanmen"}
    assert stations["huguo"]["brand"] == "护小侠"
    assert stations["donghua"]["district"] == "盘龙分局"
    assert stations["donghua"]["plugins"] == ["night_patrol"]
    assert stations["huguo"]["oath"]["text"].startswith("我自愿")


def test_register_returns_the_new_volunteer(register_volunteer):
    response = register_volunteer("huguo")
    assert response.status_code == 201
    body = response.get_json()
    assert body["role"] == "volunteer"
    assert body["station"]["slug"] == "huguo"
    assert body["oath_version"] == "2024-1"
    assert body["oath_accepted_at"].endswith("+00:00")
    assert "password" not in body


@pytest.mark.parametrize("accept_oath", [False, "missing"])
def test_no_oath_no_account(client, register_volunteer, accept_oath):
    response = register_volunteer("huguo", accept_oath=accept_oath)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    assert "accept_oath" in error["fields"]
    assert (
        client.post("/api/v1/auth/tokens", json={"phone": "13812345678", "password": "correct horse"}).status_code
        == 401
    )


def test_an_outdated_oath_version_is_refused(register_volunteer):
    response = register_volunteer("huguo", oath_version="2019-1")
    assert response.status_code == 400
    assert "oath_version" in response.get_json()["error"]["fields"]


def test_duplicate_phone_is_409_even_at_another_station(register_volunteer):
    assert register_volunteer("huguo").status_code == 201
    response = register_volunteer("donghua", name="另一个人")
    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "duplicate_phone",
        "message": "this phone number is already registered",
        "fields": {"phone": ["already registered"]},
    }


@pytest.mark.parametrize(
    "field, value",
    [("phone", "12345"), ("password", "short"), ("occupation", "astronaut"), ("name", "   "), ("name", "")],
)
def test_bad_fields_are_named_in_a_400(register_volunteer, field, value):
    response = register_volunteer("huguo", **{field: value})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    assert list(error["fields"]) == [field]
    assert field in error["message"]


def test_unknown_fields_and_non_json_bodies_are_400(client, register_volunteer):
    assert "is_admin" in register_volunteer("huguo", is_admin=True).get_json()["error"]["fields"]
    response = client.post("/api/v1/s/huguo/volunteers", data="not json", content_type="text/plain")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    assert client.post("/api/v1/s/huguo/volunteers", json=["a", "list"]).status_code == 400


def test_register_at_an_unknown_station_is_a_json_404(client, register_volunteer):
    response = register_volunteer("atlantis")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_token_flow_gives_the_profile_with_station_roles_and_balance(client, register_volunteer):
    register_volunteer("donghua")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {_token(client)}"})
    assert me.status_code == 200
    body = me.get_json()
    assert body["phone"] == "13812345678"
    assert body["roles"] == ["volunteer"]
    assert body["station"] == {"slug": "donghua", "name": "东华派出所", "brand": "东华红枫夜巡队"}
    assert body["points_balance"] == 0


def test_wrong_password_and_unknown_phone_answer_the_same(client, register_volunteer):
    register_volunteer("huguo")
    wrong_password = client.post("/api/v1/auth/tokens", json={"phone": "13812345678", "password": "nope nope"})
    unknown_phone = client.post("/api/v1/auth/tokens", json={"phone": "13999999999", "password": "nope nope"})
    assert wrong_password.status_code == unknown_phone.status_code == 401
    assert wrong_password.get_json() == unknown_phone.get_json()


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic abc"])
def test_me_needs_a_valid_bearer_token(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_api_ignores_the_web_session(client, register_volunteer):
    """A signed-in browser cannot use the API without a token (so no CSRF risk)."""
    register_volunteer("huguo")
    with client.session_transaction() as session:
        session["_user_id"] = "1"
    assert client.get("/api/v1/me").status_code == 401


def test_unknown_api_path_and_wrong_method_are_json(client):
    assert client.get("/api/v1/nothing-here").get_json()["error"]["code"] == "not_found"
    response = client.delete("/api/v1/stations")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_openapi_document_is_valid_and_covers_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
        if method != "parameters"
    }
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)  # <station>, <int:reward_id> → {…}
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "openapi.openapi_document"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == documented
    registration = document["components"]["schemas"]["Registration"]
    assert {"phone", "accept_oath", "oath_version"} <= set(registration["required"])


@pytest.mark.parametrize("phone", ["13800000002\n", "138000000٠2", " 13800000002", "+8613800000002"])
def test_only_plain_eleven_digit_phones_are_accepted(register_volunteer, client, phone):
    response = register_volunteer("huguo", phone=phone)
    assert response.status_code == 400
    assert list(response.get_json()["error"]["fields"]) == ["phone"]
    assert client.post("/api/v1/auth/tokens", json={"phone": phone, "password": "x"}).status_code == 401


def test_control_characters_in_a_name_are_refused(register_volunteer):
    response = register_volunteer("huguo", name="李\x00红")
    assert response.status_code == 400
    assert "name" in response.get_json()["error"]["fields"]


def test_absurdly_nested_json_is_a_400_not_a_crash(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/auth/tokens", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_an_oversized_body_is_refused_with_413(app, client):
    too_large = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/api/v1/auth/tokens", data=too_large, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
