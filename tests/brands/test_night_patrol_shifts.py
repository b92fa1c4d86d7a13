"""Night patrol at donghua: shifts that need the 一棍一盾 drill, night and weekend scoring, tonight's team."""

from datetime import datetime, timedelta

from core.models import LedgerEntry, Submission, utcnow
from core.testing import csrf_token_from
from plugins.night_patrol.scoring import night_fraction
from plugins.night_patrol.views import tonight_window

from ..tasks_pages_helpers import decide, page, sign_up, station_of, user_id
from .night_patrol_helpers import (
    SATURDAY,
    SHANGHAI,
    WEDNESDAY,
    grant_shield_drill,
    join,
    patrolled,
    preview_lines,
    shift,
    staff,
    volunteer,
)

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
