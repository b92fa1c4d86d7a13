"""The station's incident board: what is going on, newest first, and what
changed since a client last looked (for live pages).

Every change to an incident writes a timeline line, and those lines have
increasing ids per database, so "what changed since line N" is one indexed
query: any app server answers a live board from the database alone.
"""

from ..models import Incident, IncidentEvent, IncidentState, User
from .errors import not_found
from .lifecycle import is_station_member, is_station_staff, row_id

BOARD_SIZE = 50
# Filters of the board by state: the live ones (default), the closed ones, any, or one state.
STATE_FILTERS = ("live", "closed", "all", *IncidentState.ALL)


def board(station, *, category=None, state="live", before_id=None, limit=BOARD_SIZE):
    """The station's incidents, newest first. ``state`` is one of
    :data:`STATE_FILTERS`; ``before_id`` pages on to older ones."""
    query = Incident.select().where(Incident.station == station.id)
    if category:
        query = query.where(Incident.category == category)
    if state == "live":
        query = query.where(Incident.state.in_(IncidentState.LIVE))
    elif state == "closed":
        query = query.where(Incident.state.in_(IncidentState.CLOSED))
    elif state in IncidentState.ALL:
        query = query.where(Incident.state == state)
    if before_id is not None:
        query = query.where(Incident.id < before_id)
    return list(query.order_by(Incident.id.desc()).limit(limit))


def last_event_id(station):
    """The newest timeline line of the station (0 if none): where a live board starts."""
    return (
        IncidentEvent.select(IncidentEvent.id)
        .where(IncidentEvent.station == station.id)
        .order_by(IncidentEvent.id.desc())
        .limit(1)
        .scalar()
        or 0
    )


def changed_since(station, after_event_id, limit=BOARD_SIZE):
    """Incidents changed after timeline line ``after_event_id``, and the id
    of the last line seen: ``([incident …], last id)``. Oldest changes first,
    at most ``limit`` lines at a time, so a client catching up misses none."""
    events = list(
        IncidentEvent.select(IncidentEvent.id, IncidentEvent.incident)
        .where(IncidentEvent.station == station.id, IncidentEvent.id > after_event_id)
        .order_by(IncidentEvent.id)
        .limit(limit)
    )
    if not events:
        return [], after_event_id
    ids = list(dict.fromkeys(event.incident_id for event in events))
    by_id = {
        incident.id: incident
        for incident in Incident.select().where(Incident.id.in_(ids), Incident.station == station.id)
    }
    return [by_id[i] for i in ids if i in by_id], events[-1].id


def reporter_name(station, viewer, incident):
    """The reporter's name as ``viewer`` may see it: staff and the reporter
    always; other volunteers not when the reporter asked to hide it."""
    if incident.reporter_id is None:
        return None
    if (
        incident.hide_name
        and not is_station_staff(station, viewer)
        and getattr(viewer, "id", None) != incident.reporter_id
    ):
        return None
    return User.select(User.name).where(User.id == incident.reporter_id).scalar()


def names_of(user_ids):
    user_ids = [i for i in set(user_ids) if i is not None]
    if not user_ids:
        return {}
    return dict(User.select(User.id, User.name).where(User.id.in_(user_ids)).tuples())


def photo_path(station, user, incident_id, position):
    """The stored path of an incident's photo, for members of its station."""
    if not is_station_member(station, user):
        raise not_found("photo")
    incident_id = row_id(incident_id)
    incident = (
        None
        if incident_id is None
        else Incident.get_or_none(Incident.id == incident_id, Incident.station == station.id)
    )
    if incident is None or not 1 <= position <= len(incident.photos or []):
        raise not_found("photo")
    return incident.photos[position - 1]
