"""Tasks API routes: task types, posted tasks and weekly series, sign-ups,
submissions with photos and their review, the volunteer's notifications,
hours and calendar, qualifications and certificates.

Routes are added to the API blueprint of :mod:`core.api.views`; shared
helpers, the clock and the error handlers (``TaskError`` among them) live in
:mod:`core.api.common`, the OpenAPI data in :mod:`core.api.tasks_openapi`.
Submissions come as ``multipart/form-data``: the photos are files, the
type's extra fields a JSON object in the form field ``fields``.
"""

import re

from flask import current_app, g, request, send_from_directory
from marshmallow import fields as ma_fields

from ..models import Role, SubmissionState, Task, User
from ..photos import thumbnail_path, uploads_root
from ..tasks import MAX_PHOTOS, TaskError
from ..tasks.errors import not_found
from ..tasks.feeds import feed_token
from ..tasks.hours import issue_certificate, summary
from ..tasks.notifications import describe_in_every_language, mark_read, notifications_of, unread_count
from ..tasks.posting import (
    TaskSchema,
    WeeklyPatternSchema,
    get_task,
    post_task,
    post_weekly,
    require_staff,
    signed_up_task_ids,
    upcoming_tasks,
)
from ..tasks.qualifications import grant, qualifications_of, revoke, station_volunteer
from ..tasks.review import breakdown_of, decide, preview, review_queue, reviews_of
from ..tasks.signups import sign_up, withdraw
from ..tasks.submissions import (
    SubmissionSchema,
    load_submission,
    photo_path,
    photos_of,
    resubmit,
    submissions_of,
    submit,
    visible_submission,
)
from ..tenancy import current_tenancy
from . import common
from .bodies import dump, photo_form, read_photos
from .common import authenticated_user, home_station, invalid, json_object, load, query_choice
from .errors import ApiError
from .idempotency import idempotent
from .points_schemas import INT_MAX
from .tasks_schemas import (
    CalendarSchema,
    CertificateOutSchema,
    HoursSchema,
    NotificationListSchema,
    NotificationsReadSchema,
    QualificationInSchema,
    QualificationsOutSchema,
    ReviewInSchema,
    SubmissionListSchema,
    SubmissionOutSchema,
    TaskListSchema,
    TaskOutSchema,
    TaskSeriesOutSchema,
    TaskTypeListSchema,
)
from .tokens import token_required
from .views import bp

PHOTO_URL = "/api/v1/s/{station}/submissions/{submission_id}/photos/{position}"
CALENDAR_URL = "/s/{station}/calendar/{token}.ics"  # a page route (core.web)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 100_000
MY_SUBMISSIONS_LIMIT = 100
PHOTO_MAX_AGE = 3600  # stored photos never change: a new one gets a new path
SUBMISSION_FORM_FIELDS = tuple(
    field.data_key or name for name, field in SubmissionSchema().fields.items() if not field.dump_only
)


# ---------------------------------------------------------------------------
# Reading the path, the query and the form
# ---------------------------------------------------------------------------


def id_or_404(value, what):
    """A path id the database can compare; a larger one names nothing."""
    if value > INT_MAX:  # SQLite cannot even compare it
        raise not_found(what)
    return value


def key_or_404(key, what):
    """A key from the path that could be stored: at most 60 characters and
    no control characters (PostgreSQL cannot even compare a NUL)."""
    if len(key) > 60 or any(ord(character) < 32 or ord(character) == 127 for character in key):
        raise not_found(what)
    return key


def query_int(name, default, low, high):
    text = request.args.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,10}", text) or not low <= int(text) <= high:
        raise invalid({name: [f"expected a whole number from {low} to {high}"]})
    return int(text)


def query_type(station, name="type"):
    """An optional task type filter; it must be one of the station's."""
    key = request.args.get(name)
    if key is None:
        return None
    if station.task_type(key) is None:
        known = ", ".join(t.key for t in station.task_types)
        raise invalid({name: [f"unknown task type at this station; expected one of: {known}"]})
    return key


