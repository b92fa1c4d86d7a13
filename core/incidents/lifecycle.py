"""What happens to an incident after it is reported.

open → acknowledged → in progress → resolved, or closed as a duplicate or
not actionable. Officers of the station triage: they change the state,
assign the incident to an officer or a volunteer, and confirm a resolved
report useful, which books the reporter's points through the ledger. The
assignee may move it on to in progress and resolved. Station members
comment. Each change is a guarded UPDATE (``WHERE state = <the state the
officer saw>``), so two officers acting at once get one success and one
409, and each change writes a line of the timeline.
"""

from marshmallow import ValidationError

from ..db import for_update, write_transaction
from ..models import (
    EntryKind,
    Incident,
    IncidentEvent,
    IncidentEventKind,
    IncidentState,
    Notification,
    Role,
    User,
    utcnow,
)
from ..points import Booking, local_date_of
from ..scoring import ScoringEvent, apply_daily_cap, score
from ..validation import no_control_characters
from .errors import IncidentError, forbidden, invalid, not_found
from .ordering import hold_timeline

MAX_NOTE = 1000

# Where each state may go next (closed states are final: a new report is a new incident).
TRANSITIONS = {
    IncidentState.OPEN: (
        IncidentState.ACKNOWLEDGED,
        IncidentState.IN_PROGRESS,
        IncidentState.RESOLVED,
        IncidentState.DUPLICATE,
        IncidentState.NOT_ACTIONABLE,
    ),
    IncidentState.ACKNOWLEDGED: (
        IncidentState.IN_PROGRESS,
        IncidentState.RESOLVED,
        IncidentState.DUPLICATE,
        IncidentState.NOT_ACTIONABLE,
    ),
    IncidentState.IN_PROGRESS: (IncidentState.RESOLVED, IncidentState.DUPLICATE, IncidentState.NOT_ACTIONABLE),
    IncidentState.RESOLVED: (),
    IncidentState.DUPLICATE: (),
    IncidentState.NOT_ACTIONABLE: (),
}
# What an assignee who is not an officer may do.
ASSIGNEE_MAY = (IncidentState.IN_PROGRESS, IncidentState.RESOLVED)
# Closing needs a word on why: the reporter, the next shift and (as Open311
# status_notes) other systems read it.
NEEDS_NOTE = IncidentState.CLOSED


MAX_ROW_ID = 2**31 - 1  # larger ids are no row (and SQLite cannot even compare them)


