"""The groups API on the shipped stations: instructions down the tree
(五华分局 holds huguo and xiaonanmen; donghua is in 盘龙分局), acknowledging
them, teams and their members, mobilisation and its tally, liaison."""

from datetime import timedelta

import pytest
from openapi_spec_validator import validate

from core.models import Instruction, InstructionRecipient, Mobilisation, Role, User
from core.tenancy import current_tenancy
from tests.api_groups_helpers import clock_fixture, groups_fixture, world_fixture  # noqa: F401
from tests.api_points_helpers import NOON, error_of, iso

HUGE = 99_999_999_999_999_999_999


def _active_people(app, *slugs):
    """How many active accounts the stations hold (the shipped world has none at the start)."""
    with app.app_context():
        ids = [current_tenancy().get(slug).id for slug in slugs]
        return User.select().where(User.station.in_(ids), User.active == True).count()  # noqa: E712


# ---------------------------------------------------------------------------
# Instructions down the tree
# ---------------------------------------------------------------------------


def test_a_district_instruction_reaches_everyone_of_its_stations_and_teams_and_no_one_else(app, client, world, groups):
    team = groups.team("长春小学护学队")
    member = world.volunteer("huguo", name="队员")
    assert groups.add(team["id"], member).status_code == 201
    inside = {
        "huguo": [world.volunteer("huguo"), world.staff("huguo"), member, world.admin("huguo")],
        "xiaonanmen": [world.volunteer("xiaonanmen"), world.staff("xiaonanmen")],
    }
    outside = [world.volunteer("donghua"), world.staff("donghua")]
    boss = groups.district_admin("五华分局")

    response = groups.instruct(
        boss, groups.group_id("district:五华分局"), text="今晚加强巡逻", priority="urgent", place="护国路"
    )
    assert response.status_code == 201, response.get_json()
    sent = response.get_json()
    assert sent["reached"] == _active_people(app, "huguo", "xiaonanmen") == 6
    assert sent["priority"] == "urgent" and sent["group"]["kind"] == "district" and sent["author"]["id"] == boss.id
    assert sent["created_at"] == iso(NOON)

    for slug, people in inside.items():
        for person in people:
            inbox = groups.inbox(person, slug)
            assert [(i["id"], i["priority"], i["acknowledged_at"]) for i in inbox["instructions"]] == [
                (sent["id"], "urgent", None)
            ]
            assert inbox["instructions"][0]["group"]["name"] == "五华分局"
            assert inbox["unread"] == 1
    for person in outside:
        assert groups.inbox(person, "donghua") == {"instructions": [], "unread": 0}
        error_of(groups.acknowledge(person, sent["id"], "donghua"), 404, "not_found")

    # acknowledged once; the second time is a 409 and changes nothing
    first = groups.acknowledge(member, sent["id"])
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"instruction_id": sent["id"], "acknowledged_at": iso(NOON), "unread": 0}
    error_of(groups.acknowledge(member, sent["id"]), 409, "already_acknowledged")
    assert groups.inbox(member)["instructions"][0]["acknowledged_at"] == iso(NOON)

    # the sender's side: who acknowledged, who is waiting, and a reminder for the waiting
    status = client.get(f"/api/v1/instructions/{sent['id']}/status", headers=boss.headers)
    assert status.status_code == 200, status.get_json()
    body = status.get_json()
    assert [p["id"] for p in body["acknowledged"]] == [member.id]
    assert body["total"] == 6 and len(body["waiting"]) == 5
    assert {p["station"] for p in body["waiting"]} == {"huguo", "xiaonanmen"}
    assert client.get(f"/api/v1/s/huguo/instructions/{sent['id']}/status", headers=boss.headers).status_code == 200
    error_of(client.get(f"/api/v1/s/donghua/instructions/{sent['id']}/status", headers=boss.headers), 404, "not_found")
    # a station's officer is not on the sender's side of a district instruction
    error_of(
        client.get(f"/api/v1/s/huguo/instructions/{sent['id']}/status", headers=inside["huguo"][1].headers),
        404,
        "not_found",
    )

    groups.clock.now = NOON + timedelta(hours=1)
    reminded = client.post(f"/api/v1/instructions/{sent['id']}/remind", headers=boss.headers)
    assert reminded.status_code == 200, reminded.get_json()
    assert reminded.get_json() == {"instruction_id": sent["id"], "reminded": 5}
    waiting = client.get(f"/api/v1/instructions/{sent['id']}/status", headers=boss.headers).get_json()["waiting"]
    assert {p["reminded_at"] for p in waiting} == {iso(NOON + timedelta(hours=1))}
    error_of(client.post(f"/api/v1/instructions/{sent['id']}/remind", headers=member.headers), 404, "not_found")


