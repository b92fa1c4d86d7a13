"""Tasks API routes: task types, posted tasks and weekly series, sign-ups.

Routes are added to the API blueprint of :mod:`core.api.views`; shared
helpers, the clock and the error handlers (``TaskError`` among them) live in
:mod:`core.api.common` and :mod:`core.api.task_helpers`, the OpenAPI data in
:mod:`core.api.tasks_openapi`. Submissions are :mod:`core.api.submissions_api`;
a volunteer's notifications, hours, calendar, qualifications and
certificates :mod:`core.api.volunteer_record_api`.
"""

from flask import g, request

from ..extra_fields import json_type
from ..i18n import text_json
from ..models import Role
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
from ..tasks.signups import sign_up, withdraw
from . import common
from .bodies import dump
from .common import authenticated_user, json_object, load
from .idempotency import idempotent
from .task_helpers import id_or_404, query_type, task_json
from .tasks_schemas import (
    TaskListSchema,
    TaskOutSchema,
    TaskSeriesOutSchema,
    TaskTypeListSchema,
)
from .tokens import token_required
from .views import bp


def _task_type_out(task_type):
    loader = task_type.fields_loader()
    extra = [
        {
            "name": field.data_key or name,
            "label": text_json(field.metadata.get("label")),
            "required": field.required,
            "type": json_type(field),
        }
        for name, field in (loader.fields.items() if loader else ())
        if not field.dump_only
    ]
    qualification = task_type.qualification
    return {
        "key": task_type.key,
        "label": text_json(task_type.label),
        "description": text_json(task_type.description),
        "default_points": task_type.default_points,
        "min_photos": task_type.min_photos,
        "max_photos": task_type.max_photos,
        "qualification": {"key": qualification.key, "label": text_json(qualification.label)} if qualification else None,
        "self_start": task_type.self_start,
        "fields": extra,
    }


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
        body = [task_json(task, task.id in mine) for task in tasks]
    else:
        body = [task_json(task) for task in tasks]
    return dump(TaskListSchema, {"tasks": body})


@bp.post("/s/<station>/tasks")
@token_required
@idempotent
def create_task():
    station, user = g.station, g.api_user
    require_staff(station, user)
    data = load(TaskSchema(), json_object())
    task = post_task(station, user, data, now=common.now())
    return dump(TaskOutSchema, task_json(task)), 201


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
        "tasks": [task_json(task) for task in tasks],
    }
    return dump(TaskSeriesOutSchema, body), 201


@bp.post("/s/<station>/tasks/<int:task_id>/signup")
@token_required
@idempotent
def create_signup(task_id):
    station = g.station
    sign_up(station, g.api_user, id_or_404(task_id, "task"), now=common.now())
    return dump(TaskOutSchema, task_json(get_task(station, task_id), signed_up=True)), 201


@bp.delete("/s/<station>/tasks/<int:task_id>/signup")
@token_required
def delete_signup(task_id):
    task = withdraw(g.station, g.api_user, id_or_404(task_id, "task"), now=common.now())
    return dump(TaskOutSchema, task_json(task, signed_up=False))
