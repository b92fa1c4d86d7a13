"""Incidents on the station's pages: the officers' triage and assignment, tenancy and CSRF."""

import re

from core.models import LedgerEntry, Notification, User
from core.testing import csrf_token_from

from .incident_pages_helpers import (
    OTHER_VOLUNTEER,
    STATION,
    VOLUNTEER,
    act,
    change,
    get_incident,
    incident_count,
    report,
    report_form,
)
from .tasks_pages_helpers import officer, page, user_id, volunteer

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
