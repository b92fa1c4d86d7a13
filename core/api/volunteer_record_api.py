"""A volunteer's record through the API: notifications, service hours, the
calendar feed's address, and (for officers) qualifications and
certificates."""

from flask import current_app, g

from ..i18n import text_json
from ..models import User
from ..tasks.feeds import feed_token
from ..tasks.hours import issue_certificate, summary
from ..tasks.notifications import describe_in_every_language, mark_read, notifications_of, unread_count
from ..tasks.posting import (
    require_staff,
)
from ..tasks.qualifications import grant, qualifications_of, revoke, station_volunteer
from ..tenancy import current_tenancy
from . import common
from .bodies import dump
from .common import home_station, json_object, load
from .idempotency import idempotent
from .task_helpers import hours_json, id_or_404, key_or_404, person_json
from .tasks_schemas import (
    CalendarSchema,
    CertificateOutSchema,
    HoursSchema,
    NotificationListSchema,
    NotificationsReadSchema,
    QualificationInSchema,
    QualificationsOutSchema,
)
from .tokens import token_required
from .views import bp

CALENDAR_URL = "/s/{station}/calendar/{token}.ics"  # a page route (core.web)


def _notification_out(station, notification):
    return {
        "id": notification.id,
        "kind": notification.kind,
        "message": describe_in_every_language(station, notification),
        "data": notification.data or {},
        "submission_id": notification.submission_id,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


def _by_type_out(station, rows):
    return [
        {
            "type": row["type_key"],
            "label": text_json(station.task_type(row["type_key"]).label)
            if station.task_type(row["type_key"])
            else None,
            "count": row["count"],
            "minutes": row["minutes"],
            "hours": hours_json(row["minutes"]),
        }
        for row in rows
    ]


@bp.get("/me/notifications")
@token_required
def my_notifications():
    user = g.api_user
    station = current_tenancy().station_of(user)
    body = {
        "notifications": [_notification_out(station, note) for note in notifications_of(user)],
        "unread": unread_count(user),
    }
    return dump(NotificationListSchema, body)


@bp.post("/me/notifications/read")
@token_required
@idempotent
def read_my_notifications():
    user = g.api_user
    marked = mark_read(user, now=common.now())
    return dump(NotificationsReadSchema, {"marked": marked, "unread": unread_count(user)})


@bp.get("/me/hours")
@token_required
def myhours_json():
    volunteer = g.api_user
    station = home_station(volunteer)
    hours = summary(station, volunteer)
    body = {
        "minutes": hours.minutes,
        "hours": hours.hours,
        "star": hours.star,
        "next_star_hours": hours.next_star_hours,
        "by_type": _by_type_out(station, hours.by_type),
    }
    return dump(HoursSchema, body)


@bp.get("/me/calendar")
@token_required
def my_calendar():
    volunteer = g.api_user
    station = home_station(volunteer)
    token = feed_token(current_app.config["SECRET_KEY"], volunteer)
    return dump(CalendarSchema, {"url": CALENDAR_URL.format(station=station.slug, token=token)})


# ---------------------------------------------------------------------------
# Qualifications and certificates (officers)
# ---------------------------------------------------------------------------


def _qualifications_out(volunteer_id):
    volunteer = User.get_by_id(volunteer_id)
    return dump(
        QualificationsOutSchema, {"volunteer_id": volunteer.id, "qualifications": sorted(qualifications_of(volunteer))}
    )


@bp.post("/s/<station>/volunteers/<int:volunteer_id>/qualifications")
@token_required
@idempotent
def grant_qualification(volunteer_id):
    station, user = g.station, g.api_user
    require_staff(station, user)
    data = load(QualificationInSchema(), json_object())
    granted = grant(station, user, id_or_404(volunteer_id, "volunteer"), data["qualification"], now=common.now())
    return _qualifications_out(granted.volunteer_id), 201


@bp.delete("/s/<station>/volunteers/<int:volunteer_id>/qualifications/<key>")
@token_required
def revoke_qualification(volunteer_id, key):
    station, user = g.station, g.api_user
    require_staff(station, user)
    revoke(station, user, id_or_404(volunteer_id, "volunteer"), key_or_404(key, "qualification"))
    return _qualifications_out(volunteer_id)


@bp.post("/s/<station>/volunteers/<int:volunteer_id>/certificates")
@token_required
@idempotent
def create_certificate(volunteer_id):
    station, user = g.station, g.api_user
    certificate = issue_certificate(station, user, id_or_404(volunteer_id, "volunteer"), now=common.now())
    volunteer = station_volunteer(station, certificate.volunteer_id)
    body = {
        "number": certificate.number,
        "volunteer": person_json(volunteer),
        "issued_at": certificate.issued_at,
        "minutes": certificate.minutes,
        "hours": hours_json(certificate.minutes),
        "star_level": certificate.star_level,
        "by_type": _by_type_out(station, certificate.content),
    }
    return dump(CertificateOutSchema, body), 201
