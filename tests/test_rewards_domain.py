"""The rewards catalogue and redemption rules, below the pages and the API."""

from datetime import datetime, timedelta

import pytest
from marshmallow import ValidationError

from core.models import LedgerEntry, Redemption, Reward, User
from core.points import verify_balances
from core.rewards import (
    NotAllowed,
    NotFound,
    RewardError,
    RewardSchema,
    cancel,
    collect,
    create_reward,
    expire_due,
    grant_collect,
    redeem,
    redemptions_of,
    visible_rewards,
)
from tests.points_helpers import REWARD, give_points, make_reward, staff, station

NOW = datetime(2026, 11, 10, 4, 0)  # 12:00 in Asia/Shanghai


@pytest.fixture
def volunteer(app, register_volunteer):
    return give_points(app, register_volunteer("huguo").get_json()["id"], 20)


def fresh(user):
    return User.get_by_id(user.id)


def test_redeeming_debits_points_takes_stock_and_gives_a_short_code(app, volunteer):
    reward = make_reward(app, cost=3, stock=2)
    with app.test_request_context():
        redemption = redeem(station(app), volunteer, reward.id, NOW)
    assert redemption.state == "reserved" and len(redemption.code) == 8
    assert not set(redemption.code) & set("01OIL")
    assert fresh(volunteer).points_balance == 17 and Reward.get_by_id(reward.id).stock == 1
    assert redemption.expires_at == NOW + timedelta(days=7)  # the default pickup_days
    assert LedgerEntry.get_by_id(redemption.debit_entry_id).amount == -3


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"cost": 21}, "insufficient_points"),
        ({"stock": 0}, "out_of_stock"),
        ({"active": False}, "not_available"),
        ({"visible_from": "2026-12-01T00:00:00+08:00"}, "not_available"),
        ({"visible_until": "2026-11-10T11:00:00+08:00"}, "not_available"),
    ],
)
def test_refused_redemptions_book_nothing(app, volunteer, fields, code):
    reward = make_reward(app, **fields)
    with app.test_request_context():
        with pytest.raises(Exception) as refused:
            redeem(station(app), volunteer, reward.id, NOW)
    assert getattr(refused.value, "code", None) == code
    assert fresh(volunteer).points_balance == 20 and Redemption.select().count() == 0


def test_another_stations_reward_is_not_found(app, register_volunteer):
    outsider = give_points(app, register_volunteer("xiaonanmen").get_json()["id"], 20, slug="xiaonanmen")
    reward = make_reward(app, slug="huguo")
    with app.test_request_context(), pytest.raises(NotFound):
        redeem(station(app, "xiaonanmen"), outsider, reward.id, NOW)
    with app.test_request_context(), pytest.raises(NotFound):
        redeem(station(app, "huguo"), outsider, reward.id, NOW)


def test_monthly_limit_resets_in_the_next_station_local_month(app, volunteer):
    reward = make_reward(app, cost=1, limit_count=1, limit_period="month")
    huguo = station(app)
    with app.test_request_context():
        redeem(huguo, volunteer, reward.id, NOW)
        with pytest.raises(RewardError) as limited:
            redeem(huguo, fresh(volunteer), reward.id, NOW)
        assert limited.value.code == "limit_reached"
        # 2026-11-30 16:30 UTC is already December 1st in Asia/Shanghai
        redeem(huguo, fresh(volunteer), reward.id, datetime(2026, 11, 30, 16, 30))


def test_a_cancelled_redemption_frees_the_limit_and_refunds(app, volunteer):
    reward = make_reward(app, cost=5, stock=1, limit_count=1, limit_period="ever")
    huguo = station(app)
    with app.test_request_context():
        first = redeem(huguo, volunteer, reward.id, NOW)
        cancelled = cancel(huguo, first.code, fresh(volunteer), NOW)
        refund = LedgerEntry.get_by_id(cancelled.refund_entry_id)
        redeem(huguo, fresh(volunteer), reward.id, NOW)
    assert cancelled.state == "cancelled" and refund.kind == "refund" and refund.reverses_id == first.debit_entry_id
    assert fresh(volunteer).points_balance == 15 and Reward.get_by_id(reward.id).stock == 0
    assert verify_balances() == []


