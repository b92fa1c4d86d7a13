"""东华红枫夜巡队 (plugins/night_patrol) at donghua: the bar alliance, night
patrols that need the 一棍一盾 drill, night and weekend scoring, venue
safety checks and their findings, tonight's team — and the same plugin
switched on at huguo by its station file alone. Helpers are in
``night_patrol_helpers.py``."""

import re
from datetime import datetime, timedelta

import pytest

from core.config import StationConfigError, load_stations
from core.models import LedgerEntry, Submission, User, utcnow
from core.tasks import TaskError
from core.tasks.submissions import load_submission, submit
from core.testing import csrf_token_from, post_form, write_station
from plugins.night_patrol.models import Finding, Venue, VenueVisit
from plugins.night_patrol.scoring import night_fraction
from plugins.night_patrol.views import tonight_window

from ..config.helpers import registry
from ..tasks_pages_helpers import (
    action,
    decide,
    last_submission_id,
    menu_of,
    page,
    sign_up,
    station_of,
    user_id,
)
from .night_patrol_helpers import (
    SATURDAY,
    SHANGHAI,
    WEDNESDAY,
    add_venue,
    admin,
    grant_shield_drill,
    join,
    patrolled,
    preview_lines,
    shift,
    staff,
    stations_with_night_patrol_at_huguo,
    visit,
    volunteer,
)

ALLIANCE = "/s/donghua/night-patrol/alliance"
MANAGE = "/s/donghua/night-patrol/manage/alliance"
VENUE_FORM = {
    "name": "金马坊酒吧",
    "address": "昆明市盘龙区东华街 8 号",
    "licence_number": "JY-5301-0008",
    "responsible_person": "赵明",
    "phone": "0871-63123456",
    "joined_on": "2024-05-01",
}


def venue_named(app, name):
    with app.app_context():
        return Venue.get(Venue.name == name)


def set_state(client, venue_id, state):
    """Press the suspend / reinstate button: it names the state it wants."""
    data = {"csrf_token": csrf_token_from(client.get(MANAGE))}
    if state is not None:
        data["state"] = state
    return client.post(f"{MANAGE}/{venue_id}/suspend", data=data)


def open_finding(app, venue_id, phone="13800000001"):
    """A finding of ``venue_id`` opened by an approved visit of the volunteer ``phone``; its id."""
    with app.app_context():
        st = station_of(app, "donghua")
        sent = Submission.create(station=st.id, volunteer=user_id(app, phone), type_key="venue_visit", text="检查")
        seen = VenueVisit.create(
            station=st.id,
            venue=venue_id,
            submission=sent.id,
            volunteer=sent.volunteer_id,
            visited_at=sent.submitted_at,
            failed_items=1,
        )
        return Finding.create(station=st.id, venue=venue_id, visit=seen.id, item="fire_exits", note="后门堆放酒箱").id


# ---------------------------------------------------------------------------
# The bar alliance: managed by the station's admins, listed for everyone
# ---------------------------------------------------------------------------


def test_station_admin_adds_edits_and_suspends_alliance_venues(app):
    boss = admin(app)
    assert "联盟管理" in menu_of(page(boss.get("/s/donghua/")))
    added = post_form(boss, f"{MANAGE}/new", VENUE_FORM)
    assert added.status_code == 302 and added.headers["Location"] == MANAGE
    listing = page(boss.get(MANAGE))
    assert "已加入联盟：金马坊酒吧" in listing and "JY-5301-0008" in listing and "在册" in listing
    venue = venue_named(app, "金马坊酒吧")
    assert venue.station_id == station_of(app, "donghua").id and venue.active

    edited = post_form(
        boss, f"{MANAGE}/{venue.id}/edit", {**VENUE_FORM, "name": "金马坊音乐酒吧", "phone": "13912345678"}
    )
    assert edited.status_code == 302
    assert venue_named(app, "金马坊音乐酒吧").phone == "13912345678"
    assert "金马坊音乐酒吧" in page(boss.get(ALLIANCE))

    suspended = set_state(boss, venue.id, "suspended")
    assert suspended.status_code == 302
    listing = page(boss.get(MANAGE))
    assert "已暂停联盟成员资格：金马坊音乐酒吧" in listing and "已暂停" in listing and "恢复" in listing
    public = page(app.test_client().get(ALLIANCE))
    assert "金马坊音乐酒吧" not in public and "联盟还没有成员场所" in public
    assert app.test_client().get(f"{ALLIANCE}/{venue.id}").status_code == 404  # suspended: not shown publicly

    set_state(boss, venue.id, "active")  # reinstated
    assert "金马坊音乐酒吧" in page(app.test_client().get(ALLIANCE))


