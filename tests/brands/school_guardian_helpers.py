"""The 护小侠 tests' world: two stations sharing the brand, each with its own
schools, and a week two weeks ahead whose Wednesday is a holiday, so every
date the tests use is still to come whatever day they run."""

import json
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from core.models import Task, User, utcnow
from core.testing import csrf_token_from, post_form, write_station
from plugins.school_guardian.models import Arrival, DutySlot

from ..tasks_helpers import photo_bytes
from ..tasks_pages_helpers import PASSWORD, page

SHANGHAI = ZoneInfo("Asia/Shanghai")


def first_monday():
    """The Monday two weeks after this week's (station-local)."""
    today = datetime.now(SHANGHAI).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=14)


def write_world(directory, monday):
    """huguo: 昆明市长春小学 (正门, 后门) and 护国路小学 (东门), the Wednesday of
    ``monday``'s week a holiday; xiaonanmen: 五华区小南门小学 (南门);
    donghua without the plugin."""
    holiday = monday + timedelta(days=2)
    write_station(
        directory,
        "huguo",
        plugins=["school_guardian"],
        theme="huxiaoxia",
        brand="护小侠",
        extra=f"""
        [plugin_settings.school_guardian]
        punctuality_bonus = 1
        streak_days = 5
        streak_bonus = 3
        holidays = [{{ first = {holiday.isoformat()}, last = {holiday.isoformat()}, name = "校庆" }}, 2099-01-01]

        [[plugin_settings.school_guardian.schools]]
        name = "昆明市长春小学"
        gates = ["正门", "后门"]

        [[plugin_settings.school_guardian.schools]]
        name = "护国路小学"
        gates = ["东门"]
        volunteers_per_slot = 1
        windows = {{ morning = "07:40-08:20" }}
        """,
    )
    write_station(
        directory,
        "xiaonanmen",
        plugins=["school_guardian"],
        theme="huxiaoxia",
        brand="护小侠",
        extra="""
        [[plugin_settings.school_guardian.schools]]
        name = "五华区小南门小学"
        gates = ["南门"]
        """,
    )
    write_station(directory, "donghua")
    return directory


def post_roster(client, first, last, slug="huguo"):
    """An officer's client posts the duty roster for ``first``–``last``."""
    return post_form(
        client,
        f"/s/{slug}/school-guardian/roster/post",
        {"first_date": first.isoformat(), "last_date": last.isoformat()},
    )


def slot_task(app, day, window="morning", gate="正门", school="昆明市长春小学", slug="huguo"):
    """The task posted for one slot."""
    with app.app_context():
        station = app.extensions["redarmband"].tenancy.get(slug)
        slot = DutySlot.get(
            DutySlot.station == station.id,
            DutySlot.school == school,
            DutySlot.gate == gate,
            DutySlot.window == window,
            DutySlot.day == day,
        )
        return Task.get_by_id(slot.task_id)


def roster_url(day, slug="huguo", number=1):
    return f"/s/{slug}/school-guardian/schools/{number}/roster?week={day.isoformat()}"


def press(client, day, url, number=1, slug="huguo"):
    """Press a button on the roster page of ``day``'s week: POST ``url`` with the page's CSRF token."""
    token = csrf_token_from(client.get(roster_url(day, slug, number)))
    return client.post(url, data={"csrf_token": token})


def move_task(app, task_id, starts_in, minutes=40):
    """Time passes: the task now starts ``starts_in`` from now."""
    with app.app_context():
        start = utcnow() + starts_in
        Task.update(starts_at=start, ends_at=start + timedelta(minutes=minutes)).where(Task.id == task_id).execute()


def time_passes(app, task_id, until_started=timedelta(minutes=10)):
    """The clock moves on until the task began ``until_started`` ago: its
    times and the arrivals recorded for it move back alike."""
    with app.app_context():
        task = Task.get_by_id(task_id)
        shift = task.starts_at - (utcnow() - until_started)
        Task.update(starts_at=task.starts_at - shift, ends_at=task.ends_at - shift).where(Task.id == task_id).execute()
        for arrival in Arrival.select().where(Arrival.task == task_id):
            Arrival.update(arrived_at=arrival.arrived_at - shift).where(Arrival.id == arrival.id).execute()


def cell(html, task_id):
    """The roster's cell of ``task_id``."""
    start = html.rindex("<td", 0, html.index(f'id="slot-{task_id}"'))
    return html[start : html.index("</td>", start)]


def api_token(client, phone):
    response = client.post("/api/v1/auth/tokens", json={"phone": phone, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def report_hazard(
    client, headers, *, school="昆明市长春小学", photos=1, location=(25.0453, 102.7046), slug="huguo", **fields
):
    """A 校园周边隐患 report through the API (multipart, with photos)."""
    data = {
        "type": "school_hazard",
        "text": "拍照上报，已在巷口设置提醒",
        "fields": json.dumps(
            {"school": school, "kind": "falling_object", "description": "太阳能热水器被风刮落在学校后巷", **fields},
            ensure_ascii=False,
        ),
    }
    if location:
        data["latitude"], data["longitude"] = str(location[0]), str(location[1])
    if photos:
        data["photos"] = [(BytesIO(photo_bytes(colour=(30 * n, 90, 160))), f"hazard{n}.jpg") for n in range(photos)]
    return client.post(f"/api/v1/s/{slug}/submissions", data=data, headers=headers, content_type="multipart/form-data")


def user_named(app, phone):
    with app.app_context():
        return User.get(User.phone == phone)


__all__ = ["page"]
