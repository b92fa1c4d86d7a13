"""Volunteers show their work: text, photos, the type's extra fields.

Everything that can be checked is checked before a photo is written; photos
are then re-encoded (:mod:`core.photos`) and the rows inserted in one
transaction. If anything fails after a file was written, the files go too:
a refused submission leaves nothing behind.
"""

from dataclasses import dataclass
from datetime import timedelta

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from peewee import IntegrityError

from ..db import for_update, write_transaction
from ..models import Signup, Submission, SubmissionPhoto, SubmissionState, utcnow
from ..photos import discard_photos, save_station_photos
from ..validation import AwareDateTime, TypedText
from .errors import TaskError, invalid, not_found
from .posting import get_task
from .qualifications import require_qualification
from .signups import require_volunteer

MAX_SELF_STARTED_HOURS = 24


class SubmissionSchema(Schema):
    """A submission's own fields; the type's extra fields come as ``fields``."""

    task_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    text = TypedText(required=True, min_length=1, max_length=4000)
    # the type's extra fields; named so as not to hide marshmallow's ``fields``
    extra_fields = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields", attribute="fields")
    latitude = fields.Float(
        load_default=None, allow_none=True, allow_nan=False, validate=validate.Range(min=-90, max=90)
    )
    longitude = fields.Float(
        load_default=None, allow_none=True, allow_nan=False, validate=validate.Range(min=-180, max=180)
    )
    started_at = AwareDateTime(load_default=None, allow_none=True)
    ended_at = AwareDateTime(load_default=None, allow_none=True)

    @validates_schema
    def _consistent(self, data, **_kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("give both latitude and longitude, or neither", "longitude")
        start, end = data.get("started_at"), data.get("ended_at")
        if (start is None) != (end is None):
            raise ValidationError("give both started_at and ended_at, or neither", "ended_at")
        if start and end:
            if end <= start:
                raise ValidationError("must be after started_at", "ended_at")
            if end - start > timedelta(hours=MAX_SELF_STARTED_HOURS):
                raise ValidationError(f"at most {MAX_SELF_STARTED_HOURS} hours", "ended_at")


def load_submission(raw):
    """Load :class:`SubmissionSchema` data; raises a 400 naming the fields."""
    try:
        return SubmissionSchema().load(raw, unknown=RAISE)
    except ValidationError as error:
        raise invalid(
            {key: value if isinstance(value, list) else [str(value)] for key, value in error.messages.items()}
        ) from error


@dataclass(frozen=True)
class Checked:
    """What a checked submission is for."""

    task_type: object
    task: object  # a Task, or None for self-started work
    extra: dict


def _check(station, volunteer, data, photo_count, now, *, existing=None):
    """Every check that needs no file written; raises TaskError."""
    if existing is not None:  # a resubmission keeps what it was for
        task = existing.task if existing.task_id else None
        type_key = existing.type_key
    elif data["task_id"] is not None:
        task = get_task(station, data["task_id"])
        type_key = task.type_key
        if data.get("type") and data["type"] != type_key:
            raise invalid({"type": [f"the task is of type {type_key!r}"]})
        if not Signup.select().where(Signup.task == task.id, Signup.volunteer == volunteer.id).exists():
            raise TaskError("sign up for the task before submitting work for it", code="not_signed_up")
        if task.starts_at > now:
            raise TaskError("the task has not started yet", code="task_not_started")
        if Submission.select().where(Submission.task == task.id, Submission.volunteer == volunteer.id).exists():
            raise TaskError("you have submitted work for this task already", code="already_submitted")
    elif data.get("type"):
        task, type_key = None, data["type"]
    else:
        raise invalid({"type": ["name the task type of self-started work (or give task_id)"]})
    task_type = station.task_type(type_key)
    if task_type is None:
        known = ", ".join(t.key for t in station.task_types)
        raise invalid({"type": [f"unknown task type {type_key!r} at this station; expected one of: {known}"]})
    if task is None and not task_type.self_start:
        raise invalid({"type": [f"{type_key!r} work is done only as a posted task; sign up for one"]})
    require_qualification(volunteer, task_type)
    if data.get("ended_at") and data["ended_at"] > now + timedelta(minutes=5):
        raise invalid({"ended_at": ["must not be in the future"]})

    problems = {}
    extra = {}
    loader = task_type.fields_loader()
    if loader is not None:
        try:
            extra = loader.load(data["fields"], unknown=RAISE)
        except ValidationError as error:
            for key, messages in error.messages.items():
                problems[f"fields.{key}"] = messages if isinstance(messages, list) else [str(messages)]
    elif data["fields"]:
        problems["fields"] = [f"{type_key!r} work has no extra fields"]
    if not task_type.min_photos <= photo_count <= task_type.max_photos:
        if task_type.min_photos == task_type.max_photos:
            wanted = f"exactly {task_type.min_photos}"
        else:
            wanted = f"{task_type.min_photos} to {task_type.max_photos}"
        problems["photos"] = [f"{type_key!r} work needs {wanted} photos; got {photo_count}"]
    checked = Checked(task_type, task, extra)
    for found in station.hooks.validate_submission(
        station=station,
        volunteer=volunteer,
        task_type=task_type,
        task=task,
        data={**data, "fields": extra, "photo_count": photo_count},
    ):
        for key, messages in (found or {}).items():
            problems.setdefault(key, []).extend([messages] if isinstance(messages, str) else messages)
    if problems:
        raise invalid(problems)
    return checked


def submit(station, volunteer, data, photos, now=None):
    """Record work ``volunteer`` did: ``data`` from :func:`load_submission`,
    ``photos`` the uploaded files' bytes. Returns the submission."""
    now = now or utcnow()
    require_volunteer(station, volunteer)
    checked = _check(station, volunteer, data, len(photos), now)
    saved = save_station_photos(station, "submissions", photos, now, invalid)
    try:
        with write_transaction():
            submission = Submission.create(
                station=station.id,
                volunteer=volunteer.id,
                type_key=checked.task_type.key,
                task=checked.task.id if checked.task else None,
                submitted_at=now,
                **_what_was_shown(data, checked),
            )
            _add_photos(submission, saved)
    except IntegrityError as error:  # the same task submitted twice at once
        discard_photos(saved)
        raise TaskError("you have submitted work for this task already", code="already_submitted") from error
    except BaseException:
        discard_photos(saved)
        raise
    return submission


def _what_was_shown(data, checked):
    """The columns a volunteer fills in, first time and on resubmission alike."""
    return {
        "text": data["text"],
        "fields": checked.extra,
        "latitude": data.get("latitude"),
        "longitude": data.get("longitude"),
        "started_at": data.get("started_at"),
        "ended_at": data.get("ended_at"),
    }


def _add_photos(submission, paths):
    for position, path in enumerate(paths, start=1):
        SubmissionPhoto.create(submission=submission.id, position=position, path=path)


def resubmit(station, volunteer, submission_id, data, photos, now=None):
    """Change a submission sent back for changes; it waits for review again.

    New photos replace the old ones; with none, the old ones stay.
    """
    now = now or utcnow()
    require_volunteer(station, volunteer)
    submission = get_submission(station, submission_id)
    if submission.volunteer_id != volunteer.id:
        raise not_found("submission")
    if submission.state != SubmissionState.RETURNED:
        raise TaskError(f"the submission is {submission.state}; only one sent back can be changed", code="not_returned")
    old_paths = [photo.path for photo in submission.photos.order_by(SubmissionPhoto.position)]
    count = len(photos) if photos else len(old_paths)
    checked = _check(station, volunteer, data, count, now, existing=submission)
    saved = save_station_photos(station, "submissions", photos, now, invalid) if photos else []
    try:
        with write_transaction():
            current = for_update(Submission.select().where(Submission.id == submission.id)).get()
            if current.state != SubmissionState.RETURNED or current.revision != submission.revision:
                raise TaskError("the submission changed meanwhile; reload it", code="changed")
            Submission.update(
                **_what_was_shown(data, checked),
                state=SubmissionState.PENDING,
                revision=Submission.revision + 1,
                submitted_at=now,
            ).where(Submission.id == submission.id).execute()
            if saved:
                SubmissionPhoto.delete().where(SubmissionPhoto.submission == submission.id).execute()
                _add_photos(submission, saved)
    except BaseException:
        discard_photos(saved)
        raise
    if saved:
        discard_photos(old_paths)  # replaced, and committed: the old files go
    return Submission.get_by_id(submission.id)


def get_submission(station, submission_id):
    submission = Submission.get_or_none(Submission.id == submission_id, Submission.station == station.id)
    if submission is None:
        raise not_found("submission")
    return submission


def visible_submission(station, user, submission_id):
    """A submission ``user`` may see: their own, or any of their station's if staff."""
    submission = get_submission(station, submission_id)
    if submission.volunteer_id != user.id and not (user.station_id == station.id and user.is_staff):
        raise not_found("submission")  # not yours looks like not there
    return submission


def photo_path(station, user, submission_id, position):
    """The stored path of a submission's photo, if ``user`` may fetch it."""
    submission = visible_submission(station, user, submission_id)
    photo = SubmissionPhoto.get_or_none(
        SubmissionPhoto.submission == submission.id, SubmissionPhoto.position == position
    )
    if photo is None:
        raise not_found("photo")
    return photo.path


def submissions_of(volunteer, *, state=None, limit=100):
    """A volunteer's submissions, newest first."""
    query = Submission.select().where(Submission.volunteer == volunteer.id)
    if state:
        query = query.where(Submission.state == state)
    return list(query.order_by(Submission.id.desc()).limit(limit))


def photos_of(submission):
    return list(submission.photos.order_by(SubmissionPhoto.position))
