"""The incidents API (警情与求助) on the shipped stations: categories, the
board and its changes, reporting (JSON or multipart with photos, likely
duplicates offered first, Idempotency-Key), an incident with its timeline,
the triage actions, hidden names and tenancy. Helpers: ``api_incidents_helpers.py``."""

from datetime import timedelta
from io import BytesIO

import pytest
from PIL import Image

from tests.api_incidents_helpers import (  # noqa: F401 - fixtures
    HERE,
    clock_fixture,
    incidents_fixture,
    north_of,
    report_body,
    world_fixture,
)
from tests.api_points_helpers import NOON, error_of, iso
from tests.incidents_helpers import jpeg_with_gps

HUGE = 99_999_999_999_999_999_999
FAR = north_of(HERE, 5000)  # well outside the duplicate radius


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
# Hidden names
# ---------------------------------------------------------------------------


def test_a_hidden_name_is_hidden_from_other_volunteers_but_not_from_staff(world, incidents):
    reporter = world.volunteer(name="李红")
    incident = incidents.report(reporter, hide_name=True)
    incidents.act(reporter, incident["id"], "comments", note="车牌看不清")
    other = world.volunteer(name="王芳")

    seen = incidents.show(other, incident["id"])
    assert seen["reporter_name"] is None
    assert [line["actor"] for line in seen["timeline"]] == [{"id": None, "name": None}] * 2
    assert incidents.board(other)["incidents"][0]["reporter_name"] is None

    for viewer in (incidents.officer(), reporter):
        shown = incidents.show(viewer, incident["id"])
        assert shown["reporter_name"] == "李红"
        assert [line["actor"] for line in shown["timeline"]] == [{"id": reporter.id, "name": "李红"}] * 2
    assert incidents.board(incidents.officer())["incidents"][0]["reporter_name"] == "李红"

    # assigned to their own report, they stay hidden as the assignee too
    incidents.act(incidents.officer(), incident["id"], "assign", assignee_id=reporter.id)
    seen = incidents.show(other, incident["id"])
    assert seen["assignee"] == {"id": None, "name": None} == seen["timeline"][-1]["assignee"]
    assert incidents.show(incidents.officer(), incident["id"])["assignee"] == {"id": reporter.id, "name": "李红"}


# ---------------------------------------------------------------------------
# Triage: state, comments, assignment, useful
# ---------------------------------------------------------------------------


def test_an_officer_moves_an_incident_on_and_each_answer_carries_the_new_line(world, incidents, clock):
    incident = incidents.report(world.volunteer())
    officer = incidents.officer()
    clock.now = NOON + timedelta(minutes=10)
    acted = incidents.move(officer, incident["id"], "acknowledged", expected_state="open")
    assert acted["incident"]["state"] == "acknowledged" and acted["incident"]["updated_at"] == iso(clock.now)
    event = acted["event"]
    assert (event["kind"], event["from_state"], event["to_state"]) == ("state", "open", "acknowledged")
    assert event["actor"] == {"id": officer.id, "name": "张警官"} and event["created_at"] == iso(clock.now)

    stale = incidents.act(officer, incident["id"], "state", state="in_progress", expected_state="open")
    error_of(stale, 409, "changed")
    error_of(incidents.act(officer, incident["id"], "state", state="resolved"), 400, "invalid_input")  # needs a note
    resolved = incidents.move(officer, incident["id"], "resolved", note="已联系车主挪车")
    assert resolved["event"]["note"] == "已联系车主挪车"
    error_of(incidents.act(officer, incident["id"], "state", state="open"), 409, "bad_transition")
    timeline = incidents.show(officer, incident["id"])["timeline"]
    assert [line["to_state"] for line in timeline] == ["open", "acknowledged", "resolved"]


def test_closing_as_a_duplicate_names_another_report_of_the_station(world, incidents):
    volunteer, officer = world.volunteer(), incidents.officer()
    original = incidents.report(volunteer)
    copy = incidents.report(volunteer)
    elsewhere = incidents.report(world.volunteer("xiaonanmen"), "xiaonanmen")
    for duplicate_of in (None, copy["id"], elsewhere["id"]):
        response = incidents.act(officer, copy["id"], "state", state="duplicate", duplicate_of=duplicate_of)
        assert "duplicate_of" in error_of(response, 400, "invalid_input")["fields"]
    closed = incidents.move(officer, copy["id"], "duplicate", duplicate_of=original["id"])
    assert closed["incident"]["duplicate_of"] == original["id"] and closed["incident"]["state"] == "duplicate"


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "state"),
        ({"state": "done"}, "state"),
        ({"state": 3}, "state"),
        ({"state": "acknowledged", "expected_state": "sideways"}, "expected_state"),
        ({"state": "duplicate", "duplicate_of": "1"}, "duplicate_of"),
        ({"state": "duplicate", "duplicate_of": HUGE}, "duplicate_of"),
        ({"state": "acknowledged", "note": ["a"]}, "note"),
        ({"state": "acknowledged", "note": "好\x00"}, "note"),
        ({"state": "acknowledged", "why": "x"}, "why"),
    ],
)
def test_a_bad_state_change_is_400_naming_the_field(world, incidents, body, field):
    incident = incidents.report(world.volunteer())
    response = incidents.act(incidents.officer(), incident["id"], "state", **body)
    assert field in error_of(response, 400, "invalid_input")["fields"]


