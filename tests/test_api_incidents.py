"""The incidents API: categories, reporting (JSON or multipart with photos), likely duplicates, the OpenAPI document."""

from datetime import timedelta
from io import BytesIO

import pytest
from PIL import Image

from tests.api_incidents_helpers import (  # noqa: F401 - fixtures
    FAR,
    HERE,
    clock_fixture,
    incidents_fixture,
    north_of,
    report_body,
    world_fixture,
)
from tests.api_points_helpers import NOON, error_of, iso
from tests.incidents_helpers import jpeg_with_gps

# ---------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------


def test_categories_describe_their_extra_fields_with_labels_and_choices(client, world):
    volunteer = world.volunteer()
    response = client.get("/api/v1/s/huguo/incident-categories", headers=volunteer.headers)
    assert response.status_code == 200
    categories = {c["key"]: c for c in response.get_json()["incident_categories"]}
    assert {"illegal_parking", "lost_and_found", "missing_child"} <= set(categories)
    lost = categories["lost_and_found"]
    assert lost["label"] == {"zh": "失物招领", "en": "Lost and found"} and lost["urgent"] is False
    kind, item = lost["fields"]
    assert kind["name"] == "kind" and kind["required"] is True and kind["label"]["zh"] == "拾到还是丢失"
    assert [(c["value"], c["label"]["zh"]) for c in kind["choices"]] == [("found", "拾到物品"), ("lost", "丢失物品")]
    assert item["name"] == "item" and item["type"] == "string" and item["choices"] is None
    age = next(f for f in categories["missing_child"]["fields"] if f["name"] == "age")
    assert age["type"] == "integer" and age["required"] is True
    assert categories["missing_child"]["urgent"] is True
    assert categories["merchant_help"]["fields"] == []


def test_a_plugins_category_shows_only_where_it_is_enabled(client, world, incidents):
    donghua = world.volunteer("donghua")

    def keys(person, slug):
        answer = client.get(f"/api/v1/s/{slug}/incident-categories", headers=person.headers).get_json()
        return {category["key"] for category in answer["incident_categories"]}

    assert keys(donghua, "donghua") - keys(world.volunteer(), "huguo")  # night_patrol's own categories


def test_categories_need_a_member_token(client, world):
    assert client.get("/api/v1/s/huguo/incident-categories").status_code == 401
    other = world.volunteer("xiaonanmen")
    error_of(client.get("/api/v1/s/huguo/incident-categories", headers=other.headers), 403, "not_a_member")


# ---------------------------------------------------------------------------
# Reporting, the board, one incident
# ---------------------------------------------------------------------------


def test_a_json_report_answers_201_and_shows_on_the_board_and_its_page(world, incidents):
    volunteer = world.volunteer(name="李红")
    response = incidents.send(volunteer, fields={"plate": "云A12345"}, address="护国路 12 号")
    assert response.status_code == 201, response.get_json()
    incident = response.get_json()
    assert incident["category"] == "illegal_parking" and incident["category_label"]["zh"] == "车辆违停"
    assert incident["fields"] == {"plate": "云A12345"} and incident["address"] == "护国路 12 号"
    assert (incident["latitude"], incident["longitude"]) == HERE
    assert incident["state"] == "open" and incident["urgent"] is False and incident["useful"] is False
    assert incident["reporter_name"] == "李红" and incident["assignee"] is None and incident["duplicate_of"] is None
    assert incident["source"] == "volunteer" and incident["photo_urls"] == []
    assert incident["created_at"] == iso(NOON) and incident["updated_at"] == iso(NOON)
    [line] = incident["timeline"]
    assert (line["kind"], line["from_state"], line["to_state"]) == ("reported", None, "open")
    assert line["actor"] == {"id": volunteer.id, "name": "李红"} and line["created_at"] == iso(NOON)

    board = incidents.board(world.volunteer(name="王芳"))
    assert [i["id"] for i in board["incidents"]] == [incident["id"]]
    assert board["has_more"] is False and board["last_event_id"] == line["id"]
    shown = incidents.show(incidents.officer(), incident["id"])
    assert shown == incident


def test_an_urgent_category_is_reported_urgent(world, incidents):
    incident = incidents.report(world.volunteer(), category="missing_child")
    assert incident["urgent"] is True and incident["fields"]["age"] == 6


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"category": "no_such_thing"}, "category"),
        ({"category": 7}, "category"),
        ({"description": ""}, "description"),
        ({"description": "压盲道\x00"}, "description"),
        ({"description": ["列表"]}, "description"),
        ({"latitude": "north"}, "latitude"),
        ({"latitude": True}, "latitude"),
        ({"latitude": 91.0}, "latitude"),
        ({"longitude": None}, "longitude"),
        ({"hide_name": "maybe"}, "hide_name"),
        ({"report_anyway": "yes"}, "report_anyway"),
        ({"fields": "云A12345"}, "fields"),
        ({"fields": {"plate": "云A12345678901234"}}, "fields.plate"),
        ({"fields": {"colour": "白"}}, "fields.colour"),
        ({"address": "路" * 201}, "address"),
        ({"photos": ["x"]}, "photos"),
        ({"at": None}, "location"),
    ],
)
def test_bad_reports_are_400_naming_the_field_and_store_nothing(world, incidents, overrides, field):
    response = incidents.send(world.volunteer(), **overrides)
    error = error_of(response, 400, "invalid_input")
    assert field in error["fields"], error
    assert incidents.count() == 0