def test_an_officers_team_instruction_reaches_its_members_and_sub_teams_and_after_gives_only_newer(
    client, world, groups
):
    officer = world.staff("huguo")
    school = groups.team("护学队")
    gate = groups.team("正门组", parent_id=school["id"])
    a, b, c = world.volunteer(), world.volunteer(), world.volunteer()
    assert groups.add(school["id"], a).status_code == 201
    assert groups.add(gate["id"], b).status_code == 201

    first = groups.instruct(officer, school["id"], station="huguo", text="明早 7:20 到岗")
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["reached"] == 2
    assert groups.inbox(c)["instructions"] == []
    second = groups.instruct(officer, gate["id"], station="huguo", text="正门组带好旗").get_json()
    assert second["reached"] == 1

    assert [i["id"] for i in groups.inbox(b)["instructions"]] == [second["id"], first.get_json()["id"]]
    newer = groups.inbox(b, after=first.get_json()["id"])
    assert [i["id"] for i in newer["instructions"]] == [second["id"]] and newer["unread"] == 2
    for bad in ("abc", "-1", str(HUGE)):
        error = error_of(
            client.get("/api/v1/s/huguo/instructions", query_string={"after": bad}, headers=b.headers),
            400,
            "invalid_input",
        )
        assert list(error["fields"]) == ["after"]

    # the officer is on the sender's side of their own instruction, at their station
    status = client.get(f"/api/v1/s/huguo/instructions/{second['id']}/status", headers=officer.headers).get_json()
    assert [p["id"] for p in status["waiting"]] == [b.id]
    # a person of another station reads instructions at their own station only
    error_of(client.get("/api/v1/s/donghua/instructions", headers=b.headers), 403, "other_station")


def test_posting_to_another_stations_group_is_404_and_nothing_is_stored(app, client, world, groups):
    night = groups.team("夜巡一队", station="donghua")
    officer = world.staff("huguo")
    for station in ("huguo", "donghua", None):
        error_of(groups.instruct(officer, night["id"], station=station), 404, "not_found")
    error_of(groups.instruct(officer, groups.group_id("station:donghua"), station="huguo"), 404, "not_found")
    # the district group is no group of a station's scope; unscoped, an officer does not see it
    error_of(groups.instruct(officer, groups.group_id("district:五华分局"), station="huguo"), 404, "not_found")
    error_of(groups.instruct(officer, groups.group_id("district:五华分局")), 404, "not_found")
    error_of(groups.instruct(officer, HUGE, station="huguo"), 404, "not_found")
    error_of(groups.instruct(officer, HUGE), 404, "not_found")
    error_of(groups.instruct(world.volunteer(), groups.group_id("station:huguo"), station="huguo"), 403, "staff_only")
    with app.app_context():
        assert Instruction.select().count() == 0 and InstructionRecipient.select().count() == 0


def test_a_retried_acknowledgement_gets_the_first_answer(client, world, groups):
    officer, volunteer = world.staff("huguo"), world.volunteer()
    sent = groups.instruct(officer, groups.group_id("station:huguo"), station="huguo").get_json()
    url = f"/api/v1/s/huguo/instructions/{sent['id']}/acknowledge"
    first = client.post(url, headers=volunteer.key("ack-1"))
    again = client.post(url, headers=volunteer.key("ack-1"))
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    error_of(client.post(url, headers=volunteer.headers), 409, "already_acknowledged")


# ---------------------------------------------------------------------------
# Teams and members
# ---------------------------------------------------------------------------


