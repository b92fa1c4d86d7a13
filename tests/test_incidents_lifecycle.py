"""After a report: open → acknowledged → in progress → resolved, or closed as
a duplicate or not actionable. Officers triage and assign; the assignee moves
it on; members comment; each step is a line of the timeline, and the
reporter and the assignee are told. Another station's incident is no
incident at all."""

from datetime import timedelta

import pytest

from core.incidents import IncidentError
from core.incidents.lifecycle import (
    TRANSITIONS,
    assign,
    change_state,
    comment,
    confirm_useful,
    get_incident,
    timeline,
)
from core.models import (
    Incident,
    IncidentEvent,
    IncidentEventKind,
    IncidentState,
    Notification,
    Role,
    utcnow,
)
from tests.incidents_helpers import file_report, officer, person, volunteer
from tests.points_helpers import station

S = IncidentState
ALLOWED = [(before, after) for before, nexts in TRANSITIONS.items() for after in nexts]
REFUSED = [(before, after) for before in S.ALL for after in S.ALL if after not in TRANSITIONS[before]]
NOTE = "现场核实"


def refused(call):
    with pytest.raises(IncidentError) as caught:
        call()
    return caught.value


def events_of(incident):
    return [(e.kind, e.from_state, e.to_state) for e in timeline(incident)]


def bring_to(app, st, boss, incident, state, *, original=None):
    """Move ``incident`` to ``state`` by the shortest allowed path."""
    if state == S.OPEN:
        return
    if state == S.DUPLICATE:
        original = original or file_report(app, volunteer(app, st.slug), slug=st.slug)
        change_state(st, boss, incident.id, S.DUPLICATE, duplicate_of=original.id)
        return
    change_state(st, boss, incident.id, state, note=NOTE)


@pytest.fixture
def world(app):
    with app.test_request_context():
        yield World(app)


class World:
    def __init__(self, app):
        self.app = app
        self.st = station(app, "huguo")
        self.boss = officer(app, name="张警官")
        self.reporter = volunteer(app, name="李红")
        self.incident = file_report(app, self.reporter)

    def report(self, **overrides):
        return file_report(self.app, self.reporter, **overrides)


# --- transitions --------------------------------------------------------------


def test_the_allowed_paths_are_the_issues():
    assert TRANSITIONS[S.OPEN] == (S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.DUPLICATE, S.NOT_ACTIONABLE)
    assert all(TRANSITIONS[closed] == () for closed in S.CLOSED)
    assert S.OPEN not in {after for nexts in TRANSITIONS.values() for after in nexts}  # nothing goes back


@pytest.mark.parametrize("before, after", ALLOWED, ids=[f"{b}->{a}" for b, a in ALLOWED])
def test_every_allowed_transition(world, before, after):
    bring_to(world.app, world.st, world.boss, world.incident, before)
    original = world.report(at=None, address="别处")
    changed, event = change_state(world.st, world.boss, world.incident.id, after, note=NOTE, duplicate_of=original.id)
    assert changed.state == after == Incident.get_by_id(world.incident.id).state
    assert (event.kind, event.from_state, event.to_state, event.actor_id) == (
        IncidentEventKind.STATE,
        before,
        after,
        world.boss.id,
    )
    assert Incident.get_by_id(world.incident.id).duplicate_of_id == (original.id if after == S.DUPLICATE else None)


@pytest.mark.parametrize("before, after", REFUSED, ids=[f"{b}->{a}" for b, a in REFUSED])
def test_every_other_transition_is_a_409_that_changes_nothing(world, before, after):
    bring_to(world.app, world.st, world.boss, world.incident, before)
    original = world.report(at=None, address="别处")
    lines = len(timeline(world.incident))
    error = refused(
        lambda: change_state(world.st, world.boss, world.incident.id, after, note=NOTE, duplicate_of=original.id)
    )
    assert (error.status, error.code) == (409, "bad_transition")
    assert Incident.get_by_id(world.incident.id).state == before
    assert len(timeline(world.incident)) == lines


def test_an_unknown_state_is_a_400_naming_state(world):
    error = refused(lambda: change_state(world.st, world.boss, world.incident.id, "archived"))
    assert error.status == 400 and list(error.fields) == ["state"]


def test_a_state_seen_before_another_officers_change_is_a_409(world):
    change_state(world.st, world.boss, world.incident.id, S.ACKNOWLEDGED)
    error = refused(
        lambda: change_state(world.st, officer(world.app), world.incident.id, S.IN_PROGRESS, expected_state=S.OPEN)
    )
    assert error.status == 409
    assert Incident.get_by_id(world.incident.id).state == S.ACKNOWLEDGED