def test_a_report_body_must_be_a_json_object(client, world):
    volunteer = world.volunteer()
    for data in ("[1, 2]", "not json", '"text"'):
        response = client.post(
            "/api/v1/s/huguo/incidents", data=data, headers=volunteer.headers, content_type="application/json"
        )
        error_of(response, 400, "invalid_json")


def test_only_members_of_the_station_report_there(client, world, incidents):
    assert client.post("/api/v1/s/huguo/incidents", json=report_body()).status_code == 401
    error_of(incidents.send(world.volunteer("xiaonanmen"), "huguo"), 403, "not_a_member")
    assert incidents.count() == 0


# ---------------------------------------------------------------------------
# Likely duplicates
# ---------------------------------------------------------------------------


def test_a_likely_duplicate_is_offered_with_a_409_and_report_anyway_reports_it(world, incidents, clock):
    first = incidents.report(world.volunteer())
    clock.now = NOON + timedelta(minutes=5)
    again = incidents.send(world.volunteer(name="王芳"), at=north_of(HERE, 30), description="白色轿车还在压盲道")
    error = error_of(again, 409, "likely_duplicates")
    [candidate] = error["duplicates"]
    assert candidate == {
        "id": first["id"],
        "category": "illegal_parking",
        "description": first["description"],
        "address": "",
        "distance_m": 30,
        "created_at": iso(NOON),
    }
    assert incidents.count() == 1

    other_category = incidents.send(world.volunteer(), category="illegal_posters", at=north_of(HERE, 30))
    assert other_category.status_code == 201  # only the same category is a duplicate
    far = incidents.send(world.volunteer(), at=FAR)
    assert far.status_code == 201
    anyway = incidents.send(world.volunteer(), at=north_of(HERE, 30), report_anyway=True)
    assert anyway.status_code == 201 and anyway.get_json()["id"] not in (first["id"],)
    assert incidents.count() == 4


def test_duplicates_by_address_when_there_are_no_coordinates(world, incidents):
    first = incidents.report(world.volunteer(), at=None, address="护国路 12 号")
    error = error_of(incidents.send(world.volunteer(), at=None, address=" 护国路  12 号 "), 409, "likely_duplicates")
    assert [(c["id"], c["distance_m"]) for c in error["duplicates"]] == [(first["id"], None)]


def test_the_duplicates_lookup_lists_the_candidates_nearest_first(world, incidents):
    volunteer = world.volunteer()
    farther = incidents.report(volunteer, at=north_of(HERE, 80))
    nearer = incidents.report(volunteer, at=north_of(HERE, 10))
    incidents.report(volunteer, at=FAR)
    query = {"category": "illegal_parking", "latitude": HERE[0], "longitude": HERE[1]}
    response = incidents.get(volunteer, "/duplicates", **query)
    assert response.status_code == 200
    assert [(d["id"], d["distance_m"]) for d in response.get_json()["duplicates"]] == [
        (nearer["id"], 10),
        (farther["id"], 80),
    ]
    closed = incidents.move(incidents.officer(), nearer["id"], "not_actionable", note="车已开走")
    assert closed["incident"]["state"] == "not_actionable"
    listed = incidents.get(volunteer, "/duplicates", **query).get_json()["duplicates"]
    assert [d["id"] for d in listed] == [farther["id"]]  # only live reports


@pytest.mark.parametrize(
    "query, field",
    [
        ({}, "category"),
        ({"category": "nope", "address": "护国路"}, "category"),
        ({"category": "illegal_parking\x00", "address": "护国路"}, "category"),
        ({"category": "illegal_parking", "latitude": "nan", "longitude": "102.7"}, "latitude"),
        ({"category": "illegal_parking", "latitude": "25", "longitude": "1e3"}, "longitude"),
        ({"category": "illegal_parking", "latitude": "25", "longitude": "181"}, "longitude"),
        ({"category": "illegal_parking", "latitude": "25"}, "longitude"),
        ({"category": "illegal_parking"}, "location"),
        ({"category": "illegal_parking", "address": "路\x00"}, "address"),
        ({"category": "illegal_parking", "address": "路" * 201}, "address"),
    ],
)
def test_a_bad_duplicates_query_is_400_naming_the_field(world, incidents, query, field):
    error = error_of(incidents.get(world.volunteer(), "/duplicates", **query), 400, "invalid_input")
    assert field in error["fields"], error


# ---------------------------------------------------------------------------
# Idempotency-Key, multipart and photos
# ---------------------------------------------------------------------------