def test_venue_form_names_what_is_wrong(app):
    boss = admin(app)
    add_venue(app, licence="JY-5301-0008")
    refused = post_form(boss, f"{MANAGE}/new", {**VENUE_FORM, "joined_on": "yesterday", "phone": "call me", "name": ""})
    assert refused.status_code == 400
    text = page(refused)
    for name in ("joined_on", "phone", "name", "licence_number"):  # the licence is taken by the first venue
        assert f'name="{name}" value="' in text and f'aria-describedby="{name}-problem"' in text, name
    assert "请填写加入联盟的日期" in text
    with app.app_context():
        assert Venue.select().count() == 1


def test_suspend_and_reinstate_name_the_state_wanted_so_a_second_click_changes_nothing(app):
    boss = admin(app)
    venue_id = add_venue(app)
    listing = page(boss.get(MANAGE))
    assert 'name="state" value="suspended"' in listing  # an active venue's button suspends it
    for _click in range(2):  # pressed twice (two tabs, a double click): still suspended
        assert set_state(boss, venue_id, "suspended").status_code == 302
        with app.app_context():
            assert not Venue.get_by_id(venue_id).active
    assert "状态未变" in page(boss.get(MANAGE))
    assert 'name="state" value="active"' in page(boss.get(MANAGE))
    for _click in range(2):
        assert set_state(boss, venue_id, "active").status_code == 302
        with app.app_context():
            assert Venue.get_by_id(venue_id).active
    for state in (None, "", "toggle"):
        assert set_state(boss, venue_id, state).status_code == 400
    with app.app_context():
        assert Venue.get_by_id(venue_id).active


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "金马坊\x00酒吧"),
        ("address", "东华街\x00 8 号"),
        ("licence_number", "JY-\x00"),
        ("responsible_person", "赵\x1b明"),
        ("name", "金马坊\n酒吧"),
    ],
)
def test_venue_form_refuses_control_characters_naming_the_field(app, field, value):
    boss = admin(app)
    refused = post_form(boss, f"{MANAGE}/new", {**VENUE_FORM, field: value})
    assert refused.status_code == 400
    text = page(refused)
    assert f'aria-describedby="{field}-problem"' in text
    assert text.count('class="problem"') == 1  # only that field
    if field != "licence_number":
        assert "请使用一行纯文本" in text
    with app.app_context():
        assert Venue.select().count() == 0


def test_venue_form_refuses_a_joined_date_outside_the_years_2000_to_2999(app):
    refused = post_form(admin(app), f"{MANAGE}/new", {**VENUE_FORM, "joined_on": "9999-12-31"})
    assert refused.status_code == 400 and 'aria-describedby="joined_on-problem"' in page(refused)


@pytest.mark.parametrize("race", ["saved_after_the_form_check", "saved_at_the_same_moment"])
def test_two_admins_adding_the_same_licence_at_once_get_the_licence_problem(app, monkeypatch, race):
    """The other admin's venue is written after this form was checked: the check
    inside the transaction sees it, or else the unique index refuses the row."""
    from plugins.night_patrol import views

    boss = admin(app)
    real = views._licence_taken
    calls = []

    def racing(licence, venue_id=None):
        calls.append(licence)
        if len(calls) == 1:  # the form's check ran before the other admin saved
            add_venue(app, name="别家酒吧", licence=licence)
            return False
        return False if race == "saved_at_the_same_moment" else real(licence, venue_id)

    monkeypatch.setattr(views, "_licence_taken", racing)
    refused = post_form(boss, f"{MANAGE}/new", VENUE_FORM)
    assert refused.status_code == 400
    text = page(refused)
    assert 'aria-describedby="licence_number-problem"' in text and "其他场所不能使用相同的号码" in text
    with app.app_context():
        assert [venue.name for venue in Venue.select()] == ["别家酒吧"]


