"""What the task pages share: their blueprint (``tasks``), what a refused
task action says, and the labels and template helpers of tasks and
submissions (also used by :mod:`core.web.task_review_pages` and
:mod:`core.web.task_feed_pages`)."""

from datetime import UTC

from flask import Blueprint, g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...models import SubmissionState
from ...tasks import hours, notifications

bp = Blueprint("tasks", __name__, url_prefix="/s/<station>")

STATE_LABELS = {
    SubmissionState.PENDING: _l("Waiting for review"),
    SubmissionState.APPROVED: _l("Approved"),
    SubmissionState.REJECTED: _l("Not accepted"),
    SubmissionState.RETURNED: _l("Sent back for changes"),
}

# What a refused task action says, by TaskError.code (see refusal()).
REFUSALS = {
    "task_full": _l("Sorry, this task is full."),
    "already_signed_up": _l("You have signed up for this task already."),
    "already_submitted": _l("You have submitted work for this task already."),
    "not_signed_up": _l("Sign up for the task before submitting work for it."),
    "task_not_started": _l("The task has not started yet: submit your work once it has begun."),
    "not_returned": _l("Only work sent back for changes can be changed."),
    "changed": _l("This work was changed meanwhile. Please look at it again."),
    "already_decided": _l("This work has already been decided by someone else."),
    "own_submission": _l("You cannot review your own work."),
    "no_hours": _l("This volunteer has no confirmed service hours yet."),
    "already_granted": _l("The volunteer holds this qualification already."),
    "try_again": _l("That did not work this time. Please try again."),
    "volunteers_only": _l("Only this station's volunteers may do this."),
    "staff_only": _l("Only this station's officers may do this."),
}


def refusal(error, task_type=None, action=None):
    """A :class:`core.tasks.TaskError` in the reader's language."""
    if error.code == "qualification_required" and task_type is not None and task_type.qualification:
        return _(
            "This work needs the qualification “%(name)s”. Ask your officer to record it once you have passed it.",
            name=task_type.qualification.label,
        )
    if error.code == "task_started":
        if action == "withdraw":
            return _("The task has started: you can no longer withdraw.")
        return _("The task has started already: sign-up is closed.")
    if error.code in REFUSALS:
        return str(REFUSALS[error.code])
    return _("This cannot be done now.")


def type_label(key):
    task_type = g.station.task_type(key)
    return task_type.label if task_type else key


@bp.app_template_global()
def task_type_label(key):
    return type_label(key)


@bp.app_template_global()
def submission_state_label(state):
    return STATE_LABELS.get(state, state)


bp.app_template_filter("hours")(hours.hours_text)


@bp.app_template_global()
def local_span(start, end):
    """A task's times in the station's zone: ``2024-05-06 07:30–08:30``."""
    tz = g.station.config.tz
    first, last = (moment.replace(tzinfo=UTC).astimezone(tz) for moment in (start, end))
    tail = last.strftime("%H:%M") if first.date() == last.date() else last.strftime("%Y-%m-%d %H:%M")
    return f"{first.strftime('%Y-%m-%d %H:%M')}–{tail}"


@bp.app_template_global()
def submission_photo_url(submission_id, photo, thumb=False):
    """A submission photo's address; a replaced photo gets a new one."""
    endpoint = "task_files.photo_thumb" if thumb else "task_files.photo"
    version = photo.path.rsplit("/", 1)[-1].split(".")[0]
    return url_for(endpoint, submission_id=submission_id, position=photo.position, v=version)


@bp.app_template_global()
def notification_text(note):
    """A notification in the reader's language."""
    return notifications.describe(g.station, note)


def stars(level, out_of=5):
    return "★" * level + "☆" * (out_of - level)


@bp.app_template_global()
def volunteer_number(user_id):
    """The number a volunteer is known by on certificates: ``HXB-000123``
    (红袖标, then the user's id): unique city-wide and never reused."""
    return f"HXB-{user_id:06d}"
