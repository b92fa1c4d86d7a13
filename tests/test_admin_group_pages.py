"""Work groups for district and city admins under /groups/: sign-in at
/login (their accounts belong to no station), their part of the tree,
instructions with status and reminders, mobilisation with a live tally, the
waiting list and the kept result; refusals."""

import re
from datetime import timedelta

import pytest

from core.accounts import create_user
from core.groups import GroupError, instructions, mobilisation, tree
from core.models import (
    Instruction,
    InstructionRecipient,
    Mobilisation,
    Role,
    User,
    utcnow,
)
from core.testing import csrf_token_from, post_form

from .groups_helpers import person, team
from .groups_pages_helpers import group_id, pass_deadline
from .points_helpers import station
from .tasks_pages_helpers import PASSWORD, local_input, page

DISTRICT_ADMIN = "13900000001"
CITY_ADMIN = "13900000002"


def admin_client(app, phone=DISTRICT_ADMIN, role=Role.DISTRICT_ADMIN, district="五华分局"):
    with app.app_context():
        create_user(
            role=role,
            district=district if role == Role.DISTRICT_ADMIN else None,
            phone=phone,
            name="王科长",
            password=PASSWORD,
        )
    client = app.test_client()
    response = post_form(client, "/login?next=/groups/", {"phone": phone, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/groups/", page(response)
    return client


@pytest.fixture
def world(app):
    """Volunteers at huguo (2), xiaonanmen (1), donghua (1) and an officer at huguo."""
    with app.app_context():
        people = {
            "a": person(app, "huguo"),
            "b": person(app, "huguo"),
            "c": person(app, "xiaonanmen"),
            "d": person(app, "donghua"),
            "officer": person(app, "huguo", Role.OFFICER),
        }
        squad = team(app, "huguo", "护国一队")
        admin = User.get(User.station == station(app, "huguo").id, User.role == Role.STATION_ADMIN)
        tree.add_member(station(app, "huguo"), admin, squad.id, people["a"].id)
        people["squad"] = squad
    return people


def button(client, url, page_url):
    return client.post(url, data={"csrf_token": csrf_token_from(client.get(page_url))})


def node(text, gid):
    found = re.search(rf'<li class="group-node[^"]*"[^>]*id="group-{gid}">(.*?)</li>', text, re.DOTALL)
    return found and found.group(1)


def test_signed_out_goes_to_the_city_sign_in_and_comes_back(app):
    response = app.test_client().get("/groups/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/groups/")
    login = app.test_client().get("/login")
    assert login.status_code == 200 and "手机号码" in page(login) and "/register" not in page(login)
    wrong = post_form(app.test_client(), "/login", {"phone": DISTRICT_ADMIN, "password": "wrong-pass"})
    assert wrong.status_code == 401


def test_a_district_admin_sees_their_district_with_member_counts(app, world):
    client = admin_client(app)
    text = page(client.get("/groups/"))
    for name in ("五华分局", "护国派出所", "小南门派出所", "护国一队"):
        assert name in text
    for name in ("盘龙分局", "东华派出所"):
        assert name not in text
    assert f'id="group-{group_id(app, "city")}"' not in text
    # huguo: a, b, the officer and the team's station admin; xiaonanmen: c
    assert "5 人" in node(text, group_id(app, "district:五华分局"))
    assert "4 人" in node(text, group_id(app, "station:huguo"))
    assert "1 人" in node(text, group_id(app, "station:xiaonanmen"))
    assert "1 人" in node(text, world["squad"].id)
    assert "Work groups" in page(client.get("/groups/?lang=en"))


def test_a_city_admin_sees_the_whole_tree(app, world):
    client = admin_client(app, CITY_ADMIN, Role.CITY_ADMIN)
    text = page(client.get("/groups/"))
    for name in ("春城红袖标", "五华分局", "盘龙分局", "护国派出所", "小南门派出所", "东华派出所"):
        assert name in text
    assert "6 人" in node(text, group_id(app, "city"))


def test_a_station_account_is_refused(app, world):
    with app.app_context():
        officer_phone = User.get_by_id(world["officer"].id).phone
    client = app.test_client()
    response = post_form(client, "/s/huguo/login", {"phone": officer_phone, "password": "pass-word-1"})
    assert response.status_code == 302
    refused = client.get("/groups/")
    assert refused.status_code == 403 and "分局和市局管理员" in page(refused)
    assert client.get(f"/groups/{group_id(app, 'station:huguo')}/instructions/new").status_code == 403


def test_an_urgent_instruction_reaches_the_district_and_is_followed_up(app, world):
    client = admin_client(app)
    district = group_id(app, "district:五华分局")
    deadline = utcnow().replace(second=0, microsecond=0) + timedelta(hours=3)
    form = {"text": "全区今晚加强巡逻", "place": "五华区", "priority": "urgent", "deadline": local_input(deadline)}
    response = post_form(client, f"/groups/{district}/instructions/new", form)
    assert response.status_code == 302, page(response)
    status_url = response.headers["Location"]
    instruction_id = int(status_url.rsplit("/", 1)[1])
    with app.app_context():
        sent = Instruction.get_by_id(instruction_id)
        assert sent.priority == "urgent" and sent.deadline == deadline  # read in Asia/Shanghai
        reached = {
            row.user_id
            for row in InstructionRecipient.select().where(InstructionRecipient.instruction == instruction_id)
        }
        assert {world["a"].id, world["b"].id, world["c"].id, world["officer"].id} <= reached
        assert world["d"].id not in reached
        for key in ("a", "c"):
            assert [i.id for i in instructions.instructions_of(world[key])] == [instruction_id]
        assert instructions.instructions_of(world["d"]) == []
        instructions.acknowledge(world["a"], instruction_id)

    text = page(client.get(status_url))
    assert re.search(r'id="acknowledged-count">1<', text) and re.search(r'id="waiting-count">4<', text)
    assert world["c"].name in text and world["a"].name not in text.split("waiting-title")[1]
    reminded = button(client, status_url + "/remind", status_url)
    assert reminded.status_code == 302
    assert "已提醒 4" in page(client.get(status_url))


def test_bad_input_and_another_districts_group_are_refused_clearly(app, world):
    client = admin_client(app)
    district = group_id(app, "district:五华分局")
    too_late = local_input(utcnow() + timedelta(hours=100))
    bad = post_form(client, f"/groups/{district}/mobilisations/new", {"text": "集结", "deadline": too_late})
    assert bad.status_code == 400 and "截止时间" in page(bad) and "72" in page(bad)
    past = post_form(
        client,
        f"/groups/{district}/instructions/new",
        {"text": "x", "deadline": local_input(utcnow() - timedelta(hours=1))},
    )
    assert past.status_code == 400 and 'aria-invalid="true" aria-describedby="deadline-problem"' in page(past)
    for key in ("district:盘龙分局", "station:donghua", "city"):
        other = group_id(app, key)
        assert client.get(f"/groups/{other}/instructions/new").status_code == 404
        refused = client.get(f"/groups/{other}/mobilisations/new")
        assert refused.status_code == 404 and "不在你管辖的范围内" in page(refused)
    with app.app_context():
        city_admin = create_user(role=Role.CITY_ADMIN, phone=CITY_ADMIN, name="市局", password=PASSWORD)
        data = {"text": "东华集结", "deadline": utcnow() + timedelta(hours=1)}
        theirs = mobilisation.start(
            app.extensions["redarmband"].tenancy, city_admin, group_id(app, "station:donghua"), data
        ).id
    assert client.get(f"/groups/mobilisations/{theirs}").status_code == 404
    assert client.get(f"/groups/mobilisations/{theirs}.json").status_code == 404


def test_a_mobilisation_tallies_live_lists_the_waiting_and_keeps_its_result(app, world):
    client = admin_client(app)
    district = group_id(app, "district:五华分局")
    response = post_form(
        client,
        f"/groups/{district}/mobilisations/new",
        {"text": "全员集结待命", "deadline": local_input(utcnow() + timedelta(hours=2))},
    )
    assert response.status_code == 302, page(response)
    url = response.headers["Location"]
    mobilisation_id = int(url.rsplit("/", 1)[1])
    with app.app_context():
        mobilisation.answer(world["a"], mobilisation_id, {"available": True, "location": "护国路口"})
        mobilisation.answer(world["b"], mobilisation_id, {"available": False})
        mobilisation.answer(world["c"], mobilisation_id, {"available": True})
        huguo, xiaonanmen = station(app, "huguo").id, station(app, "xiaonanmen").id

    live = client.get(url + ".json").get_json()
    by_station = {
        row["slug"]: (row["available"], row["not_available"], row["waiting"]) for row in live["tally"]["stations"]
    }
    assert by_station == {"huguo": (1, 1, 2), "xiaonanmen": (1, 0, 0)}  # huguo waits for its officer and station admin
    assert live["tally"]["total"] == {"available": 2, "not_available": 1, "waiting": 2}
    assert [(row["name"], row["available"]) for row in live["tally"]["teams"]] == [("护国一队", 1)]
    assert live["open"] and live["waiting_more"] == 0
    waiting_names = {person["name"] for person in live["waiting"]}
    assert world["officer"].name in waiting_names and world["a"].name not in waiting_names and len(waiting_names) == 2

    text = page(client.get(url))
    assert re.search(rf'id="station-{huguo}-available">1<', text) and re.search(
        rf'id="station-{xiaonanmen}-waiting">0<', text
    )
    assert "mobilisation-live.js" in text and 'data-open="yes"' in text and world["officer"].name in text

    ended = button(client, url + "/end", url)
    assert ended.status_code == 302
    with app.app_context(), pytest.raises(GroupError, match="over"):
        mobilisation.answer(User.get_by_id(world["officer"].id), mobilisation_id, {"available": True})
    kept = client.get(url + ".json").get_json()
    assert not kept["open"] and kept["ended_at"] and kept["tally"] == live["tally"] and kept["waiting"] == []
    text = page(client.get(url))
    assert "结果已保留" in text and 'id="end-form"' not in text
    again = client.post(url + "/end", data={"csrf_token": csrf_token_from(client.get(url))})
    assert again.status_code == 409 and "已经结束" in page(again)
    assert "Mobilisation" in page(client.get(url + "?lang=en"))


def test_a_mobilisation_past_its_deadline_shows_the_kept_result(app, world):
    client = admin_client(app)
    district = group_id(app, "district:五华分局")
    response = post_form(
        client,
        f"/groups/{district}/mobilisations/new",
        {"text": "集结", "deadline": local_input(utcnow() + timedelta(hours=1))},
    )
    mobilisation_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        mobilisation.answer(world["c"], mobilisation_id, {"available": True})
    pass_deadline(app, mobilisation_id)
    body = client.get(f"/groups/mobilisations/{mobilisation_id}.json").get_json()
    assert not body["open"] and body["tally"]["total"]["available"] == 1
    with app.app_context():
        assert Mobilisation.get_by_id(mobilisation_id).result["total"]["available"] == 1
    listed = page(client.get("/groups/"))
    assert "已结束" in listed
