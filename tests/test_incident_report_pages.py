"""Incident reports on the station's pages: the report form, its photos and fields, likely duplicates."""

import re
import shutil
from io import BytesIO
from pathlib import Path

import pytest

from core.models import Instruction, Priority
from core.testing import csrf_token_from

from .conftest import REPO
from .incident_pages_helpers import (
    OTHER_VOLUNTEER,
    STATION,
    act,
    get_incident,
    incident_count,
    report,
    report_form,
    send_report,
)
from .tasks_pages_helpers import jpeg, page, volunteer


def uploaded_files(app):
    root = Path(app.instance_path) / "uploads"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def test_a_volunteer_reports_illegal_parking_with_a_photo_and_the_plate(app):
    vol = volunteer(app)
    form = page(vol.get(f"{STATION}/incidents/report?category=illegal_parking"))
    assert 'name="fields.plate"' in form and 'accept="image/*"' in form and 'capture="environment"' in form
    assert 'name="hide_name"' in form and "data-locate" in form and 'name="latitude"' in form

    incident_id = report(vol, fields={"plate": "云A12345"}, photos=1)
    incident = get_incident(app, incident_id)
    assert incident.category == "illegal_parking" and incident.fields == {"plate": "云A12345"}
    assert incident.address == "护国路 12 号" and len(incident.photos) == 1 and incident.state == "open"

    text = page(vol.get(f"{STATION}/incidents/{incident_id}"))
    assert "车辆违停" in text and "云A12345" in text and "白色轿车堵住小区消防通道" in text
    assert f"/incidents/{incident_id}/photos/1/thumb" in text and "李红" in text
    full = vol.get(f"{STATION}/incidents/{incident_id}/photos/1")
    thumb = vol.get(f"{STATION}/incidents/{incident_id}/photos/1/thumb")
    assert full.status_code == thumb.status_code == 200 and full.mimetype == "image/jpeg"
    assert "private" in full.headers["Cache-Control"]
    assert vol.get(f"{STATION}/incidents/{incident_id}/photos/2").status_code == 404

    row = re.search(
        rf'<li class="[^"]*" id="incident-{incident_id}".*?</li>', page(vol.get(f"{STATION}/incidents")), re.DOTALL
    ).group(0)
    assert (
        "车辆违停" in row
        and "护国路 12 号" in row
        and re.search(r'class="photo-count">[^<]*(?<!\d)1(?!\d)[^<]*<', row)
        and "李红" in row
    )


def test_coordinates_instead_of_an_address_give_a_map_link(app):
    vol = volunteer(app)
    incident_id = report(vol, address="", latitude="25.04321", longitude="102.71234")
    text = page(vol.get(f"{STATION}/incidents/{incident_id}"))
    assert "https://uri.amap.com/marker?position=102.71234,25.04321" in text
    assert "25.04321, 102.71234" in page(vol.get(f"{STATION}/incidents"))


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        (report_form(description=""), ["description"]),
        (report_form(address=""), ["location"]),
        (report_form(latitude="95", longitude="102.7", address=""), ["location"]),
        (report_form("lost_and_found", fields={"kind": "found"}), ["fields.item"]),
        (report_form("missing_child", fields={"age": "30", "clothing": "红色外套"}), ["fields.age"]),
        (report_form("no_such_kind"), ["category"]),
        (report_form(address="x" * 201), ["address"]),
    ],
)
def test_bad_input_names_the_fields_and_stores_nothing(app, form, fields):
    vol = volunteer(app)
    response = send_report(vol, form, photos=1)
    text = page(response)
    assert response.status_code == 400
    for field in fields:
        assert f'id="{field.replace(".", "-")}-problem"' in text, field
    assert "photos-again" in text  # the photos must be chosen again, and the page says so
    assert incident_count(app) == 0 and uploaded_files(app) == []
    with app.app_context():
        assert Instruction.select().count() == 0


def test_a_broken_photo_is_named_and_nothing_is_stored(app):
    vol = volunteer(app)
    url = f"{STATION}/incidents/report"
    data = {"csrf_token": csrf_token_from(vol.get(url)), **report_form()}
    data["photos"] = [(BytesIO(jpeg()), "a.jpg", "image/jpeg"), (BytesIO(b"not a photo"), "b.jpg", "image/jpeg")]
    response = vol.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and 'id="photos-problem"' in page(response)
    assert incident_count(app) == 0 and uploaded_files(app) == []


def test_a_body_too_large_gets_the_form_again_saying_why(app):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    vol = volunteer(app)
    url = f"{STATION}/incidents/report"
    data = {"csrf_token": csrf_token_from(vol.get(url)), **report_form()}
    data["photos"] = [(BytesIO(b"x" * (2 * 1024 * 1024)), "big.jpg", "image/jpeg")]
    response = vol.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    text = page(response)
    assert 'id="photos-problem"' in text and 'id="incident-report"' in text
    assert incident_count(app) == 0


