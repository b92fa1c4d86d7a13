"""Rewards on a station's pages: the catalogue, redeeming, my redemptions
with the pickup code and its QR code, collecting and cancelling.

The staff's catalogue management with photos is in
``test_rewards_manage_pages.py``; the shared helpers in
``rewards_pages_helpers.py``."""

import re
from datetime import timedelta

import pytest
import segno

from core import rewards
from core.models import LedgerEntry, Redemption, Role, User, utcnow
from core.testing import csrf_token_from, post_form
from tests.points_helpers import give_points, make_reward
from tests.rewards_pages_helpers import (
    add_reward,
    app_fixture,  # noqa: F401
    balance_of,
    code_from,
    collect,
    page,
    redeem,
    staff,
    station_of,
    stock_of,
    volunteer,
)

# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------


def test_catalogue_shows_visible_rewards_to_everyone(app, client):
    shown = add_reward(app, name="保温杯", cost=10, stock=3, place_name="护国派出所值班室", place_hours="周一至周五")
    add_reward(app, name="下架的伞", active=False)
    add_reward(app, name="明年的帽子", visible_from=utcnow() + timedelta(days=300))
    add_reward(app, name="过期的包", visible_until=utcnow() - timedelta(days=1))
    response = client.get("/s/huguo/rewards")
    assert response.status_code == 200
    text = page(response)
    assert "保温杯" in text and "护国派出所值班室" in text and "周一至周五" in text and "剩余 3 份" in text
    assert "下架的伞" not in text and "明年的帽子" not in text and "过期的包" not in text
    assert f"/s/huguo/rewards/{shown}/redeem" not in text  # not signed in: no button
    assert "登录后即可用积分兑换" in text


def test_catalogue_shows_the_redeem_button_to_a_volunteer_of_the_station(app):
    reward = add_reward(app)
    client = volunteer(app, points_to_give=20)
    text = page(client.get("/s/huguo/rewards"))
    assert f'action="/s/huguo/rewards/{reward}/redeem"' in text and "用 10 积分兑换" in text
    assert ">20<" in text  # the balance


def test_another_stations_volunteer_can_neither_see_nor_redeem_huguos_rewards(app):
    reward = add_reward(app, name="护国的保温杯")
    client = volunteer(app, station="xiaonanmen", points_to_give=50)
    assert "护国的保温杯" not in page(client.get("/s/xiaonanmen/rewards"))
    assert redeem(client, reward, station="xiaonanmen").status_code == 404
    token = csrf_token_from(client.get("/s/xiaonanmen/rewards"))
    assert client.post(f"/s/huguo/rewards/{reward}/redeem", data={"csrf_token": token}).status_code == 404
    assert f"/s/huguo/rewards/{reward}/redeem" not in page(client.get("/s/huguo/rewards"))
    assert balance_of(app, "13800000001") == 50 and stock_of(app, reward) == 5


# ---------------------------------------------------------------------------
# Redeem → my redemption → collect
# ---------------------------------------------------------------------------


