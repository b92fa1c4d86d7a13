"""Open311: POST requests — keys, locations, attributes, media, refusals
that store nothing, and the urgent alert of a missing child."""

from io import BytesIO

import pytest
from PIL import Image

from core.incidents.keys import revoke
from core.models import Incident, IncidentSource, Instruction, Priority, User

from .open311_helpers import (
    BASE,
    POSTED_KEYS,
    count,
    errors_of,
    issue_key,
    jpeg_with_exif,
    listed,
    parking,
    post,
    xml,
)
from .points_helpers import station


@pytest.fixture
def key(app):
    return issue_key(app)[0]


def test_post_json_records_the_incident_with_contact_kept_private(app, client, key):
    response = post(client, key)
    assert response.status_code == 200
    (posted,) = listed(response)
    assert set(posted) == POSTED_KEYS
    assert posted["account_id"] == "acct-7"
    incident = Incident.get_by_id(posted["service_request_id"])
    assert incident.station_id == station(app).id
    assert incident.source == IncidentSource.OPEN311 and incident.reporter_id is None
    assert incident.fields == {"plate": "云A12345"}
    assert (incident.latitude, incident.longitude) == (25.0456, 102.7097)
    assert incident.contact["email"] == "zhang@example.cn" and incident.contact["phone"] == "13812345678"
    shown = client.get(f"{BASE}/requests/{incident.id}.json?jurisdiction_id=huguo").get_data(as_text=True)
    for private in ("zhang@example.cn", "13812345678", "acct-7", "张"):
        assert private not in shown


def test_post_xml_answers_service_requests_request(client, key):
    response = post(client, key, fmt="xml")
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "service_requests"
    (request,) = root
    assert request.tag == "request"
    assert {child.tag for child in request} == POSTED_KEYS
    assert Incident.get_by_id(int(request.findtext("service_request_id"))).category == "illegal_parking"


def test_post_without_extension_is_xml(client, key):
    assert xml(post(client, key, path=f"{BASE}/requests")).tag == "service_requests"


def test_api_key_in_the_query_string_is_accepted(client, key):
    before = count()
    response = client.post(f"{BASE}/requests.json?api_key={key}", data=parking())
    assert response.status_code == 200
    assert count() == before + 1


def test_post_through_doubled_slashes_is_not_redirected(client, key):
    before = count()
    response = post(client, key, path="/open311//v2//requests.json")
    assert response.status_code == 200
    assert count() == before + 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("which", ["missing", "wrong", "revoked", "other_station"])
def test_a_bad_key_is_a_403_and_stores_nothing(app, client, key, fmt, which):
    if which == "revoked":
        with app.test_request_context():
            assert revoke(station(app), key[:10]) == 1
    chosen = {
        "missing": None,
        "wrong": key[:-2] + "xx",
        "revoked": key,
        "other_station": issue_key(app, "xiaonanmen")[0],
    }[which]
    before = count()
    response = post(client, chosen, fmt=fmt)
    assert response.status_code == 403
    ((code, description),) = errors_of(response)
    assert code == 403 and "api_key" in description
    assert count() == before


@pytest.mark.parametrize(
    ("overrides", "named", "status"),
    [
        ({"lat": None, "long": None}, "lat/long or address_string", 400),
        ({"lat": "north", "long": "102.7"}, "lat", 400),
        ({"lat": "25.0", "long": None}, "long", 400),
        ({"lat": "95", "long": "102.7"}, "lat", 400),
        ({"lat": "nan", "long": "102.7"}, "lat", 400),
        ({"lat": "1e999", "long": "102.7"}, "lat", 400),
        ({"description": "堵门\x00了"}, "description", 400),
        ({"description": "长" * 5000}, "description", 400),
        ({"address_string": "路" * 300, "lat": None, "long": None}, "address_string", 400),
        ({"email": "a\x00b@example.cn"}, "email", 400),
        ({"first_name": "名" * 500}, "first_name", 400),
        ({"attribute[plate]": "云A" * 20}, "attribute[plate]", 400),
        ({"attribute[colour]": "white"}, "attribute[colour]", 400),
        ({"service_code": None}, "service_code", 400),
        ({"service_code": "potholes"}, "service_code", 404),
        ({"service_code": "pot\x00holes"}, "service_code", 404),
        ({"jurisdiction_id": "atlantis"}, "jurisdiction_id", 404),
        ({"jurisdiction_id": "hu\x00guo"}, "jurisdiction_id", 404),
    ],
)
def test_bad_input_is_refused_naming_the_parameter_and_stores_nothing(client, key, overrides, named, status):
    before = count()
    for fmt in ("json", "xml"):
        response = post(client, key, fmt=fmt, **overrides)
        assert response.status_code == status, response.get_data(as_text=True)
        errors = errors_of(response)
        assert all(code == status for code, _ in errors)
        assert any(description.startswith(named) for _, description in errors), errors
    assert count() == before