def test_a_switched_off_category_is_not_offered_nor_accepted(make_app, tmp_path):
    stations = tmp_path / "stations-off"
    shutil.copytree(REPO / "stations", stations)
    with open(stations / "huguo.toml", "a", encoding="utf-8") as toml:
        toml.write('\n[incidents]\ndisabled = ["illegal_posters"]\n')
    app = make_app(STATIONS_DIR=str(stations))
    vol = volunteer(app)
    text = page(vol.get(f"{STATION}/incidents/report"))
    assert 'value="illegal_parking"' in text and 'value="illegal_posters"' not in text
    response = send_report(vol, report_form("illegal_posters"))
    assert response.status_code == 400 and 'id="category-problem"' in page(response)
    assert incident_count(app) == 0


def test_a_missing_child_reported_on_the_page_alerts_the_district_urgently(app):
    vol = volunteer(app)
    other = volunteer(app, "xiaonanmen", phone=OTHER_VOLUNTEER)  # 五华分局 too, another station
    incident_id = report(
        vol,
        category="missing_child",
        description="穿红色外套的小男孩走失",
        fields={"age": "6", "clothing": "红色外套", "child_name": "小明"},
    )
    incident = get_incident(app, incident_id)
    assert incident.urgent and incident.alert_id is not None and incident.fields["age"] == 6
    with app.app_context():
        alert = Instruction.get_by_id(incident.alert_id)
        assert alert.priority == Priority.URGENT and "穿红色外套的小男孩走失" in alert.text
    assert "穿红色外套的小男孩走失" in page(other.get("/s/xiaonanmen/instructions"))
    assert 'class="badge urgent"' in page(vol.get(f"{STATION}/incidents/{incident_id}"))


# ---------------------------------------------------------------------------
# Likely duplicates
# ---------------------------------------------------------------------------


def test_likely_duplicates_are_offered_by_the_json_endpoint_and_on_sending(app):
    first = volunteer(app)
    original = report(first, latitude="25.04000", longitude="102.71000", address="")
    second = volunteer(app, name="王强", phone=OTHER_VOLUNTEER)

    near = second.get(f"{STATION}/incidents/duplicates?category=illegal_parking&latitude=25.04030&longitude=102.71010")
    found = near.get_json()["duplicates"]
    assert [item["id"] for item in found] == [original] and 20 < found[0]["metres"] < 50
    assert found[0]["url"] == f"{STATION}/incidents/{original}"
    far = second.get(f"{STATION}/incidents/duplicates?category=illegal_parking&latitude=25.06&longitude=102.71")
    other_kind = second.get(f"{STATION}/incidents/duplicates?category=merchant_help&latitude=25.04&longitude=102.71")
    assert far.get_json()["duplicates"] == [] and other_kind.get_json()["duplicates"] == []
    assert second.get(f"{STATION}/incidents/duplicates?category=nope&address=x").status_code == 400
    assert (
        second.get(f"{STATION}/incidents/duplicates?category=illegal_parking&latitude=abc&longitude=1").status_code
        == 400
    )

    form = report_form(description="同一辆车还在", address="", latitude="25.04030", longitude="102.71010")
    offered = send_report(second, form, photos=1)
    text = page(offered)
    assert offered.status_code == 409 and 'id="duplicates-offered"' in text
    assert f'href="{STATION}/incidents/{original}"' in text and "同一辆车还在" in text  # the typed text kept
    assert "photos-again" in text and incident_count(app) == 1

    anyway = send_report(second, {**form, "not_duplicate": "yes"}, photos=1)
    assert anyway.status_code == 302 and incident_count(app) == 2


def test_the_same_address_is_a_likely_duplicate_and_a_double_submit_is_caught(app):
    vol = volunteer(app)
    report(vol, address="护国路  12号 ")
    assert vol.get(f"{STATION}/incidents/duplicates?category=illegal_parking&address=护国路 12号").get_json()[
        "duplicates"
    ]
    again = send_report(vol, report_form(address="护国路 12号"))
    assert again.status_code == 409 and incident_count(app) == 1


def test_instead_of_a_duplicate_the_person_comments_i_saw_it_too(app):
    first = volunteer(app)
    original = report(first)
    second = volunteer(app, name="王强", phone=OTHER_VOLUNTEER)
    done = act(second, original, "comment", note="我也看到了")
    assert done.status_code == 302
    text = page(second.get(f"{STATION}/incidents/{original}"))
    assert "我也看到了" in text and "王强" in text
    empty = act(second, original, "comment", note="  ")
    assert empty.status_code == 400 and 'id="comment-problem"' in page(empty)
