"""Incidents on the station's pages: the board with its filters, hidden names, and the live updates."""

import json
import re

import pytest

from core.web import incident_stream

from .groups_pages_helpers import sse_events
from .incident_pages_helpers import OTHER_VOLUNTEER, STATION, board_ids, change, report
from .tasks_pages_helpers import menu_of, officer, page, volunteer

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