def test_required_attributes_of_a_category_are_named(client, key):
    before = count()
    response = post(
        client, key, service_code="lost_and_found", **{"attribute[plate]": None, "attribute[kind]": "stolen"}
    )
    assert response.status_code == 400
    named = {description.split(":")[0] for _, description in errors_of(response)}
    assert named == {"attribute[kind]", "attribute[item]"}
    assert count() == before


def test_an_address_alone_or_an_address_id_alone_is_a_place(client, key):
    response = post(client, key, lat=None, long=None, address_string="青年路 1 号")
    assert Incident.get_by_id(listed(response)[0]["service_request_id"]).address == "青年路 1 号"
    response = post(client, key, lat=None, long=None, address_id="KM-0042")
    incident = Incident.get_by_id(listed(response)[0]["service_request_id"])
    assert incident.address == "KM-0042" and incident.latitude is None


def test_empty_optional_parameters_are_absent(client, key):
    response = post(client, key, address_string="", email="", device_id="", **{"attribute[plate]": ""})
    assert response.status_code == 200
    incident = Incident.get_by_id(listed(response)[0]["service_request_id"])
    assert "email" not in incident.contact and incident.fields == {"plate": ""}


def test_a_missing_child_alerts_the_district_in_the_key_issuers_name(app, client):
    key, admin = issue_key(app)
    before = Instruction.select().where(Instruction.priority == Priority.URGENT).count()
    response = post(
        client,
        key,
        service_code="missing_child",
        description="穿红衣服的男孩走失",
        **{"attribute[plate]": None, "attribute[age]": "6", "attribute[clothing]": "红色外套"},
    )
    assert response.status_code == 200
    (posted,) = listed(response)
    assert posted["service_notice"]  # the client is told the district was alerted
    incident = Incident.get_by_id(posted["service_request_id"])
    assert incident.urgent and incident.fields["age"] == 6
    alerts = Instruction.select().where(Instruction.priority == Priority.URGENT)
    assert alerts.count() == before + 1
    assert incident.alert.author_id == admin.id and "穿红衣服的男孩走失" in incident.alert.text


def test_media_upload_is_published_by_a_signed_url_without_exif(client, key):
    body = parking(api_key=key)
    body["media"] = (BytesIO(jpeg_with_exif()), "photo.jpg")
    response = client.post(f"{BASE}/requests.json", data=body, content_type="multipart/form-data")
    assert response.status_code == 200
    request_id = listed(response)[0]["service_request_id"]
    (document,) = listed(client.get(f"{BASE}/requests/{request_id}.json?jurisdiction_id=huguo"))
    url = document["media_url"]
    assert url.startswith("http://localhost/open311/v2/media/") and url.endswith(".jpg")
    photo = client.get(url.removeprefix("http://localhost"))
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    with Image.open(BytesIO(photo.get_data())) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    signed = url.removeprefix("http://localhost").removesuffix(".jpg")
    tampered = signed[:-1] + ("A" if signed[-1] != "A" else "B")
    assert client.get(tampered + ".jpg").status_code == 404
    assert client.get(f"{BASE}/media/{request_id}.jpg").status_code == 404


def test_a_media_upload_that_is_no_photo_is_refused_and_stores_nothing(client, key):
    before = count()
    body = parking(api_key=key)
    body["media"] = (BytesIO(b"not a photo at all"), "photo.jpg")
    response = client.post(f"{BASE}/requests.json", data=body, content_type="multipart/form-data")
    assert response.status_code == 400
    assert errors_of(response)[0][1].startswith("media")
    assert count() == before


def test_a_request_without_media_has_no_media_url(client, key):
    request_id = listed(post(client, key))[0]["service_request_id"]
    assert listed(client.get(f"{BASE}/requests/{request_id}.json?jurisdiction_id=huguo"))[0]["media_url"] is None


def test_a_key_stops_when_its_issuing_admin_is_deactivated(app, client):
    key, admin = issue_key(app)
    assert post(client, key).status_code == 200
    User.update(active=False).where(User.id == admin.id).execute()
    before = count()
    response = post(client, key)
    assert response.status_code == 403
    assert "api_key" in errors_of(response)[0][1]
    assert count() == before


def test_a_request_without_a_description_is_taken_with_the_services_name_in_its_place(client, key):
    # the spec makes description optional: a client may say it all with the service and its attributes
    response = post(client, key, fmt="json", description=None)
    assert response.status_code == 200, response.get_data(as_text=True)
    request_id = response.get_json()[0]["service_request_id"]
    shown = client.get(f"{BASE}/requests/{request_id}.json?jurisdiction_id=huguo").get_json()[0]
    assert shown["description"] == "车辆违停" and shown["service_code"] == "illegal_parking"
