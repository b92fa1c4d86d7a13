"""The incidents API after reporting: hidden names, triage actions, the board and its changes, tenancy and ids."""

from datetime import timedelta

import pytest

from tests.api_incidents_helpers import FAR, clock_fixture, incidents_fixture, world_fixture  # noqa: F401 - fixtures
from tests.api_points_helpers import NOON, error_of, iso

HUGE = 99_999_999_999_999_999_999


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
