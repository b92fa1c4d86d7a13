"""The rewards catalogue and redemption (兑换) at designated places.

Redeeming debits the points and takes one from stock in one transaction, with
the reward's row locked, so the last item goes to exactly one of two
simultaneous requests. The redemption waits in ``reserved`` with a short
pickup code; collecting it at the place marks it ``collected`` exactly once.
Cancelling, or not collecting within the station's ``pickup_days``, gives the
points back (a refund entry reversing the debit) and returns the stock.
"""

import hashlib
import re
import secrets
from datetime import UTC, timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .db import for_update
from .models import EntryKind, LedgerEntry, LimitPeriod, Redemption, RedemptionState, Reward, Role, User, utcnow
from .points import Booking, local_date_of, month_of
from .validation import AwareDateTime
from .validation import TypedText as Text

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed on a phone
CODE_LENGTH = 8


class RewardError(Exception):
    """A refused catalogue or redemption action; nothing was changed."""

    status = 409
    code = "conflict"

    def __init__(self, message, *, code=None, status=None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.status = status or self.status


class NotFound(RewardError):
    status, code = 404, "not_found"


class NotAllowed(RewardError):
    status, code = 403, "forbidden"


# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------


class RewardSchema(Schema):
    """A reward as station staff create or change it (API and pages)."""

    name = Text(required=True, min_length=1, max_length=100)
    description = Text(load_default="", max_length=2000)
    cost = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    stock = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    limit_count = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=1_000_000)
    )
    limit_period = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LimitPeriod.ALL))
    visible_from = AwareDateTime(load_default=None, allow_none=True)
    visible_until = AwareDateTime(load_default=None, allow_none=True)
    place_name = Text(required=True, min_length=1, max_length=100)
    place_address = Text(required=True, min_length=1, max_length=200)
    place_hours = Text(required=True, min_length=1, max_length=100)
    active = fields.Boolean(load_default=True)

    @validates_schema
    def _consistent(self, data, partial=False, **_kwargs):
        if ("limit_count" in data or "limit_period" in data) and (
            (data.get("limit_count") is None) != (data.get("limit_period") is None)
        ):
            raise ValidationError("give both limit_count and limit_period, or neither", "limit_period")
        start, end = data.get("visible_from"), data.get("visible_until")
        if start and end and end <= start:
            raise ValidationError("must be after visible_from", "visible_until")


def require_staff(station, user):
    """Officers and admins of ``station`` manage its catalogue."""
    if user.station_id != station.id or not user.is_staff:
        raise NotAllowed("only this station's officers and admins may do this")


# Fields checked together: a change to one is checked against the other's stored value.
PAIRED_FIELDS = (("limit_count", "limit_period"), ("visible_from", "visible_until"))


def load_reward_changes(reward, raw):
    """Load a partial change of ``reward``, validating each changed field
    together with the stored value of its partner; raises ValidationError."""
    body = dict(raw)
    for pair in PAIRED_FIELDS:
        for name, partner in (pair, pair[::-1]):
            if name in body and partner not in body:
                stored = getattr(reward, partner)
                is_time = partner.startswith("visible_") and stored is not None
                body[partner] = stored.replace(tzinfo=UTC).isoformat() if is_time else stored
    return RewardSchema(partial=True).load(body)


def create_reward(station, user, data):
    require_staff(station, user)
    return Reward.create(station=station.id, created_by=user.id, **data)


def update_reward(station, user, reward_id, data):
    """Change a reward's fields (the keys of ``data``)."""
    require_staff(station, user)
    reward = get_reward(station, reward_id)
    if data:
        Reward.update(**data).where(Reward.id == reward.id).execute()
    return Reward.get_by_id(reward.id)


def get_reward(station, reward_id):
    reward = Reward.get_or_none(Reward.id == reward_id, Reward.station == station.id)
    if reward is None:
        raise NotFound("no such reward at this station")
    return reward


def is_visible(reward, now=None):
    now = now or utcnow()
    return (
        reward.active
        and (reward.visible_from is None or reward.visible_from <= now)
        and (reward.visible_until is None or now < reward.visible_until)
    )