def test_teams_and_members_are_managed_by_the_stations_admins_only(client, world, groups):
    admin, officer, volunteer = world.admin("huguo"), world.staff("huguo"), world.volunteer()
    other_admin = world.admin("donghua")
    station_group = groups.group_id("station:huguo")

    team = groups.team("长春小学护学队", by=admin)
    assert (team["kind"], team["parent_id"], team["station"], team["member_count"]) == (
        "team",
        station_group,
        "huguo",
        0,
    )
    sub = groups.team("正门组", parent_id=team["id"], by=admin)
    assert sub["parent_id"] == team["id"]
    error_of(
        client.post("/api/v1/s/huguo/groups", json={"name": "长春小学护学队"}, headers=admin.headers), 409, "name_taken"
    )
    for person in (officer, volunteer):
        error_of(
            client.post("/api/v1/s/huguo/groups", json={"name": "另一队"}, headers=person.headers),
            403,
            "station_admins_only",
        )
    error_of(
        client.post("/api/v1/s/huguo/groups", json={"name": "另一队"}, headers=other_admin.headers), 404, "not_found"
    )
    error_of(
        client.post(
            "/api/v1/s/donghua/groups", json={"name": "另一队", "parent_id": team["id"]}, headers=other_admin.headers
        ),
        404,
        "not_found",
    )

    members = f"/api/v1/s/huguo/groups/{team['id']}/members"
    added = groups.add(team["id"], volunteer, by=admin)
    assert added.status_code == 201, added.get_json()
    assert added.get_json() == {
        "group_id": team["id"],
        "members": [{"id": volunteer.id, "name": "李红", "role": "volunteer"}],
    }
    error_of(groups.add(team["id"], volunteer, by=admin), 409, "already_member")
    error_of(groups.add(team["id"], world.volunteer("donghua"), by=admin), 404, "not_found")
    error_of(groups.add(team["id"], officer, by=officer), 403, "station_admins_only")
    error_of(groups.add(team["id"], officer, by=other_admin), 404, "not_found")
    error_of(groups.add(team["id"], officer, station="donghua", by=other_admin), 404, "not_found")
    error_of(groups.add(station_group, officer, by=admin), 404, "not_found")  # a station group holds everyone already

    assert client.get(members, headers=officer.headers).get_json()["members"][0]["id"] == volunteer.id
    error_of(client.get(members, headers=volunteer.headers), 403, "staff_only")
    error_of(client.get(members, headers=other_admin.headers), 404, "not_found")

    listed = client.get("/api/v1/s/huguo/groups", headers=officer.headers).get_json()["groups"]
    assert [(g["id"], g["kind"], g["parent_id"]) for g in listed] == [
        (station_group, "station", groups.group_id("district:五华分局")),
        (team["id"], "team", station_group),
        (sub["id"], "team", team["id"]),
    ]
    assert [g["member_count"] for g in listed] == [3, 1, 0]
    assert client.get("/api/v1/s/huguo/groups", headers=other_admin.headers).get_json() == {"groups": []}

    error_of(client.delete(f"{members}/{volunteer.id}", headers=officer.headers), 403, "station_admins_only")
    error_of(client.delete(f"{members}/{volunteer.id}", headers=other_admin.headers), 404, "not_found")
    removed = client.delete(f"{members}/{volunteer.id}", headers=admin.headers)
    assert removed.status_code == 200 and removed.get_json()["members"] == []
    error_of(client.delete(f"{members}/{volunteer.id}", headers=admin.headers), 404, "not_found")
    error_of(client.delete(f"{members}/{HUGE}", headers=admin.headers), 404, "not_found")
    error_of(client.get(f"/api/v1/s/huguo/groups/{HUGE}/members", headers=admin.headers), 404, "not_found")


def test_district_and_city_admins_see_their_part_of_the_tree_unscoped(client, world, groups):
    groups.team("护学队", station="huguo")
    groups.team("夜巡一队", station="donghua")
    boss = groups.district_admin("五华分局")
    seen = client.get("/api/v1/groups", headers=boss.headers).get_json()["groups"]
    assert (seen[0]["kind"], seen[0]["name"]) == ("district", "五华分局")
    assert {g["station"] for g in seen if g["kind"] != "district"} == {"huguo", "xiaonanmen"}
    assert "夜巡一队" not in {g["name"] for g in seen}
    city = client.get("/api/v1/groups", headers=groups.city_admin().headers).get_json()["groups"]
    assert city[0]["kind"] == "city" and city[0]["parent_id"] is None
    assert city[0]["member_count"] == sum(g["member_count"] for g in city if g["kind"] == "district") == 2
    assert {"护学队", "夜巡一队", "盘龙分局"} <= {g["name"] for g in city}
    # the district admin sees this station's part under its scope, too
    assert [g["kind"] for g in client.get("/api/v1/s/huguo/groups", headers=boss.headers).get_json()["groups"]] == [
        "station",
        "team",
    ]
    assert client.get("/api/v1/groups").status_code == 401