def _form_submission(station):
    """The submission form of a multipart body: (loaded data, photo bytes).

    Each form field comes once; ``fields`` is a JSON object as text; photos
    are the files under ``photos``, each read with the station's size bound
    (one byte over it lets :func:`core.photos.save_photo` say it is too large).
    """
    if request.mimetype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise ApiError(400, "invalid_form", "expected a multipart/form-data body (photos as files under 'photos')")
    raw, uploads, problems = photo_form(
        SUBMISSION_FORM_FIELDS, max_photos=MAX_PHOTOS, example='{"children_helped": 40}', keep_empty=("text",)
    )
    try:
        data = load_submission(raw)
    except TaskError as error:
        if error.status != 400:
            raise
        for name, messages in (error.fields or {}).items():
            problems.setdefault(name, messages)
    if problems:
        raise invalid(problems)
    return data, read_photos(uploads, station.config.tasks.max_photo_bytes)


# ---------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------


def _label(text):
    return {"zh": text.zh, "en": text.en} if text is not None else None


def _field_type(field):
    for kind, name in (
        (ma_fields.Boolean, "boolean"),
        (ma_fields.Integer, "integer"),
        (ma_fields.Number, "number"),
        (ma_fields.Date, "date"),
        (ma_fields.DateTime, "datetime"),
        (ma_fields.Time, "time"),
        (ma_fields.List, "list"),
        (ma_fields.Tuple, "list"),
        (ma_fields.Dict, "object"),
        (ma_fields.Nested, "object"),
    ):
        if isinstance(field, kind):
            return name
    return "string"


def _task_type_out(task_type):
    loader = task_type.fields_loader()
    extra = [
        {
            "name": field.data_key or name,
            "label": _label(field.metadata.get("label")),
            "required": field.required,
            "type": _field_type(field),
        }
        for name, field in (loader.fields.items() if loader else ())
        if not field.dump_only
    ]
    qualification = task_type.qualification
    return {
        "key": task_type.key,
        "label": _label(task_type.label),
        "description": _label(task_type.description),
        "default_points": task_type.default_points,
        "min_photos": task_type.min_photos,
        "max_photos": task_type.max_photos,
        "qualification": {"key": qualification.key, "label": _label(qualification.label)} if qualification else None,
        "self_start": task_type.self_start,
        "fields": extra,
    }


def _task_out(task, signed_up=None):
    body = {
        "id": task.id,
        "type": task.type_key,
        "title": task.title,
        "place": task.place,
        "starts_at": task.starts_at,
        "ends_at": task.ends_at,
        "capacity": task.capacity,
        "taken": task.taken,
        "places_left": max(0, task.capacity - task.taken),
        "notes": task.notes,
        "series_id": task.series_id,
    }
    if signed_up is not None:
        body["signed_up"] = signed_up
    return body


def _hours(minutes):
    return None if minutes is None else round(minutes / 60, 1)


def _is_staff_of(station, user):
    return user.station_id == station.id and user.is_staff


def _person(user):
    return {"id": user.id, "name": user.name}


def _submission_out(station, submission, viewer):
    photos = []
    for photo in photos_of(submission):
        url = PHOTO_URL.format(station=station.slug, submission_id=submission.id, position=photo.position)
        photos.append({"position": photo.position, "url": url, "thumbnail_url": f"{url}?thumb=1"})
    reviews = [
        {
            "revision": review.revision,
            "decision": review.decision,
            "reason": review.reason,
            "minutes": review.minutes,
            "officer": _person(review.officer),
            "created_at": review.created_at,
        }
        for review in reviews_of(submission)
    ]
    approved = submission.state == SubmissionState.APPROVED and submission.entry_id is not None
    body = {
        "id": submission.id,
        "type": submission.type_key,
        "task": _task_out(Task.get_by_id(submission.task_id)) if submission.task_id else None,
        "volunteer": _person(submission.volunteer),
        "state": submission.state,
        "revision": submission.revision,
        "text": submission.text,
        "fields": submission.fields or {},
        "location": (
            {"latitude": submission.latitude, "longitude": submission.longitude}
            if submission.latitude is not None and submission.longitude is not None
            else None
        ),
        "started_at": submission.started_at,
        "ended_at": submission.ended_at,
        "submitted_at": submission.submitted_at,
        "decided_at": submission.decided_at,
        "reason": submission.reason,
        "photos": photos,
        "reviews": reviews,
        "minutes": submission.minutes,
        "hours": _hours(submission.minutes),
        "points": submission.entry.amount if approved else None,
        "breakdown": breakdown_of(submission) if approved else [],
        "preview": None,
    }
    if submission.state == SubmissionState.PENDING and _is_staff_of(station, viewer):
        scored = preview(station, viewer, submission.id, now=common.now())
        body["preview"] = {
            "breakdown": [line.as_dict() for line in scored.lines],
            "points": scored.points,
            "minutes": scored.minutes,
            "hours": _hours(scored.minutes),
        }
    return body


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
            "label": _label(station.task_type(row["type_key"]).label) if station.task_type(row["type_key"]) else None,
            "count": row["count"],
            "minutes": row["minutes"],
            "hours": _hours(row["minutes"]),
        }
        for row in rows
    ]