@pytest.mark.parametrize("to_state", [S.RESOLVED, S.NOT_ACTIONABLE])
@pytest.mark.parametrize("note", ["", "   "])
def test_resolving_or_closing_needs_a_note(world, to_state, note):
    error = refused(lambda: change_state(world.st, world.boss, world.incident.id, to_state, note=note))
    assert error.status == 400 and list(error.fields) == ["note"]
    assert Incident.get_by_id(world.incident.id).state == S.OPEN


def test_a_note_with_control_characters_or_too_long_is_refused(world):
    assert list(
        refused(lambda: change_state(world.st, world.boss, world.incident.id, S.RESOLVED, note="好\x00")).fields
    ) == ["note"]
    assert list(
        refused(lambda: change_state(world.st, world.boss, world.incident.id, S.RESOLVED, note="长" * 1001)).fields
    ) == ["note"]


def test_a_duplicate_names_another_report_of_the_station(world):
    st, boss, incident = world.st, world.boss, world.incident
    assert list(refused(lambda: change_state(st, boss, incident.id, S.DUPLICATE)).fields) == ["duplicate_of"]
    assert list(refused(lambda: change_state(st, boss, incident.id, S.DUPLICATE, duplicate_of=incident.id)).fields) == [
        "duplicate_of"
    ]
    theirs = file_report(world.app, volunteer(world.app, "xiaonanmen"))
    assert list(refused(lambda: change_state(st, boss, incident.id, S.DUPLICATE, duplicate_of=theirs.id)).fields) == [
        "duplicate_of"
    ]
    assert list(refused(lambda: change_state(st, boss, incident.id, S.DUPLICATE, duplicate_of=999_999)).fields) == [
        "duplicate_of"
    ]
    first, copy = world.report(), world.report()
    change_state(st, boss, copy.id, S.DUPLICATE, duplicate_of=first.id)
    assert list(refused(lambda: change_state(st, boss, incident.id, S.DUPLICATE, duplicate_of=copy.id)).fields) == [
        "duplicate_of"
    ]
    assert Incident.get_by_id(incident.id).state == S.OPEN

    changed, event = change_state(st, boss, incident.id, S.DUPLICATE, duplicate_of=first.id)
    assert changed.duplicate_of_id == first.id and event.note.startswith(f"#{first.id}")


# --- who moves it on ----------------------------------------------------------


def test_a_volunteer_cannot_change_the_state(world):
    for who in (world.reporter, volunteer(world.app)):
        error = refused(lambda who=who: change_state(world.st, who, world.incident.id, S.ACKNOWLEDGED))
        assert (error.status, error.code) == (403, "staff_only")
    assert Incident.get_by_id(world.incident.id).state == S.OPEN


def test_the_assigned_volunteer_moves_it_to_in_progress_and_resolved_only(world):
    helper = volunteer(world.app, name="王芳")
    assign(world.st, world.boss, world.incident.id, helper.id)
    for to_state in (S.ACKNOWLEDGED, S.NOT_ACTIONABLE):
        error = refused(
            lambda to_state=to_state: change_state(world.st, helper, world.incident.id, to_state, note=NOTE)
        )
        assert error.status == 403
    change_state(world.st, helper, world.incident.id, S.IN_PROGRESS)
    changed, event = change_state(world.st, helper, world.incident.id, S.RESOLVED, note="车主已挪车")
    assert changed.state == S.RESOLVED and event.actor_id == helper.id and event.note == "车主已挪车"


def test_a_station_admin_triages_like_an_officer(world):
    admin = person(world.app, "huguo", Role.STATION_ADMIN)
    assert change_state(world.st, admin, world.incident.id, S.ACKNOWLEDGED)[0].state == S.ACKNOWLEDGED


def test_an_inactive_officer_cannot_act(world):
    gone = person(world.app, "huguo", Role.OFFICER, active=False)
    assert refused(lambda: change_state(world.st, gone, world.incident.id, S.ACKNOWLEDGED)).status == 404


# --- assignment ---------------------------------------------------------------