# ---------------------------------------------------------------------------
# Mobilisation
# ---------------------------------------------------------------------------


def test_a_mobilisation_is_answered_once_before_its_deadline_and_its_tally_is_exact_and_kept(
    app, client, world, groups
):
    boss = groups.district_admin("五华分局")
    huguo = [world.volunteer("huguo") for _ in range(3)]
    xiaonanmen = [world.volunteer("xiaonanmen") for _ in range(2)]
    officer = world.staff("huguo")
    error_of(groups.mobilise(officer, groups.group_id("station:huguo"), station="huguo"), 403, "admins_only")
    error_of(groups.mobilise(boss, groups.group_id("station:donghua")), 404, "not_found")

    started = groups.mobilise(boss, groups.group_id("district:五华分局"), text="全线飘红，速到岗")
    assert started.status_code == 201, started.get_json()
    mob = started.get_json()
    assert mob["open"] is True and mob["ended_at"] is None and mob["my_answer"] is None
    assert mob["tally"]["total"] == {"available": 0, "not_available": 0, "waiting": 6}
    assert mob["deadline"] == iso(NOON + timedelta(hours=1))

    answered = groups.answer(huguo[0], mob["id"], available=True, location="护国路口")
    assert answered.status_code == 200, answered.get_json()
    assert answered.get_json() == {
        "mobilisation_id": mob["id"],
        "available": True,
        "location": "护国路口",
        "answered_at": iso(NOON),
    }
    assert groups.answer(huguo[1], mob["id"], available=False).status_code == 200
    assert groups.answer(xiaonanmen[0], mob["id"], station="xiaonanmen", available=True).status_code == 200
    error_of(groups.answer(huguo[1], mob["id"], available=True), 409, "already_answered")
    error_of(groups.answer(world.volunteer("donghua"), mob["id"], station="donghua", available=True), 404, "not_found")

    live = groups.mobilisation(boss, mob["id"]).get_json()
    assert live["tally"]["total"] == {"available": 2, "not_available": 1, "waiting": 3}
    by_station = {
        row["slug"]: (row["available"], row["not_available"], row["waiting"]) for row in live["tally"]["stations"]
    }
    assert by_station == {"huguo": (1, 1, 2), "xiaonanmen": (1, 0, 1)}
    assert {p["id"] for p in live["waiting"]} == {huguo[2].id, officer.id, xiaonanmen[1].id}
    # staff see their station's waiting; a volunteer sees the tally and their own answer
    staff_view = groups.mobilisation(officer, mob["id"], station="huguo").get_json()
    assert {p["id"] for p in staff_view["waiting"]} == {huguo[2].id, officer.id}
    mine = groups.mobilisation(huguo[0], mob["id"], station="huguo").get_json()
    assert (
        mine["waiting"] is None
        and mine["my_answer"]["available"] is True
        and mine["my_answer"]["location"] == "护国路口"
    )
    error_of(groups.mobilisation(huguo[0], mob["id"], station="donghua"), 404, "not_found")

    # past the deadline: answers are closed and the tally as it stood is kept
    groups.clock.now = NOON + timedelta(hours=2)
    error_of(groups.answer(huguo[2], mob["id"], available=True), 409, "mobilisation_over")
    over = groups.mobilisation(boss, mob["id"]).get_json()
    assert over["open"] is False and over["ended_at"] == iso(NOON + timedelta(hours=1))
    assert over["tally"]["total"] == {"available": 2, "not_available": 1, "waiting": 3}
    error_of(client.post(f"/api/v1/mobilisations/{mob['id']}/end", headers=boss.headers), 409, "mobilisation_over")
    with app.app_context():
        assert Mobilisation.get_by_id(mob["id"]).result["total"] == {"available": 2, "not_available": 1, "waiting": 3}