def qr_matrix_of(svg_path):
    """The dark modules of a segno SVG path ("M x y h n m dx dy …")."""
    dark, x, y = set(), 0, 0.0
    for command, numbers in re.findall(r"([Mmh])([-\d. ]+)", svg_path):
        values = [float(v) for v in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            dark.update((int(x + i), int(y)) for i in range(int(values[0])))
            x += values[0]
    return dark


def segno_dark_modules(text, border=4):
    qr = segno.make_qr(text, error="m")
    return {(col + border, row + border) for row, line in enumerate(qr.matrix) for col, cell in enumerate(line) if cell}


def test_redeem_then_collect_through_the_pages(app):
    reward = add_reward(app, name="保温杯", cost=10, stock=2, place_name="护国派出所值班室")
    client = volunteer(app, points_to_give=25)

    response = redeem(client, reward)
    assert response.status_code == 302
    code = code_from(response)
    assert balance_of(app, "13800000001") == 15 and stock_of(app, reward) == 1

    mine = page(client.get(f"/s/huguo/me/redemptions/{code}"))
    assert "兑换成功：保温杯" in mine  # flashed
    assert f'<p class="code" aria-label="兑换码">{code}</p>' in mine
    assert "待领取" in mine and "护国派出所值班室" in mine
    assert f'action="/s/huguo/me/redemptions/{code}/cancel"' in mine
    with app.app_context():
        expires = Redemption.get(Redemption.code == code).expires_at
    assert (expires + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in mine  # station-local
    svg_path = re.search(r'<svg viewBox="[^"]+" class="qr">.*?<path[^>]* d="([^"]+)"', mine, re.DOTALL).group(1)
    assert qr_matrix_of(svg_path) == segno_dark_modules(f"http://localhost/s/huguo/collect?code={code}")

    listing = page(client.get("/s/huguo/me/redemptions"))
    assert code in listing and "保温杯" in listing

    officer = staff(app)
    lookup = officer.get(f"/s/huguo/collect?code={code.lower()}")
    assert lookup.status_code == 200
    assert "李红" in page(lookup) and "保温杯" in page(lookup) and "138****0001" in page(lookup)
    assert "确认发放此奖品" in page(lookup)

    done = collect(officer, code)
    assert done.status_code == 302
    after = page(officer.get(done.headers["Location"]))
    assert "已发放：保温杯，领取人 李红" in after and "已领取" in after and "确认发放此奖品" not in after

    again = collect(officer, code)
    assert again.status_code == 409
    assert "这个奖品已经领取" in page(again)
    with app.app_context():
        redemption = Redemption.get(Redemption.code == code)
        assert redemption.state == "collected" and redemption.collected_by.phone == "13700000001"
    assert balance_of(app, "13800000001") == 15
    volunteer_view = page(client.get(f"/s/huguo/me/redemptions/{code}"))
    assert "已领取" in volunteer_view and "/cancel" not in volunteer_view


def test_redeem_needs_csrf(app):
    reward = add_reward(app)
    client = volunteer(app, points_to_give=20)
    assert client.post(f"/s/huguo/rewards/{reward}/redeem").status_code == 400
    assert balance_of(app, "13800000001") == 20


def test_cancel_refunds_the_points_and_returns_the_stock(app):
    reward = add_reward(app, cost=10, stock=1)
    client = volunteer(app, points_to_give=12)
    code = code_from(redeem(client, reward))
    assert balance_of(app, "13800000001") == 2 and stock_of(app, reward) == 0

    token = csrf_token_from(client.get(f"/s/huguo/me/redemptions/{code}"))
    cancelled = client.post(f"/s/huguo/me/redemptions/{code}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 302
    text = page(client.get(cancelled.headers["Location"]))
    assert "已取消，10 积分已退还" in text and "已取消" in text and "/cancel" not in text
    assert balance_of(app, "13800000001") == 12 and stock_of(app, reward) == 1
    with app.app_context():
        assert [e.kind for e in LedgerEntry.select().order_by(LedgerEntry.id)][-2:] == ["redemption", "refund"]

    again = client.post(f"/s/huguo/me/redemptions/{code}/cancel", data={"csrf_token": token})
    assert again.status_code == 409 and "已取消" in page(again)
    assert balance_of(app, "13800000001") == 12

    officer = staff(app)
    refused = collect(officer, code)
    assert refused.status_code == 409 and "这笔兑换已取消" in page(refused)
    assert "这笔兑换已取消" in page(officer.get(f"/s/huguo/collect?code={code}"))


@pytest.mark.parametrize(
    "setup, message",
    [
        ({"cost": 100}, "你有 20 积分，兑换这个奖品需要 100 积分"),
        ({"stock": 0}, "这个奖品已经兑完了"),
        ({"active": False}, "这个奖品目前不能兑换"),
        ({"limit_count": 1, "limit_period": "month", "stock": 5, "cost": 1}, "每人每月限兑 1 次，你已兑满"),
        ({"limit_count": 1, "limit_period": "ever", "stock": 5, "cost": 1}, "每人限兑 1 次，你已兑满"),
    ],
)
def test_a_refused_redemption_is_409_with_a_message_and_books_nothing(app, setup, message):
    reward = add_reward(app, **setup)
    client = volunteer(app, points_to_give=20)
    if "limit_count" in setup:
        assert redeem(client, reward).status_code == 302
    before = balance_of(app, "13800000001")
    response = redeem(client, reward)
    assert response.status_code == 409
    assert message in page(response)
    assert balance_of(app, "13800000001") == before


def test_refusals_are_translated(app):
    reward = add_reward(app, stock=0)
    client = volunteer(app, points_to_give=20)
    client.get("/s/huguo/rewards?lang=en")
    response = redeem(client, reward)
    assert response.status_code == 409 and "Sorry, this reward is out of stock." in page(response)


def test_only_volunteers_redeem(app):
    reward = add_reward(app)
    officer = staff(app)
    token = csrf_token_from(officer.get("/s/huguo/rewards"))
    assert officer.post(f"/s/huguo/rewards/{reward}/redeem", data={"csrf_token": token}).status_code == 403
    assert redeem(volunteer(app), 999999).status_code == 404


# ---------------------------------------------------------------------------
# Who sees a redemption
# ---------------------------------------------------------------------------


def test_only_the_owner_and_station_staff_see_a_redemption(app):
    reward = add_reward(app, cost=1)
    owner = volunteer(app, points_to_give=5)
    code = code_from(redeem(owner, reward))
    neighbour = volunteer(app, name="王芳", phone="13800000002")
    assert neighbour.get(f"/s/huguo/me/redemptions/{code}").status_code == 404
    token = csrf_token_from(neighbour.get("/s/huguo/"))
    assert neighbour.post(f"/s/huguo/me/redemptions/{code}/cancel", data={"csrf_token": token}).status_code == 404
    assert code not in page(neighbour.get("/s/huguo/me/redemptions"))

    elsewhere = volunteer(app, station="xiaonanmen", name="赵六", phone="13800000003")
    assert elsewhere.get(f"/s/xiaonanmen/me/redemptions/{code}").status_code == 404
    assert elsewhere.get(f"/s/huguo/me/redemptions/{code}").status_code == 404
    other_officer = staff(app, station="xiaonanmen", phone="13700000009")
    assert other_officer.get(f"/s/xiaonanmen/me/redemptions/{code}").status_code == 404
    assert other_officer.get(f"/s/huguo/collect?code={code}").status_code == 403

    assert staff(app).get(f"/s/huguo/me/redemptions/{code}").status_code == 200
    assert owner.get("/s/huguo/me/redemptions/NOSUCHCODE").status_code == 404
    with app.app_context():
        assert Redemption.get(Redemption.code == code).state == "reserved"


# ---------------------------------------------------------------------------
# Collect
# ---------------------------------------------------------------------------


def test_collect_is_for_officers_admins_and_granted_users(app):
    reward = add_reward(app, cost=1)
    owner = volunteer(app, points_to_give=5)
    code = code_from(redeem(owner, reward))
    assert owner.get("/s/huguo/collect").status_code == 403
    assert collect(volunteer(app, name="王芳", phone="13800000002"), code).status_code == 403
    assert app.test_client().get("/s/huguo/collect").status_code == 302  # sign in first
    assert staff(app, Role.STATION_ADMIN, phone="13700000002").get("/s/huguo/collect").status_code == 200

    helper = volunteer(app, name="钱七", phone="13800000004")
    with app.app_context():
        rewards.grant_collect(User.get(User.phone == "13800000004"))
    assert "/s/huguo/collect" in page(helper.get("/s/huguo/"))  # in the menu now
    assert collect(helper, code).status_code == 302
    with app.app_context():
        assert Redemption.get(Redemption.code == code).state == "collected"


def test_nobody_hands_out_their_own_redemption(app):
    reward = add_reward(app, cost=1)
    owner = volunteer(app, points_to_give=5)
    with app.app_context():
        rewards.grant_collect(User.get(User.phone == "13800000001"))
    code = code_from(redeem(owner, reward))
    lookup = page(owner.get(f"/s/huguo/collect?code={code}"))
    assert "这是你自己的兑换" in lookup and "确认发放此奖品" not in lookup
    response = collect(owner, code)
    assert response.status_code == 403 and "这是你自己的兑换" in page(response)
    with app.app_context():
        assert Redemption.get(Redemption.code == code).state == "reserved"


def test_collect_explains_unknown_and_expired_codes(app):
    officer = staff(app)
    form = officer.get("/s/huguo/collect?code=ab-cd 2345")
    assert form.status_code == 404 and "本所没有这个兑换码" in page(form)
    assert 'name="code" value="ABCD2345"' in page(form)  # prefilled, normalised

    reward = add_reward(app, cost=1)
    volunteer(app, points_to_give=5)
    with app.app_context():
        owner = User.get(User.phone == "13800000001")
        late = rewards.redeem(station_of(app, "huguo"), owner, reward, now=utcnow() - timedelta(days=8))
    assert balance_of(app, "13800000001") == 4
    lookup = officer.get(f"/s/huguo/collect?code={late.code}")
    assert "这笔兑换已过期" in page(lookup) and "确认发放此奖品" not in page(lookup)
    response = collect(officer, late.code)
    assert response.status_code == 409 and "这笔兑换已过期" in page(response)
    assert balance_of(app, "13800000001") == 5  # refunded on expiry

    empty = post_form(officer, "/s/huguo/collect", {"code": "  "})
    assert empty.status_code == 400 and "请输入兑换码" in page(empty)

    huguo_code = late.code
    other = staff(app, station="xiaonanmen", phone="13700000009")
    assert collect(other, huguo_code, station="xiaonanmen").status_code == 404


def test_collect_needs_csrf(app):
    reward = add_reward(app, cost=1)
    code = code_from(redeem(volunteer(app, points_to_give=5), reward))
    assert staff(app).post("/s/huguo/collect", data={"code": code}).status_code == 400
    with app.app_context():
        assert Redemption.get(Redemption.code == code).state == "reserved"


def test_ids_too_large_for_a_row_are_404(app):
    huge = 99999999999999999999
    assert app.test_client().get(f"/s/huguo/rewards/{huge}/photo").status_code == 404
    assert app.test_client().get(f"/s/huguo/rewards/{huge}/photo/thumb").status_code == 404
    assert redeem(volunteer(app, points_to_give=5), huge).status_code == 404
    assert staff(app).get(f"/s/huguo/manage/rewards/{huge}").status_code == 404


def test_a_double_tapped_redeem_button_redeems_once(app, client):
    response = post_form(
        client,
        "/s/huguo/register",
        {
            "name": "双击",
            "phone": "13866660000",
            "password": "password1",
            "occupation": "driver",
            "accept_oath": "yes",
            "oath_version": "2024-1",
        },
    )
    assert response.status_code == 302
    volunteer_id = User.get(User.phone == "13866660000").id
    give_points(app, volunteer_id, 10)
    reward = make_reward(app, cost=3, stock=5)
    page = client.get("/s/huguo/rewards").get_data(as_text=True)
    key = re.search(r'name="request_key" value="([0-9a-f]+)"', page).group(1)
    form = {"csrf_token": csrf_token_from(client.get("/s/huguo/rewards")), "request_key": key}
    first = client.post(f"/s/huguo/rewards/{reward.id}/redeem", data=form)
    second = client.post(f"/s/huguo/rewards/{reward.id}/redeem", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert Redemption.select().count() == 1
    assert User.get_by_id(volunteer_id).points_balance == 7


def test_the_qr_code_file_is_for_the_owner_and_staff_and_encodes_the_collect_page(app):
    reward = add_reward(app, cost=1)
    owner = volunteer(app, points_to_give=5)
    code = code_from(redeem(owner, reward))
    response = owner.get(f"/s/huguo/redemptions/{code}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg_path = re.search(r'<path[^>]* d="([^"]+)"', response.get_data(as_text=True)).group(1)
    assert qr_matrix_of(svg_path) == segno_dark_modules(f"http://localhost/s/huguo/collect?code={code}")
    neighbour = volunteer(app, name="王芳", phone="13800000002")
    assert neighbour.get(f"/s/huguo/redemptions/{code}/qr.svg").status_code == 404
    assert staff(app).get(f"/s/huguo/redemptions/{code}/qr.svg").status_code == 200
