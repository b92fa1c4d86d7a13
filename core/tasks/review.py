"""Officers decide on submitted work: approve, reject, or send back.

A submission's revision is decided once. The decision locks the submission's
row and checks it is still pending, and a unique key on (submission,
revision) backs that up: of two officers deciding at once, one wins and the
other gets a 409. Approval books the points in the same transaction, scored
by the station's rules; the breakdown an officer sees before confirming is
computed by the same code (:func:`preview`).
"""

from dataclasses import dataclass
from datetime import UTC

from marshmallow import ValidationError
from peewee import IntegrityError

from ..db import for_update
from ..models import EntryKind, LedgerEntry, Review, Submission, SubmissionState, Task, User, utcnow
from ..points import Booking, BreakdownLine, earned_on, local_date_of
from ..scoring import ScoringEvent, apply_daily_cap, score
from ..validation import no_control_characters
from .errors import TaskError, forbidden, invalid
from .notifications import SUBMISSION_DECIDED, notify
from .posting import require_staff
from .submissions import get_submission

DECISIONS = {
    "approve": SubmissionState.APPROVED,
    "reject": SubmissionState.REJECTED,
    "return": SubmissionState.RETURNED,
}
MAX_HOURS = 24
MAX_REASON = 1000
FLOOR_LINE = ("core.floor", "不扣分", "No deductions")


def review_queue(station, officer, *, type_key=None, volunteer_id=None, limit=50, offset=0):
    """Pending submissions of the station, oldest first."""
    require_staff(station, officer)
    query = (
        Submission.select(Submission, User)
        .join(User, on=(Submission.volunteer == User.id))
        .where(Submission.station == station.id, Submission.state == SubmissionState.PENDING)
    )
    if type_key:
        query = query.where(Submission.type_key == type_key)
    if volunteer_id:
        query = query.where(Submission.volunteer == volunteer_id)
    return list(query.order_by(Submission.submitted_at, Submission.id).limit(limit).offset(offset))


def default_minutes(submission):
    """Service minutes the work shows: the task's times, or the times the
    volunteer gave for self-started work, or none."""
    if submission.task_id:
        task = Task.get_by_id(submission.task_id)
        start, end = task.starts_at, task.ends_at
    else:
        start, end = submission.started_at, submission.ended_at
    if start is None or end is None:
        return 0
    return max(0, round((end - start).total_seconds() / 60))


@dataclass(frozen=True)
class Scored:
    lines: list
    points: int
    minutes: int


def _local(station, moment):
    return moment.replace(tzinfo=UTC).astimezone(station.config.tz) if moment else None


def _score(station, submission, minutes, day, earned_today):
    task = Task.get_by_id(submission.task_id) if submission.task_id else None
    start = task.starts_at if task else submission.started_at
    end = task.ends_at if task else submission.ended_at
    volunteer = User.get_by_id(submission.volunteer_id)
    event = ScoringEvent(
        "task",
        station,
        volunteer,
        day,
        details={
            "task_type": station.task_type(submission.type_key),
            "task": task,
            "submission": submission,
            "minutes": minutes,
            "starts_at": _local(station, start),
            "ends_at": _local(station, end),
        },
    )
    lines = score(station, event)
    if sum(line.points for line in lines) < 0:  # rules may cut, but work never costs points
        lines.append(BreakdownLine(*FLOOR_LINE, -sum(line.points for line in lines)))
    lines = apply_daily_cap(station, lines, earned_today)
    return lines


def preview(station, officer, submission_id, minutes=None, now=None):
    """What approving would book now: breakdown lines, points, minutes."""
    require_staff(station, officer)
    submission = get_submission(station, submission_id)
    minutes = default_minutes(submission) if minutes is None else minutes
    today = local_date_of(station, now)
    lines = _score(station, submission, minutes, today, earned_on(submission.volunteer_id, today))
    return Scored(lines, sum(line.points for line in lines), minutes)