def visible_rewards(station, now=None):
    now = now or utcnow()
    return list(
        Reward.select()
        .where(
            Reward.station == station.id,
            Reward.active == True,  # noqa: E712 - a peewee expression
            (Reward.visible_from.is_null()) | (Reward.visible_from <= now),
            (Reward.visible_until.is_null()) | (Reward.visible_until > now),
        )
        .order_by(Reward.cost, Reward.id)
    )


def all_rewards(station):
    return list(Reward.select().where(Reward.station == station.id).order_by(Reward.id.desc()))


# ---------------------------------------------------------------------------
# Redemption
# ---------------------------------------------------------------------------


def normalise_code(text):
    """A pickup code as typed or scanned: spaces, dashes and case ignored."""
    return re.sub(r"[\s-]", "", text or "").upper()


def _new_code():
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Redemption.select().where(Redemption.code == code).exists():
            return code


def redeem(station, volunteer, reward_id, now=None, request_key=None):
    """Spend ``volunteer``'s points on a reward; returns the redemption.

    With ``request_key`` (e.g. a form's one-time token), sending the same
    request again returns the first redemption instead of redeeming twice.
    """
    now = now or utcnow()
    if volunteer.station_id != station.id or volunteer.role != Role.VOLUNTEER:
        raise NotFound("no such reward at this station")
    ledger_key = None
    if request_key:
        digest = hashlib.sha256(f"{volunteer.id}:{request_key}".encode()).hexdigest()[:40]
        ledger_key = f"redemption-request:{digest}"
        already = (
            Redemption.select()
            .join(LedgerEntry, on=(Redemption.debit_entry == LedgerEntry.id))
            .where(LedgerEntry.idempotency_key == ledger_key)
            .first()
        )
        if already is not None:
            return already
    with Booking(station) as booking:
        booking.lock(volunteer.id)
        reward = for_update(Reward.select().where(Reward.id == reward_id, Reward.station == station.id)).first()
        if reward is None:
            raise NotFound("no such reward at this station")
        if not is_visible(reward, now):
            raise RewardError("this reward is not available now", code="not_available")
        if reward.stock <= 0:
            raise RewardError("this reward is out of stock", code="out_of_stock")
        month = month_of(local_date_of(station, now))
        _check_limit(reward, volunteer, month)
        code = _new_code()
        debit = booking.book(
            volunteer.id,
            -reward.cost,
            EntryKind.REDEMPTION,
            f"兑换 {reward.name}",
            key=ledger_key or f"redemption:{code}",
            breakdown=[
                {"rule": "core.redemption", "label": {"zh": "兑换", "en": "Redemption"}, "points": -reward.cost}
            ],
            caused_by=volunteer.id,
            local_date=local_date_of(station, now),
            created_at=now,
        )
        Reward.update(stock=Reward.stock - 1).where(Reward.id == reward.id).execute()
        redemption = Redemption.create(
            station=station.id,
            reward=reward.id,
            volunteer=volunteer.id,
            code=code,
            cost=reward.cost,
            local_month=month,
            debit_entry=debit,
            created_at=now,
            expires_at=now + timedelta(days=station.config.points.pickup_days),
        )
    station.hooks.fire("on_redemption", station=station, redemption=redemption, event="reserved")
    return redemption


def _check_limit(reward, volunteer, month):
    if reward.limit_count is None:
        return
    held = Redemption.select().where(
        Redemption.reward == reward.id,
        Redemption.volunteer == volunteer.id,
        Redemption.state.in_(RedemptionState.HELD),
    )
    if reward.limit_period == LimitPeriod.MONTH:
        held = held.where(Redemption.local_month == month)
    if held.count() >= reward.limit_count:
        period = "this month" if reward.limit_period == LimitPeriod.MONTH else "in all"
        raise RewardError(f"you may redeem this reward {reward.limit_count} time(s) {period}", code="limit_reached")


def get_redemption(station, code, now=None):
    """The redemption with this code at ``station`` (expired first if overdue)."""
    _expire_if_due(station, code, now or utcnow())
    redemption = Redemption.get_or_none(Redemption.code == normalise_code(code), Redemption.station == station.id)
    if redemption is None:
        raise NotFound("no such pickup code at this station")
    return redemption