def test_a_mobilisation_ended_by_hand_keeps_its_result_and_takes_no_more_answers(client, world, groups):
    city = groups.city_admin()
    team = groups.team("应急队")
    a, b = world.volunteer(), world.volunteer()
    for person in (a, b):
        assert groups.add(team["id"], person).status_code == 201
    mob = groups.mobilise(city, team["id"], station="huguo", hours=3).get_json()
    assert mob["tally"]["total"]["waiting"] == 2 and mob["tally"]["teams"][0]["name"] == "应急队"
    assert groups.answer(a, mob["id"], available=True).status_code == 200

    groups.clock.now = NOON + timedelta(minutes=30)
    error_of(client.post(f"/api/v1/s/huguo/mobilisations/{mob['id']}/end", headers=a.headers), 403, "admins_only")
    ended = client.post(f"/api/v1/mobilisations/{mob['id']}/end", headers=city.headers)
    assert ended.status_code == 200, ended.get_json()
    body = ended.get_json()
    assert body["ended_at"] == iso(NOON + timedelta(minutes=30)) and body["open"] is False
    assert body["tally"]["total"] == {"available": 1, "not_available": 0, "waiting": 1}
    error_of(groups.answer(b, mob["id"], available=True), 409, "mobilisation_over")
    assert groups.mobilisation(city, mob["id"]).get_json()["tally"] == body["tally"]
    error_of(groups.mobilisation(city, HUGE), 404, "not_found")
    error_of(client.post(f"/api/v1/mobilisations/{HUGE}/end", headers=city.headers), 404, "not_found")


# ---------------------------------------------------------------------------
# Liaison
# ---------------------------------------------------------------------------


def test_an_officer_liaises_with_at_most_ten_and_the_station_sees_who_is_overdue(client, world, groups):
    admin, officer, other = (
        world.admin("huguo"),
        world.staff("huguo", name="张警官"),
        world.staff("huguo", name="李警官"),
    )
    volunteers = [world.volunteer() for _ in range(11)]

    def assign(volunteer, to=officer):
        return client.post(
            "/api/v1/s/huguo/liaison", json={"officer_id": to.id, "volunteer_id": volunteer.id}, headers=admin.headers
        )

    for volunteer in volunteers[:10]:
        assert assign(volunteer).status_code == 201
    eleventh = error_of(assign(volunteers[10]), 409, "liaison_limit")
    assert list(eleventh["fields"]) == ["officer_id"]
    error_of(assign(volunteers[0], to=other), 409, "has_liaison")
    error_of(
        client.post(
            "/api/v1/s/huguo/liaison",
            json={"officer_id": officer.id, "volunteer_id": volunteers[10].id},
            headers=volunteers[0].headers,
        ),
        403,
        "staff_only",
    )
    error_of(assign(world.volunteer("donghua"), to=other), 404, "not_found")

    assert client.post("/api/v1/me/checkins", headers=volunteers[0].headers).status_code == 201
    mine = client.get("/api/v1/s/huguo/liaison", headers=officer.headers).get_json()
    assert mine["limit"] == 10 and len(mine["volunteers"]) == 10
    by_id = {row["volunteer"]["id"]: row for row in mine["volunteers"]}
    assert by_id[volunteers[0].id]["last_checkin"] == "2020-01-15"
    assert by_id[volunteers[1].id]["last_checkin"] is None and by_id[volunteers[1].id]["open_instructions"] == 0

    [row] = client.get("/api/v1/s/huguo/liaison/overview", headers=admin.headers).get_json()["officers"]
    assert (row["officer"]["id"], row["volunteers"], row["over_limit"], row["overdue"]) == (officer.id, 10, False, True)
    error_of(client.get("/api/v1/s/huguo/liaison/overview", headers=volunteers[0].headers), 403, "staff_only")

    meeting = {"held_on": "2020-01-14", "attendees": [volunteers[0].id, volunteers[1].id], "notes": "周例会"}
    logged = client.post("/api/v1/s/huguo/liaison/meetings", json=meeting, headers=officer.headers)
    assert logged.status_code == 201, logged.get_json()
    assert logged.get_json()["attendees"] == sorted([volunteers[0].id, volunteers[1].id])
    [row] = client.get("/api/v1/s/huguo/liaison/overview", headers=admin.headers).get_json()["officers"]
    assert row["overdue"] is False and row["last_meeting"] == "2020-01-14"
    stranger = client.post(
        "/api/v1/s/huguo/liaison/meetings", json={**meeting, "attendees": [volunteers[10].id]}, headers=officer.headers
    )
    assert list(error_of(stranger, 400, "invalid_input")["fields"]) == ["attendees"]
    future = client.post(
        "/api/v1/s/huguo/liaison/meetings", json={**meeting, "held_on": "2020-01-16"}, headers=officer.headers
    )
    assert list(error_of(future, 400, "invalid_input")["fields"]) == ["held_on"]

    removed = client.delete(f"/api/v1/s/huguo/liaison/{volunteers[0].id}", headers=admin.headers)
    assert removed.status_code == 200 and removed.get_json() == {"volunteer_id": volunteers[0].id}
    error_of(client.delete(f"/api/v1/s/huguo/liaison/{volunteers[0].id}", headers=admin.headers), 404, "not_found")
    error_of(client.delete(f"/api/v1/s/huguo/liaison/{HUGE}", headers=admin.headers), 404, "not_found")
    assert assign(volunteers[10]).status_code == 201


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, fields",
    [
        ({}, ["text"]),
        ({"text": "", "priority": "very"}, ["priority", "text"]),
        ({"text": "hi", "deadline": "tomorrow"}, ["deadline"]),
        ({"text": "hi", "deadline": "2020-01-15T03:00:00+00:00"}, ["deadline"]),  # before the clock's NOON
        ({"text": "hi", "colour": "red"}, ["colour"]),
        ({"text": "a\x01b"}, ["text"]),
    ],
)
def test_a_bad_instruction_is_a_400_naming_its_fields(client, world, groups, body, fields):
    response = client.post(
        f"/api/v1/s/huguo/groups/{groups.group_id('station:huguo')}/instructions",
        json=body,
        headers=world.staff("huguo").headers,
    )
    assert sorted(error_of(response, 400, "invalid_input")["fields"]) == fields