def test_only_the_stations_admins_manage_the_alliance(app):
    venue_id = add_venue(app)
    assert app.test_client().get(MANAGE).status_code == 302  # sign in first
    officer = staff(app)
    vol = volunteer(app)
    for client in (officer, vol):
        assert client.get(MANAGE).status_code == 403
        assert client.get(f"{MANAGE}/new").status_code == 403
        assert action(client, f"{MANAGE}/{venue_id}/suspend", "/s/donghua/").status_code == 403
        assert "联盟管理" not in menu_of(page(client.get("/s/donghua/")))
    other_admin = admin(app, "huguo", phone="13700000019")
    assert other_admin.get(MANAGE).status_code in (403, 404)
    with app.app_context():
        assert Venue.get_by_id(venue_id).active


def test_public_alliance_page_lists_active_members_and_commitments(client, app):
    add_venue(app, name="金马坊酒吧", licence="A1")
    add_venue(app, name="白塔路清吧", licence="A2", active=False)
    text = page(client.get(ALLIANCE))
    assert "金马坊酒吧" in text and "白塔路清吧" not in text
    assert "酒吧联盟承诺" in text and "不向未成年人售酒" in text and "消防通道保持畅通" in text
    english = page(client.get(f"{ALLIANCE}?lang=en"))
    assert "Member venues" in english and "Bar alliance commitments" in english
    menu = menu_of(page(client.get("/s/donghua/?lang=zh")))
    assert 'href="/s/donghua/night-patrol/"' in menu and f'href="{ALLIANCE}"' in menu and "酒吧联盟" in menu


# ---------------------------------------------------------------------------
# Night patrols need the 一棍一盾 shield drill
# ---------------------------------------------------------------------------


def test_night_patrol_sign_up_needs_the_shield_drill_until_an_officer_grants_it(app):
    officer = staff(app)
    vol = volunteer(app)
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
    task_id = shift(app, "donghua", tomorrow, "20:00", "02:00")  # sign-up is open

    refused = sign_up(vol, task_id, "donghua")
    assert refused.status_code == 403
    assert "一棍一盾" in page(refused)

    vol_id = user_id(app, "13800000001")
    profile = officer.get(f"/s/donghua/manage/volunteers/{vol_id}")
    assert "一棍一盾" in page(profile)
    granted = officer.post(
        f"/s/donghua/manage/volunteers/{vol_id}/qualifications",
        data={"csrf_token": csrf_token_from(profile), "key": "shield_drill", "action": "grant"},
    )
    assert granted.status_code == 302
    assert sign_up(vol, task_id, "donghua").status_code == 302
    assert "东华夜巡" in page(vol.get("/s/donghua/tasks"))


# ---------------------------------------------------------------------------
# Scoring: night work and weekend work
# ---------------------------------------------------------------------------


def test_night_share_of_a_shift():
    def at(day, hour):
        return datetime(2025, 3, day, hour)

    assert night_fraction(at(1, 20), at(2, 2), "20:00", "02:00") == 1
    assert night_fraction(at(1, 14), at(1, 16), "20:00", "02:00") == 0
    assert night_fraction(at(1, 18), at(1, 22), "20:00", "02:00") == 0.5
    assert night_fraction(at(2, 1), at(2, 3), "20:00", "02:00") == 0.5  # last night's window
    assert night_fraction(at(1, 23), at(2, 5), "22:00", "04:00") == 5 / 6
    assert night_fraction(None, None, "20:00", "02:00") == 0


