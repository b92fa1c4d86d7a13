"""Shared by the task page tests: signed-in clients, posting and starting
tasks, submitting work with photos through the pages, an app whose huguo
station has a task type that needs a qualification."""

import re
import shutil
from datetime import UTC, timedelta
from io import BytesIO

from core import TaskType, Text, hookimpl
from core.accounts import create_user
from core.models import Role, Submission, Task, User, utcnow
from core.tasks import Qualification
from core.testing import csrf_token_from, post_form

from .conftest import BRAND_PLUGINS, REPO
from .tasks_helpers import photo_bytes

PASSWORD = "abcdefgh1"
CHINA = timedelta(hours=8)  # huguo's zone, Asia/Shanghai, has no summer time


def page(response):
    return response.get_data(as_text=True)


def station_of(app, slug="huguo"):
    return app.extensions["redarmband"].tenancy.get(slug)


def sign_in(app, slug, phone):
    client = app.test_client()
    response = post_form(client, f"/s/{slug}/login", {"phone": phone, "password": PASSWORD})
    assert response.status_code == 302, page(response)
    return client


def volunteer(app, slug="huguo", name="李红", phone="13800000001"):
    """A client signed in as a new volunteer of ``slug`` (registered through the page)."""
    client = app.test_client()
    form = {
        "name": name,
        "phone": phone,
        "password": PASSWORD,
        "occupation": "courier",
        "accept_oath": "yes",
        "oath_version": station_of(app, slug).config.oath_version,
    }
    assert post_form(client, f"/s/{slug}/register", form).status_code == 302
    return client


def officer(app, slug="huguo", phone="13700000001", name="张警官", role=Role.OFFICER):
    with app.app_context():
        create_user(role=role, phone=phone, name=name, password=PASSWORD, station_id=station_of(app, slug).id)
    return sign_in(app, slug, phone)


def user_id(app, phone):
    with app.app_context():
        return User.get(User.phone == phone).id


def local_input(moment_utc):
    """A naive UTC time as huguo's ``datetime-local`` value."""
    return (moment_utc + CHINA).strftime("%Y-%m-%dT%H:%M")


def task_form(start_in=timedelta(hours=2), hours=1, **overrides):
    start = utcnow().replace(second=0, microsecond=0) + start_in
    form = {
        "type": "school_gate_duty",
        "title": "长春小学正门护学岗",
        "place": "昆明市长春小学正门",
        "starts_at": local_input(start),
        "ends_at": local_input(start + timedelta(hours=hours)),
        "capacity": "3",
        "notes": "请提前 10 分钟到岗",
    }
    form.update(overrides)
    return form


def post_task(client, slug="huguo", **overrides):
    """Post a task through the officer's form; returns the response."""
    return post_form(client, f"/s/{slug}/manage/tasks/new", task_form(**overrides))


def task_id_of(app, title):
    with app.app_context():
        return Task.get(Task.title == title).id


def begin(app, task_id, minutes_ago=10):
    """The task starts (started ``minutes_ago``), keeping its length; sign-ups were before."""
    with app.app_context():
        task = Task.get_by_id(task_id)
        length = task.ends_at - task.starts_at
        start = utcnow() - timedelta(minutes=minutes_ago)
        Task.update(starts_at=start, ends_at=start + length).where(Task.id == task_id).execute()


def action(client, url, listing="/s/huguo/tasks"):
    """POST a button's form (its CSRF token from ``listing``)."""
    return client.post(url, data={"csrf_token": csrf_token_from(client.get(listing))})


def sign_up(client, task_id, slug="huguo"):
    return action(client, f"/s/{slug}/tasks/{task_id}/signup", f"/s/{slug}/tasks")


def jpeg(colour=(200, 30, 30)):
    return photo_bytes(colour=colour, size=(120, 90))


def submit_work(client, url, *, text="护送学生 40 人过马路", photos=2, fields=None, extra=None):
    """GET the work form at ``url``, then POST it with ``photos`` generated JPEGs."""
    data = {"csrf_token": csrf_token_from(client.get(url)), "text": text}
    data.update({f"fields.{name}": value for name, value in (fields or {}).items()})
    data.update(extra or {})
    data["photos"] = [(BytesIO(jpeg((40 * n, 90, 160))), f"photo{n}.jpg", "image/jpeg") for n in range(photos)]
    return client.post(url, data=data, content_type="multipart/form-data")


def last_submission_id(app):
    with app.app_context():
        return Submission.select().order_by(Submission.id.desc()).get().id


def decide(client, submission_id, decision, slug="huguo", **fields):
    url = f"/s/{slug}/manage/review/{submission_id}"
    review = client.get(url)
    revision = re.search(r'name="revision" value="(\d+)"', page(review))
    data = {
        "csrf_token": csrf_token_from(review),
        "decision": decision,
        "revision": revision.group(1) if revision else "1",
    }
    data.update(fields)
    return client.post(url, data=data)


def menu_of(text):
    found = re.search(r'<nav class="menu".*?</nav>', text, re.DOTALL)
    return found.group(0) if found else ""


def local_text(moment_utc):
    return (moment_utc.replace(tzinfo=UTC) + CHINA).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------
# A station whose task type needs a qualification (一棍一盾)
# ---------------------------------------------------------------------------

SHIELD_DRILL = Qualification("shield_drill", Text("一棍一盾", "Shield drill"))


class ShieldPatrolPlugin:
    """A plugin offering work only holders of the shield drill may do."""

    @hookimpl
    def register_task_types(self):
        return [
            TaskType(
                "shield_patrol",
                Text("一棍一盾巡逻", "Shield patrol"),
                Text("持盾巡逻。", "Patrol with a shield."),
                default_points=4,
                qualification=SHIELD_DRILL,
            )
        ]


def app_with_shield_patrol(make_app, tmp_path):
    """The shipped stations and plugins, huguo also enabling the shield patrol."""
    stations = tmp_path / "stations-shield"
    shutil.copytree(REPO / "stations", stations)
    huguo = stations / "huguo.toml"
    text = huguo.read_text(encoding="utf-8")
    huguo.write_text(
        text.replace('plugins = ["school_guardian"]', 'plugins = ["school_guardian", "shield_patrol"]'),
        encoding="utf-8",
    )
    plugins = [*BRAND_PLUGINS, ("shield_patrol", ShieldPatrolPlugin())]
    return make_app(EXTRA_PLUGINS=plugins, STATIONS_DIR=str(stations))


TITLE = "长春小学正门护学岗"


def posted_task(app, boss, slug="huguo", **overrides):
    """A task posted through the officer's form; its id."""
    overrides.setdefault("title", TITLE)
    response = post_task(boss, slug, **overrides)
    assert response.status_code == 302, page(response)
    return task_id_of(app, overrides["title"])


def approved_work(app, boss=None, vol=None):
    """A volunteer's school-gate duty done and approved: (boss, vol, task_id, submission_id)."""
    boss = boss or officer(app)
    vol = vol or volunteer(app)
    task_id = posted_task(app, boss)
    assert sign_up(vol, task_id).status_code == 302
    begin(app, task_id)
    assert submit_work(vol, f"/s/huguo/tasks/{task_id}/submit", fields={"children_helped": "40"}).status_code == 302
    submission_id = last_submission_id(app)
    assert decide(boss, submission_id, "approve").status_code == 302
    return boss, vol, task_id, submission_id
