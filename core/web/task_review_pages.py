"""Tasks on a station's pages, the officers' side: posting tasks (one-off
or a weekly pattern), the review queue and the review page with the
breakdown approving would book, and a volunteer's qualifications and
service certificates."""

import re

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import EXCLUDE, ValidationError

from ..models import LedgerEntry, Role, Submission, SubmissionState, Task, User
from ..tasks import TaskError, hours, posting, qualifications, review, submissions
from ..tasks.hours import hours_text
from ..themes import render_station_template
from .auth import staff_required
from .extra_field_inputs import extra_fields_of
from .row_ids import ROW_ID
from .station_times import station_time
from .task_pages.common import local_span, refusal, stars

bp = Blueprint("task_review", __name__, url_prefix="/s/<station>")

QUEUE_SIZE = 50
VOLUNTEERS_LISTED = 50

TASK_PROBLEMS = {
    "type": _l("Choose a task type."),
    "title": _l("Enter a title (up to 100 characters)."),
    "place": _l("Enter the place (up to 200 characters)."),
    "capacity": _l("Enter how many volunteers are needed: a whole number from 1 to 500."),
    "notes": _l("Keep the notes to 2000 characters."),
    "starts_at": _l("Enter the date and time the task starts."),
    "ends_at": _l("Enter when the task ends: after the start, at most 24 hours later, and not already past."),
    "weekdays": _l("Tick at least one weekday that still has dates to come."),
    "start_time": _l("Enter the start time, e.g. 07:30."),
    "end_time": _l("Enter the end time, other than the start (an earlier time means the next day)."),
    "first_date": _l("Enter the first date."),
    "last_date": _l("Enter the last date: not before the first, within a year, and at most 260 tasks at once."),
    "skip_dates": _l("Enter the dates to skip as YYYY-MM-DD, separated by commas."),
}
WEEKDAYS = {
    1: _l("Mon"),
    2: _l("Tue"),
    3: _l("Wed"),
    4: _l("Thu"),
    5: _l("Fri"),
    6: _l("Sat"),
    7: _l("Sun"),
}
TASK_TEXT_FIELDS = ("type", "title", "place", "notes")


# ---------------------------------------------------------------------------
# Posting tasks
# ---------------------------------------------------------------------------


@bp.route("/manage/tasks")
@staff_required
def tasks():
    upcoming = posting.upcoming_tasks(g.station)
    return render_station_template("tasks/manage.html", upcoming=upcoming)


def _number(raw):
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else raw


def _task_problems(messages):
    return {field: str(TASK_PROBLEMS.get(field, _("Check this field."))) for field in messages}


def _task_input(form):
    data = {name: form.get(name, "").strip() for name in TASK_TEXT_FIELDS}
    data["capacity"] = _number(form.get("capacity"))
    return data


def _post_form(page, load, post, success):
    """The shared GET/POST of both posting forms."""
    form, problems, status = {"capacity": "1"}, {}, 200
    if request.method == "POST":
        form = request.form.to_dict()
        form["weekdays"] = request.form.getlist("weekdays")
        try:
            data = load(request.form)
        except ValidationError as error:
            problems = _task_problems(error.messages)
        else:
            try:
                result = post(data)
            except TaskError as error:
                if error.status != 400:
                    abort(error.status)
                problems = _task_problems(error.fields or {"form": ""})
            else:
                flash(success(result))
                return redirect(url_for("task_review.tasks"))
        status = 400
    return render_station_template(
        page, form=form, problems=problems, task_types=g.station.task_types, weekdays=WEEKDAYS
    ), status


def _load_task(raw):
    data = _task_input(raw)
    data["starts_at"] = station_time(raw.get("starts_at")) or None
    data["ends_at"] = station_time(raw.get("ends_at")) or None
    return posting.TaskSchema().load(data, unknown=EXCLUDE)


@bp.route("/manage/tasks/new", methods=["GET", "POST"])
@staff_required
def post_task():
    def post(data):
        return posting.post_task(g.station, current_user._get_current_object(), data)

    def success(task):
        return _("Posted: %(title)s, %(time)s.", title=task.title, time=_span(task))

    return _post_form("tasks/post.html", _load_task, post, success)


def _span(task):
    return local_span(task.starts_at, task.ends_at)


def _load_weekly(raw):
    data = _task_input(raw)
    data["weekdays"] = [_number(day) for day in raw.getlist("weekdays")]
    for name in ("start_time", "end_time"):
        data[name] = raw.get(name, "").strip()[:5]  # a browser may add seconds
    for name in ("first_date", "last_date"):
        data[name] = raw.get(name, "").strip() or None
    data["skip_dates"] = [day for day in re.split(r"[\s,，;；、]+", raw.get("skip_dates", "")) if day]
    return posting.WeeklyPatternSchema().load(data, unknown=EXCLUDE)


@bp.route("/manage/tasks/weekly", methods=["GET", "POST"])
@staff_required
def post_weekly():
    def post(data):
        return posting.post_weekly(g.station, current_user._get_current_object(), data)

    def success(result):
        _series, posted = result
        return _(
            "Posted %(count)s tasks: %(title)s, from %(first)s to %(last)s.",
            count=len(posted),
            title=posted[0].title,
            first=_span(posted[0]),
            last=_span(posted[-1]),
        )

    return _post_form("tasks/weekly.html", _load_weekly, post, success)