def test_saturday_night_shift_earns_the_night_and_weekend_lines(app):
    officer = staff(app)
    vol = volunteer(app)
    grant_shield_drill(app, "donghua", "13800000001")
    submission_id = patrolled(app, vol, officer, SATURDAY, "20:00", "02:00")
    lines = preview_lines(officer, submission_id)
    assert lines == [("任务积分", "+3"), ("夜间加成", "+2"), ("周末加分", "+2")]  # 3 × 0.5 × 1 = 1.5 → 2
    english = preview_lines(officer, submission_id, lang="?lang=en")
    assert [label for label, _ in english][1:] == ["Night work bonus", "Weekend bonus"]

    assert decide(officer, submission_id, "approve", slug="donghua").status_code == 302
    with app.app_context():
        entry = LedgerEntry.get_by_id(Submission.get_by_id(submission_id).entry_id)
    assert entry.amount == 7
    assert [(line["rule"], line["points"]) for line in entry.breakdown] == [
        ("core.task", 3),
        ("night_patrol.night", 2),
        ("night_patrol.weekend", 2),
    ]
    mine = page(vol.get("/s/donghua/me/submissions"))
    assert "夜间加成" in mine and "周末加分" in mine


def test_weekday_shifts_earn_night_points_for_their_night_share_only(app):
    officer = staff(app)
    vol = volunteer(app)
    grant_shield_drill(app, "donghua", "13800000001")
    afternoon = patrolled(app, vol, officer, WEDNESDAY, "14:00", "16:00")
    assert preview_lines(officer, afternoon) == [("任务积分", "+3")]
    evening = patrolled(app, vol, officer, WEDNESDAY, "18:00", "22:00")
    assert preview_lines(officer, evening) == [("任务积分", "+3"), ("夜间加成", "+1")]  # 3 × 0.5 × 0.5 = 0.75 → 1
    night = patrolled(app, vol, officer, WEDNESDAY, "20:00", "02:00")
    assert preview_lines(officer, night) == [("任务积分", "+3"), ("夜间加成", "+2")]


# ---------------------------------------------------------------------------
# Venue safety checks and their findings
# ---------------------------------------------------------------------------


def test_venue_visit_offers_only_this_stations_active_venues(app):
    add_venue(app, name="金马坊酒吧", licence="A1")
    add_venue(app, name="白塔路清吧", licence="A2", active=False)
    add_venue(app, "huguo", name="护国路酒吧", licence="H1")
    vol = volunteer(app)
    form = page(vol.get("/s/donghua/work/venue_visit"))
    select = re.search(r'<select name="fields.venue".*?</select>', form, re.DOTALL).group(0)
    assert "金马坊酒吧" in select and "白塔路清吧" not in select and "护国路酒吧" not in select
    assert '<select name="fields.fire_exits"' in form and "不合格" in form


@pytest.mark.parametrize("which", ["unknown", "other_station", "suspended"])
def test_venue_visit_to_a_venue_not_active_here_is_refused(app, which):
    add_venue(app, licence="A1")
    venue_id = {
        "unknown": 999_999,
        "other_station": add_venue(app, "huguo", name="护国路酒吧", licence="H1"),
        "suspended": add_venue(app, name="白塔路清吧", licence="A2", active=False),
    }[which]
    vol = volunteer(app)
    refused = visit(vol, venue_id=venue_id)
    assert refused.status_code == 400
    assert re.search(r'<select name="fields.venue" aria-invalid="true"', page(refused))
    with app.app_context():
        assert Submission.select().count() == 0
        donghua = station_of(app, "donghua")
        with pytest.raises(TaskError) as error:
            submit(
                donghua,
                User.get(User.phone == "13800000001"),
                load_submission(
                    {
                        "type": "venue_visit",
                        "text": "检查",
                        "fields": {
                            "venue": venue_id,
                            "fire_exits": "pass",
                            "security_staff": "pass",
                            "no_underage_drinking": "pass",
                            "incident_book": "pass",
                        },
                    }
                ),
                [],
            )
    assert error.value.status == 400 and list(error.value.fields) == ["fields.venue"]


