"""Tasks on a station's pages, the volunteer's side: upcoming tasks with
sign-up and withdrawal, submitting work (with photos and an optional
location), my submissions (with the booked breakdown, and resubmitting work
sent back), notifications, my service hours and certificates, and the
private calendar feed's address.

The form helpers and the refusal sentences here are shared with
:mod:`core.web.task_review_pages` and :mod:`core.web.task_feed_pages`.
"""

import re
from datetime import UTC, timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import fields as ma_fields
from marshmallow import validate

from ..i18n import Text
from ..models import LedgerEntry, Submission, SubmissionPhoto, SubmissionState, Task, utcnow
from ..tasks import TaskError, feeds, hours, notifications, posting, signups, submissions
from ..themes import render_station_template
from .auth import station_member_required
from .points_pages import is_volunteer_here, volunteer_required
from .station_times import local_input, station_time

bp = Blueprint("tasks", __name__, url_prefix="/s/<station>")

# Row ids in URLs: larger numbers are no row (and SQLite cannot even compare them).
ROW_ID = "int(max=2147483647)"

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

TEXTAREA_FROM = 300  # string fields allowing this many characters get a text area


# ---------------------------------------------------------------------------
# Refusals and labels
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Form helpers (shared with the officers' pages)
# ---------------------------------------------------------------------------


def _bounds(field, kind):
    for validator in field.validators:
        if kind == "range" and isinstance(validator, validate.Range):
            return validator.min, validator.max
        if kind == "length" and isinstance(validator, validate.Length):
            return validator.min, validator.max
    return None, None


def field_label(name, field):
    label = (field.metadata or {}).get("label") if field is not None else None
    if isinstance(label, dict):
        label = Text(label.get("zh", name), label.get("en", name))
    # a type's schema labels its fields with metadata={"label": Text(...)}
    return label or name.replace("_", " ").capitalize()


def form_extra_fields(loader, form):
    """The ``fields.<name>`` inputs of a page's form as the schema ``loader``
    loads them: empty ones left out (the schema's default, or its
    "required"), whole numbers as numbers, keyed as the schema reads them."""
    extra = {}
    for name, field in loader.fields.items() if loader else ():
        raw = form.get(f"fields.{name}", "").strip()
        if raw == "":
            continue
        key = field.data_key or name
        if isinstance(field, ma_fields.Integer) and re.fullmatch(r"[+-]?\d{1,9}", raw, re.ASCII):
            extra[key] = int(raw)
        else:
            extra[key] = raw
    return extra


def extra_fields_of(task_type):
    """The inputs for a task type's extra fields, from its marshmallow schema."""
    loader = task_type.fields_loader()
    if loader is None:
        return []
    found = []
    for name, field in loader.fields.items():
        item = {"name": f"fields.{name}", "label": field_label(name, field), "required": field.required}
        choices = (field.metadata or {}).get("choices")
        if choices is not None:  # metadata={"choices": [(value, label), …]} or a callable(station) giving them
            item["kind"] = "select"
            item["choices"] = [
                (str(value), label) for value, label in (choices(g.station) if callable(choices) else choices)
            ]
        elif isinstance(field, ma_fields.Integer):
            item["kind"] = "number"
            item["min"], item["max"] = _bounds(field, "range")
        elif isinstance(field, ma_fields.Number):
            item["kind"] = "decimal"
            item["min"], item["max"] = _bounds(field, "range")
        else:
            _low, longest = _bounds(field, "length")
            item["kind"] = "textarea" if longest and longest >= TEXTAREA_FROM else "text"
            item["maxlength"] = longest
        found.append(item)
    return found


def photo_hint(task_type):
    low, high = task_type.min_photos, task_type.max_photos
    if high == 0:
        return _("No photos are needed.")
    if low == high:
        return _("Add %(count)s photo(s).", count=low)
    if low == 0:
        return _("Photos are optional: up to %(most)s.", most=high)
    return _("Add %(least)s to %(most)s photos.", least=low, most=high)


def work_form_of(submission):
    """A submission's values as the work form shows them."""
    form = {"text": submission.text}
    for name, value in (submission.fields or {}).items():
        form[f"fields.{name}"] = "" if value is None else str(value)
    if submission.latitude is not None:
        form["latitude"], form["longitude"] = str(submission.latitude), str(submission.longitude)
    form["started_at"], form["ended_at"] = local_input(submission.started_at), local_input(submission.ended_at)
    return form


def _work_input(task_type, form, *, task=None, self_started=False):
    """The work form as :class:`core.tasks.submissions.SubmissionSchema` loads it."""
    data = {"text": form.get("text", "").strip()}
    if task is not None:
        data["task_id"] = task.id
    elif self_started:
        data["type"] = task_type.key
    data["fields"] = form_extra_fields(task_type.fields_loader(), form)
    latitude, longitude = form.get("latitude", "").strip(), form.get("longitude", "").strip()
    if latitude or longitude:
        data["latitude"], data["longitude"] = latitude or None, longitude or None
    if self_started:
        started, ended = form.get("started_at", "").strip(), form.get("ended_at", "").strip()
        if started or ended:
            data["started_at"], data["ended_at"] = station_time(started) or None, station_time(ended) or None
    return data


def _uploaded_photos():
    """The chosen photos' bytes, each read up to one byte past the station's limit."""
    limit = g.station.config.tasks.max_photo_bytes
    return [upload.stream.read(limit + 1) for upload in request.files.getlist("photos") if upload.filename]


def _photo_problem(task_type, photos, messages):
    count = len(photos)
    limit = g.station.config.tasks.max_photo_bytes
    size = g.station.config.tasks.max_photo_mb
    if not task_type.min_photos <= count <= task_type.max_photos:
        return _("%(hint)s You chose %(count)s.", hint=photo_hint(task_type), count=count)
    for number, data in enumerate(photos, start=1):
        if len(data) > limit:
            return _("Photo %(number)s is larger than %(size)s MB.", number=number, size=size)
    found = re.match(r"photo (\d+):", " ".join(messages))
    if found is None:  # not a photo core refused: a plugin's own check of the photos (validate_submission), its words
        return " ".join(messages)
    number = found.group(1)
    return _("Photo %(number)s: choose a JPEG, PNG or WebP photo of at most %(size)s MB.", number=number, size=size)


def work_problems(error, task_type, photos):
    """A 400's fields as sentences for the work form, by field."""
    problems = {}
    for key, messages in (error.fields or {}).items():
        messages = messages if isinstance(messages, list) else [str(messages)]
        if key == "text":
            problems[key] = _("Describe the work you did (up to 4000 characters).")
        elif key == "photos":
            problems[key] = _photo_problem(task_type, photos, [str(m) for m in messages])
        elif key in ("latitude", "longitude"):
            problems["location"] = _("The location could not be read. Try again, or leave it out.")
        elif key in ("started_at", "ended_at"):
            problems["ended_at"] = _(
                "Give when the work started and ended: the end after the start, at most 24 hours, not in the future."
            )
        elif key.startswith("fields."):
            problems[key] = _extra_field_problem(task_type, key.removeprefix("fields."), messages)
        elif key in ("fields", "type", "task_id"):
            problems["form"] = _("This work cannot be reported with this form.")
        else:  # a plugin's own check (validate_submission): its words
            problems.setdefault("form", " ".join(str(message) for message in messages))
    if not problems:
        problems["form"] = _("Please check the form.")
    return problems


def _extra_field_problem(task_type, name, messages):
    loader = task_type.fields_loader()
    field = loader.fields.get(name) if loader else None
    if field is None:
        return _("Check this field.")
    if any("Missing data" in str(message) for message in messages):
        return _("Fill this in.")
    if isinstance(field, ma_fields.Integer):
        low, high = _bounds(field, "range")
        if low is not None and high is not None:
            return _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
        return _("Enter a whole number.")
    _low, longest = _bounds(field, "length")
    if longest:
        return _("Check this field (at most %(count)s characters).", count=longest)
    return _("Check this field.")


# ---------------------------------------------------------------------------
# Tasks: the list, sign-up and withdrawal
# ---------------------------------------------------------------------------


def _task_list(problem=None, problem_task=None):
    station = g.station
    user = current_user._get_current_object()
    is_volunteer = is_volunteer_here(user)
    now = utcnow()
    upcoming = posting.upcoming_tasks(station, now)
    mine, submitted = [], set()
    signed = set()
    if is_volunteer:
        mine = posting.tasks_of(user, since=now - timedelta(days=feeds.FEED_HISTORY_DAYS))
        signed = {task.id for task in mine}
        mine_ids = [task.id for task in mine]
        if mine_ids:
            rows = Submission.select(Submission.task).where(
                Submission.volunteer == user.id, Submission.task.in_(mine_ids)
            )
            submitted = {row.task_id for row in rows}
    own_types = [task_type for task_type in station.task_types if task_type.self_start]
    return render_station_template(
        "tasks/list.html",
        upcoming=upcoming,
        mine=mine,
        signed=signed,
        submitted=submitted,
        now=now,
        is_volunteer=is_volunteer,
        own_types=own_types,
        problem=problem,
        problem_task=problem_task,
    )


@bp.route("/tasks")
@station_member_required
def listing():
    return _task_list()


def _task_action(task_id, action):
    volunteer = current_user._get_current_object()
    task = Task.get_or_none(Task.id == task_id, Task.station == g.station.id)
    if task is None or g.station.task_type(task.type_key) is None:
        abort(404)
    try:
        if action == "sign_up":
            signups.sign_up(g.station, volunteer, task.id)
        else:
            signups.withdraw(g.station, volunteer, task.id)
    except TaskError as error:
        if error.status == 404 and action == "sign_up":
            abort(404)
        if error.status == 404:  # withdrawing without a sign-up
            return _task_list(_("You have not signed up for this task."), task.id), 404
        return _task_list(refusal(error, g.station.task_type(task.type_key), action), task.id), error.status
    if action == "sign_up":
        flash(_("Signed up: %(title)s, %(time)s.", title=task.title, time=local_span(task.starts_at, task.ends_at)))
    else:
        flash(_("Withdrawn from: %(title)s.", title=task.title))
    return redirect(url_for("tasks.listing"))


@bp.route(f"/tasks/<{ROW_ID}:task_id>/signup", methods=["POST"])
@volunteer_required
def sign_up(task_id):
    return _task_action(task_id, "sign_up")


@bp.route(f"/tasks/<{ROW_ID}:task_id>/withdraw", methods=["POST"])
@volunteer_required
def withdraw(task_id):
    return _task_action(task_id, "withdraw")


# ---------------------------------------------------------------------------
# Submitting work
# ---------------------------------------------------------------------------


def _work_page(task_type, *, task=None, submission=None, form=None, problems=None, problem=None, status=200):
    self_started = task is None
    if submission is not None:
        action = url_for("tasks.resubmit", submission_id=submission.id)
    elif task is not None:
        action = url_for("tasks.submit_for_task", task_id=task.id)
    else:
        action = url_for("tasks.submit_own_work", type_key=task_type.key)
    return render_station_template(
        "tasks/submit.html",
        task_type=task_type,
        task=task,
        submission=submission,
        action=action,
        self_started=self_started,
        form=form or {},
        problems=problems or {},
        problem=problem,
        extra_fields=extra_fields_of(task_type),
        photo_hint=photo_hint(task_type),
    ), status


def _submit(task_type, task=None):
    if request.method == "GET":
        return _work_page(task_type, task=task)
    volunteer = current_user._get_current_object()
    form = request.form.to_dict()
    photos = _uploaded_photos()
    try:
        data = submissions.load_submission(_work_input(task_type, form, task=task, self_started=task is None))
        submissions.submit(g.station, volunteer, data, photos)
    except TaskError as error:
        if error.status == 400:
            problems = work_problems(error, task_type, photos)
            return _work_page(task_type, task=task, form=form, problems=problems, status=400)
        if error.status == 404:
            abort(404)
        return _work_page(task_type, task=task, form=form, problem=refusal(error, task_type), status=error.status)
    flash(_("Thank you! Your work was sent; an officer will review it."))
    return redirect(url_for("tasks.my_submissions"))


@bp.route(f"/tasks/<{ROW_ID}:task_id>/submit", methods=["GET", "POST"])
@volunteer_required
def submit_for_task(task_id):
    task = Task.get_or_none(Task.id == task_id, Task.station == g.station.id)
    task_type = g.station.task_type(task.type_key) if task else None
    if task_type is None:
        abort(404)
    return _submit(task_type, task)


@bp.route("/work/<type_key>", methods=["GET", "POST"])
@volunteer_required
def submit_own_work(type_key):
    task_type = g.station.task_type(type_key)
    if task_type is None or not task_type.self_start:
        abort(404)
    return _submit(task_type)


# ---------------------------------------------------------------------------
# My submissions, and resubmitting work sent back
# ---------------------------------------------------------------------------


def _my_submission_rows(volunteer):
    """Each submission with its task, photos and booked breakdown: four queries."""
    mine = submissions.submissions_of(volunteer)
    task_ids = {s.task_id for s in mine if s.task_id}
    entry_ids = {s.entry_id for s in mine if s.entry_id}
    tasks = {t.id: t for t in Task.select().where(Task.id.in_(list(task_ids)))} if task_ids else {}
    entries = {e.id: e for e in LedgerEntry.select().where(LedgerEntry.id.in_(list(entry_ids)))} if entry_ids else {}
    photos = {}
    if mine:
        query = (
            SubmissionPhoto.select()
            .where(SubmissionPhoto.submission.in_([s.id for s in mine]))
            .order_by(SubmissionPhoto.submission, SubmissionPhoto.position)
        )
        for photo in query:
            photos.setdefault(photo.submission_id, []).append(photo)
    rows = []
    for submission in mine:
        entry = entries.get(submission.entry_id)
        task_type = g.station.task_type(submission.type_key)
        rows.append(
            {
                "submission": submission,
                "task": tasks.get(submission.task_id),
                "task_type": task_type,
                "entry": entry,
                "breakdown": entry.breakdown if entry else [],
                "photos": photos.get(submission.id, []),
                "form": work_form_of(submission),
                "extra_fields": extra_fields_of(task_type) if task_type else [],
                "photo_hint": photo_hint(task_type) if task_type else "",
            }
        )
    return rows


@bp.route("/me/submissions")
@volunteer_required
def my_submissions():
    rows = _my_submission_rows(current_user._get_current_object())
    return render_station_template("tasks/submissions.html", rows=rows)


@bp.route(f"/me/submissions/<{ROW_ID}:submission_id>/resubmit", methods=["GET", "POST"])
@volunteer_required
def resubmit(submission_id):
    volunteer = current_user._get_current_object()
    submission = Submission.get_or_none(
        Submission.id == submission_id, Submission.station == g.station.id, Submission.volunteer == volunteer.id
    )
    task_type = g.station.task_type(submission.type_key) if submission else None
    if task_type is None:
        abort(404)
    task = Task.get_by_id(submission.task_id) if submission.task_id else None
    if request.method == "GET":
        problem = None if submission.state == SubmissionState.RETURNED else str(REFUSALS["not_returned"])
        return _work_page(task_type, task=task, submission=submission, form=work_form_of(submission), problem=problem)
    form = request.form.to_dict()
    photos = _uploaded_photos()
    try:
        data = submissions.load_submission(_work_input(task_type, form, self_started=submission.task_id is None))
        data.pop("type", None)  # a resubmission keeps what it was for
        submissions.resubmit(g.station, volunteer, submission.id, data, photos)
    except TaskError as error:
        if error.status == 400:
            problems = work_problems(error, task_type, photos)
            return _work_page(task_type, task=task, submission=submission, form=form, problems=problems, status=400)
        if error.status == 404:
            abort(404)
        return _work_page(
            task_type,
            task=task,
            submission=submission,
            form=form,
            problem=refusal(error, task_type),
            status=error.status,
        )
    flash(_("Thank you! Your changed work was sent; an officer will review it again."))
    return redirect(url_for("tasks.my_submissions"))


# ---------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------


@bp.route("/me/notifications")
@station_member_required
def my_notifications():
    user = current_user._get_current_object()
    notes = notifications.notifications_of(user)
    if any(note.read_at is None for note in notes):
        notifications.mark_read(user)
    return render_station_template("tasks/notifications.html", notes=notes)


# ---------------------------------------------------------------------------
# My hours and certificates
# ---------------------------------------------------------------------------


def stars(level, out_of=5):
    return "★" * level + "☆" * (out_of - level)


@bp.app_template_global()
def volunteer_number(user_id):
    """The number a volunteer is known by on certificates: ``HXB-000123``
    (红袖标, then the user's id): unique city-wide and never reused."""
    return f"HXB-{user_id:06d}"


@bp.route("/me/hours")
@volunteer_required
def my_hours():
    volunteer = current_user._get_current_object()
    summary = hours.summary(g.station, volunteer)
    to_next = None
    if summary.next_star_hours is not None:
        to_next = format(round(max(0, summary.next_star_hours * 60 - summary.minutes) / 60, 1), "g")
    return render_station_template(
        "tasks/hours.html",
        summary=summary,
        stars=stars(summary.star),
        to_next=to_next,
        certificates=hours.certificates_of(volunteer),
    )


# ---------------------------------------------------------------------------
# The calendar feed's address
# ---------------------------------------------------------------------------


def _secret():
    return current_app.config["SECRET_KEY"]


@bp.route("/me/calendar")
@volunteer_required
def calendar():
    token = feeds.feed_token(_secret(), current_user._get_current_object())
    feed_url = url_for("task_files.calendar_feed", token=token, _external=True)
    webcal_url = re.sub(r"^https?://", "webcal://", feed_url)
    return render_station_template("tasks/calendar.html", feed_url=feed_url, webcal_url=webcal_url)


@bp.route("/me/calendar/reset", methods=["POST"])
@volunteer_required
def reset_calendar():
    feeds.reset_feed(_secret(), current_user._get_current_object())
    flash(_("Your calendar has a new address; the old one no longer works. Subscribe again with the new one."))
    return redirect(url_for("tasks.calendar"))
