"""Points on a station's pages: check-in on the home page, "my points" with
its CSV, the leaderboard, and the station admin's adjustment and export."""

import csv
import io
import re
from datetime import timedelta

import pytest

from core import points
from core.accounts import create_user
from core.models import LedgerEntry, Role, User
from core.testing import csrf_token_from, post_form

PASSWORD = "abcdefgh1"
ADMIN_PHONES = {"huguo": "13599999991", "donghua": "13599999992", "xiaonanmen": "13599999993"}


@pytest.fixture
def app(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("REDARMBAND_INSTANCE_PATH", str(tmp_path / "instance"))
    return make_app()


def station_id(app, slug):
    with app.app_context():
        return app.extensions["redarmband"].tenancy.get(slug).id


def register(client, station="huguo", name="李红", phone="13800000001"):
    form = {
        "name": name,
        "phone": phone,
        "password": PASSWORD,
        "occupation": "courier",
        "accept_oath": "yes",
        "oath_version": "2024-1",
    }
    response = post_form(client, f"/s/{station}/register", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return phone


def staff(app, role, station="huguo", phone="13700000001", name="张警官"):
    """An officer or station admin of ``station``, and a client signed in as them."""
    with app.app_context():
        create_user(role=role, phone=phone, name=name, password=PASSWORD, station_id=station_id(app, station))
    client = app.test_client()
    assert post_form(client, f"/s/{station}/login", {"phone": phone, "password": PASSWORD}).status_code == 302
    return client


def give(app, phone, amount, reason="奖励", station="huguo"):
    """Book ``amount`` points for the volunteer with ``phone`` (as a station admin would)."""
    with app.app_context():
        station_ctx = app.extensions["redarmband"].tenancy.get(station)
        admin = User.get_or_none(User.role == Role.STATION_ADMIN, User.station == station_ctx.id)
        if admin is None:
            admin = create_user(
                role=Role.STATION_ADMIN,
                phone=ADMIN_PHONES[station],
                name="管理员",
                password=PASSWORD,
                station_id=station_ctx.id,
            )
        volunteer = User.get(User.phone == phone)
        key = f"test-{LedgerEntry.select().count()}"
        return points.adjust(station_ctx, admin, volunteer.id, amount, reason, key=key)


def balance_of(app, phone):
    with app.app_context():
        return User.get(User.phone == phone).points_balance


def page(response):
    return response.get_data(as_text=True)


# ---------------------------------------------------------------------------
# Check-in on the home page
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("station", ["huguo", "donghua", "xiaonanmen"])
def test_check_in_once_a_day_from_the_home_page(app, client, station):
    phone = register(client, station)
    home = page(client.get(f"/s/{station}/"))
    assert f'action="/s/{station}/checkin"' in home and ">签到<" in home
    assert "连续签到" in home

    response = client.post(f"/s/{station}/checkin", data={"csrf_token": csrf_token_from(client.get(f"/s/{station}/"))})
    assert response.status_code == 302 and response.headers["Location"] == f"/s/{station}/"
    after = page(client.get(f"/s/{station}/"))
    assert "签到成功：获得 1 积分（每日签到 +1）" in after
    assert "今天已签到" in after and f'action="/s/{station}/checkin"' not in after
    assert "1 天" in after  # the streak
    assert balance_of(app, phone) == 1

    again = client.post(f"/s/{station}/checkin", data={"csrf_token": csrf_token_from(client.get(f"/s/{station}/"))})
    assert again.status_code == 409
    assert "今天已经签过到了" in page(again)
    assert balance_of(app, phone) == 1
    with app.app_context():
        assert LedgerEntry.select().where(LedgerEntry.kind == "checkin").count() == 1


def test_check_in_message_in_english(client):
    register(client)
    client.get("/s/huguo/?lang=en")
    client.post("/s/huguo/checkin", data={"csrf_token": csrf_token_from(client.get("/s/huguo/"))})
    assert "Checked in: 1 points earned (Daily check-in +1)" in page(client.get("/s/huguo/"))


def test_check_in_needs_csrf_and_sign_in(app, client):
    token = csrf_token_from(client.get("/s/huguo/login"))
    response = client.post("/s/huguo/checkin", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/s/huguo/login")
    phone = register(client)
    assert client.post("/s/huguo/checkin").status_code == 400
    assert balance_of(app, phone) == 0


def test_home_page_has_no_check_in_for_visitors_or_staff(app, client):
    assert "/s/huguo/checkin" not in page(client.get("/s/huguo/"))
    officer = staff(app, Role.OFFICER)
    assert "/s/huguo/checkin" not in page(officer.get("/s/huguo/"))
    token = csrf_token_from(officer.get("/s/huguo/"))
    assert officer.post("/s/huguo/checkin", data={"csrf_token": token}).status_code == 403


def test_a_volunteer_cannot_check_in_at_another_station(app, client):
    phone = register(client, "xiaonanmen")
    token = csrf_token_from(client.get("/s/xiaonanmen/"))
    assert "/s/huguo/checkin" not in page(client.get("/s/huguo/"))
    assert client.post("/s/huguo/checkin", data={"csrf_token": token}).status_code == 404
    assert balance_of(app, phone) == 0


# ---------------------------------------------------------------------------
# My points
# ---------------------------------------------------------------------------


def test_my_points_shows_entries_with_breakdown_and_local_time(app, client):
    register(client)
    client.post("/s/huguo/checkin", data={"csrf_token": csrf_token_from(client.get("/s/huguo/"))})
    mine = page(client.get("/s/huguo/me/points"))
    assert "每日签到" in mine and "+1" in mine
    with app.app_context():
        entry = LedgerEntry.get()
        local = (entry.created_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # Asia/Shanghai
    assert local in mine
    english = page(client.get("/s/huguo/me/points?lang=en"))
    assert "Daily check-in" in english and "每日签到" not in english


def test_my_points_pages_newest_first(app, client):
    phone = register(client)
    for number in range(1, 26):
        give(app, phone, number, reason=f"事由-{number:02d}")
    first = page(client.get("/s/huguo/me/points"))
    reasons = re.findall(r"事由-(\d\d)", first)
    assert reasons == [f"{n:02d}" for n in range(25, 5, -1)]
    assert 'href="/s/huguo/me/points?page=2"' in first
    second = page(client.get("/s/huguo/me/points?page=2"))
    assert re.findall(r"事由-(\d\d)", second) == ["05", "04", "03", "02", "01"]
    assert 'href="/s/huguo/me/points?page=1"' in second and "page=3" not in second
    assert client.get("/s/huguo/me/points?page=3").status_code == 404
    assert client.get("/s/huguo/me/points?page=99999999999999999999").status_code == 404


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1.5", "٣"])
def test_a_bad_page_number_is_400(client, bad):
    register(client)
    response = client.get(f"/s/huguo/me/points?page={bad}")
    assert response.status_code == 400
    assert "page" in page(response)


def test_my_points_needs_a_volunteer_of_this_station(client):
    assert client.get("/s/huguo/me/points").status_code == 302
    register(client, "xiaonanmen")
    assert client.get("/s/huguo/me/points").status_code == 404
    assert client.get("/s/huguo/me/points.csv").status_code == 404


def test_my_points_csv_is_an_attachment_with_injection_guard(app, client):
    phone = register(client)
    give(app, phone, 5, reason='=HYPERLINK("http://evil.example","x")')
    give(app, phone, 3, reason="普通奖励")
    other = app.test_client()
    give(app, register(other, name="王芳", phone="13800000002"), 7, reason="别人的")

    response = client.get("/s/huguo/me/points.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".csv" in response.headers["Content-Disposition"]
    text = page(response)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["时间(UTC)", "日期"]
    body = rows[1:]
    assert [row[5] for row in body] == ["5", "3"]
    assert body[0][6] == '\'=HYPERLINK("http://evil.example","x")'
    assert body[1][6] == "普通奖励"
    assert all(row[3] == phone for row in body)
    assert "别人的" not in text


# ---------------------------------------------------------------------------
# Leaderboard
# ---------------------------------------------------------------------------


def test_leaderboard_masks_names_and_ranks_by_earned(app, client):
    first = register(app.test_client(), name="李红", phone="13800000011")
    second = register(app.test_client(), name="王小芳", phone="13800000012")
    elsewhere = register(app.test_client(), station="xiaonanmen", name="赵六", phone="13800000013")
    give(app, first, 10)
    give(app, second, 30)
    give(app, elsewhere, 50, station="xiaonanmen")

    for period in ("month", "all"):
        response = client.get(f"/s/huguo/leaderboard?period={period}")
        assert response.status_code == 200
        row = r'<td class="rank">(\d+)</td><td class="who">([^<]*)</td><td class="num">(\d+)</td>'
        rows = re.findall(row, page(response))
        assert rows == [("1", "王*", "30"), ("2", "李*", "10")]
        assert "李红" not in page(response) and "王小芳" not in page(response) and "赵" not in page(response)


def test_leaderboard_this_month_leaves_out_taken_points(app, client):
    phone = register(app.test_client(), name="李红", phone="13800000011")
    give(app, phone, 10)
    give(app, phone, -4)  # a take does not count against what was earned
    rows = re.findall(r'<td class="num">(\d+)</td>', page(client.get("/s/huguo/leaderboard")))
    assert rows == ["10"]


def test_leaderboard_refuses_an_unknown_period(client):
    response = client.get("/s/huguo/leaderboard?period=year")
    assert response.status_code == 400
    assert "period" in page(response)


# ---------------------------------------------------------------------------
# Menu
# ---------------------------------------------------------------------------


def menu_hrefs(response):
    found = re.search(r'<nav class="menu"[^>]*>(.*?)</nav>', page(response), re.DOTALL)
    return re.findall(r'<a href="([^"]*)">', found.group(1))


def test_menu_entries_follow_who_is_signed_in(app, client):
    anonymous = menu_hrefs(client.get("/s/huguo/"))
    assert "/s/huguo/rewards" in anonymous and "/s/huguo/leaderboard" in anonymous
    assert "/s/huguo/me/points" not in anonymous and "/s/huguo/manage/" not in anonymous

    register(client)
    volunteer = menu_hrefs(client.get("/s/huguo/"))
    assert {"/s/huguo/me/points", "/s/huguo/me/redemptions", "/s/huguo/rewards"} <= set(volunteer)
    assert "/s/huguo/collect" not in volunteer and "/s/huguo/manage/" not in volunteer
    assert "/s/donghua/me/points" not in menu_hrefs(client.get("/s/donghua/"))

    officer = menu_hrefs(staff(app, Role.OFFICER).get("/s/huguo/"))
    assert "/s/huguo/collect" in officer and "/s/huguo/manage/" in officer
    assert "/s/huguo/me/points" not in officer


# ---------------------------------------------------------------------------
# Station staff: adjustment and export
# ---------------------------------------------------------------------------


def test_staff_pages_are_403_for_volunteers_and_officers_where_admin_only(app, client):
    register(client)
    export = "/s/huguo/manage/points.csv?from=2026-01-01&to=2026-01-31"
    for path in ("/s/huguo/manage/", "/s/huguo/manage/adjust", export):
        assert client.get(path).status_code == 403, path
    officer = staff(app, Role.OFFICER)
    assert officer.get("/s/huguo/manage/").status_code == 200
    assert officer.get("/s/huguo/manage/adjust").status_code == 403
    assert officer.get("/s/huguo/manage/points.csv?from=2026-01-01&to=2026-01-31").status_code == 403
    elsewhere = staff(app, Role.STATION_ADMIN, station="xiaonanmen", phone="13700000009")
    assert elsewhere.get("/s/huguo/manage/adjust").status_code == 403
    assert app.test_client().get("/s/huguo/manage/adjust").status_code == 302  # sign in first


def adjust_form(admin):
    form_page = admin.get("/s/huguo/manage/adjust")
    key = re.search(r'name="key" value="([^"]+)"', page(form_page)).group(1)
    return csrf_token_from(form_page), key


def test_an_admin_adjusts_points_once_even_when_the_form_is_sent_twice(app, client):
    phone = register(client)
    admin = staff(app, Role.STATION_ADMIN)
    token, key = adjust_form(admin)
    form = {"csrf_token": token, "key": key, "phone": phone, "amount": "15", "reason": "表现突出"}
    first = admin.post("/s/huguo/manage/adjust", data=form)
    assert first.status_code == 302
    assert "李红" in page(admin.get("/s/huguo/manage/adjust"))  # the flashed confirmation
    second = admin.post("/s/huguo/manage/adjust", data=form)
    assert second.status_code == 302
    assert "已经登记过" in page(admin.get("/s/huguo/manage/adjust"))
    assert balance_of(app, phone) == 15
    with app.app_context():
        [entry] = LedgerEntry.select()
        assert (entry.kind, entry.reason, entry.amount) == ("adjustment", "表现突出", 15)
    assert "表现突出" in page(client.get("/s/huguo/me/points"))
    assert "人工调整" in page(client.get("/s/huguo/me/points"))


def test_adjust_form_keys_differ_between_forms(app):
    admin = staff(app, Role.STATION_ADMIN)
    assert adjust_form(admin)[1] != adjust_form(admin)[1]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"phone": "13999999999"}, "phone"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1.5"}, "amount"),
        ({"reason": "  "}, "reason"),
        ({"key": "not-a-uuid"}, "key"),
    ],
)
def test_adjust_refuses_bad_input_naming_the_field(app, client, change, field):
    phone = register(client)
    admin = staff(app, Role.STATION_ADMIN)
    token, key = adjust_form(admin)
    form = {"csrf_token": token, "key": key, "phone": phone, "amount": "5", "reason": "奖励", **change}
    response = admin.post("/s/huguo/manage/adjust", data=form)
    assert response.status_code == 400
    assert f'id="{field}-problem"' in page(response)
    assert balance_of(app, phone) == 0


def test_adjust_cannot_reach_a_volunteer_of_another_station(app):
    other = register(app.test_client(), station="xiaonanmen")
    admin = staff(app, Role.STATION_ADMIN)
    token, key = adjust_form(admin)
    form = {"csrf_token": token, "key": key, "phone": other, "amount": "5", "reason": "奖励"}
    response = admin.post("/s/huguo/manage/adjust", data=form)
    assert response.status_code == 400 and 'id="phone-problem"' in page(response)
    assert balance_of(app, other) == 0


def test_adjust_cannot_take_more_than_the_balance(app, client):
    phone = register(client)
    give(app, phone, 3)
    admin = staff(app, Role.STATION_ADMIN, phone="13700000002")
    token, key = adjust_form(admin)
    form = {"csrf_token": token, "key": key, "phone": phone, "amount": "-5", "reason": "扣分"}
    response = admin.post("/s/huguo/manage/adjust", data=form)
    assert response.status_code == 409
    assert "只有 3 积分" in page(response)
    assert balance_of(app, phone) == 3


def test_adjust_needs_csrf(app, client):
    phone = register(client)
    admin = staff(app, Role.STATION_ADMIN)
    _token, key = adjust_form(admin)
    response = admin.post("/s/huguo/manage/adjust", data={"key": key, "phone": phone, "amount": "5", "reason": "x"})
    assert response.status_code == 400
    assert balance_of(app, phone) == 0


def test_station_export_covers_the_stations_volunteers_in_the_date_range(app):
    first = register(app.test_client(), name="李红", phone="13800000011")
    second = register(app.test_client(), name="王芳", phone="13800000012")
    elsewhere = register(app.test_client(), station="xiaonanmen", name="赵六", phone="13800000013")
    give(app, first, 4, reason="=1+1")
    give(app, second, 6, reason="巡逻")
    give(app, elsewhere, 9, reason="别的派出所", station="xiaonanmen")
    admin = staff(app, Role.STATION_ADMIN, phone="13700000002")
    with app.app_context():
        today = points.local_date_of(app.extensions["redarmband"].tenancy.get("huguo"))

    response = admin.get(f"/s/huguo/manage/points.csv?from={today.replace(day=1)}&to={today}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(page(response).lstrip("\ufeff"))))[1:]
    assert [(row[2], row[5], row[6]) for row in rows] == [("李红", "4", "'=1+1"), ("王芳", "6", "巡逻")]

    before = today - timedelta(days=40)
    empty = admin.get(f"/s/huguo/manage/points.csv?from={before - timedelta(days=10)}&to={before}")
    assert list(csv.reader(io.StringIO(page(empty).lstrip("\ufeff"))))[1:] == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("to=2026-01-31", "from"),
        ("from=2026-01-01", "to"),
        ("from=2026-13-01&to=2026-12-31", "from"),
        ("from=20260101&to=2026-01-31", "from"),
        ("from=2026-01-01&to=yesterday", "to"),
        ("from=2026-02-01&to=2026-01-31", "to"),
        ("from=2025-01-01&to=2026-01-02", "to"),  # 367 days
    ],
)
def test_station_export_refuses_bad_dates_naming_the_field(app, query, field):
    admin = staff(app, Role.STATION_ADMIN)
    response = admin.get(f"/s/huguo/manage/points.csv?{query}")
    assert response.status_code == 400
    assert f"“{field}”" in page(response)


def test_station_export_takes_a_full_leap_year(app):
    admin = staff(app, Role.STATION_ADMIN)
    assert admin.get("/s/huguo/manage/points.csv?from=2028-01-01&to=2028-12-31").status_code == 200  # 366 days
