"""The station's board and its live updates show the station's own
incidents only; a hidden reporter's name is for staff and themselves."""

import pytest

from core.incidents.board import (
    board,
    changed_since,
    last_event_id,
    photo_path,
    reporter_name,
)
from core.incidents.errors import IncidentError
from core.incidents.lifecycle import change_state, comment
from core.models import IncidentState
from tests.incidents_helpers import file_report, officer, volunteer
from tests.points_helpers import station
from tests.tasks_helpers import photo_bytes


def ids(incidents):
    return [incident.id for incident in incidents]


def test_the_board_lists_the_stations_own_incidents_newest_first(app):
    with app.test_request_context():
        mine = [file_report(app, volunteer(app)) for _ in range(3)]
        theirs = file_report(app, volunteer(app, "xiaonanmen"))
        assert ids(board(station(app, "huguo"))) == ids(reversed(mine))
        assert ids(board(station(app, "xiaonanmen"))) == [theirs.id]
        assert ids(board(station(app, "donghua"))) == []


def test_the_board_filters_by_state_and_category_and_pages_on(app):
    with app.test_request_context():
        st, boss = station(app), officer(app)
        parking, posters, done = (
            file_report(app, volunteer(app)),
            file_report(app, volunteer(app), "illegal_posters"),
            file_report(app, volunteer(app)),
        )
        change_state(st, boss, done.id, IncidentState.RESOLVED, note="已处理")
        assert ids(board(st)) == [posters.id, parking.id]
        assert ids(board(st, state="closed")) == [done.id]
        assert ids(board(st, state="all")) == [done.id, posters.id, parking.id]
        assert ids(board(st, state=IncidentState.RESOLVED)) == [done.id]
        assert ids(board(st, category="illegal_posters")) == [posters.id]
        assert ids(board(st, state="all", before_id=posters.id)) == [parking.id]
        assert ids(board(st, state="all", limit=1)) == [done.id]


def test_changed_since_sees_only_the_stations_changes(app):
    with app.test_request_context():
        huguo, xiaonanmen = station(app, "huguo"), station(app, "xiaonanmen")
        first = file_report(app, volunteer(app))
        start = last_event_id(huguo)
        theirs = file_report(app, volunteer(app, "xiaonanmen"))
        comment(xiaonanmen, officer(app, "xiaonanmen"), theirs.id, "马上到")
        second = file_report(app, volunteer(app))
        comment(huguo, officer(app), first.id, "收到")
        changed, last = changed_since(huguo, start)
        assert ids(changed) == [second.id, first.id]
        assert last == last_event_id(huguo) and last > start
        assert changed_since(huguo, last) == ([], last)
        assert ids(changed_since(xiaonanmen, 0)[0]) == [theirs.id]


def test_changed_since_catches_up_a_page_at_a_time(app):
    with app.test_request_context():
        st = station(app)
        made = [file_report(app, volunteer(app)) for _ in range(5)]
        page, last = changed_since(st, 0, limit=2)
        assert ids(page) == ids(made[:2])
        page, last = changed_since(st, last, limit=2)
        assert ids(page) == ids(made[2:4])
        page, last = changed_since(st, last, limit=2)
        assert ids(page) == ids(made[4:])


def test_a_hidden_name_is_shown_to_staff_and_the_reporter_only(app):
    with app.test_request_context():
        st, vol = station(app), volunteer(app, name="李红")
        hidden, shown = file_report(app, vol, hide_name=True), file_report(app, vol)
        assert reporter_name(st, volunteer(app), hidden) is None
        assert reporter_name(st, officer(app), hidden) == "李红"
        assert reporter_name(st, vol, hidden) == "李红"
        assert reporter_name(st, volunteer(app), shown) == "李红"


def test_an_incidents_photo_is_for_members_of_its_station(app):
    with app.test_request_context():
        incident = file_report(app, volunteer(app), photos=[photo_bytes()])
        assert photo_path(station(app), volunteer(app), incident.id, 1) == incident.photos[0]
        for who, position in ((volunteer(app, "xiaonanmen"), 1), (volunteer(app), 2)):
            with pytest.raises(IncidentError) as caught:
                photo_path(station(app), who, incident.id, position)
            assert caught.value.status == 404
        with pytest.raises(IncidentError):
            photo_path(station(app, "xiaonanmen"), volunteer(app, "xiaonanmen"), incident.id, 1)
