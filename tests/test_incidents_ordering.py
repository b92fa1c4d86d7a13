"""A live board follows a station's timeline by "lines above the last id I
saw": lines must become visible in the order of their ids, or a slow
transaction's line (a missing child's district alert) would be passed over
for ever. And checks that other changes could undo are made under the same
lock: no two reports end up duplicates of each other, and an assignment
taken back stops the former assignee.

These tests hold one transaction open in a thread while the next change is
tried; they run on the database of the run (SQLite, or PostgreSQL with
``REDARMBAND_DATABASE_URL``), where PostgreSQL is the case that matters.
"""

import threading

from core import db
from core.db import write_transaction
from core.groups import instructions
from core.groups.tree import station_group
from core.incidents import IncidentError, board, lifecycle
from core.incidents.ordering import hold_timeline
from core.models import Incident, IncidentEvent, IncidentEventKind, IncidentState, Role, utcnow
from tests.incidents_helpers import file_report, person, volunteer
from tests.points_helpers import station

WAIT = 10  # seconds a thread waits for its cue before the test fails


def test_a_line_of_a_slow_transaction_is_not_passed_over_by_a_live_board(app):
    with app.test_request_context():
        huguo = station(app, "huguo")
        reporter = volunteer(app)
        slow_one, fast_one = (
            file_report(app, reporter, address="甲"),
            file_report(app, reporter, "merchant_help", address="乙"),
        )
        start = board.last_event_id(huguo)
    inserted, release, fast_done = threading.Event(), threading.Event(), threading.Event()

    def slow():
        # like a missing child's report: its line is written, then the alert takes its time
        with app.test_request_context():
            with write_transaction():
                hold_timeline(huguo)
                IncidentEvent.create(
                    incident=slow_one.id,
                    station=huguo.id,
                    kind=IncidentEventKind.COMMENT,
                    actor=reporter.id,
                    note="慢",
                    created_at=utcnow(),
                )
                inserted.set()
                release.wait(WAIT)
            db.database.close()

    def fast():
        with app.test_request_context():
            lifecycle.comment(huguo, reporter, fast_one.id, "快")
            fast_done.set()
            db.database.close()

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    threads[0].start()
    assert inserted.wait(WAIT)
    threads[1].start()
    fast_done.wait(1)  # the fast one gets its chance to commit first (it must not be able to)
    with app.test_request_context():
        seen, last = board.changed_since(huguo, start)
        release.set()
        for thread in threads:
            thread.join(WAIT)
        later, _last = board.changed_since(huguo, last)
    delivered = [incident.id for incident in seen + later]
    assert slow_one.id in delivered and fast_one.id in delivered


def test_a_slow_instruction_is_not_passed_over_by_a_live_page(app):
    with app.test_request_context():
        huguo = station(app, "huguo")
        officer, reader = person(app, "huguo", Role.OFFICER), volunteer(app)
        group = station_group(huguo)
        tenancy = app.extensions["redarmband"].tenancy
        newest = instructions.instructions_of(reader)
        start = newest[0].id if newest else 0
    holding, release, fast_done = threading.Event(), threading.Event(), threading.Event()
    body = {"text": "注意", "place": "", "priority": "urgent", "deadline": None}

    def slow():
        with app.test_request_context():
            with write_transaction():
                instructions.send_alert(tenancy, officer, group, body)
                holding.set()
                release.wait(WAIT)
            db.database.close()

    def fast():
        with app.test_request_context():
            instructions.send_alert(tenancy, officer, group, body)
            fast_done.set()
            db.database.close()

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    threads[0].start()
    assert holding.wait(WAIT)
    threads[1].start()
    fast_done.wait(1)
    with app.test_request_context():
        seen = instructions.instructions_of(reader, after_id=start)
        last = max([item.id for item in seen], default=start)
        release.set()
        for thread in threads:
            thread.join(WAIT)
        later = instructions.instructions_of(reader, after_id=last)
    assert len(seen) + len(later) == 2


def test_two_reports_cannot_become_duplicates_of_each_other(app, monkeypatch):
    with app.test_request_context():
        huguo = station(app, "huguo")
        first_officer, second_officer = person(app, "huguo", Role.OFFICER), person(app, "huguo", Role.OFFICER)
        x, y = (
            file_report(app, volunteer(app), address="甲"),
            file_report(app, volunteer(app), "merchant_help", address="乙"),
        )
        real = lifecycle.write_transaction
        interleaved = []

        def the_other_officer_first():
            if not interleaved:  # between the first officer's checks and their change
                interleaved.append(True)
                lifecycle.change_state(huguo, second_officer, y.id, IncidentState.DUPLICATE, duplicate_of=x.id)
            return real()

        monkeypatch.setattr(lifecycle, "write_transaction", the_other_officer_first)
        try:
            lifecycle.change_state(huguo, first_officer, x.id, IncidentState.DUPLICATE, duplicate_of=y.id)
        except IncidentError as error:
            assert error.status == 400 and "duplicate_of" in error.fields
        x, y = Incident.get_by_id(x.id), Incident.get_by_id(y.id)
        assert (x.state, y.state, y.duplicate_of_id) == (IncidentState.OPEN, IncidentState.DUPLICATE, x.id)


def test_an_assignment_taken_back_meanwhile_stops_the_former_assignee(app, monkeypatch):
    with app.test_request_context():
        huguo = station(app, "huguo")
        officer, helper = person(app, "huguo", Role.OFFICER), volunteer(app)
        incident = file_report(app, volunteer(app))
        lifecycle.assign(huguo, officer, incident.id, helper.id)
        real = lifecycle.write_transaction
        taken_back = []

        def officer_takes_it_back_first():
            if not taken_back:
                taken_back.append(True)
                lifecycle.assign(huguo, officer, incident.id, None)
            return real()

        monkeypatch.setattr(lifecycle, "write_transaction", officer_takes_it_back_first)
        try:
            lifecycle.change_state(huguo, helper, incident.id, IncidentState.IN_PROGRESS)
        except IncidentError as error:
            assert error.status == 403
        else:
            raise AssertionError("the former assignee moved the report on")
        assert Incident.get_by_id(incident.id).state == IncidentState.OPEN