# ---------------------------------------------------------------------------
# Task types, tasks, series, sign-ups
# ---------------------------------------------------------------------------


@bp.get("/s/<station>/task-types")
def list_task_types():
    station = g.station
    return dump(TaskTypeListSchema, {"task_types": [_task_type_out(t) for t in station.task_types]})


@bp.get("/s/<station>/tasks")
def list_tasks():
    station = g.station
    type_key = query_type(station)
    caller = authenticated_user() if "Authorization" in request.headers else None
    tasks = upcoming_tasks(station, common.now(), type_key=type_key)
    if caller is not None and caller.station_id == station.id and caller.role == Role.VOLUNTEER:
        mine = signed_up_task_ids(caller, [task.id for task in tasks])
        body = [_task_out(task, task.id in mine) for task in tasks]
    else:
        body = [_task_out(task) for task in tasks]
    return dump(TaskListSchema, {"tasks": body})


@bp.post("/s/<station>/tasks")
@token_required
@idempotent
def create_task():
    station, user = g.station, g.api_user
    require_staff(station, user)
    data = load(TaskSchema(), json_object())
    task = post_task(station, user, data, now=common.now())
    return dump(TaskOutSchema, _task_out(task)), 201


@bp.post("/s/<station>/task-series")
@token_required
@idempotent
def create_task_series():
    station, user = g.station, g.api_user
    require_staff(station, user)
    data = load(WeeklyPatternSchema(), json_object())
    series, tasks = post_weekly(station, user, data, now=common.now())
    body = {
        "id": series.id,
        "type": data["type"],
        "weekdays": [int(day) for day in series.weekdays],
        "start_time": series.start_time,
        "end_time": series.end_time,
        "first_date": series.first_date,
        "last_date": series.last_date,
        "tasks": [_task_out(task) for task in tasks],
    }
    return dump(TaskSeriesOutSchema, body), 201


@bp.post("/s/<station>/tasks/<int:task_id>/signup")
@token_required
@idempotent
def create_signup(task_id):
    station = g.station
    sign_up(station, g.api_user, id_or_404(task_id, "task"), now=common.now())
    return dump(TaskOutSchema, _task_out(get_task(station, task_id), signed_up=True)), 201


@bp.delete("/s/<station>/tasks/<int:task_id>/signup")
@token_required
def delete_signup(task_id):
    task = withdraw(g.station, g.api_user, id_or_404(task_id, "task"), now=common.now())
    return dump(TaskOutSchema, _task_out(task, signed_up=False))


# ---------------------------------------------------------------------------
# Submissions
# ---------------------------------------------------------------------------


def _require_station_volunteer(station, user):
    if user.station_id != station.id or user.role != Role.VOLUNTEER:
        raise TaskError("only this station's volunteers may do this", code="volunteers_only", status=403)


@bp.post("/s/<station>/submissions")
@token_required
@idempotent
def create_submission():
    station, user = g.station, g.api_user
    _require_station_volunteer(station, user)  # before reading photos
    data, photos = _form_submission(station)
    submission = submit(station, user, data, photos, now=common.now())
    return dump(SubmissionOutSchema, _submission_out(station, submission, user)), 201


