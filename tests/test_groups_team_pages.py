"""Work groups on the station's pages: the tree, teams, posting with status and reminders, liaison, mobilisation."""

import re
from datetime import timedelta

from core.groups import instructions as instruction_domain
from core.groups import tree as tree_domain
from core.models import GroupMember, Instruction, Liaison, LiaisonMeeting, Role, User, utcnow
from core.testing import csrf_token_from, post_form

from .groups_helpers import person, tenancy
from .groups_pages_helpers import OFFICER, ack, admin, group_id, mobilise, pass_deadline
from .points_helpers import station
from .tasks_pages_helpers import action, local_input, menu_of, officer, page, user_id, volunteer

# ---------------------------------------------------------------------------
# The tree, teams, posting, status and reminders
# ---------------------------------------------------------------------------


def test_station_admins_make_teams_and_manage_members_and_officers_only_look(app):
    boss = admin(app)
    cop = officer(app)
    volunteer(app)
    vol_id = user_id(app, "13800000001")

    tree_page = page(boss.get("/s/huguo/manage/groups"))
    assert "护国派出所" in tree_page and "3 人" in tree_page  # the station group holds everyone
    assert "工作群" in menu_of(tree_page)

    made = boss.post(
        "/s/huguo/manage/groups/teams",
        data={
            "csrf_token": csrf_token_from(boss.get("/s/huguo/manage/groups")),
            "name": "长春小学护学队",
            "parent": str(group_id(app)),
        },
    )
    assert made.status_code == 302
    school = group_id(app, f"team:{_station_id(app)}:长春小学护学队")
    assert made.headers["Location"] == f"/s/huguo/manage/groups/{school}"
    gate = boss.post(
        "/s/huguo/manage/groups/teams",
        data={
            "csrf_token": csrf_token_from(boss.get("/s/huguo/manage/groups")),
            "name": "正门组",
            "parent": str(school),
        },
    )
    assert gate.status_code == 302
    twice = boss.post(
        "/s/huguo/manage/groups/teams",
        data={"csrf_token": csrf_token_from(boss.get("/s/huguo/manage/groups")), "name": "正门组"},
    )
    assert twice.status_code == 409 and "本所已有同名的小组" in page(twice)
    empty = boss.post(
        "/s/huguo/manage/groups/teams",
        data={"csrf_token": csrf_token_from(boss.get("/s/huguo/manage/groups")), "name": "  "},
    )
    assert empty.status_code == 400

    team_url = f"/s/huguo/manage/groups/{school}"
    added = boss.post(
        f"{team_url}/members", data={"csrf_token": csrf_token_from(boss.get(team_url)), "user_id": str(vol_id)}
    )
    assert added.status_code == 302
    team_page = page(boss.get(team_url))
    assert "李红 已加入小组" in team_page and f'id="member-{vol_id}"' in team_page and "正门组" in team_page
    again = boss.post(
        f"{team_url}/members", data={"csrf_token": csrf_token_from(boss.get(team_url)), "user_id": str(vol_id)}
    )
    assert again.status_code == 409 and "已是本小组成员" in page(again)
    tree_page = page(boss.get("/s/huguo/manage/groups"))
    assert "长春小学护学队" in tree_page and "1 人" in tree_page

    # an officer sees the tree and the team, but changes nothing
    assert "长春小学护学队" in page(cop.get("/s/huguo/manage/groups"))
    assert cop.get(team_url).status_code == 200 and "加入小组" not in page(cop.get(team_url))
    token = csrf_token_from(cop.get("/s/huguo/manage/groups"))
    assert cop.post("/s/huguo/manage/groups/teams", data={"csrf_token": token, "name": "私自建组"}).status_code == 403
    assert cop.post(f"{team_url}/members/{vol_id}/remove", data={"csrf_token": token}).status_code == 403
    assert volunteer(app, phone="13800000003").get("/s/huguo/manage/groups").status_code == 403

    removed = boss.post(f"{team_url}/members/{vol_id}/remove", data={"csrf_token": csrf_token_from(boss.get(team_url))})
    assert removed.status_code == 302
    with app.app_context():
        assert not GroupMember.select().where(GroupMember.user == vol_id).exists()
    # another station's team is no team here
    other = admin(app, "donghua", phone="13700000008")
    assert other.get(team_url.replace("huguo", "donghua")).status_code == 404


def _station_id(app):
    with app.app_context():
        return app.extensions["redarmband"].tenancy.get("huguo").id


