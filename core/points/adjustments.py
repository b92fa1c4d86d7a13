"""A station admin's manual adjustment, with its mandatory reason."""

import hashlib

from ..models import EntryKind, Role, User, utcnow
from .booking import Booking, PointsError, local_date_of


class AdjustmentRefused(PointsError):
    """``status`` is 403 when the person may not adjust, else 400; ``field``
    names the input at fault."""

    code = "adjustment_refused"

    def __init__(self, message, *, field=None, status=400):
        super().__init__(message)
        self.field, self.status = field, status


def adjust(station, admin, volunteer_id, amount, reason, key, now=None):
    """Add or take points by hand; ``reason`` is mandatory and recorded.

    ``key`` makes a retried adjustment book nothing twice. Refused (nothing
    booked) unless ``admin`` is this station's admin and the volunteer is
    this station's; a take that would go below zero raises
    :class:`InsufficientPoints`.
    """
    if admin.station_id != station.id or admin.role != Role.STATION_ADMIN:
        raise AdjustmentRefused("only this station's admins may adjust points", status=403)
    reason = (reason or "").strip()
    if not reason:
        raise AdjustmentRefused("a reason is required", field="reason")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise AdjustmentRefused("the amount must be a whole number other than 0", field="amount")
    volunteer = User.get_or_none(User.id == volunteer_id, User.station == station.id, User.role == Role.VOLUNTEER)
    if volunteer is None:
        raise AdjustmentRefused("no such volunteer at this station", field="volunteer_id")
    now = now or utcnow()
    # per admin, and hashed: any caller's key fits the column
    digest = hashlib.sha256(f"{admin.id}:{key}".encode()).hexdigest()[:40]
    with Booking(station) as booking:
        return booking.book(
            volunteer.id,
            amount,
            EntryKind.ADJUSTMENT,
            reason,
            key=f"adjustment:{digest}",
            local_date=local_date_of(station, now),
            created_at=now,
            breakdown=[
                {"rule": "core.adjustment", "label": {"zh": "人工调整", "en": "Manual adjustment"}, "points": amount}
            ],
            caused_by=admin.id,
            earned=amount if amount > 0 else 0,
        )
