"""Groups through core's functions: the tree, instructions reaching exactly
the people below a group, acknowledgements, mobilisation, liaison."""

from datetime import timedelta
from pathlib import Path

import pytest

from core.groups import GroupError, instructions, liaison, mobilisation, tree
from core.models import Group, InstructionRecipient, Role, utcnow

from .groups_helpers import person, team, tenancy
from .points_helpers import station
from .tasks_helpers import photo_bytes


def test_an_instruction_to_a_district_reaches_every_member_of_every_station_and_team_below_it_and_no_one_else(app):
    with app.app_context():
        # 五华分局 holds huguo and xiaonanmen; donghua is in 盘龙分局
        huguo_team = team(app, "huguo", "长春小学护学队")
        inside = [person(app, "huguo"), person(app, "huguo", Role.OFFICER), person(app, "xiaonanmen")]
        member = person(app, "huguo")
        tree.add_member(station(app, "huguo"), person(app, "huguo", Role.STATION_ADMIN), huguo_team.id, member.id)
        outside = [person(app, "donghua"), person(app, "donghua", Role.OFFICER)]
        boss = person(app, None, Role.DISTRICT_ADMIN, district="五华分局")
        district = Group.get(Group.key == "district:五华分局")

        sent, reached = instructions.post(
            tenancy(app), boss, district.id, {"text": "今晚加强巡逻", "priority": "urgent"}
        )

        got = {row.user_id for row in InstructionRecipient.select().where(InstructionRecipient.instruction == sent.id)}
        assert {p.id for p in [*inside, member]} <= got
        assert not got & {p.id for p in outside} and boss.id not in got
        assert reached == len(got)
        assert instructions.unread_count(member) == 1
        instructions.acknowledge(member, sent.id)
        with pytest.raises(GroupError) as twice:
            instructions.acknowledge(member, sent.id)
        assert twice.value.status == 409
        with pytest.raises(GroupError) as stranger:
            instructions.acknowledge(outside[0], sent.id)
        assert stranger.value.status == 404


def test_a_team_instruction_reaches_its_members_and_sub_teams_only(app):
    with app.app_context():
        huguo = station(app, "huguo")
        admin = person(app, "huguo", Role.STATION_ADMIN)
        school = tree.create_team(huguo, admin, "护学队", None)
        gate = tree.create_team(huguo, admin, "正门组", school.id)
        a, b, c = person(app), person(app), person(app)
        tree.add_member(huguo, admin, school.id, a.id)
        tree.add_member(huguo, admin, gate.id, b.id)
        officer = person(app, "huguo", Role.OFFICER)
        sent, reached = instructions.post(tenancy(app), officer, school.id, {"text": "明早 7:20 到岗"})
        assert reached == 2 and {r.user_id for r in sent.recipients} == {a.id, b.id}
        assert c.id not in {r.user_id for r in sent.recipients}


def test_posting_to_another_stations_group_is_404_and_nothing_is_sent(app):
    with app.app_context():
        other = team(app, "donghua", "夜巡一队")
        officer = person(app, "huguo", Role.OFFICER)
        with pytest.raises(GroupError) as refused:
            instructions.post(tenancy(app), officer, other.id, {"text": "hi"})
        assert refused.value.status == 404
        assert InstructionRecipient.select().count() == 0


def test_a_mobilisation_is_answered_once_before_the_deadline_and_its_tally_is_kept(app):
    with app.app_context():
        now = utcnow()
        city = person(app, None, Role.CITY_ADMIN)
        vols = [person(app, "huguo") for _ in range(3)]
        mob = mobilisation.start(
            tenancy(app),
            city,
            Group.get(Group.key == "station:huguo").id,
            {"text": "全员集结", "deadline": now + timedelta(hours=1)},
            now=now,
        )
        mobilisation.answer(vols[0], mob.id, {"available": True, "location": "护国路"}, now=now)
        mobilisation.answer(vols[1], mob.id, {"available": False}, now=now)
        with pytest.raises(GroupError) as again:
            mobilisation.answer(vols[1], mob.id, {"available": True}, now=now)
        assert again.value.code == "already_answered"
        late = now + timedelta(hours=2)
        with pytest.raises(GroupError) as over:
            mobilisation.answer(vols[2], mob.id, {"available": True}, now=late)
        assert over.value.code == "mobilisation_over"
        ended = mobilisation.get(tenancy(app), city, mob.id, now=late)
        assert ended.ended_at is not None
        total = ended.result["total"]
        assert total["available"] == 1 and total["not_available"] == 1 and total["waiting"] >= 1