def test_an_officer_assigns_to_an_officer_or_a_volunteer_and_takes_it_back(world):
    colleague, helper = officer(world.app), volunteer(world.app)
    changed, event = assign(world.st, world.boss, world.incident.id, colleague.id, note="你离得近")
    assert changed.assignee_id == colleague.id
    assert (event.kind, event.assignee_id, event.note) == (IncidentEventKind.ASSIGNED, colleague.id, "你离得近")
    assert assign(world.st, world.boss, world.incident.id, helper.id)[0].assignee_id == helper.id
    changed, event = assign(world.st, world.boss, world.incident.id, None)
    assert changed.assignee_id is None and event.assignee_id is None


@pytest.mark.parametrize("whom", ["another station's officer", "an inactive volunteer", "a city admin", "nobody"])
def test_assignment_outside_the_station_is_refused(world, whom):
    assignee_id = {
        "another station's officer": lambda: officer(world.app, "xiaonanmen").id,
        "an inactive volunteer": lambda: person(world.app, "huguo", active=False).id,
        "a city admin": lambda: person(world.app, None, Role.CITY_ADMIN).id,
        "nobody": lambda: 999_999,
    }[whom]()
    error = refused(lambda: assign(world.st, world.boss, world.incident.id, assignee_id))
    assert error.status == 400 and list(error.fields) == ["assignee"]
    assert Incident.get_by_id(world.incident.id).assignee_id is None
    assert [e.kind for e in timeline(world.incident)] == [IncidentEventKind.REPORTED]


def test_a_volunteer_cannot_assign(world):
    error = refused(lambda: assign(world.st, world.reporter, world.incident.id, world.reporter.id))
    assert (error.status, error.code) == (403, "staff_only")


@pytest.mark.parametrize("closed", [S.RESOLVED, S.NOT_ACTIONABLE, S.DUPLICATE])
def test_a_closed_incident_cannot_be_reassigned(world, closed):
    bring_to(world.app, world.st, world.boss, world.incident, closed)
    error = refused(lambda: assign(world.st, world.boss, world.incident.id, officer(world.app).id))
    assert (error.status, error.code) == (409, "closed")
    assert Incident.get_by_id(world.incident.id).assignee_id is None


# --- comments and the timeline ------------------------------------------------


def test_members_comment_and_outsiders_cannot(world):
    other = volunteer(world.app)
    _incident, event = comment(world.st, other, world.incident.id, "我也看到了，车还在")
    assert (event.kind, event.actor_id, event.note) == (IncidentEventKind.COMMENT, other.id, "我也看到了，车还在")
    assert refused(lambda: comment(world.st, world.reporter, world.incident.id, "  ")).status == 400
    assert refused(lambda: comment(world.st, world.reporter, world.incident.id, "坏\x00")).status == 400
    assert (
        refused(lambda: comment(world.st, volunteer(world.app, "xiaonanmen"), world.incident.id, "路过")).status == 404
    )


def test_a_comment_on_a_closed_incident_is_still_welcome(world):
    bring_to(world.app, world.st, world.boss, world.incident, S.RESOLVED)
    assert comment(world.st, world.reporter, world.incident.id, "谢谢民警")[1].note == "谢谢民警"


def test_the_timeline_tells_the_story_in_order(world):
    start = utcnow()
    helper = volunteer(world.app, name="王芳")
    steps = [
        lambda now: change_state(world.st, world.boss, world.incident.id, S.ACKNOWLEDGED, note="收到", now=now),
        lambda now: assign(world.st, world.boss, world.incident.id, helper.id, note="请去看看", now=now),
        lambda now: comment(world.st, helper, world.incident.id, "在路上", now=now),
        lambda now: change_state(world.st, helper, world.incident.id, S.IN_PROGRESS, now=now),
        lambda now: change_state(world.st, helper, world.incident.id, S.RESOLVED, note="已劝离", now=now),
    ]
    for minutes, step in enumerate(steps, start=1):
        step(start + timedelta(minutes=minutes))
    lines = timeline(world.incident)
    assert [(e.kind, e.actor_id, e.from_state, e.to_state, e.note) for e in lines] == [
        (IncidentEventKind.REPORTED, world.reporter.id, None, S.OPEN, ""),
        (IncidentEventKind.STATE, world.boss.id, S.OPEN, S.ACKNOWLEDGED, "收到"),
        (IncidentEventKind.ASSIGNED, world.boss.id, None, None, "请去看看"),
        (IncidentEventKind.COMMENT, helper.id, None, None, "在路上"),
        (IncidentEventKind.STATE, helper.id, S.ACKNOWLEDGED, S.IN_PROGRESS, ""),
        (IncidentEventKind.STATE, helper.id, S.IN_PROGRESS, S.RESOLVED, "已劝离"),
    ]
    assert [e.created_at for e in lines[1:]] == [start + timedelta(minutes=m) for m in range(1, 6)]
    assert Incident.get_by_id(world.incident.id).updated_at == start + timedelta(minutes=5)


