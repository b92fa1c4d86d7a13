"""Live incident reports (警情与求助) on the station's pages: reporting with
photos and a category's extra fields, likely duplicates offered first, the
board with its filters and live updates, an incident's page with its
timeline, and the officers' triage. Helpers: ``incident_pages_helpers.py``."""

import json
import re
import shutil
from io import BytesIO
from pathlib import Path

import pytest

from core.models import Instruction, LedgerEntry, Notification, Priority, User
from core.testing import csrf_token_from
from core.web import incident_stream

from .conftest import REPO
from .groups_pages_helpers import sse_events
from .incident_pages_helpers import (
    STATION,
    act,
    board_ids,
    change,
    get_incident,
    incident_count,
    report,
    report_form,
    send_report,
)
from .tasks_pages_helpers import jpeg, menu_of, officer, page, user_id, volunteer

VOLUNTEER = "13800000001"
OTHER_VOLUNTEER = "13800000002"
OFFICER = "13700000001"


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


# ---------------------------------------------------------------------------
# Who sees the reporter's name
# ---------------------------------------------------------------------------


def test_a_hidden_name_is_hidden_from_other_volunteers_but_not_from_staff_or_the_reporter(app):
    reporter = volunteer(app)
    incident_id = report(reporter, hide_name="yes")
    other = volunteer(app, name="王强", phone=OTHER_VOLUNTEER)
    staff = officer(app)
    for client, sees in ((reporter, True), (staff, True), (other, False)):
        board = page(client.get(f"{STATION}/incidents"))
        detail = page(client.get(f"{STATION}/incidents/{incident_id}"))
        assert ("李红" in board) is sees and ("李红" in detail) is sees


# ---------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------


def test_the_board_is_newest_first_and_filters_by_category_and_state(app):
    vol = volunteer(app)
    staff = officer(app)
    parking = report(vol)
    noise = report(vol, category="construction_noise", address="环城南路工地", fields={"heard_during": "night"})
    lost = report(vol, category="lost_and_found", address="护国广场", fields={"kind": "found", "item": "钱包"})
    assert change(staff, lost, "resolved", note="已交还失主").status_code == 302

    assert board_ids(vol) == [noise, parking]  # live ones by default
    assert board_ids(vol, "?state=closed") == [lost]
    assert board_ids(vol, "?state=all") == [lost, noise, parking]
    assert board_ids(vol, "?state=resolved") == [lost]
    assert board_ids(vol, "?category=construction_noise") == [noise]
    assert board_ids(vol, "?category=lost_and_found&state=live") == []
    assert vol.get(f"{STATION}/incidents?state=bogus").status_code == 400
    assert vol.get(f"{STATION}/incidents?category=bogus").status_code == 400
    fragment = page(vol.get(f"{STATION}/incidents/rows?category=construction_noise"))
    assert (
        f'id="incident-{noise}"' in fragment and f'id="incident-{parking}"' not in fragment and "<html" not in fragment
    )


def test_the_menu_has_the_board_and_report_and_counts_live_reports_for_staff(app):
    vol = volunteer(app)
    staff = officer(app)
    report(vol)
    assert f'href="{STATION}/incidents"' in menu_of(page(vol.get(f"{STATION}/")))
    assert f'href="{STATION}/incidents/report"' in menu_of(page(vol.get(f"{STATION}/")))
    assert "警情 (1)" in menu_of(page(staff.get(f"{STATION}/")))
    assert "警情 (" not in menu_of(page(vol.get(f"{STATION}/")))


# ---------------------------------------------------------------------------
# Live updates
# ---------------------------------------------------------------------------


