"""Shared by the task page test modules: a school-gate duty posted through the form, work done and approved."""

from .tasks_pages_helpers import (
    begin,
    decide,
    last_submission_id,
    officer,
    page,
    post_task,
    sign_up,
    submit_work,
    task_id_of,
    volunteer,
)

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
