"""寻找走失儿童 is urgent: as it is reported, an urgent instruction goes to
every group of the station's district (五华分局: huguo and xiaonanmen, and
all their teams) — and to nobody in another district (donghua, 盘龙分局)."""

import pytest

from core.accounts import create_user
from core.groups import tree
from core.incidents import IncidentError
from core.models import (
    DistrictAdmin,
    Group,
    Incident,
    Instruction,
    InstructionRecipient,
    Priority,
    Role,
)
from tests.incidents_helpers import file_report, person, uploaded_files, volunteer
from tests.points_helpers import station
from tests.tasks_helpers import photo_bytes


def reached(instruction):
    return {
        row.user_id for row in InstructionRecipient.select().where(InstructionRecipient.instruction == instruction.id)
    }


def test_a_missing_child_alerts_the_whole_district_at_once(app):
    with app.test_request_context():
        huguo_admin = person(app, "huguo", Role.STATION_ADMIN)
        school = tree.create_team(station(app, "huguo"), huguo_admin, "护学队")
        gate = tree.create_team(station(app, "huguo"), huguo_admin, "正门组", school.id)
        in_team, in_sub_team = volunteer(app, "huguo"), volunteer(app, "huguo")
        tree.add_member(station(app, "huguo"), huguo_admin, school.id, in_team.id)
        tree.add_member(station(app, "huguo"), huguo_admin, gate.id, in_sub_team.id)
        wuhua = [
            huguo_admin,
            in_team,
            in_sub_team,
            volunteer(app, "huguo"),
            person(app, "huguo", Role.OFFICER),
            volunteer(app, "xiaonanmen"),
            person(app, "xiaonanmen", Role.OFFICER),
            person(app, "xiaonanmen", Role.STATION_ADMIN),
        ]
        inactive = person(app, "xiaonanmen", active=False)
        donghua = [volunteer(app, "donghua"), person(app, "donghua", Role.OFFICER)]
        reporter = volunteer(app, "huguo", name="李红")

        incident = file_report(
            app,
            reporter,
            "missing_child",
            address="护国路与东风西路口",
            description="一名男孩与家人走散",
            photos=[photo_bytes()],
        )

        instruction = Instruction.get_by_id(incident.alert_id)
        assert incident.urgent and instruction.priority == Priority.URGENT
        assert Group.get_by_id(instruction.group_id).key == "district:五华分局"
        assert instruction.author_id == reporter.id
        assert reached(instruction) == {user.id for user in wuhua}  # not the reporter, the inactive or donghua
        assert inactive.id not in reached(instruction)
        assert not {user.id for user in donghua} & reached(instruction)
        assert "寻找走失儿童" in instruction.text and "一名男孩与家人走散" in instruction.text
        assert "衣着特征：红色外套" in instruction.text  # what helps people recognise the child, by its label
        assert instruction.place == "护国路与东风西路口"
        assert instruction.photos == incident.photos and len(incident.photos) == 1


def test_a_located_report_names_its_coordinates_as_the_place(app):
    with app.test_request_context():
        volunteer(app, "xiaonanmen")
        incident = file_report(app, volunteer(app, "huguo"), "missing_child")
        assert Instruction.get_by_id(incident.alert_id).place == "25.04300, 102.71000"


def test_a_missing_child_at_donghua_alerts_its_district_only(app):
    with app.test_request_context():
        colleague = person(app, "donghua", Role.OFFICER)
        wuhua = volunteer(app, "huguo")
        incident = file_report(app, volunteer(app, "donghua"), "missing_child", address="东华小区")
        alert = Instruction.get_by_id(incident.alert_id)
        assert reached(alert) == {colleague.id} and wuhua.id not in reached(alert)


@pytest.mark.parametrize("category", ["illegal_parking", "lost_and_found", "merchant_help"])
def test_other_categories_send_no_instruction(app, category):
    with app.test_request_context():
        volunteer(app, "xiaonanmen")
        incident = file_report(app, volunteer(app), category)
        assert incident.alert_id is None and not incident.urgent
        assert Instruction.select().count() == 0