def test_a_retried_report_with_the_same_key_is_answered_as_the_first_time(world, incidents):
    volunteer = world.volunteer()
    first = incidents.send(volunteer, headers=volunteer.key("report-1"))
    again = incidents.send(volunteer, headers=volunteer.key("report-1"))
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert incidents.count() == 1
    reused = incidents.send(volunteer, headers=volunteer.key("report-1"), description="另一件事")
    error_of(reused, 422, "idempotency_key_reused")
    assert incidents.count() == 1


def test_a_multipart_report_stores_its_photos_without_exif(client, world, incidents):
    volunteer = world.volunteer()
    photos = [(jpeg_with_gps(), "a.jpg"), (jpeg_with_gps((10, 200, 10)), "b.jpg")]
    form = {
        "category": "lost_and_found",
        "description": "拾到一个黑色钱包",
        "fields": {"kind": "found", "item": "钱包"},
    }
    form |= {"latitude": HERE[0], "longitude": HERE[1], "hide_name": "true"}
    response = incidents.send_form(volunteer, photos=photos, headers=volunteer.key("form-1"), **form)
    assert response.status_code == 201, response.get_json()
    incident = response.get_json()
    assert incident["fields"] == {"kind": "found", "item": "钱包"} and len(incident["photo_urls"]) == 2
    assert incident["reporter_name"] is not None  # the reporter sees their own name
    replay = incidents.send_form(volunteer, photos=photos, headers=volunteer.key("form-1"), **form)
    assert replay.get_json() == incident and incidents.count() == 1

    photo = client.get(incident["photo_urls"][0], headers=world.volunteer(name="王芳").headers)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert "private" in photo.headers["Cache-Control"]
    with Image.open(BytesIO(photo.data)) as image:
        assert not image.getexif()  # no camera, no GPS
    thumb = client.get(incident["photo_urls"][1] + "?thumb=1", headers=volunteer.headers)
    assert thumb.status_code == 200 and thumb.data != photo.data
    assert client.get(incident["photo_urls"][0]).status_code == 401
    for path in ("/photos/3", "/photos/0"):
        assert incidents.get(volunteer, f"/{incident['id']}{path}").status_code == 404
    other = world.volunteer("xiaonanmen")
    assert client.get(incident["photo_urls"][0], headers=other.headers).status_code == 404
    bad_thumb = client.get(incident["photo_urls"][0] + "?thumb=yes", headers=volunteer.headers)
    assert "thumb" in error_of(bad_thumb, 400, "invalid_input")["fields"]


@pytest.mark.parametrize(
    "form, photos, field",
    [
        ({"colour": "白"}, 0, "colour"),
        ({"fields": "{not json"}, 0, "fields"),
        ({"fields": "[1]"}, 0, "fields"),
        ({"description": "压盲道\x00"}, 0, "description"),
        ({"report_anyway": "yes"}, 0, "report_anyway"),
        ({}, 7, "photos"),
        ({"category": "merchant_help", "fields": "{}"}, 0, None),  # fine: no extra fields
    ],
)
def test_bad_multipart_reports_are_400_naming_the_field(world, incidents, form, photos, field):
    base = {"category": "illegal_parking", "description": "压盲道", "fields": "{}", "address": "护国路 12 号"}
    response = incidents.send_form(
        world.volunteer(), photos=[(jpeg_with_gps(), f"{n}.jpg") for n in range(photos)], **(base | form)
    )
    if field is None:
        assert response.status_code == 201, response.get_json()
        return
    assert field in error_of(response, 400, "invalid_input")["fields"]
    assert incidents.count() == 0 and incidents.files() == []


def test_a_file_that_is_no_photo_is_refused_and_nothing_is_kept(world, incidents):
    form = {"category": "illegal_parking", "description": "压盲道", "address": "护国路 12 号"}
    photos = [(jpeg_with_gps(), "a.jpg"), (b"not a photo", "b.jpg")]
    response = incidents.send_form(world.volunteer(), photos=photos, **form)
    assert "photos" in error_of(response, 400, "invalid_input")["fields"]
    assert incidents.count() == 0 and incidents.files() == []


# ---------------------------------------------------------------------------
# The OpenAPI document
# ---------------------------------------------------------------------------


def test_the_openapi_document_describes_reports_and_the_duplicates_409(client):
    document = client.get("/api/v1/openapi.json").get_json()
    report = document["paths"]["/api/v1/s/{station}/incidents"]["post"]
    assert set(report["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert report["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/LikelyDuplicatesError"
    )
    assert any(p["name"] == "Idempotency-Key" for p in report["parameters"])
    detail = document["components"]["schemas"]["LikelyDuplicatesErrorDetail"]
    assert "duplicates" in detail["properties"]
    states = document["paths"]["/api/v1/s/{station}/incidents"]["get"]["parameters"]
    assert next(p for p in states if p["name"] == "state")["schema"]["enum"][:3] == ["live", "closed", "all"]