def may_collect(station, user):
    return user.station_id == station.id and (user.is_staff or user.can_collect)


def collect(station, code, collector, now=None):
    """Mark a reserved redemption collected, exactly once."""
    now = now or utcnow()
    if not may_collect(station, collector):
        raise NotAllowed("you may not hand out rewards at this station")
    _expire_if_due(station, code, now)
    with Booking(station):
        redemption = for_update(
            Redemption.select().where(Redemption.code == normalise_code(code), Redemption.station == station.id)
        ).first()
        if redemption is None:
            raise NotFound("no such pickup code at this station")
        if redemption.volunteer_id == collector.id:
            raise NotAllowed("you cannot hand out your own redemption", code="own_redemption")
        _require_reserved(redemption)
        Redemption.update(state=RedemptionState.COLLECTED, collected_at=now, collected_by=collector.id).where(
            Redemption.id == redemption.id
        ).execute()
    redemption = Redemption.get_by_id(redemption.id)
    station.hooks.fire("on_redemption", station=station, redemption=redemption, event="collected")
    return redemption


def cancel(station, code, user, now=None):
    """Cancel a reserved redemption: the volunteer's own, or by station staff."""
    now = now or utcnow()
    redemption = get_redemption(station, code, now)
    if redemption.volunteer_id != user.id and not (user.station_id == station.id and user.is_staff):
        raise NotFound("no such pickup code at this station")  # not yours looks like not there
    return _close(station, redemption.id, RedemptionState.CANCELLED, "取消兑换，退还积分", user.id, now)


def _require_reserved(redemption):
    if redemption.state != RedemptionState.RESERVED:
        raise RewardError(f"this redemption is already {redemption.state}", code=f"already_{redemption.state}")


def _close(station, redemption_id, state, reason, by_id, now):
    """Refund and return stock for a reserved redemption; ``state`` says why."""
    with Booking(station) as booking:
        redemption = for_update(Redemption.select().where(Redemption.id == redemption_id)).get()
        _require_reserved(redemption)
        booking.lock(redemption.volunteer_id)
        refund = booking.reverse(
            redemption.debit_entry,
            reason,
            kind=EntryKind.REFUND,
            caused_by=by_id,
            key=f"refund:{redemption.code}",
            created_at=now,
        )
        Reward.update(stock=Reward.stock + 1).where(Reward.id == redemption.reward_id).execute()
        Redemption.update(state=state, closed_at=now, refund_entry=refund).where(
            Redemption.id == redemption.id
        ).execute()
    redemption = Redemption.get_by_id(redemption_id)
    station.hooks.fire("on_redemption", station=station, redemption=redemption, event=state)
    return redemption


def _expire_if_due(station, code, now):
    redemption = Redemption.get_or_none(Redemption.code == normalise_code(code), Redemption.station == station.id)
    if redemption and redemption.state == RedemptionState.RESERVED and redemption.expires_at <= now:
        try:
            _close(station, redemption.id, RedemptionState.EXPIRED, "逾期未领取，退还积分", None, now)
        except RewardError:
            pass  # another worker closed it first


def expire_due(station, now=None):
    """Expire every reserved redemption of ``station`` past its pickup time."""
    now = now or utcnow()
    due = Redemption.select(Redemption.code).where(
        Redemption.station == station.id,
        Redemption.state == RedemptionState.RESERVED,
        Redemption.expires_at <= now,
    )
    codes = [row.code for row in due]
    for code in codes:
        _expire_if_due(station, code, now)
    return len(codes)


def redemptions_of(station, volunteer, now=None):
    """A volunteer's redemptions, newest first; overdue ones expire first."""
    now = now or utcnow()
    mine = Redemption.select(Redemption, Reward).join(Reward).where(Redemption.volunteer == volunteer.id)
    for overdue in mine.where(Redemption.state == RedemptionState.RESERVED, Redemption.expires_at <= now):
        _expire_if_due(station, overdue.code, now)
    return list(mine.order_by(Redemption.id.desc()))


def grant_collect(user, allowed=True):
    User.update(can_collect=allowed).where(User.id == user.id).execute()
