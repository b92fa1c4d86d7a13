"""Qualifications: trainings a volunteer holds, recorded by an officer.

The training module comes later; until then an officer records that a
volunteer passed (e.g. 一棍一盾 shield drill). Task types name the one they
need; without it a volunteer cannot sign up for or submit such work.
"""

from peewee import IntegrityError

from ..db import write_transaction
from ..models import QualificationGrant, Role, User, utcnow
from .errors import TaskError, forbidden, invalid, not_found
from .posting import require_staff


def known_qualifications(station):
    """The qualifications the station's task types ask for, by key."""
    return {t.qualification.key: t.qualification for t in station.task_types if t.qualification}


def holds(volunteer, key):
    return (
        QualificationGrant.select()
        .where(QualificationGrant.volunteer == volunteer.id, QualificationGrant.key == key)
        .exists()
    )


def require_qualification(volunteer, task_type):
    needed = task_type.qualification
    if needed and not holds(volunteer, needed.key):
        raise forbidden(
            f"{task_type.key} needs the qualification {needed.label.zh} ({needed.label.en}); ask your officer",
            "qualification_required",
        )


def qualifications_of(volunteer):
    return [grant.key for grant in QualificationGrant.select().where(QualificationGrant.volunteer == volunteer.id)]


def station_volunteer(station, volunteer_id):
    volunteer = User.get_or_none(User.id == volunteer_id, User.station == station.id, User.role == Role.VOLUNTEER)
    if volunteer is None:
        raise not_found("volunteer")
    return volunteer


def grant(station, officer, volunteer_id, key, now=None):
    require_staff(station, officer)
    if key not in known_qualifications(station):
        known = ", ".join(sorted(known_qualifications(station))) or "none"
        raise invalid({"qualification": [f"unknown qualification {key!r}; this station's task types need: {known}"]})
    volunteer = station_volunteer(station, volunteer_id)
    try:
        with write_transaction():
            return QualificationGrant.create(
                station=station.id, volunteer=volunteer.id, key=key, granted_by=officer.id, granted_at=now or utcnow()
            )
    except IntegrityError as error:
        raise TaskError("the volunteer holds this qualification already", code="already_granted") from error


def revoke(station, officer, volunteer_id, key):
    require_staff(station, officer)
    volunteer = station_volunteer(station, volunteer_id)
    removed = (
        QualificationGrant.delete()
        .where(QualificationGrant.volunteer == volunteer.id, QualificationGrant.key == key)
        .execute()
    )
    if not removed:
        raise not_found("qualification")