def test_a_failed_item_needs_a_note_and_a_photo(app):
    venue_id = add_venue(app)
    vol = volunteer(app)
    no_note = visit(vol, venue_id=venue_id, photos=1, fire_exits="fail")
    assert no_note.status_code == 400
    assert re.search(r'name="fields.fire_exits_note" aria-invalid="true"', page(no_note))
    no_photo = visit(vol, venue_id=venue_id, photos=0, fire_exits="fail", fire_exits_note="后门消防通道堆放酒箱")
    assert no_photo.status_code == 400
    text = page(no_photo)
    assert re.search(r'name="photos" aria-invalid="true"', text) and "at least one photo" in text
    with app.app_context():
        assert Submission.select().count() == 0
    assert (
        visit(vol, venue_id=venue_id, photos=1, fire_exits="fail", fire_exits_note="后门消防通道堆放酒箱").status_code
        == 302
    )


def test_approved_visit_opens_findings_shown_on_the_venue_page_until_closed(app):
    venue_id = add_venue(app)
    officer = staff(app)
    vol = volunteer(app)
    sent = visit(
        vol,
        venue_id=venue_id,
        photos=2,
        fire_exits="fail",
        fire_exits_note="后门消防通道堆放酒箱",
        no_underage_drinking="fail",
        no_underage_drinking_note="发现疑似未成年人饮酒，未查验身份证",
    )
    assert sent.status_code == 302
    submission_id = last_submission_id(app)
    review = page(officer.get(f"/s/donghua/manage/review/{submission_id}"))
    assert '<dd class="field-venue">金马坊酒吧</dd>' in review and '<dd class="field-fire_exits">不合格</dd>' in review
    venue_page = f"{ALLIANCE}/{venue_id}"
    assert "没有未整改的问题" in page(app.test_client().get(venue_page))  # nothing until approved

    assert decide(officer, submission_id, "approve", slug="donghua").status_code == 302
    with app.app_context():
        findings = list(Finding.select().order_by(Finding.id))
        assert [(f.item, f.closed_at) for f in findings] == [("fire_exits", None), ("no_underage_drinking", None)]
        assert VenueVisit.get().failed_items == 2

    public = page(app.test_client().get(venue_page))
    assert "消防通道畅通" in public and "后门消防通道堆放酒箱" in public and "无未成年人饮酒" in public
    assert "李*" in public and "李红" not in public and "2 项不合格" in public
    assert "close-finding" not in public  # only staff close findings
    seen_by_staff = page(officer.get(venue_page))
    assert "李红" in seen_by_staff and "close-finding" in seen_by_staff

    finding_id = findings[0].id
    assert (
        vol.post(
            f"/s/donghua/night-patrol/findings/{finding_id}/close",
            data={"csrf_token": csrf_token_from(vol.get(venue_page)), "note": "x"},
        ).status_code
        == 403
    )
    closed = officer.post(
        f"/s/donghua/night-patrol/findings/{finding_id}/close",
        data={"csrf_token": csrf_token_from(officer.get(venue_page)), "note": "已清理通道，复查合格"},
    )
    assert closed.status_code == 302
    public = page(app.test_client().get(venue_page))
    assert "后门消防通道堆放酒箱" not in public and "无未成年人饮酒" in public
    assert "已清理通道，复查合格" in page(officer.get(venue_page))


@pytest.mark.parametrize("note", ["ok\x00", "已整改\x07", "", "长" * 1001])
def test_closing_a_finding_with_an_unusable_note_is_refused_naming_the_note(app, note):
    venue_id = add_venue(app)
    officer = staff(app)
    volunteer(app)
    finding_id = open_finding(app, venue_id)
    venue_page = f"{ALLIANCE}/{venue_id}"
    refused = officer.post(
        f"/s/donghua/night-patrol/findings/{finding_id}/close",
        data={"csrf_token": csrf_token_from(officer.get(venue_page)), "note": note},
    )
    assert refused.status_code == 400
    text = page(refused)
    assert f'aria-describedby="note-{finding_id}-problem"' in text and "请写明问题如何整改" in text
    with app.app_context():
        assert Finding.get_by_id(finding_id).closed_at is None
    closed = officer.post(
        f"/s/donghua/night-patrol/findings/{finding_id}/close",
        data={"csrf_token": csrf_token_from(officer.get(venue_page)), "note": "已清理通道\n复查合格"},
    )
    assert closed.status_code == 302
    with app.app_context():
        assert Finding.get_by_id(finding_id).close_note == "已清理通道\n复查合格"