@bp.post("/s/<station>/submissions/<int:submission_id>/resubmit")
@token_required
@idempotent
def resubmit_submission(submission_id):
    station, user = g.station, g.api_user
    _require_station_volunteer(station, user)
    visible_submission(station, user, id_or_404(submission_id, "submission"))  # 404 before reading photos
    data, photos = _form_submission(station)
    submission = resubmit(station, user, submission_id, data, photos, now=common.now())
    return dump(SubmissionOutSchema, _submission_out(station, submission, user))


@bp.get("/s/<station>/submissions")
@token_required
def list_submissions():
    station, user = g.station, g.api_user
    require_staff(station, user)
    query_choice("status", (SubmissionState.PENDING,), SubmissionState.PENDING)
    type_key = query_type(station)
    volunteer_id = query_int("volunteer", None, 1, INT_MAX)
    limit = query_int("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = query_int("offset", 0, 0, MAX_OFFSET)
    found = review_queue(station, user, type_key=type_key, volunteer_id=volunteer_id, limit=limit + 1, offset=offset)
    body = {
        "submissions": [_submission_out(station, submission, user) for submission in found[:limit]],
        "limit": limit,
        "offset": offset,
        "has_more": len(found) > limit,
    }
    return dump(SubmissionListSchema, body)


@bp.get("/s/<station>/submissions/<int:submission_id>")
@token_required
def show_submission(submission_id):
    station, user = g.station, g.api_user
    submission = visible_submission(station, user, id_or_404(submission_id, "submission"))
    return dump(SubmissionOutSchema, _submission_out(station, submission, user))


@bp.post("/s/<station>/submissions/<int:submission_id>/review")
@token_required
@idempotent
def review_submission(submission_id):
    station, user = g.station, g.api_user
    require_staff(station, user)
    data = load(ReviewInSchema(), json_object())
    submission, _review = decide(
        station,
        user,
        id_or_404(submission_id, "submission"),
        data["decision"],
        reason=data["reason"],
        hours=data["hours"],
        revision=data["revision"],
        now=common.now(),
    )
    return dump(SubmissionOutSchema, _submission_out(station, submission, user))


@bp.get("/s/<station>/submissions/<int:submission_id>/photos/<int:position>")
@token_required
def submission_photo(submission_id, position):
    station = g.station
    thumb = query_choice("thumb", ("0", "1"), "0") == "1"
    path = photo_path(station, g.api_user, id_or_404(submission_id, "submission"), id_or_404(position, "photo"))
    if thumb:
        path = thumbnail_path(path).as_posix()
    response = send_from_directory(uploads_root(current_app), path, mimetype="image/jpeg", max_age=PHOTO_MAX_AGE)
    response.cache_control.private = True
    response.cache_control.public = False
    response.vary.add("Authorization")
    return response


# ---------------------------------------------------------------------------
# The caller's submissions, notifications, hours and calendar
# ---------------------------------------------------------------------------


@bp.get("/me/submissions")
@token_required
def my_submissions():
    volunteer = g.api_user
    station = home_station(volunteer)
    state = request.args.get("status")
    if state is not None and state not in SubmissionState.ALL:
        raise invalid({"status": [f"expected one of: {', '.join(SubmissionState.ALL)}"]})
    found = submissions_of(volunteer, state=state, limit=MY_SUBMISSIONS_LIMIT + 1)
    body = {
        "submissions": [_submission_out(station, submission, volunteer) for submission in found[:MY_SUBMISSIONS_LIMIT]],
        "limit": MY_SUBMISSIONS_LIMIT,
        "offset": 0,
        "has_more": len(found) > MY_SUBMISSIONS_LIMIT,
    }
    return dump(SubmissionListSchema, body)


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
def my_hours():
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
        "volunteer": _person(volunteer),
        "issued_at": certificate.issued_at,
        "minutes": certificate.minutes,
        "hours": _hours(certificate.minutes),
        "star_level": certificate.star_level,
        "by_type": _by_type_out(station, certificate.content),
    }
    return dump(CertificateOutSchema, body), 201
