"""In-app notifications: a volunteer hears of each decision on their work.

A notification stores what happened (``kind`` and ``data``); pages and the
API put it into words in the reader's language.
"""
from ..models import Notification, utcnow

SUBMISSION_DECIDED = {
    "approved": "submission_approved",
    "rejected": "submission_rejected",
    "returned": "submission_returned",
}


def notify(station, user_id, kind, data, submission=None, now=None):
    """Add a notification; call inside the transaction of the change it reports."""
    return Notification.create(
        station=station.id,
        user=user_id,
        kind=kind,
        data=data,
        submission=submission.id if submission else None,
        created_at=now or utcnow(),
    )


def notifications_of(user, *, limit=50):
    return list(
        Notification.select().where(Notification.user == user.id).order_by(Notification.id.desc()).limit(limit)
    )


def unread_count(user):
    return Notification.select().where(Notification.user == user.id, Notification.read_at.is_null()).count()


def mark_read(user, now=None):
    """Mark all of ``user``'s notifications read; returns how many were unread."""
    return (
        Notification.update(read_at=now or utcnow())
        .where(Notification.user == user.id, Notification.read_at.is_null())
        .execute()
    )