def _check_reason(reason):
    """The pages pass typed text straight here: bound it like the API does."""
    if len(reason) > MAX_REASON:
        raise invalid({"reason": [f"at most {MAX_REASON} characters"]})
    try:
        no_control_characters(allow_line_breaks=True)(reason)
    except ValidationError as error:
        raise invalid({"reason": error.messages}) from error


def hours_to_minutes(hours):
    if hours is None:
        return None
    if not 0 <= hours <= MAX_HOURS:
        raise invalid({"hours": [f"expected 0 to {MAX_HOURS} hours"]})
    return round(hours * 60)


def decide(station, officer, submission_id, decision, *, reason="", hours=None, revision=None, now=None):
    """Decide on a pending submission; returns ``(submission, review)``.

    ``decision`` is "approve", "reject" or "return"; rejecting and sending
    back need a ``reason``, and so does approving with ``hours`` other than
    the work's own. ``revision``, if given, must be the one the officer saw.
    """
    now = now or utcnow()
    require_staff(station, officer)
    if decision not in DECISIONS:
        raise invalid({"decision": ["expected one of: approve, reject, return"]})
    reason = (reason or "").strip()
    _check_reason(reason)
    submission = get_submission(station, submission_id)
    if submission.volunteer_id == officer.id:
        raise forbidden("you cannot review your own work", "own_submission")
    minutes = hours_to_minutes(hours)
    work_minutes = default_minutes(submission)
    if decision != "approve" and not reason:
        raise invalid({"reason": ["say why, so the volunteer knows what to change"]})
    if decision == "approve" and minutes is not None and minutes != work_minutes and not reason:
        raise invalid({"reason": ["say why the hours differ from the work's own"]})
    state = DECISIONS[decision]
    try:
        with Booking(station) as booking:
            current = for_update(Submission.select().where(Submission.id == submission.id)).get()
            if current.state != SubmissionState.PENDING:
                raise TaskError(f"this submission is {current.state} already", code="already_decided")
            if revision is not None and revision != current.revision:
                raise TaskError("the submission was changed since you opened it; reload it", code="changed")
            review = Review.create(
                submission=current.id,
                revision=current.revision,
                officer=officer.id,
                decision=state,
                reason=reason,
                minutes=(work_minutes if minutes is None else minutes) if decision == "approve" else None,
                created_at=now,
            )
            changes = {"state": state, "decided_at": now, "decided_by": officer.id, "reason": reason}
            data = {"type_key": current.type_key, "reason": reason}
            if decision == "approve":
                booking.lock(current.volunteer_id)  # the day's earned total must not move under the cap
                confirmed = review.minutes
                today = local_date_of(station, now)
                lines = _score(station, current, confirmed, today, booking.earned_on(current.volunteer_id, today))
                points = sum(line.points for line in lines)
                entry = booking.book(
                    current.volunteer_id,
                    points,
                    EntryKind.TASK,
                    f"任务 {current.type_key} #{current.id}",
                    key=f"submission:{current.id}",
                    breakdown=lines,
                    caused_by=officer.id,
                    earned=points,
                    local_date=today,
                    created_at=now,
                )
                changes.update(
                    minutes=confirmed,
                    minutes_reason=reason if confirmed != work_minutes else "",
                    entry=entry.id,
                )
                data.update(points=points, minutes=confirmed)
            Submission.update(**changes).where(
                Submission.id == current.id, Submission.state == SubmissionState.PENDING
            ).execute()
            notify(station, current.volunteer_id, SUBMISSION_DECIDED[state], data, current, now)
    except IntegrityError as error:  # the unique (submission, revision): another officer won
        raise TaskError("this submission was decided by someone else just now", code="already_decided") from error
    submission = Submission.get_by_id(submission.id)
    station.hooks.fire("on_submission_reviewed", station=station, submission=submission, review=review)
    return submission, review


def breakdown_of(submission):
    """The booked breakdown of an approved submission (what the volunteer sees)."""
    if submission.entry_id is None:
        return []
    return LedgerEntry.get_by_id(submission.entry_id).breakdown


def reviews_of(submission):
    return list(Review.select().where(Review.submission == submission.id).order_by(Review.id))
