"""Builders shared by the task tests: users, tasks, photos, submissions."""

import itertools
from datetime import timedelta
from io import BytesIO

from PIL import Image

from core.accounts import create_user
from core.models import Role, utcnow
from core.tasks.posting import TaskSchema, post_task
from core.tasks.signups import sign_up
from core.tasks.submissions import load_submission, submit

from .points_helpers import station

_phones = itertools.count(13_600_000_000)


def person(app, slug="huguo", role=Role.VOLUNTEER, name=None):
    """A new user of ``slug`` with the given role (password "pass-word-1")."""
    phone = str(next(_phones))
    return create_user(
        role=role,
        phone=phone,
        name=name or f"{role}{phone[-4:]}",
        password="pass-word-1",
        station_id=station(app, slug).id,
    )


def officer(app, slug="huguo"):
    return person(app, slug, Role.OFFICER)


def volunteer(app, slug="huguo", name=None):
    return person(app, slug, Role.VOLUNTEER, name)


def task_body(type_key="school_gate_duty", *, start_in=timedelta(hours=2), hours=1, capacity=3, **overrides):
    start = utcnow() + start_in
    body = {
        "type": type_key,
        "title": "长春小学正门护学岗",
        "place": "长春小学正门",
        "starts_at": start.isoformat() + "+00:00",
        "ends_at": (start + timedelta(hours=hours)).isoformat() + "+00:00",
        "capacity": capacity,
    }
    body.update(overrides)
    return body


def make_task(app, slug="huguo", by=None, **body):
    return post_task(station(app, slug), by or officer(app, slug), TaskSchema().load(task_body(**body)))


def photo_bytes(colour=(200, 30, 30), size=(64, 48), fmt="JPEG", exif=None):
    buffer = BytesIO()
    image = Image.new("RGB", size, colour)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def do_work(app, slug, vol, task, *, text="护送学生 40 人过马路", photos=2, fields=None, now=None):
    """Sign ``vol`` up for ``task`` and submit work for it (after its start)."""
    st = station(app, slug)
    sign_up(st, vol, task.id, now=task.starts_at - timedelta(minutes=5))
    data = load_submission({"task_id": task.id, "text": text, "fields": fields or {}})
    return submit(
        st, vol, data, [photo_bytes() for _ in range(photos)], now=now or task.starts_at + timedelta(minutes=10)
    )
