"""Shared by the night patrol tests: donghua's people, venues, night shifts
at given station-local times, venue visits and the review breakdown."""

import re
import shutil
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.models import Role, Task, User, utcnow
from core.tasks import qualifications
from core.tasks.posting import TaskSchema, post_task
from core.tasks.signups import sign_up
from core.testing import csrf_token_from, post_form
from plugins.night_patrol.models import Venue

from ..conftest import REPO
from ..tasks_pages_helpers import (
    PASSWORD,
    decide,
    last_submission_id,
    page,
    station_of,
    submit_work,
    user_id,
)
from ..tasks_pages_helpers import officer as signed_in_officer
from ..tasks_pages_helpers import volunteer as signed_in_volunteer

SHANGHAI = ZoneInfo("Asia/Shanghai")
SATURDAY = datetime(2025, 3, 1).date()  # a Saturday
WEDNESDAY = datetime(2025, 3, 5).date()  # a Wednesday
CHECKS_PASSED = {
    "fire_exits": "pass",
    "security_staff": "pass",
    "no_underage_drinking": "pass",
    "incident_book": "pass",
}


def staff(app, slug="donghua", phone="13700000001", name="张警官"):
    return signed_in_officer(app, slug, phone=phone, name=name)


def admin(app, slug="donghua", phone="13700000009", name="王所长"):
    return signed_in_officer(app, slug, phone=phone, name=name, role=Role.STATION_ADMIN)


def volunteer(app, slug="donghua", name="李红", phone="13800000001"):
    return signed_in_volunteer(app, slug, name=name, phone=phone)


def add_venue(app, slug="donghua", name="金马坊酒吧", licence="JY-0001", active=True):
    """A venue straight into the plugin's table; its id."""
    with app.app_context():
        return Venue.create(
            station=station_of(app, slug).id,
            name=name,
            address="昆明市盘龙区东华小区 1 号",
            licence_number=licence,
            responsible_person="赵老板",
            phone="0871-63123456",
            joined_on=datetime(2024, 5, 1).date(),
            active=active,
        ).id


def first_staff(st):
    """The station's first officer or admin (a test makes one first)."""
    return User.select().where(User.station == st.id, User.role.in_([Role.OFFICER, Role.STATION_ADMIN])).first()


def grant_shield_drill(app, slug, volunteer_phone):
    with app.app_context():
        st = station_of(app, slug)
        qualifications.grant(st, first_staff(st), user_id(app, volunteer_phone), "shield_drill")


def local(day, hh_mm):
    hour, minute = map(int, hh_mm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def naive_utc(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


def shift(app, slug, day, start, end, *, type_key="night_patrol", title="东华夜巡", capacity=4):
    """A task of ``slug`` from ``start`` to ``end`` (HH:MM, station-local, an
    end before the start is the next day) on ``day``; its id. Posted as if a
    week before, so it may lie in the past."""
    begin = local(day, start)
    finish = local(day + timedelta(days=1) if end <= start else day, end)
    body = {
        "type": type_key,
        "title": title,
        "place": "东华街酒吧街",
        "starts_at": begin.isoformat(),
        "ends_at": finish.isoformat(),
        "capacity": capacity,
    }
    with app.app_context():
        st = station_of(app, slug)
        return post_task(st, first_staff(st), TaskSchema().load(body), now=naive_utc(begin) - timedelta(days=7)).id


def join(app, slug, task_id, volunteer_phone):
    """The volunteer signed up before the task began."""
    with app.app_context():
        task = Task.get_by_id(task_id)
        sign_up(
            station_of(app, slug),
            User.get(User.phone == volunteer_phone),
            task_id,
            now=task.starts_at - timedelta(hours=1),
        )


def patrolled(app, vol, boss, day, start, end, slug="donghua", phone="13800000001"):
    """A shift done and sent for review; the submission's id."""
    task_id = shift(app, slug, day, start, end)
    join(app, slug, task_id, phone)
    sent = submit_work(
        vol,
        f"/s/{slug}/tasks/{task_id}/submit",
        text="巡逻酒吧街，劝离醉酒人员 2 名",
        photos=0,
        fields={"route": "东华街—金马坊—白塔路", "observations": "秩序良好"},
    )
    assert sent.status_code == 302, page(sent)
    return last_submission_id(app)


PREVIEW = re.compile(r'<section class="preview".*?</section>', re.DOTALL)
LINE = re.compile(r"<li><span>(.*?)</span> <span>(.*?)</span></li>")


def preview_lines(boss, submission_id, slug="donghua", lang=""):
    """The breakdown the officer sees before approving: [(label, "+3"), …]."""
    text = page(boss.get(f"/s/{slug}/manage/review/{submission_id}{lang}"))
    section = PREVIEW.search(text)
    assert section, text
    return LINE.findall(section.group(0))


def visit(vol, slug="donghua", *, venue_id, photos=0, **checks):
    """Send a venue visit through the page; the response."""
    fields = {"venue": str(venue_id), **CHECKS_PASSED, **checks}
    return submit_work(vol, f"/s/{slug}/work/venue_visit", text="检查金马坊酒吧", photos=photos, fields=fields)


def stations_with_night_patrol_at_huguo(tmp_path):
    """The shipped station files, huguo's changed by config alone to enable night_patrol."""
    stations = tmp_path / "stations-huguo-night"
    shutil.copytree(REPO / "stations", stations)
    huguo = stations / "huguo.toml"
    text = huguo.read_text(encoding="utf-8")
    assert 'plugins = ["school_guardian"]' in text
    text = text.replace('plugins = ["school_guardian"]', 'plugins = ["school_guardian", "night_patrol"]')
    text += """
[plugin_settings.night_patrol]
night_start = "22:00"
night_end = "04:00"
night_multiplier = 2.0
weekend_bonus = 5
alliance_commitments = ["护国街区酒吧不向学生售酒"]
"""
    huguo.write_text(text, encoding="utf-8")
    return stations


__all__ = ["PASSWORD", "csrf_token_from", "decide", "post_form", "utcnow"]