def test_a_volunteer_may_not_triage(world, incidents):
    volunteer = world.volunteer()
    incident = incidents.report(volunteer)
    error_of(incidents.act(volunteer, incident["id"], "state", state="acknowledged"), 403, "staff_only")
    error_of(incidents.act(volunteer, incident["id"], "assign", assignee_id=volunteer.id), 403, "staff_only")
    error_of(incidents.act(volunteer, incident["id"], "useful"), 403, "staff_only")


def test_members_comment_and_an_empty_or_bad_comment_is_refused(world, incidents):
    incident = incidents.report(world.volunteer())
    other = world.volunteer(name="王芳")
    response = incidents.act(other, incident["id"], "comments", note="  我也看到了  ")
    assert response.status_code == 201
    assert response.get_json()["event"]["kind"] == "comment" and response.get_json()["event"]["note"] == "我也看到了"
    for body in ({"note": "   "}, {}, {"note": 5}, {"note": "x" * 1001}):
        assert (
            "note" in error_of(incidents.act(other, incident["id"], "comments", **body), 400, "invalid_input")["fields"]
        )
    error_of(incidents.act(other, incident["id"], "comments", headers={"X": "y"}), 401, "unauthorized")


def test_assignment_lets_the_assignee_move_it_on_and_can_be_taken_back(world, incidents):
    reporter, helper, officer = world.volunteer(), world.volunteer(name="王芳"), incidents.officer()
    incident = incidents.report(reporter)
    assigned = incidents.act(officer, incident["id"], "assign", assignee_id=helper.id, note="请去看看")
    assert assigned.status_code == 200, assigned.get_json()
    body = assigned.get_json()
    assert body["incident"]["assignee"] == {"id": helper.id, "name": "王芳"}
    assert body["event"]["kind"] == "assigned" and body["event"]["assignee"] == {"id": helper.id, "name": "王芳"}
    assert incidents.move(helper, incident["id"], "in_progress")["incident"]["state"] == "in_progress"
    error_of(incidents.act(reporter, incident["id"], "state", state="resolved", note="好了"), 403, "staff_only")
    back = incidents.act(officer, incident["id"], "assign", assignee_id=None).get_json()
    assert back["incident"]["assignee"] is None and back["event"]["assignee"] is None
    outsider = world.volunteer("xiaonanmen")
    for body, field in (
        ({"assignee_id": outsider.id}, "assignee"),
        ({"assignee_id": HUGE}, "assignee_id"),
        ({"assignee_id": "7"}, "assignee_id"),
        ({}, "assignee_id"),
    ):
        assert (
            field in error_of(incidents.act(officer, incident["id"], "assign", **body), 400, "invalid_input")["fields"]
        )


