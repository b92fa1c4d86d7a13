"""In-app notifications: a volunteer hears of each decision on their work.

A notification stores what happened (``kind`` and ``data``); pages and the
API put it into words in the reader's language.
"""

from flask_babel import force_locale
from flask_babel import gettext as _

from ..i18n import LANGUAGES
from ..incidents.labels import state_label
from ..models import Notification, utcnow
from .hours import hours_text

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
    return list(Notification.select().where(Notification.user == user.id).order_by(Notification.id.desc()).limit(limit))


def unread_count(user):
    return Notification.select().where(Notification.user == user.id, Notification.read_at.is_null()).count()


def mark_read(user, now=None):
    """Mark all of ``user``'s notifications read; returns how many were unread."""
    return (
        Notification.update(read_at=now or utcnow())
        .where(Notification.user == user.id, Notification.read_at.is_null())
        .execute()
    )


def describe(station, note):
    """``note`` in words, in the current language (pages and API alike)."""
    data = note.data or {}
    task_type = station.task_type(data.get("type_key", "")) if station else None
    label = str(task_type.label) if task_type else data.get("type_key", "")
    if note.kind == "submission_approved":
        return _(
            "Your %(type)s work was approved: %(points)s points, %(hours)s hours.",
            type=label,
            points=data.get("points", 0),
            hours=hours_text(data.get("minutes", 0)),
        )
    if note.kind == "submission_rejected":
        return _("Your %(type)s work was not accepted: %(reason)s", type=label, reason=data.get("reason", ""))
    if note.kind == "submission_returned":
        return _("Your %(type)s work was sent back for changes: %(reason)s", type=label, reason=data.get("reason", ""))
    if note.kind == "instruction_reminder":
        return _("Reminder: please acknowledge the instruction “%(text)s”.", text=data.get("text", ""))
    if note.kind.startswith("incident_"):
        return _describe_incident(station, note.kind, data)
    return note.kind


def _describe_incident(station, kind, data):
    category = station.incident_category(data.get("category", "")) if station else None
    label = str(category.label) if category else data.get("category", "")
    number = data.get("incident_id", "")
    if kind == "incident_assigned":
        note = data.get("note") or ""
        if note:
            return _(
                "Report #%(number)s (%(category)s) was assigned to you: %(note)s",
                number=number,
                category=label,
                note=note,
            )
        return _("Report #%(number)s (%(category)s) was assigned to you.", number=number, category=label)
    if kind == "incident_state":
        state = state_label(data.get("state", ""))
        note = data.get("note") or ""
        if note:
            return _(
                "Your report #%(number)s (%(category)s) is now: %(state)s. %(note)s",
                number=number,
                category=label,
                state=state,
                note=note,
            )
        return _(
            "Your report #%(number)s (%(category)s) is now: %(state)s.", number=number, category=label, state=state
        )
    if kind == "incident_useful":
        return _(
            "Your report #%(number)s (%(category)s) was confirmed useful: %(points)s points.",
            number=number,
            category=label,
            points=data.get("points", 0),
        )
    return kind


def describe_in_every_language(station, note):
    """``{"zh": …, "en": …}``: for API clients that choose for themselves."""
    described = {}
    for language, locale in LANGUAGES.items():
        with force_locale(locale):
            described[language] = describe(station, note)
    return described
