"""Submissions API routes: submitting work with photos (as
``multipart/form-data``: the photos are files, the type's extra fields a JSON
object in the form field ``fields``), resubmitting, the review queue and
decisions, the photos, and the caller's own submissions."""

from flask import current_app, g, request, send_from_directory

from ..models import Role, SubmissionState, Task
from ..photos import thumbnail_path, uploads_root
from ..tasks import MAX_PHOTOS, TaskError
from ..tasks.posting import (
    require_staff,
)
from ..tasks.review import breakdown_of, decide, preview, review_queue, reviews_of
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
from . import common
from .bodies import dump, photo_form, read_photos
from .common import home_station, invalid, json_object, load, query_choice
from .errors import ApiError
from .idempotency import idempotent
from .points_schemas import INT_MAX
from .task_helpers import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    hours_json,
    id_or_404,
    is_staff_of,
    person_json,
    query_int,
    query_type,
    task_json,
)
from .tasks_schemas import (
    ReviewInSchema,
    SubmissionListSchema,
    SubmissionOutSchema,
)
from .tokens import token_required
from .views import bp

PHOTO_URL = "/api/v1/s/{station}/submissions/{submission_id}/photos/{position}"
MY_SUBMISSIONS_LIMIT = 100
PHOTO_MAX_AGE = 3600  # stored photos never change: a new one gets a new path
SUBMISSION_FORM_FIELDS = tuple(
    field.data_key or name for name, field in SubmissionSchema().fields.items() if not field.dump_only
)


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
            "officer": person_json(review.officer),
            "created_at": review.created_at,
        }
        for review in reviews_of(submission)
    ]
    approved = submission.state == SubmissionState.APPROVED and submission.entry_id is not None
    body = {
        "id": submission.id,
        "type": submission.type_key,
        "task": task_json(Task.get_by_id(submission.task_id)) if submission.task_id else None,
        "volunteer": person_json(submission.volunteer),
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
        "hours": hours_json(submission.minutes),
        "points": submission.entry.amount if approved else None,
        "breakdown": breakdown_of(submission) if approved else [],
        "preview": None,
    }
    if submission.state == SubmissionState.PENDING and is_staff_of(station, viewer):
        scored = preview(station, viewer, submission.id, now=common.now())
        body["preview"] = {
            "breakdown": [line.as_dict() for line in scored.lines],
            "points": scored.points,
            "minutes": scored.minutes,
            "hours": hours_json(scored.minutes),
        }
    return body


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