def test_rejected_visit_opens_no_findings(app):
    venue_id = add_venue(app)
    officer = staff(app)
    vol = volunteer(app)
    visit(vol, venue_id=venue_id, photos=1, incident_book="fail", incident_book_note="没有登记簿")
    assert decide(officer, last_submission_id(app), "reject", slug="donghua", reason="照片看不清").status_code == 302
    with app.app_context():
        assert Finding.select().count() == 0 and VenueVisit.select().count() == 0
    assert "还没有通过审核的安全检查" in page(app.test_client().get(f"{ALLIANCE}/{venue_id}"))


# ---------------------------------------------------------------------------
# Tonight's patrol team
# ---------------------------------------------------------------------------


def test_tonight_page_shows_tonights_team_masked_for_the_public(app):
    officer = staff(app)
    volunteer(app, name="李红", phone="13800000001")
    volunteer(app, name="王小明", phone="13800000002")
    with app.app_context():
        night_of, _start, _end = tonight_window(station_of(app, "donghua"), utcnow())
        last_week = night_of - timedelta(days=7)
    tonight = shift(app, "donghua", night_of, "20:00", "02:00", title="今晚东华街夜巡")
    other_night = shift(app, "donghua", last_week, "20:00", "02:00", title="别的夜巡")
    for phone in ("13800000001", "13800000002"):
        grant_shield_drill(app, "donghua", phone)
        join(app, "donghua", tonight, phone)
    public = page(app.test_client().get("/s/donghua/night-patrol/"))
    assert "今晚东华街夜巡" in public and "别的夜巡" not in public and other_night
    assert "李*" in public and "王*" in public and "李红" not in public and "王小明" not in public
    assert "2 / 4 人" in public
    seen_by_staff = page(officer.get("/s/donghua/night-patrol/"))
    assert "李红" in seen_by_staff and "王小明" in seen_by_staff


# ---------------------------------------------------------------------------
# Other stations: invisible where not enabled, working where enabled by config
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["huguo", "xiaonanmen"])
def test_invisible_at_stations_that_do_not_enable_it(app, client, slug):
    venue_id = add_venue(app)
    for path in (
        "night-patrol/",
        "night-patrol/alliance",
        f"night-patrol/alliance/{venue_id}",
        "night-patrol/manage/alliance",
    ):
        assert client.get(f"/s/{slug}/{path}").status_code == 404, path
    home = page(client.get(f"/s/{slug}/"))
    assert "night-patrol" not in menu_of(home) and "酒吧联盟" not in home and "夜间巡逻" not in home
    types = {t["key"] for t in client.get(f"/api/v1/s/{slug}/task-types").get_json()["task_types"]}
    assert "night_patrol" not in types and "venue_visit" not in types
    assert {"night_patrol", "venue_visit"} <= {
        t["key"] for t in client.get("/api/v1/s/donghua/task-types").get_json()["task_types"]
    }
    vol = volunteer(app, slug, phone="13800000005")
    assert vol.get(f"/s/{slug}/work/venue_visit").status_code == 404