def test_an_officer_liaises_with_at_most_the_limit_and_a_volunteer_has_one_liaison(app):
    with app.app_context():
        huguo = station(app, "huguo")
        admin = person(app, "huguo", Role.STATION_ADMIN)
        officer, other = person(app, "huguo", Role.OFFICER), person(app, "huguo", Role.OFFICER)
        vols = [person(app) for _ in range(11)]
        for vol in vols[:10]:
            liaison.assign(huguo, admin, officer.id, vol.id)
        with pytest.raises(GroupError) as eleventh:
            liaison.assign(huguo, admin, officer.id, vols[10].id)
        assert eleventh.value.code == "liaison_limit"
        with pytest.raises(GroupError) as taken:
            liaison.assign(huguo, admin, other.id, vols[0].id)
        assert taken.value.code == "has_liaison"
        assert len(liaison.my_volunteers(huguo, officer)) == 10
        [row] = liaison.overview(huguo)
        assert row["volunteers"] == 10 and row["overdue"] and not row["over_limit"]


def test_a_called_teams_tally_counts_only_that_team_not_its_members_other_teams(app):
    with app.app_context():
        huguo = station(app, "huguo")
        admin = person(app, "huguo", Role.STATION_ADMIN)
        called = tree.create_team(huguo, admin, "护学队", None)
        other = tree.create_team(huguo, admin, "夜巡队", None)
        vol = person(app)
        tree.add_member(huguo, admin, called.id, vol.id)
        tree.add_member(huguo, admin, other.id, vol.id)
        now = utcnow()
        city = person(app, None, Role.CITY_ADMIN)
        mob = mobilisation.start(
            tenancy(app), city, called.id, {"text": "集结", "deadline": now + timedelta(hours=1)}, now=now
        )
        mobilisation.answer(vol, mob.id, {"available": True}, now=now)
        teams = mobilisation.tally(mob)["teams"]
        assert [row["id"] for row in teams] == [called.id] and teams[0]["available"] == 1


def test_huge_group_ids_are_not_found(app):
    with app.app_context():
        with pytest.raises(GroupError) as missing:
            tree.get_group(2**40)
        assert missing.value.status == 404


def test_a_reminder_reaches_only_those_who_have_not_acknowledged(app):
    from core.models import Notification

    with app.app_context():
        officer = person(app, "huguo", Role.OFFICER)
        quick, slow = person(app), person(app)
        sent, _ = instructions.post(
            tenancy(app), officer, tree.station_group(station(app, "huguo")).id, {"text": "请确认"}
        )
        instructions.acknowledge(quick, sent.id)
        reminded = instructions.remind(tenancy(app), officer, sent.id)
        notes = {(n.user_id, n.kind, n.data["instruction_id"]) for n in Notification.select()}
        assert (slow.id, "instruction_reminder", sent.id) in notes
        assert quick.id not in {user for user, _, _ in notes}
        assert reminded == len(notes)


def test_catching_up_after_a_long_gap_misses_no_instruction(app):
    with app.app_context():
        officer = person(app, "huguo", Role.OFFICER)
        vol = person(app)
        group_id = tree.station_group(station(app, "huguo")).id
        sent = [instructions.post(tenancy(app), officer, group_id, {"text": f"第{n}条"})[0].id for n in range(7)]
        seen, last = [], sent[0] - 1
        while True:
            batch = instructions.instructions_of(vol, after_id=last, limit=3)
            if not batch:
                break
            seen.extend(reversed([i.id for i in batch]))
            last = batch[0].id
        assert seen == sent


def test_an_instructions_photos_go_to_those_it_reached_and_a_bad_one_leaves_nothing(app):
    with app.app_context():
        officer = person(app, "huguo", Role.OFFICER)
        reached, stranger = person(app), person(app, "donghua")
        group_id = tree.station_group(station(app, "huguo")).id
        uploads = Path(app.instance_path) / "uploads"

        with pytest.raises(GroupError) as refused:
            instructions.post(
                tenancy(app), officer, group_id, {"text": "看照片"}, photos=[photo_bytes(), b"#!/bin/sh\n"]
            )
        assert refused.value.status == 400 and "photos" in refused.value.fields
        assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))
        assert InstructionRecipient.select().count() == 0

        sent, _ = instructions.post(tenancy(app), officer, group_id, {"text": "看照片"}, photos=[photo_bytes()])
        path = instructions.photo_path(tenancy(app), reached, sent.id, 1)
        assert (uploads / path).is_file() and path.startswith("huguo/instructions/")
        assert instructions.photo_path(tenancy(app), officer, sent.id, 1) == path
        with pytest.raises(GroupError):
            instructions.photo_path(tenancy(app), stranger, sent.id, 1)
        with pytest.raises(GroupError):
            instructions.photo_path(tenancy(app), reached, sent.id, 2)
