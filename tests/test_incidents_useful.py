"""A resolved report an officer confirms useful earns its reporter the
station's ``[incidents] useful_points``, once, through the ledger: kind
"incident", a reason, a breakdown by the scoring rules, the daily cap."""

import pytest

from core.incidents import IncidentError
from core.incidents.lifecycle import change_state, confirm_useful, timeline
from core.incidents.reporting import load_report, report
from core.models import (
    EntryKind,
    Incident,
    IncidentEventKind,
    IncidentSource,
    IncidentState,
    LedgerEntry,
    Notification,
    Role,
    User,
)
from core.points import verify_balances
from core.testing import write_station
from tests.incidents_helpers import body, file_report, officer, person, volunteer
from tests.points_helpers import give_points, station


def refused(call):
    with pytest.raises(IncidentError) as caught:
        call()
    return caught.value


def resolved(app, reporter, slug="huguo", boss=None):
    """A report of ``reporter`` resolved by ``boss`` (a new officer)."""
    boss = boss or officer(app, slug)
    incident = file_report(app, reporter, slug=slug)
    change_state(station(app, slug), boss, incident.id, IncidentState.RESOLVED, note="已处理")
    return incident


def balance(user):
    return User.get_by_id(user.id).points_balance


def test_a_useful_report_books_its_points_once(app):
    with app.test_request_context():
        vol, boss = volunteer(app, name="李红"), officer(app)
        incident = resolved(app, vol)
        changed, event = confirm_useful(station(app), boss, incident.id)

        assert changed.useful and changed.entry_id is not None
        entry = LedgerEntry.get_by_id(changed.entry_id)
        assert (entry.volunteer_id, entry.amount, entry.earned, entry.kind) == (vol.id, 2, 2, EntryKind.INCIDENT)
        assert entry.reason == f"有效报告 illegal_parking #{incident.id}" and entry.caused_by_id == boss.id
        assert [(line["rule"], line["points"]) for line in entry.breakdown] == [("core.incident", 2)]
        assert balance(vol) == 2 and verify_balances() == []
        assert (event.kind, event.actor_id, event.note) == (IncidentEventKind.USEFUL, boss.id, "2")
        assert [e.kind for e in timeline(incident)][-1] == IncidentEventKind.USEFUL
        told = Notification.get(Notification.user == vol.id, Notification.kind == "incident_useful")
        assert told.data["points"] == 2 and told.data["incident_id"] == incident.id

        again = refused(lambda: confirm_useful(station(app), officer(app), incident.id))
        assert (again.status, again.code) == (409, "already_useful")
        assert balance(vol) == 2 and LedgerEntry.select().count() == 1


@pytest.mark.parametrize(
    "state", [IncidentState.OPEN, IncidentState.ACKNOWLEDGED, IncidentState.IN_PROGRESS, IncidentState.NOT_ACTIONABLE]
)
def test_only_a_resolved_report_is_confirmed_useful(app, state):
    with app.test_request_context():
        vol, boss = volunteer(app), officer(app)
        incident = file_report(app, vol)
        if state != IncidentState.OPEN:
            change_state(station(app), boss, incident.id, state, note="看过")
        error = refused(lambda: confirm_useful(station(app), boss, incident.id))
        assert (error.status, error.code) == (409, "not_resolved")
        assert not Incident.get_by_id(incident.id).useful and LedgerEntry.select().count() == 0


def test_an_officer_cannot_confirm_their_own_report(app):
    with app.test_request_context():
        boss = officer(app)
        incident = resolved(app, boss, boss=officer(app))
        error = refused(lambda: confirm_useful(station(app), boss, incident.id))
        assert (error.status, error.code) == (403, "own_report")
        assert not Incident.get_by_id(incident.id).useful


def test_a_volunteer_cannot_confirm(app):
    with app.test_request_context():
        helper = volunteer(app)
        incident = resolved(app, volunteer(app))
        assert refused(lambda: confirm_useful(station(app), helper, incident.id)).status == 403
        assert LedgerEntry.select().count() == 0