def row_id(value):
    """``value`` as a row id, or ``None`` if it cannot be one: a huge number
    overflows SQLite, and text is an error on PostgreSQL (a 500 either way)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ROW_ID else None


def get_incident(station, incident_id):
    """The station's incident ``incident_id``; another station's is not found."""
    incident_id = row_id(incident_id)
    incident = (
        None
        if incident_id is None
        else Incident.get_or_none(Incident.id == incident_id, Incident.station == station.id)
    )
    if incident is None:
        raise not_found("incident")
    return incident


def is_station_staff(station, user):
    return user is not None and user.active and user.station_id == station.id and user.is_staff


def is_station_member(station, user):
    return user is not None and user.active and user.station_id == station.id


def visible_incident(station, user, incident_id):
    """An incident ``user`` may see: every member of its station may."""
    if not is_station_member(station, user):
        raise not_found("incident")
    return get_incident(station, incident_id)


def _clean_note(note, *, required=False, field="note"):
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise invalid({field: [f"at most {MAX_NOTE} characters"]})
    try:
        no_control_characters(allow_line_breaks=True)(note)
    except ValidationError as error:
        raise invalid({field: error.messages}) from error
    if required and not note:
        raise invalid({field: ["say why (the reporter, the next shift and Open311 readers see it)"]})
    return note


def change_state(station, actor, incident_id, to_state, *, note="", duplicate_of=None, expected_state=None, now=None):
    """Move an incident on; returns ``(incident, event)``.

    ``expected_state``, if given, is the state the actor saw: another
    change since is a 409. Closing as a duplicate names the station's
    incident it duplicates (``duplicate_of``).
    """
    now = now or utcnow()
    incident = visible_incident(station, actor, incident_id)
    if to_state not in IncidentState.ALL:
        raise invalid({"state": [f"expected one of: {', '.join(IncidentState.ALL)}"]})
    if expected_state is not None and expected_state not in IncidentState.ALL:
        raise invalid({"expected_state": [f"expected one of: {', '.join(IncidentState.ALL)}"]})
    _may_move(station, actor, incident, to_state)
    note = _clean_note(note, required=to_state in NEEDS_NOTE and to_state != IncidentState.DUPLICATE)
    original_id = None
    if to_state == IncidentState.DUPLICATE:
        if duplicate_of is None:
            raise invalid({"duplicate_of": ["name the report this one duplicates"]})
        original_id = row_id(duplicate_of)
    with write_transaction():
        hold_timeline(station)  # also: the checks below cannot change under this change
        incident = Incident.get_by_id(incident.id)
        _may_move(station, actor, incident, to_state)  # again: it may have been reassigned meanwhile
        original = None
        if to_state == IncidentState.DUPLICATE:
            original = original_id and Incident.get_or_none(Incident.id == original_id, Incident.station == station.id)
            if original is None or original.id == incident.id or original.state == IncidentState.DUPLICATE:
                raise invalid(
                    {"duplicate_of": ["expected another report of this station that is not itself a duplicate"]}
                )
        seen = expected_state or incident.state
        if to_state not in TRANSITIONS.get(seen, ()):
            raise IncidentError(f"an incident that is {seen} cannot become {to_state}", code="bad_transition")
        changed = (
            Incident.update(state=to_state, duplicate_of=original.id if original else None, updated_at=now)
            .where(Incident.id == incident.id, Incident.state == seen)
            .execute()
        )
        if changed != 1:
            raise IncidentError("the incident was changed by someone else just now; reload it", code="changed")
        event = IncidentEvent.create(
            incident=incident.id,
            station=station.id,
            kind=IncidentEventKind.STATE,
            actor=actor.id,
            from_state=seen,
            to_state=to_state,
            note=note if not original else (f"#{original.id} " + note).strip(),
            created_at=now,
        )
        if incident.reporter_id and incident.reporter_id != actor.id:
            _notify(station, incident.reporter_id, "incident_state", incident, {"state": to_state, "note": note}, now)
    return _after(station, incident, event)


def _may_move(station, actor, incident, to_state):
    if not is_station_staff(station, actor) and not (incident.assignee_id == actor.id and to_state in ASSIGNEE_MAY):
        raise forbidden(
            "only this station's officers, or the person it is assigned to, move an incident on", "staff_only"
        )


def comment(station, actor, incident_id, note, *, now=None):
    """Add a comment to the timeline (any member of the station)."""
    now = now or utcnow()
    incident = visible_incident(station, actor, incident_id)
    note = _clean_note(note, required=True)
    with write_transaction():
        hold_timeline(station)
        event = IncidentEvent.create(
            incident=incident.id,
            station=station.id,
            kind=IncidentEventKind.COMMENT,
            actor=actor.id,
            note=note,
            created_at=now,
        )
        Incident.update(updated_at=now).where(Incident.id == incident.id).execute()
    return _after(station, incident, event)


def assign(station, officer, incident_id, assignee_id, *, note="", now=None):
    """Give an incident to one of the station's active officers or volunteers
    (``assignee_id`` ``None`` takes it back). Returns ``(incident, event)``."""
    now = now or utcnow()
    incident = visible_incident(station, officer, incident_id)
    if not is_station_staff(station, officer):
        raise forbidden("only this station's officers assign incidents", "staff_only")
    note = _clean_note(note)
    assignee = None
    if assignee_id is not None:
        assignee = row_id(assignee_id) and User.get_or_none(User.id == row_id(assignee_id))
        if not is_station_member(station, assignee) or assignee.role not in Role.STATION_ROLES:
            raise invalid({"assignee": ["expected an active officer or volunteer of this station"]})
    if incident.state in IncidentState.CLOSED:
        raise IncidentError(f"the incident is {incident.state}: it is closed", code="closed")
    with write_transaction():
        hold_timeline(station)
        changed = (
            Incident.update(assignee=assignee.id if assignee else None, updated_at=now)
            .where(Incident.id == incident.id, Incident.state.in_(IncidentState.LIVE))
            .execute()
        )
        if changed != 1:
            raise IncidentError("the incident was closed just now; reload it", code="changed")
        event = IncidentEvent.create(
            incident=incident.id,
            station=station.id,
            kind=IncidentEventKind.ASSIGNED,
            actor=officer.id,
            assignee=assignee.id if assignee else None,
            note=note,
            created_at=now,
        )
        if assignee and assignee.id != officer.id:
            _notify(station, assignee.id, "incident_assigned", incident, {"note": note}, now)
    return _after(station, incident, event)


def confirm_useful(station, officer, incident_id, *, now=None):
    """An officer confirms a resolved report was useful: the reporter (a
    volunteer of the station) earns ``[incidents] useful_points`` through
    the scoring rules and the ledger, once. Returns ``(incident, event)``."""
    now = now or utcnow()
    incident = visible_incident(station, officer, incident_id)
    if not is_station_staff(station, officer):
        raise forbidden("only this station's officers confirm a report useful", "staff_only")
    if incident.state != IncidentState.RESOLVED:
        raise IncidentError("only a resolved report can be confirmed useful", code="not_resolved")
    if incident.reporter_id == officer.id:
        raise forbidden("you cannot confirm your own report", "own_report")
    with Booking(station) as booking:
        hold_timeline(station)
        current = for_update(Incident.select().where(Incident.id == incident.id)).get()
        if current.useful:
            raise IncidentError("this report was confirmed useful already", code="already_useful")
        entry = None
        reporter = User.get_or_none(User.id == current.reporter_id) if current.reporter_id else None
        points = 0
        if reporter is not None and reporter.role == Role.VOLUNTEER and reporter.station_id == station.id:
            booking.lock(reporter.id)  # the day's earned total must not move under the cap
            today = local_date_of(station, now)
            event = ScoringEvent(
                "incident", station, reporter, today, {"incident": current, "category": current.category}
            )
            lines = apply_daily_cap(station, score(station, event), booking.earned_on(reporter.id, today))
            points = sum(line.points for line in lines)
            if points > 0:
                entry = booking.book(
                    reporter.id,
                    points,
                    EntryKind.INCIDENT,
                    f"有效报告 {current.category} #{current.id}",
                    key=f"incident:{current.id}",
                    breakdown=lines,
                    caused_by=officer.id,
                    earned=points,
                    local_date=today,
                    created_at=now,
                )
        changed = (
            Incident.update(useful=True, entry=entry.id if entry else None, updated_at=now)
            .where(Incident.id == current.id, Incident.useful == False)
            .execute()
        )
        if changed != 1:
            raise IncidentError("this report was confirmed useful already", code="already_useful")
        timeline = IncidentEvent.create(
            incident=current.id,
            station=station.id,
            kind=IncidentEventKind.USEFUL,
            actor=officer.id,
            note=str(points),
            created_at=now,
        )
        if reporter is not None:
            _notify(station, reporter.id, "incident_useful", current, {"points": points}, now)
    return _after(station, incident, timeline)


def _notify(station, user_id, kind, incident, data, now):
    Notification.create(
        station=station.id,
        user=user_id,
        kind=kind,
        data={"incident_id": incident.id, "category": incident.category, **data},
        created_at=now,
    )


def _after(station, incident, event):
    """The committed incident, after the event hook has heard of it."""
    incident = Incident.get_by_id(incident.id)
    station.hooks.fire("on_incident_changed", station=station, incident=incident, event=event)
    return incident, event


def timeline(incident):
    return list(IncidentEvent.select().where(IncidentEvent.incident == incident.id).order_by(IncidentEvent.id))