def test_officers_post_to_a_group_see_who_acknowledged_and_remind_the_others(app):
    cop = officer(app)
    li = volunteer(app)
    volunteer(app, name="赵强", phone="13800000003")
    station_group = group_id(app)
    form_url = f"/s/huguo/manage/instructions/new?group={station_group}"
    assert f'<option value="{station_group}" selected>' in page(cop.get(form_url))

    deadline = local_input(utcnow().replace(second=0, microsecond=0) + timedelta(hours=3))
    data = {
        "csrf_token": csrf_token_from(cop.get(form_url)),
        "group": str(station_group),
        "text": "明早七点到岗",
        "place": "长春小学",
        "priority": "urgent",
        "deadline": deadline,
    }
    sent = cop.post("/s/huguo/manage/instructions/new", data=data)
    assert sent.status_code == 302, page(sent)
    with app.app_context():
        instruction = Instruction.get(Instruction.text == "明早七点到岗")
    assert sent.headers["Location"] == f"/s/huguo/manage/instructions/{instruction.id}"
    assert local_input(instruction.deadline) == deadline  # typed in the station's zone
    status = page(cop.get(sent.headers["Location"]))
    assert "指令已发送给 2 人" in status and "李红" in status and "赵强" in status
    assert 'id="waiting-count">2<' in status

    assert ack(li, instruction.id).status_code == 302
    status = page(cop.get(f"/s/huguo/manage/instructions/{instruction.id}"))
    assert 'id="acknowledged-count">1<' in status and 'id="waiting-count">1<' in status
    reminded = action(
        cop, f"/s/huguo/manage/instructions/{instruction.id}/remind", f"/s/huguo/manage/instructions/{instruction.id}"
    )
    assert reminded.status_code == 302
    assert "已提醒 1 位尚未确认的人" in page(cop.get(reminded.headers["Location"]))
    assert "明早七点到岗" in page(cop.get("/s/huguo/manage/instructions"))

    # a deadline in the past or an empty text: the form again, nothing sent
    data.update(csrf_token=csrf_token_from(cop.get(form_url)), deadline=local_input(utcnow() - timedelta(hours=1)))
    assert cop.post("/s/huguo/manage/instructions/new", data=data).status_code == 400
    data.update(deadline="", text="")
    refused = cop.post("/s/huguo/manage/instructions/new", data=data)
    assert refused.status_code == 400 and "请输入指令内容" in page(refused)
    # another station's group, status or reminder
    data.update(text="越界", group=str(group_id(app, "station:donghua")))
    assert cop.post("/s/huguo/manage/instructions/new", data=data).status_code == 404
    other = officer(app, "donghua", phone="13700000002")
    assert other.get(f"/s/donghua/manage/instructions/{instruction.id}").status_code == 404
    with app.app_context():
        assert Instruction.select().count() == 1
    # volunteers do not post
    assert li.get(form_url).status_code == 403


# ---------------------------------------------------------------------------
# Liaison
# ---------------------------------------------------------------------------


def test_liaison_assignment_within_the_limit_meetings_and_the_overview(app):
    boss = admin(app)
    cop = officer(app)
    cop_id = user_id(app, OFFICER)
    officer(app, phone="13700000003", name="刘警官")
    other_id = user_id(app, "13700000003")
    with app.app_context():
        vols = [person(app) for _ in range(11)]
        ids = [v.id for v in vols]

    def assign(officer_id, volunteer_id):
        token = csrf_token_from(boss.get("/s/huguo/manage/liaison"))
        return boss.post(
            "/s/huguo/manage/liaison/assign",
            data={"csrf_token": token, "officer_id": str(officer_id), "volunteer_id": str(volunteer_id)},
        )

    for vid in ids[:10]:
        assert assign(cop_id, vid).status_code == 302
    eleventh = assign(cop_id, ids[10])
    assert eleventh.status_code == 409
    assert "张警官 已联络 10 名志愿者" in page(eleventh)
    second = assign(other_id, ids[0])
    assert second.status_code == 409 and "该志愿者已有联络民警" in page(second)
    assert assign("x", ids[10]).status_code == 400

    overview = page(boss.get("/s/huguo/manage/liaison"))
    assert "10 / 10" in overview and "两周未见面" in overview

    mine = page(cop.get("/s/huguo/liaison"))
    assert "我的联络" in menu_of(mine)
    assert all(f'id="volunteer-{vid}"' in mine for vid in ids[:10])
    today = page(cop.get("/s/huguo/liaison"))
    held_on = re.search(r'name="held_on"[^>]*value="([0-9-]+)"', today).group(1)
    logged = cop.post(
        "/s/huguo/liaison/meetings",
        data={
            "csrf_token": csrf_token_from(cop.get("/s/huguo/liaison")),
            "held_on": held_on,
            "attendees": [str(ids[0]), str(ids[1])],
            "notes": "周例会",
        },
    )
    assert logged.status_code == 302
    assert "周例会" in page(cop.get("/s/huguo/liaison"))
    stranger = cop.post(
        "/s/huguo/liaison/meetings",
        data={
            "csrf_token": csrf_token_from(cop.get("/s/huguo/liaison")),
            "held_on": held_on,
            "attendees": [str(ids[10])],
        },
    )
    assert stranger.status_code == 400 and "请只勾选你联络的志愿者" in page(stranger)
    with app.app_context():
        assert LiaisonMeeting.select().count() == 1
    overview = page(boss.get("/s/huguo/manage/liaison"))
    assert "两周未见面" not in overview and held_on in overview

    unassigned = action(boss, f"/s/huguo/manage/liaison/{ids[0]}/unassign", "/s/huguo/manage/liaison")
    assert unassigned.status_code == 302
    assert action(boss, f"/s/huguo/manage/liaison/{ids[0]}/unassign", "/s/huguo/manage/liaison").status_code == 404
    assert assign(cop_id, ids[10]).status_code == 302
    with app.app_context():
        assert Liaison.select().where(Liaison.officer == cop_id).count() == 10
    assert volunteer(app, phone="13800000009").get("/s/huguo/manage/liaison").status_code == 403