@pytest.fixture
def quick_stream(monkeypatch):
    monkeypatch.setattr(incident_stream, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(incident_stream, "MAX_SECONDS", 0.2)


def rendered_after(client, query=""):
    return int(
        re.search(r'id="incidents-live"[^>]*data-after="(\d+)"', page(client.get(f"{STATION}/incidents{query}"))).group(
            1
        )
    )


def test_the_live_endpoints_send_a_changed_incident_after_the_change_and_not_before(app, quick_stream):
    vol = volunteer(app)
    staff = officer(app)
    incident_id = report(vol)
    after = rendered_after(staff)

    assert staff.get(f"{STATION}/incidents/changes.json?after={after}").get_json() == {"last": after, "incidents": []}
    assert [e for e in sse_events(page(staff.get(f"{STATION}/incidents/stream?after={after}"))) if "id" in e] == []

    assert change(staff, incident_id, "acknowledged").status_code == 302
    polled = staff.get(f"{STATION}/incidents/changes.json?after={after}").get_json()
    assert polled["last"] > after and polled["incidents"] == [
        {"id": incident_id, "state": "acknowledged", "category": "illegal_parking", "urgent": False}
    ]
    streamed = [e for e in sse_events(page(staff.get(f"{STATION}/incidents/stream?after={after}"))) if "id" in e]
    assert len(streamed) == 1 and int(streamed[0]["id"]) == polled["last"]
    assert json.loads(streamed[0]["data"])["incidents"][0]["state"] == "acknowledged"
    # a reconnect resumes after the last event it had
    resumed = page(staff.get(f"{STATION}/incidents/stream?after=0", headers={"Last-Event-ID": str(polled["last"])}))
    assert [e for e in sse_events(resumed) if "id" in e] == []


def test_the_stream_is_for_members_of_the_station_only(app, quick_stream):
    assert app.test_client().get(f"{STATION}/incidents/stream").status_code == 401
    assert volunteer(app, "donghua", phone=OTHER_VOLUNTEER).get(f"{STATION}/incidents/stream").status_code == 404
    assert volunteer(app).get(f"{STATION}/incidents/stream", headers={"Last-Event-ID": "abc"}).status_code == 400


# ---------------------------------------------------------------------------
# Triage
# ---------------------------------------------------------------------------


def test_officers_move_a_report_on_with_notes_required_to_close(app):
    vol = volunteer(app)
    staff = officer(app)
    incident_id = report(vol)
    text = page(staff.get(f"{STATION}/incidents/{incident_id}"))
    for state in ("acknowledged", "in_progress", "resolved", "duplicate", "not_actionable"):
        assert f'name="to_state" value="{state}"' in text
    assert 'name="to_state"' not in page(vol.get(f"{STATION}/incidents/{incident_id}"))  # not assigned to them

    refused = change(staff, incident_id, "resolved", note="")
    assert refused.status_code == 400 and 'id="note-problem"' in page(refused)
    assert get_incident(app, incident_id).state == "open"
    unknown = change(staff, incident_id, "closed_forever", note="?")
    assert unknown.status_code == 400 and 'class="problem alert"' in page(unknown)
    no_original = change(staff, incident_id, "duplicate", duplicate_of="99999")
    assert no_original.status_code == 400 and 'id="duplicate_of-problem"' in page(no_original)

    assert change(staff, incident_id, "in_progress", expected_state="open").status_code == 302
    assert change(staff, incident_id, "resolved", note="车主已挪车", expected_state="in_progress").status_code == 302
    detail = page(vol.get(f"{STATION}/incidents/{incident_id}"))
    assert 'data-state="resolved"' in detail and "车主已挪车" in detail and "张警官" in detail
    with app.app_context():
        notes = [n.kind for n in Notification.select().where(Notification.user == user_id(app, VOLUNTEER))]
    assert notes.count("incident_state") == 2
    assert "车主已挪车" in page(vol.get(f"{STATION}/me/notifications"))


def test_a_stale_change_is_a_409_showing_the_fresh_state(app):
    vol = volunteer(app)
    first = officer(app)
    second = officer(app, phone="13700000002", name="刘警官")
    incident_id = report(vol)
    url = f"{STATION}/incidents/{incident_id}"
    token = csrf_token_from(second.get(url))  # the second officer's page shows it open
    assert change(first, incident_id, "acknowledged", expected_state="open").status_code == 302
    stale = second.post(
        f"{url}/state",
        data={"csrf_token": token, "to_state": "not_actionable", "note": "无法处理", "expected_state": "open"},
    )
    assert stale.status_code == 409
    text = page(stale)
    assert 'id="action-refused"' in text and 'data-state="acknowledged"' in text
    assert get_incident(app, incident_id).state == "acknowledged"


def test_assignment_gives_the_assignee_its_buttons_and_a_notification(app):
    reporter = volunteer(app)
    helper = volunteer(app, name="王强", phone=OTHER_VOLUNTEER)
    staff = officer(app)
    incident_id = report(reporter)
    helper_id = user_id(app, OTHER_VOLUNTEER)
    text = page(staff.get(f"{STATION}/incidents/{incident_id}"))
    assert f'<option value="{helper_id}">王强' in text

    assert act(staff, incident_id, "assign", assignee=str(helper_id), note="请去看一下").status_code == 302
    assert get_incident(app, incident_id).assignee_id == helper_id
    mine = page(helper.get(f"{STATION}/incidents/{incident_id}"))
    assert 'name="to_state" value="in_progress"' in mine and 'name="to_state" value="resolved"' in mine
    assert 'value="not_actionable"' not in mine and 'name="assignee"' not in mine
    assert "请去看一下" in page(helper.get(f"{STATION}/me/notifications"))
    assert change(helper, incident_id, "in_progress").status_code == 302
    assert change(helper, incident_id, "resolved", note="已处理").status_code == 302
    assert get_incident(app, incident_id).state == "resolved"

    bad = act(staff, report(reporter, address="另一个地方"), "assign", assignee="99999")
    assert bad.status_code == 400 and 'id="assignee-problem"' in page(bad)


def test_a_volunteer_posting_an_officer_action_gets_403_and_nothing_changes(app):
    vol = volunteer(app)
    other = volunteer(app, name="王强", phone=OTHER_VOLUNTEER)
    incident_id = report(vol)
    assert change(other, incident_id, "acknowledged").status_code == 403
    assert act(other, incident_id, "assign", assignee=str(user_id(app, OTHER_VOLUNTEER))).status_code == 403
    assert act(other, incident_id, "useful").status_code == 403
    incident = get_incident(app, incident_id)
    assert incident.state == "open" and incident.assignee_id is None


def test_confirming_a_resolved_report_useful_books_the_reporters_points_once(app):
    vol = volunteer(app)
    staff = officer(app)
    incident_id = report(vol)
    url = f"{STATION}/incidents/{incident_id}"
    assert "useful-form" not in page(staff.get(url))  # not resolved yet
    early = act(staff, incident_id, "useful")
    assert early.status_code == 409
    assert change(staff, incident_id, "resolved", note="已处理").status_code == 302
    assert "useful-form" in page(staff.get(url))

    assert act(staff, incident_id, "useful").status_code == 302
    text = page(staff.get(url))
    assert "useful-form" not in text and re.search(r'class="useful-points">[^<]*2', text)
    again = act(staff, incident_id, "useful")
    assert again.status_code == 409 and 'id="action-refused"' in page(again)
    with app.app_context():
        volunteer_id = user_id(app, VOLUNTEER)
        assert User.get_by_id(volunteer_id).points_balance == 2
        assert LedgerEntry.select().where(LedgerEntry.volunteer == volunteer_id).count() == 1
    assert re.search(r'class="points">2<', page(vol.get(f"{STATION}/me/points")))
    assert f"#{incident_id} (Illegal parking) was confirmed useful: 2 points" in page(
        vol.get(f"{STATION}/me/notifications?lang=en")
    )


# ---------------------------------------------------------------------------
# Tenancy and CSRF
# ---------------------------------------------------------------------------


def test_another_stations_incident_is_a_404_like_a_missing_one_and_its_photos_are_not_served(app):
    vol = volunteer(app)
    incident_id = report(vol, photos=1)
    outsider = volunteer(app, "donghua", phone=OTHER_VOLUNTEER)
    missing = outsider.get("/s/donghua/incidents/999999")
    assert missing.status_code == 404
    for path in (
        f"/incidents/{incident_id}",
        f"/incidents/{incident_id}/photos/1",
        f"/incidents/{incident_id}/photos/1/thumb",
    ):
        assert outsider.get(f"/s/donghua{path}").status_code == 404  # not theirs, though it exists
        assert outsider.get(f"{STATION}{path}").status_code == 404  # not a member of huguo
    assert outsider.get(f"{STATION}/incidents").status_code == 404
    assert outsider.get(f"{STATION}/incidents/report").status_code == 404
    assert app.test_client().get(f"{STATION}/incidents/{incident_id}/photos/1").status_code == 302  # to sign-in
    donghua_staff = officer(app, "donghua", phone="13700000005")
    token = csrf_token_from(donghua_staff.get("/s/donghua/incidents"))
    refused = donghua_staff.post(
        f"/s/donghua/incidents/{incident_id}/state", data={"csrf_token": token, "to_state": "acknowledged"}
    )
    assert refused.status_code == 404 and get_incident(app, incident_id).state == "open"


def test_forms_without_a_csrf_token_are_refused_and_change_nothing(app):
    vol = volunteer(app)
    staff = officer(app)
    incident_id = report(vol)
    assert staff.post(f"{STATION}/incidents/{incident_id}/state", data={"to_state": "acknowledged"}).status_code == 400
    assert vol.post(f"{STATION}/incidents/{incident_id}/comment", data={"note": "我也看到了"}).status_code == 400
    assert vol.post(f"{STATION}/incidents/report", data=report_form(not_duplicate="yes")).status_code == 400
    assert get_incident(app, incident_id).state == "open" and incident_count(app) == 1


def test_a_hidden_reporter_assigned_the_report_is_not_named_nor_shown_as_none(app):
    reporter = volunteer(app)
    incident_id = report(reporter, hide_name="yes")
    staff = officer(app)
    assert act(staff, incident_id, "assign", assignee=str(user_id(app, "13800000001"))).status_code == 302
    other = volunteer(app, name="王强", phone=OTHER_VOLUNTEER)
    detail = page(other.get(f"{STATION}/incidents/{incident_id}"))
    assert "李红" not in detail and "None" not in detail
    assert "已指派给 一位志愿者" in detail


def test_a_report_made_while_the_board_renders_is_listed_or_sent_live_never_neither(app, monkeypatch):
    from core.incidents import board
    from core.web import incident_pages
    from tests.incidents_helpers import file_report
    from tests.incidents_helpers import volunteer as member

    vol = volunteer(app)
    with app.app_context():
        reporter = member(app)
    render_rows = incident_pages.board_rows
    made = []

    def rows_then_a_new_report(category, state):
        rows = render_rows(category, state)
        made.append(file_report(app, reporter).id)  # committed right after the rows were read
        return rows

    monkeypatch.setattr(incident_pages, "board_rows", rows_then_a_new_report)
    text = page(vol.get(f"{STATION}/incidents"))
    after = int(re.search(r'data-after="(\d+)" data-stream="[^"]*incidents/stream', text).group(1))
    with app.test_request_context():
        changed, _last = board.changed_since(app.extensions["redarmband"].tenancy.get("huguo"), after)
    assert made[0] in [incident.id for incident in changed] or f'id="incident-{made[0]}"' in text