# --- notifications ------------------------------------------------------------


def notes_of(user):
    return [
        (n.kind, n.data) for n in Notification.select().where(Notification.user == user.id).order_by(Notification.id)
    ]


def test_the_reporter_and_the_assignee_are_told(world):
    helper = volunteer(world.app)
    change_state(world.st, world.boss, world.incident.id, S.ACKNOWLEDGED)
    assign(world.st, world.boss, world.incident.id, helper.id, note="请去看看")
    change_state(world.st, helper, world.incident.id, S.RESOLVED, note="已挪车")
    about = {"incident_id": world.incident.id, "category": "illegal_parking"}
    assert notes_of(world.reporter) == [
        ("incident_state", {**about, "state": S.ACKNOWLEDGED, "note": ""}),
        ("incident_state", {**about, "state": S.RESOLVED, "note": "已挪车"}),
    ]
    assert notes_of(helper) == [("incident_assigned", {**about, "note": "请去看看"})]


def test_nobody_is_told_of_their_own_action(world):
    own = file_report(world.app, world.boss)
    change_state(world.st, world.boss, own.id, S.ACKNOWLEDGED)
    assign(world.st, world.boss, own.id, world.boss.id)
    assert notes_of(world.boss) == []


# --- another station's incident ----------------------------------------------


def test_another_stations_incident_is_not_found_for_every_action(world):
    theirs = file_report(world.app, volunteer(world.app, "xiaonanmen"))
    st, boss, helper = world.st, world.boss, volunteer(world.app)
    actions = [
        lambda: get_incident(st, theirs.id),
        lambda: change_state(st, boss, theirs.id, S.ACKNOWLEDGED),
        lambda: comment(st, boss, theirs.id, "看看"),
        lambda: assign(st, boss, theirs.id, helper.id),
        lambda: confirm_useful(st, boss, theirs.id),
    ]
    for action in actions:
        error = refused(action)
        assert (error.status, error.code) == (404, "not_found")
    # and its own officers, acting through huguo, reach nothing either
    theirs_officer = officer(world.app, "xiaonanmen")
    assert refused(lambda: change_state(st, theirs_officer, world.incident.id, S.ACKNOWLEDGED)).status == 404
    fresh = Incident.get_by_id(theirs.id)
    assert (fresh.state, fresh.assignee_id) == (S.OPEN, None)
    assert [e.kind for e in timeline(fresh)] == [IncidentEventKind.REPORTED]
    assert (
        IncidentEvent.select().where(IncidentEvent.station == st.id, IncidentEvent.incident == theirs.id).count() == 0
    )


# --- ids that cannot be rows --------------------------------------------------


@pytest.mark.parametrize(
    "bad", [2**63, 2**31, 0, -1, "x"], ids=["past 64 bits", "past 32 bits", "zero", "negative", "text"]
)
def test_an_id_that_cannot_be_a_row_is_not_found_or_refused_never_an_error(world, bad):
    # a URL's <int:…> takes any size of number: SQLite overflows on one past
    # 64 bits, and PostgreSQL fails the transaction on text
    from core.incidents.board import photo_path

    st, boss, incident = world.st, world.boss, world.incident
    for action in (
        lambda: get_incident(st, bad),
        lambda: comment(st, boss, bad, "看看"),
        lambda: photo_path(st, boss, bad, 1),
    ):
        assert refused(action).status == 404
    assert list(refused(lambda: change_state(st, boss, incident.id, S.DUPLICATE, duplicate_of=bad)).fields) == [
        "duplicate_of"
    ]
    assert list(refused(lambda: assign(st, boss, incident.id, bad)).fields) == ["assignee"]
    assert (
        change_state(st, boss, incident.id, S.ACKNOWLEDGED)[0].state == S.ACKNOWLEDGED
    )  # the connection is still good


def test_an_unknown_expected_state_is_refused_naming_it(app):
    with app.test_request_context():
        incident = file_report(app, volunteer(app))
        error = refused(
            lambda: change_state(
                station(app, "huguo"), officer(app), incident.id, S.ACKNOWLEDGED, expected_state="opened"
            )
        )
        assert error.status == 400 and "expected_state" in error.fields
        assert Incident.get_by_id(incident.id).state == S.OPEN