def test_confirming_a_resolved_report_useful_books_the_reporters_points_once(world, incidents):
    reporter, officer = world.volunteer(), incidents.officer()
    incident = incidents.report(reporter)
    error_of(incidents.act(officer, incident["id"], "useful"), 409, "not_resolved")
    incidents.move(officer, incident["id"], "resolved", note="已处理")
    response = incidents.act(officer, incident["id"], "useful", headers=officer.key("useful-1"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["incident"]["useful"] is True and body["event"]["kind"] == "useful"
    points = int(body["event"]["note"])
    assert points > 0 and world.points(reporter)["balance"] == points
    replay = incidents.act(officer, incident["id"], "useful", headers=officer.key("useful-1"))
    assert replay.get_json() == body and replay.headers["Idempotent-Replayed"] == "true"
    error_of(incidents.act(officer, incident["id"], "useful"), 409, "already_useful")
    assert world.points(reporter)["balance"] == points


# ---------------------------------------------------------------------------
# The board: filters, pages, changes
# ---------------------------------------------------------------------------


def test_the_board_filters_by_state_and_category_and_pages_back(world, incidents):
    volunteer, officer = world.volunteer(), incidents.officer()
    parking = incidents.report(volunteer)
    posters = incidents.report(volunteer, category="illegal_posters")
    incidents.move(officer, parking["id"], "not_actionable", note="车已开走")

    def ids(**query):
        return [incident["id"] for incident in incidents.board(volunteer, **query)["incidents"]]

    assert ids() == [posters["id"]]
    assert ids(state="closed") == [parking["id"]] == ids(state="not_actionable")
    assert ids(state="all") == [posters["id"], parking["id"]]
    assert ids(state="all", category="illegal_parking") == [parking["id"]]
    assert ids(state="all", before_id=posters["id"]) == [parking["id"]]


def test_the_board_says_when_there_are_more(world, incidents, monkeypatch):
    from core.incidents import board as board_domain

    monkeypatch.setattr(board_domain, "BOARD_SIZE", 2)
    volunteer = world.volunteer()
    made = [incidents.report(volunteer, category="illegal_posters")["id"] for _ in range(3)]
    first = incidents.board(volunteer)
    assert [i["id"] for i in first["incidents"]] == made[:0:-1] and first["has_more"] is True
    rest = incidents.board(volunteer, before_id=made[1])
    assert [i["id"] for i in rest["incidents"]] == [made[0]] and rest["has_more"] is False


@pytest.mark.parametrize(
    "query, field",
    [
        ({"state": "sideways"}, "state"),
        ({"state": ""}, "state"),
        ({"category": "nope"}, "category"),
        ({"category": "x\x00"}, "category"),
        ({"before_id": "abc"}, "before_id"),
        ({"before_id": "-1"}, "before_id"),
        ({"before_id": str(HUGE)}, "before_id"),
        ({"before_id": "１２"}, "before_id"),
    ],
)
def test_a_bad_board_query_is_400_naming_the_field(world, incidents, query, field):
    error = error_of(incidents.get(world.volunteer(), "", **query), 400, "invalid_input")
    assert field in error["fields"]


def test_changes_after_a_timeline_line_follow_the_board(world, incidents):
    volunteer, officer = world.volunteer(), incidents.officer()
    incident = incidents.report(volunteer)
    start = incidents.board(volunteer)["last_event_id"]
    assert incidents.get(volunteer, "/changes", after=start).get_json() == {"incidents": [], "last_event_id": start}
    newer = incidents.report(volunteer, at=FAR)
    incidents.move(officer, incident["id"], "acknowledged")
    changes = incidents.get(volunteer, "/changes", after=start).get_json()
    assert [(i["id"], i["state"]) for i in changes["incidents"]] == [
        (newer["id"], "open"),
        (incident["id"], "acknowledged"),
    ]
    assert changes["last_event_id"] > start
    everything = incidents.get(volunteer, "/changes").get_json()  # after defaults to 0: from the first line
    assert {i["id"] for i in everything["incidents"]} == {incident["id"], newer["id"]}
    for after in ("abc", "-1", str(HUGE)):
        assert "after" in error_of(incidents.get(volunteer, "/changes", after=after), 400, "invalid_input")["fields"]


# ---------------------------------------------------------------------------
# Tenancy and ids
# ---------------------------------------------------------------------------


def test_another_stations_incident_is_not_found_exactly_like_a_missing_one(client, world, incidents):
    incident = incidents.report(world.volunteer())
    neighbour = world.volunteer("xiaonanmen")
    staff = incidents.officer("xiaonanmen")
    missing = incidents.get(neighbour, "/999999", "xiaonanmen")
    error_of(missing, 404, "not_found")
    for person in (neighbour, staff):
        response = incidents.get(person, f"/{incident['id']}", "xiaonanmen")
        assert response.status_code == 404 and response.get_json() == missing.get_json()
        for action, body in (
            ("state", {"state": "acknowledged"}),
            ("comments", {"note": "看看"}),
            ("assign", {"assignee_id": None}),
            ("useful", {}),
        ):
            acted = incidents.act(person, incident["id"], action, "xiaonanmen", **body)
            assert acted.status_code == 404 and acted.get_json() == missing.get_json()
        assert incidents.get(person, f"/{incident['id']}/photos/1", "xiaonanmen").status_code == 404
    # a token of another station at this station's URLs
    assert incidents.get(neighbour, f"/{incident['id']}").status_code == 404
    error_of(incidents.get(neighbour), 403, "not_a_member")
    error_of(incidents.get(neighbour, "/changes"), 403, "not_a_member")
    error_of(incidents.get(neighbour, "/duplicates", category="illegal_parking", address="x"), 403, "not_a_member")
    assert incidents.board(neighbour, "xiaonanmen")["incidents"] == []
    assert incidents.get(neighbour, "/changes", "xiaonanmen").get_json()["incidents"] == []


@pytest.mark.parametrize(
    "path", [f"/{HUGE}", f"/{2**31}", "/abc", "/-1", f"/{HUGE}/photos/1", "/1/photos/99999999999999999999"]
)
def test_odd_ids_in_the_path_are_not_found(world, incidents, path):
    incidents.report(world.volunteer())
    response = incidents.get(world.volunteer(), path)
    assert response.status_code == 404 and "error" in response.get_json()
    for action in ("state", "comments", "assign", "useful"):
        if "/photos/" not in path:
            acted = incidents.act(
                incidents.officer(), path.strip("/"), action, state="acknowledged", note="x", assignee_id=None
            )
            assert acted.status_code == 404


def test_an_unknown_station_is_a_json_404(client, world):
    response = client.get("/api/v1/s/nowhere/incidents", headers=world.volunteer().headers)
    assert response.status_code == 404 and "error" in response.get_json()


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
