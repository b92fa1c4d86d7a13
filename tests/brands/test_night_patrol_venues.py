"""Night patrol at donghua: the bar alliance's venues, managed and listed, their safety checks and findings."""

import re

import pytest

from core.models import Submission, User
from core.tasks import TaskError
from core.tasks.submissions import load_submission, submit
from core.testing import csrf_token_from, post_form
from plugins.night_patrol.models import Finding, Venue, VenueVisit

from ..tasks_pages_helpers import action, decide, last_submission_id, menu_of, page, station_of, user_id
from .night_patrol_helpers import add_venue, admin, staff, visit, volunteer

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