def test_collecting_happens_once_by_staff_or_a_granted_account(app, volunteer, register_volunteer):
    reward = make_reward(app)
    huguo = station(app)
    shopkeeper = User.get_by_id(register_volunteer("huguo", phone="13811110000").get_json()["id"])
    with app.test_request_context():
        redemption = redeem(huguo, volunteer, reward.id, NOW)
        with pytest.raises(NotAllowed):
            collect(huguo, redemption.code, shopkeeper, NOW)
        grant_collect(shopkeeper)
        done = collect(huguo, redemption.code.lower(), fresh(shopkeeper), NOW)
        with pytest.raises(RewardError) as twice:
            collect(huguo, redemption.code, fresh(shopkeeper), NOW)
    assert done.state == "collected" and done.collected_by_id == shopkeeper.id
    assert twice.value.code == "already_collected"


def test_nobody_collects_their_own_redemption(app, volunteer):
    grant_collect(volunteer)
    reward = make_reward(app)
    with app.test_request_context():
        redemption = redeem(station(app), fresh(volunteer), reward.id, NOW)
        with pytest.raises(NotAllowed) as own:
            collect(station(app), redemption.code, fresh(volunteer), NOW)
    assert own.value.code == "own_redemption"


def test_codes_of_another_station_are_unknown_there(app, volunteer):
    reward = make_reward(app)
    donghua_officer = staff(app, slug="donghua", phone="13700000099")
    with app.test_request_context():
        redemption = redeem(station(app), volunteer, reward.id, NOW)
        with pytest.raises(NotFound):
            collect(station(app, "donghua"), redemption.code, donghua_officer, NOW)


def test_only_the_owner_or_staff_can_cancel(app, volunteer, register_volunteer):
    other = User.get_by_id(register_volunteer("huguo", phone="13811119999").get_json()["id"])
    reward = make_reward(app)
    with app.test_request_context():
        redemption = redeem(station(app), volunteer, reward.id, NOW)
        with pytest.raises(NotFound):
            cancel(station(app), redemption.code, other, NOW)
        officer = staff(app, phone="13700000123")
        assert cancel(station(app), redemption.code, officer, NOW).state == "cancelled"


def test_uncollected_redemptions_expire_with_a_refund(app, volunteer, runner):
    reward = make_reward(app, cost=4, stock=3)
    huguo = station(app)
    with app.test_request_context():
        lazy = redeem(huguo, volunteer, reward.id, NOW)
        batch = redeem(huguo, fresh(volunteer), reward.id, NOW)
        later = NOW + timedelta(days=7, minutes=1)
        officer = staff(app, phone="13700000321")
        with pytest.raises(RewardError) as expired:
            collect(huguo, lazy.code, officer, later)  # expires on the spot, then refuses
        assert expired.value.code == "already_expired"
        assert expire_due(huguo, later) == 1
        assert {r.code: r.state for r in redemptions_of(huguo, fresh(volunteer), later)} == {
            lazy.code: "expired",
            batch.code: "expired",
        }
    assert fresh(volunteer).points_balance == 20 and Reward.get_by_id(reward.id).stock == 3
    assert verify_balances() == []


def test_points_expire_command_expires_what_is_due(app, volunteer, runner):
    reward = make_reward(app)
    with app.test_request_context():
        redeem(station(app), volunteer, reward.id, datetime.utcnow() - timedelta(days=8))
    result = runner.invoke(["points", "expire"])
    assert result.exit_code == 0 and "huguo: 1 expired" in result.output
    assert fresh(volunteer).points_balance == 20


def test_only_staff_of_the_station_manage_the_catalogue(app, volunteer):
    with pytest.raises(NotAllowed):
        create_reward(station(app), volunteer, RewardSchema().load(REWARD))
    with pytest.raises(NotAllowed):
        create_reward(station(app), staff(app, slug="donghua", phone="13700000555"), RewardSchema().load(REWARD))


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"cost": 0}, "cost"),
        ({"stock": -1}, "stock"),
        ({"limit_count": 2}, "limit_period"),
        ({"visible_from": "2026-12-02T00:00:00+08:00", "visible_until": "2026-12-01T00:00:00+08:00"}, "visible_until"),
        ({"visible_from": "2026-12-02T00:00:00"}, "visible_from"),  # a time without its zone
        ({"cost": "3"}, "cost"),
    ],
)
def test_reward_schema_names_the_bad_field(fields, field):
    with pytest.raises(ValidationError) as error:
        RewardSchema().load({**REWARD, **fields})
    assert field in error.value.messages


def test_visible_rewards_are_the_stations_active_ones_in_their_window(app):
    make_reward(app, name="现在", cost=2)
    make_reward(app, name="未来", visible_from="2027-01-01T00:00:00+08:00")
    make_reward(app, name="停用", active=False)
    make_reward(app, slug="donghua", name="别处")
    assert [r.name for r in visible_rewards(station(app), NOW)] == ["现在"]
