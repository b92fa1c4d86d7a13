"""护小侠: 校园周边隐患 reports near the station's schools and each school's hazard board."""

import re

import pytest

from core.models import Submission
from core.tasks.review import decide

from ..tasks_helpers import officer as make_officer
from ..tasks_pages_helpers import page, station_of, submit_work, volunteer
from .school_guardian_helpers import api_token, report_hazard
from .school_guardian_week_helpers import boss_fixture, stations_dir_fixture  # noqa: F401 - fixtures

# ---------------------------------------------------------------------------
# 校园周边隐患 and the hazard board
# ---------------------------------------------------------------------------


@pytest.fixture
def reporter(app):
    volunteer(app, name="李红")
    return api_token(app.test_client(), "13800000001")


def test_a_hazard_report_needs_location_photo_and_one_of_the_stations_schools(app, client, reporter):
    no_place = report_hazard(client, reporter, location=None)
    assert no_place.status_code == 400 and "location" in no_place.get_json()["error"]["fields"]
    no_photo = report_hazard(client, reporter, photos=0)
    assert no_photo.status_code == 400 and "photos" in no_photo.get_json()["error"]["fields"]
    elsewhere = report_hazard(client, reporter, school="五华区小南门小学")  # xiaonanmen's school
    assert elsewhere.status_code == 400
    assert "五华区小南门小学" in elsewhere.get_json()["error"]["fields"]["fields.school"][0]
    with app.app_context():
        assert Submission.select().count() == 0
    assert report_hazard(client, reporter).status_code == 201


def test_a_hazard_report_without_location_is_refused_on_the_page_too(app):
    client = volunteer(app)
    form = client.get("/s/huguo/work/school_hazard")
    assert '<option value="昆明市长春小学">' in page(form) and '<option value="五华区小南门小学">' not in page(form)
    fields = {"school": "昆明市长春小学", "kind": "falling_object", "description": "太阳能热水器被风刮落在学校后巷"}
    refused = submit_work(client, "/s/huguo/work/school_hazard", photos=1, fields=fields)
    assert refused.status_code == 400 and "上报隐患须附位置" in page(refused)
    sent = submit_work(
        client,
        "/s/huguo/work/school_hazard",
        photos=1,
        fields=fields,
        extra={"latitude": "25.0453", "longitude": "102.7046"},
    )
    assert sent.status_code == 302


def test_the_hazard_board_lists_the_schools_reports_newest_first(app, client, reporter, boss):
    first = report_hazard(client, reporter, description="太阳能热水器被风刮落在学校后巷").get_json()["id"]
    report_hazard(client, reporter, school="护国路小学", description="东门外井盖破损")
    second = report_hazard(client, reporter, photos=2, kind="traffic", description="放学时段车辆占用斑马线").get_json()[
        "id"
    ]

    volunteer_client = _client_of(app, "13800000001")
    board = page(volunteer_client.get("/s/huguo/school-guardian/schools/1/hazards"))
    assert board.index(f'id="hazard-{second}"') < board.index(f'id="hazard-{first}"')
    assert "井盖破损" not in board and "待审核" in board and "太阳能热水器被风刮落在学校后巷" in board
    assert "交通隐患" in board
    thumb = f"/s/huguo/submissions/{first}/photos/1/thumb"
    assert thumb in board  # the submitter sees their photos
    assert volunteer_client.get(re.search(re.escape(thumb) + r'[^"]*', board).group(0)).status_code == 200
    assert thumb in page(boss.get("/s/huguo/school-guardian/schools/1/hazards"))  # and the officer
    other = volunteer(app, name="王芳", phone="13800000002")
    theirs = page(other.get("/s/huguo/school-guardian/schools/1/hazards"))
    assert "太阳能热水器被风刮落在学校后巷" in theirs and "/photos/" not in theirs and "张照片（仅民警可见）" in theirs
    assert "东门外井盖破损" in page(other.get("/s/huguo/school-guardian/schools/2/hazards"))

    # the officer confirms it; the board says so
    with app.app_context():
        decide(station_of(app), make_officer(app), first, "approve")
    assert "已核实" in page(other.get("/s/huguo/school-guardian/schools/1/hazards"))
    # visitors sign in first; another station's people find nothing here
    assert app.test_client().get("/s/huguo/school-guardian/schools/1/hazards").status_code == 302
    stranger = volunteer(app, "xiaonanmen", phone="13800000003")
    assert stranger.get("/s/huguo/school-guardian/schools/1/hazards").status_code == 404
    assert "太阳能热水器" not in page(stranger.get("/s/xiaonanmen/school-guardian/schools/1/hazards"))


def _client_of(app, phone):
    from ..tasks_pages_helpers import sign_in

    return sign_in(app, "huguo", phone)