# ---------------------------------------------------------------------------
# The review queue
# ---------------------------------------------------------------------------


def _volunteer_filter():
    raw = request.args.get("volunteer", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        abort(400, description=_("“volunteer”: expected a volunteer's number."))
    return int(raw)


@bp.route("/manage/review")
@staff_required
def queue():
    officer = current_user._get_current_object()
    type_key = request.args.get("type", "").strip() or None
    if type_key and g.station.task_type(type_key) is None:
        abort(400, description=_("“type”: not a task type of this station."))
    volunteer_id = _volunteer_filter()
    pending = review.review_queue(g.station, officer, type_key=type_key, volunteer_id=volunteer_id, limit=QUEUE_SIZE)
    task_ids = {s.task_id for s in pending if s.task_id}
    tasks_by_id = {t.id: t for t in Task.select().where(Task.id.in_(list(task_ids)))} if task_ids else {}
    waiting = (
        User.select(User.id, User.name)
        .join(Submission, on=(Submission.volunteer == User.id))
        .where(Submission.station == g.station.id, Submission.state == SubmissionState.PENDING)
        .distinct()
        .order_by(User.name, User.id)
    )
    return render_station_template(
        "tasks/queue.html",
        pending=pending,
        tasks=tasks_by_id,
        volunteers=list(waiting),
        type_key=type_key,
        volunteer_id=volunteer_id,
    )


# ---------------------------------------------------------------------------
# Reviewing one submission
# ---------------------------------------------------------------------------


def _hours_arg(raw):
    """Typed-in hours as a number, ``None`` when empty; ``ValueError`` when not a number."""
    raw = (raw or "").strip().replace("，", ".")
    if not raw:
        return None
    if not re.fullmatch(r"\d{1,2}(\.\d{1,2})?", raw, re.ASCII):
        raise ValueError(raw)
    value = float(raw)
    review.hours_to_minutes(value)  # raises a 400 TaskError beyond 24 hours
    return value


def _review_page(submission, *, form=None, problems=None, problem=None, status=200):
    station = g.station
    officer = current_user._get_current_object()
    form = form or {}
    problems = dict(problems or {})
    volunteer = User.get_by_id(submission.volunteer_id)
    task = Task.get_by_id(submission.task_id) if submission.task_id else None
    task_type = station.task_type(submission.type_key)
    scored = None
    if submission.state == SubmissionState.PENDING:
        corrected = None
        try:
            corrected = _hours_arg(form.get("hours", ""))
        except (ValueError, TaskError):
            problems.setdefault("hours", _("Enter the hours as a number from 0 to 24, e.g. 1.5."))
        minutes = review.hours_to_minutes(corrected) if corrected is not None else None
        scored = review.preview(station, officer, submission.id, minutes)
    entry = LedgerEntry.get_by_id(submission.entry_id) if submission.entry_id else None
    extra_fields = extra_fields_of(task_type) if task_type else []
    labels = {item["name"].removeprefix("fields."): item["label"] for item in extra_fields}
    # a field with choices shows the chosen one's label, not its stored value
    choices = {
        item["name"].removeprefix("fields."): dict(item["choices"]) for item in extra_fields if item.get("choices")
    }
    return render_station_template(
        "tasks/review.html",
        submission=submission,
        volunteer=volunteer,
        task=task,
        task_type=task_type,
        field_labels=labels,
        field_choices=choices,
        photos=submissions.photos_of(submission),
        scored=scored,
        work_minutes=review.default_minutes(submission),
        entry=entry,
        history=review.reviews_of(submission),
        decider=User.get_by_id(submission.decided_by_id) if submission.decided_by_id else None,
        form=form,
        problems=problems,
        problem=problem,
    ), status


def _submission_or_404(submission_id):
    found = Submission.get_or_none(Submission.id == submission_id, Submission.station == g.station.id)
    if found is None:
        abort(404)
    return found


@bp.route(f"/manage/review/<{ROW_ID}:submission_id>")
@staff_required
def review_page(submission_id):
    return _review_page(_submission_or_404(submission_id), form={"hours": request.args.get("hours", "")})


DECISION_PROBLEMS = {
    "reason": _l("Say why, so the volunteer knows what to change (and why the hours differ, if they do)."),
    "hours": _l("Enter the hours as a number from 0 to 24, e.g. 1.5."),
}


@bp.route(f"/manage/review/<{ROW_ID}:submission_id>", methods=["POST"])
@staff_required
def decide(submission_id):
    submission = _submission_or_404(submission_id)
    form = {key: request.form.get(key, "").strip() for key in ("decision", "hours", "reason", "revision")}
    decision = form["decision"]
    if decision not in review.DECISIONS:
        abort(400, description=_("“decision”: expected approve, reject or return."))
    try:
        hours_given = _hours_arg(form["hours"]) if decision == "approve" else None
    except (ValueError, TaskError):
        return _review_page(submission, form=form, problems={"hours": str(DECISION_PROBLEMS["hours"])}, status=400)
    revision = (
        int(form["revision"])
        if form["revision"].isascii() and form["revision"].isdigit() and len(form["revision"]) < 10
        else None
    )
    if revision is None:
        abort(400, description=_("This form has expired; please open the work again."))
    try:
        decided, _review = review.decide(
            g.station,
            current_user._get_current_object(),
            submission.id,
            decision,
            reason=form["reason"][:2000],
            hours=hours_given,
            revision=revision,
        )
    except TaskError as error:
        if error.status == 400:
            problems = {key: str(DECISION_PROBLEMS.get(key, _("Check this field."))) for key in (error.fields or {})}
            return _review_page(submission, form=form, problems=problems, status=400)
        if error.status == 404:
            abort(404)
        return _review_page(Submission.get_by_id(submission.id), form=form, problem=refusal(error), status=error.status)
    volunteer = User.get_by_id(decided.volunteer_id)
    if decided.state == SubmissionState.APPROVED:
        points = LedgerEntry.get_by_id(decided.entry_id).amount
        flash(
            _(
                "Approved: %(points)s points and %(hours)s hours for %(name)s.",
                points=points,
                hours=hours_text(decided.minutes),
                name=volunteer.name,
            )
        )
    elif decided.state == SubmissionState.REJECTED:
        flash(_("Not accepted: %(name)s has been told why.", name=volunteer.name))
    else:
        flash(_("Sent back to %(name)s for changes.", name=volunteer.name))
    return redirect(url_for("task_review.queue"))


# ---------------------------------------------------------------------------
# Volunteers: qualifications and certificates
# ---------------------------------------------------------------------------


@bp.route("/manage/volunteers")
@staff_required
def volunteers():
    # control characters match no name or phone (and PostgreSQL refuses a NUL)
    search = "".join(c for c in request.args.get("q", "") if c.isprintable()).strip()[:50]
    query = User.select().where(User.station == g.station.id, User.role == Role.VOLUNTEER)
    if search:
        query = query.where(User.phone.contains(search) | User.name.contains(search))
    found = list(query.order_by(User.id.desc()).limit(VOLUNTEERS_LISTED))
    return render_station_template("tasks/volunteers.html", volunteers=found, search=search)


def _volunteer_or_404(volunteer_id):
    found = User.get_or_none(User.id == volunteer_id, User.station == g.station.id, User.role == Role.VOLUNTEER)
    if found is None:
        abort(404)
    return found


def _volunteer_page(volunteer, problem=None, status=200):
    summary = hours.summary(g.station, volunteer)
    return render_station_template(
        "tasks/volunteer.html",
        volunteer=volunteer,
        summary=summary,
        stars=stars(summary.star),
        held=set(qualifications.qualifications_of(volunteer)),
        known=qualifications.known_qualifications(g.station),
        certificates=hours.certificates_of(volunteer),
        problem=problem,
    ), status


@bp.route(f"/manage/volunteers/<{ROW_ID}:volunteer_id>")
@staff_required
def volunteer(volunteer_id):
    return _volunteer_page(_volunteer_or_404(volunteer_id))


@bp.route(f"/manage/volunteers/<{ROW_ID}:volunteer_id>/qualifications", methods=["POST"])
@staff_required
def change_qualification(volunteer_id):
    volunteer = _volunteer_or_404(volunteer_id)
    key = request.form.get("key", "")
    action = request.form.get("action", "")
    known = qualifications.known_qualifications(g.station)
    if key not in known or action not in ("grant", "revoke"):
        return _volunteer_page(volunteer, _("Choose a qualification from the list."), 400)
    officer = current_user._get_current_object()
    try:
        if action == "grant":
            qualifications.grant(g.station, officer, volunteer.id, key)
        else:
            qualifications.revoke(g.station, officer, volunteer.id, key)
    except TaskError as error:
        if error.code == "not_found":
            return _volunteer_page(volunteer, _("The volunteer does not hold this qualification."), 404)
        return _volunteer_page(volunteer, refusal(error), error.status)
    if action == "grant":
        flash(_("Recorded: %(name)s holds “%(qualification)s”.", name=volunteer.name, qualification=known[key].label))
    else:
        flash(
            _(
                "Removed: %(name)s no longer holds “%(qualification)s”.",
                name=volunteer.name,
                qualification=known[key].label,
            )
        )
    return redirect(url_for("task_review.volunteer", volunteer_id=volunteer.id))


@bp.route(f"/manage/volunteers/<{ROW_ID}:volunteer_id>/certificates", methods=["POST"])
@staff_required
def issue_certificate(volunteer_id):
    volunteer = _volunteer_or_404(volunteer_id)
    try:
        issued = hours.issue_certificate(g.station, current_user._get_current_object(), volunteer.id)
    except TaskError as error:
        return _volunteer_page(volunteer, refusal(error), error.status)
    flash(_("Certificate %(number)s issued.", number=issued.number))
    return redirect(url_for("task_files.certificate", number=issued.number))