def test_an_officers_useful_report_earns_no_points(app):
    with app.test_request_context():
        reporter = officer(app)
        incident = resolved(app, reporter)
        changed, event = confirm_useful(station(app), officer(app), incident.id)
        assert changed.useful and changed.entry_id is None and event.note == "0"
        assert LedgerEntry.select().count() == 0


def test_an_open311_report_is_useful_with_no_one_to_pay(app):
    with app.test_request_context():
        st, admin = station(app), person(app, "huguo", Role.STATION_ADMIN)
        incident = report(
            st,
            None,
            load_report(body()),
            source=IncidentSource.OPEN311,
            contact={"email": "a@example.com"},
            alert_author=admin,
        )
        change_state(st, officer(app), incident.id, IncidentState.RESOLVED, note="已处理")
        changed, _event = confirm_useful(st, officer(app), incident.id)
        assert changed.useful and changed.entry_id is None
        assert (
            LedgerEntry.select().count() == 0
            and Notification.select().where(Notification.kind == "incident_useful").count() == 0
        )


def test_a_reporter_who_left_the_station_is_not_paid_elsewhere(app):
    with app.test_request_context():
        vol = volunteer(app)
        incident = resolved(app, vol)
        vol.station = station(app, "xiaonanmen").id
        vol.save()
        changed, _event = confirm_useful(station(app), officer(app), incident.id)
        assert changed.useful and changed.entry_id is None and balance(vol) == 0


class TestConfiguredPoints:
    @pytest.fixture
    def redarmband_stations_dir(self, tmp_path):
        directory = tmp_path / "stations"
        directory.mkdir()
        write_station(directory, "zero", extra="[incidents]\nuseful_points = 0\n")
        write_station(directory, "five", extra="[incidents]\nuseful_points = 5\n")
        write_station(directory, "capped", extra="[points]\ndaily_cap = 3\n\n[incidents]\nuseful_points = 5\n")
        return directory

    def test_useful_points_zero_marks_useful_and_books_nothing(self, app):
        with app.test_request_context():
            vol = volunteer(app, "zero")
            incident = resolved(app, vol, "zero")
            changed, event = confirm_useful(station(app, "zero"), officer(app, "zero"), incident.id)
            assert changed.useful and changed.entry_id is None and event.note == "0"
            assert LedgerEntry.select().count() == 0 and balance(vol) == 0
            assert (
                Notification.get(Notification.user == vol.id, Notification.kind == "incident_useful").data["points"]
                == 0
            )

    def test_useful_points_follow_the_station(self, app):
        with app.test_request_context():
            vol = volunteer(app, "five")
            incident = resolved(app, vol, "five")
            changed, _event = confirm_useful(station(app, "five"), officer(app, "five"), incident.id)
            assert LedgerEntry.get_by_id(changed.entry_id).amount == 5 and balance(vol) == 5

    def test_the_daily_cap_cuts_a_useful_report(self, app):
        with app.test_request_context():
            vol = volunteer(app, "capped")
            incident = resolved(app, vol, "capped")
            changed, event = confirm_useful(station(app, "capped"), officer(app, "capped"), incident.id)
            entry = LedgerEntry.get_by_id(changed.entry_id)
            assert entry.amount == 3 and event.note == "3"
            assert [(line["rule"], line["points"]) for line in entry.breakdown] == [
                ("core.incident", 5),
                ("core.daily_cap", -2),
            ]
            assert verify_balances() == []

    def test_a_day_already_at_the_cap_books_nothing_but_is_useful(self, app):
        with app.test_request_context():
            vol = volunteer(app, "capped")
            give_points(app, vol.id, 3, slug="capped")
            incident = resolved(app, vol, "capped")
            changed, _event = confirm_useful(station(app, "capped"), officer(app, "capped"), incident.id)
            assert changed.useful and changed.entry_id is None
            assert balance(vol) == 3 and LedgerEntry.select().count() == 1 and verify_balances() == []