# ---------------------------------------------------------------------------
# Mobilisation
# ---------------------------------------------------------------------------


def test_a_volunteer_answers_a_mobilisation_once_and_sees_when_it_is_over(app):
    vol = volunteer(app)
    with app.app_context():
        city = person(app, None, Role.CITY_ADMIN).id
    first = mobilise(app, city, "全市红袖标集结待命")
    card = page(vol.get("/s/huguo/instructions"))
    assert "全市红袖标集结待命" in card and "我可以出勤" in card
    answer_url = f"/s/huguo/mobilisations/{first}/answer"
    assert f'action="{answer_url}"' in card

    token = csrf_token_from(vol.get("/s/huguo/instructions"))
    answered = vol.post(answer_url, data={"csrf_token": token, "available": "yes", "location": "护国路口"})
    assert answered.status_code == 302
    after = page(vol.get("/s/huguo/instructions"))
    assert "你已回复：可以出勤" in after and "护国路口" in after and f'action="{answer_url}"' not in after
    twice = vol.post(answer_url, data={"csrf_token": token, "available": "no"})
    assert twice.status_code == 409 and "你已回复过这次动员" in page(twice)
    assert vol.post(answer_url, data={"csrf_token": token, "available": "maybe"}).status_code == 400

    late = mobilise(app, city, "第二次集结")
    pass_deadline(app, late)
    over = page(vol.get("/s/huguo/instructions"))
    assert "第二次集结" in over and "本次动员已结束，停止回复。" in over
    refused = vol.post(f"/s/huguo/mobilisations/{late}/answer", data={"csrf_token": token, "available": "yes"})
    assert refused.status_code == 409 and "本次动员已结束" in page(refused)
    assert volunteer(app, "donghua", phone="13800000002").post(
        answer_url, data={"csrf_token": token, "available": "yes"}
    ).status_code in (400, 404)
    english = page(vol.get("/s/huguo/instructions?lang=en"))
    assert "This mobilisation is over: answers are closed." in english and "You answered: available" in english


def test_a_reminder_shows_in_the_volunteers_notifications_in_their_language(app):
    with app.app_context():
        officer = person(app, "huguo", "officer")
        vol = person(app)
        group_id = tree_domain.station_group(station(app, "huguo")).id
        sent, _ = instruction_domain.post(tenancy(app), officer, group_id, {"text": "明早七点集合"})
        instruction_domain.remind(tenancy(app), officer, sent.id)
        phone = vol.phone
    client = app.test_client()
    post_form(client, "/s/huguo/login", {"phone": phone, "password": "pass-word-1"})
    page = client.get("/s/huguo/me/notifications").get_data(as_text=True)
    assert "提醒：请确认指令“明早七点集合”。" in page
    english = client.get("/s/huguo/me/notifications?lang=en").get_data(as_text=True)
    assert "Reminder: please acknowledge the instruction “明早七点集合”." in english


def test_an_instructions_counts_are_whole_when_its_lists_are_cut_short(app, monkeypatch):
    cop = officer(app)
    for n in range(3):
        volunteer(app, name=f"队员{n}", phone=f"1380000001{n}")
    with app.app_context():
        sent, reached = instruction_domain.post(
            tenancy(app), User.get_by_id(user_id(app, "13700000001")), group_id(app), {"text": "点名"}
        )
    assert reached == 3
    whole = instruction_domain.status_of
    monkeypatch.setattr(instruction_domain, "status_of", lambda *args, **kwargs: whole(*args, **{**kwargs, "limit": 1}))
    status = page(cop.get(f"/s/huguo/manage/instructions/{sent.id}"))
    assert 'id="waiting-count">3<' in status and 'id="total-count">3<' in status
    assert status.count("<li>队员") == 1
