"""The work form (a submission, or a resubmission): its photo hint, its
values from a stored submission, reading it back for the schema, and what a
refused one says, field by field."""

import re

from flask import g, request
from flask_babel import gettext as _

from ..extra_field_inputs import extra_field_problem, form_extra_fields
from ..station_times import local_input, station_time


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


def work_input(task_type, form, *, task=None, self_started=False):
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


def uploaded_photos():
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
            problems[key] = extra_field_problem(task_type.fields_loader(), key.removeprefix("fields."), messages)
        elif key in ("fields", "type", "task_id"):
            problems["form"] = _("This work cannot be reported with this form.")
        else:  # a plugin's own check (validate_submission): its words
            problems.setdefault("form", " ".join(str(message) for message in messages))
    if not problems:
        problems["form"] = _("Please check the form.")
    return problems
