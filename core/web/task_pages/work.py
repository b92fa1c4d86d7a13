"""Tasks on a station's pages, the volunteer's side: upcoming tasks with
sign-up and withdrawal, submitting work (with photos and an optional
location), my submissions (with the booked breakdown), and resubmitting
work sent back."""

from datetime import timedelta

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...models import LedgerEntry, Submission, SubmissionPhoto, SubmissionState, Task, utcnow
from ...tasks import TaskError, feeds, posting, signups, submissions
from ...themes import render_station_template
from ..auth import is_volunteer_here, station_member_required, volunteer_required
from ..extra_field_inputs import extra_fields_of
from ..row_ids import ROW_ID
from .common import REFUSALS, bp, local_span, refusal
from .work_forms import photo_hint, uploaded_photos, work_form_of, work_input, work_problems

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
    photos = uploaded_photos()
    try:
        data = submissions.load_submission(work_input(task_type, form, task=task, self_started=task is None))
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
    photos = uploaded_photos()
    try:
        data = submissions.load_submission(work_input(task_type, form, self_started=submission.task_id is None))
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