@pytest.mark.parametrize(
    "path, body, fields",
    [
        ("groups", {"name": ""}, ["name"]),
        ("groups", {"name": "a\nb"}, ["name"]),
        ("groups", {"name": "x" * 61}, ["name"]),
        ("groups", {"name": "队", "parent_id": "1"}, ["parent_id"]),
        ("groups", {"name": "队", "parent_id": HUGE}, ["parent_id"]),
        ("liaison", {"officer_id": "x"}, ["officer_id", "volunteer_id"]),
        ("liaison", {"officer_id": 0, "volunteer_id": HUGE}, ["officer_id", "volunteer_id"]),
        ("liaison/meetings", {"held_on": "1999-12-31", "attendees": ["a"]}, ["attendees", "held_on"]),
    ],
)
def test_bad_team_liaison_and_meeting_bodies_are_400s_naming_their_fields(client, world, path, body, fields):
    response = client.post(f"/api/v1/s/huguo/{path}", json=body, headers=world.admin("huguo").headers)
    assert sorted(error_of(response, 400, "invalid_input")["fields"]) == fields


def test_bad_mobilisations_and_answers_are_400s(client, world, groups):
    city, volunteer = groups.city_admin(), world.volunteer()
    station_group = groups.group_id("station:huguo")
    too_late = groups.mobilise(city, station_group, hours=73)
    assert list(error_of(too_late, 400, "invalid_input")["fields"]) == ["deadline"]
    missing = client.post(f"/api/v1/groups/{station_group}/mobilisations", json={}, headers=city.headers)
    assert sorted(error_of(missing, 400, "invalid_input")["fields"]) == ["deadline", "text"]
    mob = groups.mobilise(city, station_group).get_json()
    for body, fields in (
        ({}, ["available"]),
        ({"available": False, "location": "家"}, ["location"]),
        ({"available": "maybe"}, ["available"]),
    ):
        assert sorted(error_of(groups.answer(volunteer, mob["id"], **body), 400, "invalid_input")["fields"]) == fields
    response = client.post(
        f"/api/v1/s/huguo/mobilisations/{mob['id']}/answer",
        data="yes",
        content_type="text/plain",
        headers=volunteer.headers,
    )
    error_of(response, 400, "invalid_json")
    error_of(groups.answer(volunteer, HUGE, available=True), 404, "not_found")


def test_every_groups_route_needs_a_token_and_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    for path in (
        "/api/v1/groups",
        "/api/v1/s/{station}/groups/{group_id}/instructions",
        "/api/v1/s/{station}/liaison/overview",
    ):
        for operation in document["paths"][path].values():
            if isinstance(operation, dict) and "responses" in operation:
                assert operation["security"] == [{"bearer": []}]
    assert client.get("/api/v1/s/huguo/instructions").status_code == 401
    assert client.post("/api/v1/groups/1/mobilisations", json={}).status_code == 401
    assert Role.DISTRICT_ADMIN in document["components"]["schemas"]["Member"]["properties"]["role"]["enum"]