@pytest.mark.parametrize(
    "overrides",
    [{"fields": {"age": 6}}, {"description": ""}, {"latitude": None, "longitude": None}],
    ids=["no clothing", "no description", "no place"],
)
def test_a_refused_missing_child_report_sends_nothing(app, overrides):
    with app.test_request_context():
        volunteer(app, "xiaonanmen")
        with pytest.raises(IncidentError) as caught:
            file_report(app, volunteer(app), "missing_child", photos=[photo_bytes()], **overrides)
        assert caught.value.status == 400
        assert Instruction.select().count() == 0 and InstructionRecipient.select().count() == 0
        assert Incident.select().count() == 0 and uploaded_files(app) == []


def test_a_reporter_hiding_their_name_is_not_named_as_the_alerts_sender(app):
    # everyone an instruction reaches sees its sender's name (pages and API):
    # a volunteer who hid their name sends it through the station's staff
    with app.test_request_context():
        boss = person(app, "huguo", Role.OFFICER)
        neighbour = volunteer(app, "xiaonanmen")
        reporter = volunteer(app, "huguo", name="李红")
        alert = Instruction.get_by_id(file_report(app, reporter, "missing_child", hide_name=True).alert_id)
        assert alert.author_id == boss.id and neighbour.id in reached(alert)
        admin = person(app, "huguo", Role.STATION_ADMIN)  # an admin goes before an officer
        alert = Instruction.get_by_id(file_report(app, reporter, "missing_child", hide_name=True).alert_id)
        assert alert.author_id == admin.id
        shown = Instruction.get_by_id(file_report(app, reporter, "missing_child").alert_id)
        assert shown.author_id == reporter.id
        assert "李红" not in alert.text


def test_an_alert_names_a_chosen_value_by_its_label_whether_choices_are_a_list_or_a_function(app):
    from marshmallow import Schema, fields

    from core import IncidentCategory, Text
    from core.incidents.reporting import labelled_fields

    seen = []

    def places(for_station):
        seen.append(for_station)
        return [("gate", Text("正门", "Main gate"))]

    class Fields(Schema):
        where = fields.String(metadata={"label": Text("位置", "Where"), "choices": places})
        kind = fields.String(metadata={"label": Text("类别", "Kind"), "choices": [("a", Text("甲类", "A"))]})
        note = fields.String(metadata={"label": Text("备注", "Note")})

    category = IncidentCategory(
        "lost_pupil", Text("走失学生", "Lost pupil"), Text("", ""), fields_schema=Fields, urgent=True
    )
    huguo = station(app, "huguo")
    shown = labelled_fields(category, {"where": "gate", "kind": "a", "note": "", "unknown": "x"}, huguo)
    assert shown == [("位置", "正门"), ("类别", "甲类")]  # empty and unknown fields left out
    assert seen == [huguo]


def test_a_hidden_reporter_at_a_station_without_active_staff_is_covered_by_the_district_admin(app, caplog):
    with app.test_request_context():
        person(app, "huguo", Role.STATION_ADMIN, active=False)  # staff who left do not send it
        reporter = volunteer(app, "huguo", name="李红")
        city = person(app, None, Role.CITY_ADMIN)
        alert = Instruction.get_by_id(file_report(app, reporter, "missing_child", hide_name=True).alert_id)
        assert alert.author_id == city.id  # no district admin yet: the city's
        district_admin = create_user(
            role=Role.DISTRICT_ADMIN,
            phone="13312345678",
            name="王科长",
            password="pass-word-1",
            station_id=None,
            district="五华分局",
        )
        assert DistrictAdmin.get(DistrictAdmin.user == district_admin.id).district == "五华分局"
        alert = Instruction.get_by_id(file_report(app, reporter, "missing_child", hide_name=True).alert_id)
        assert alert.author_id == district_admin.id


def test_with_nobody_answerable_at_all_the_alert_still_goes_out_and_says_so_in_the_log(app, caplog):
    with app.test_request_context():
        reporter = volunteer(app, "huguo", name="李红")
        alert = Instruction.get_by_id(file_report(app, reporter, "missing_child", hide_name=True).alert_id)
        assert alert.author_id == reporter.id and alert.priority == Priority.URGENT
        assert "no admin to send a hidden reporter's urgent alert" in caplog.text