def test_huguo_runs_the_night_patrol_by_config_alone_with_its_own_data(make_app, tmp_path):
    app = make_app(STATIONS_DIR=str(stations_with_night_patrol_at_huguo(tmp_path)))
    donghua_venue = add_venue(app, "donghua", name="金马坊酒吧", licence="A1")
    huguo_venue = add_venue(app, "huguo", name="护国路清吧", licence="H1")
    client = app.test_client()

    alliance = page(client.get("/s/huguo/night-patrol/alliance"))
    assert "护国路清吧" in alliance and "护国街区酒吧不向学生售酒" in alliance
    assert "金马坊酒吧" not in alliance and "消防通道保持畅通" not in alliance
    assert client.get(f"/s/huguo/night-patrol/alliance/{donghua_venue}").status_code == 404
    assert client.get(f"/s/donghua/night-patrol/alliance/{huguo_venue}").status_code == 404
    assert "护国路清吧" not in page(client.get("/s/donghua/night-patrol/alliance"))
    home = page(client.get("/s/huguo/"))
    assert 'href="/s/huguo/night-patrol/"' in menu_of(home) and "夜间巡逻" in home
    assert "护学岗" in home  # its own brand stays

    # huguo's admin manages huguo's alliance only
    boss = admin(app, "huguo", phone="13700000019")
    assert "护国路清吧" in page(boss.get("/s/huguo/night-patrol/manage/alliance"))
    assert "金马坊酒吧" not in page(boss.get("/s/huguo/night-patrol/manage/alliance"))
    assert (
        action(boss, f"/s/huguo/night-patrol/manage/alliance/{donghua_venue}/suspend", "/s/huguo/").status_code == 404
    )

    # a night patrol at huguo, scored by huguo's settings (22:00–04:00, ×2, weekend +5)
    officer = staff(app, "huguo", phone="13700000011")
    vol = volunteer(app, "huguo", phone="13800000011")
    grant_shield_drill(app, "huguo", "13800000011")
    submission_id = patrolled(app, vol, officer, SATURDAY, "22:00", "04:00", slug="huguo", phone="13800000011")
    assert preview_lines(officer, submission_id, slug="huguo") == [
        ("任务积分", "+3"),
        ("夜间加成", "+3"),
        ("周末加分", "+5"),
    ]
    tonight = page(app.test_client().get("/s/huguo/night-patrol/"))
    assert "巡逻时段：22:00 – 04:00" in tonight

    # huguo's venue visits choose among huguo's venues; donghua's is refused there
    form = page(vol.get("/s/huguo/work/venue_visit"))
    assert "护国路清吧" in form and "金马坊酒吧" not in form
    assert visit(vol, "huguo", venue_id=donghua_venue).status_code == 400
    assert (
        visit(
            vol, "huguo", venue_id=huguo_venue, photos=1, security_staff="fail", security_staff_note="无安保"
        ).status_code
        == 302
    )
    assert decide(officer, last_submission_id(app), "approve", slug="huguo").status_code == 302
    with app.app_context():
        [finding] = list(Finding.select())
        assert finding.venue_id == huguo_venue and finding.station_id == station_of(app, "huguo").id
    assert "无安保" in page(client.get(f"/s/huguo/night-patrol/alliance/{huguo_venue}"))
    assert "无安保" not in page(client.get(f"/s/donghua/night-patrol/alliance/{donghua_venue}"))


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "key", "words"),
    [
        ("night_multiplier = 0.5", "night_multiplier", "expected a multiplier from 1"),
        ('night_multiplier = "lots"', "night_multiplier", "Not a valid number"),
        ("weekend_bonus = -1", "weekend_bonus", "expected whole points from 0 to 100"),
        ('night_start = "22:00"\nnight_end = "22:00"', "night_end", "must differ from night_start"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(tmp_path, settings, key, words):
    write_station(tmp_path, "alpha", plugins=["night_patrol"], extra=f"[plugin_settings.night_patrol]\n{settings}\n")
    with pytest.raises(StationConfigError) as refused:
        load_stations(tmp_path, registry())
    message = str(refused.value)
    assert f"key 'plugin_settings.night_patrol.{key}'" in message and words in message


def test_shipped_donghua_settings(app):
    settings = station_of(app, "donghua").plugin_config("night_patrol")
    assert (
        settings["night_start"],
        settings["night_end"],
        settings["night_multiplier"],
        settings["weekend_bonus"],
    ) == (
        "20:00",
        "02:00",
        1.5,
        2,
    )
