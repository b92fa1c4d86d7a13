"""Open311 API keys: another system posts requests to one station with one.

The key is shown once, when it is made; only its SHA-256 is stored, so a
copy of the database does not hand out working keys. A key is issued by a
station admin, who answers for what is posted with it (an urgent report
posted with it alerts the district in their name).
"""

import hashlib
import hmac
import secrets

from ..models import Open311Key, Role, User, utcnow
from .errors import IncidentError

KEY_BYTES = 24


def _digest(key):
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(station, admin, label="", now=None):
    """A new key for ``station``, issued by ``admin`` (a station admin of it).
    Returns ``(row, key)``: the key itself is not kept."""
    if admin is None or admin.station_id != station.id or admin.role != Role.STATION_ADMIN or not admin.active:
        raise IncidentError(
            "Open311 keys are issued by an active admin of the station", code="not_station_admin", status=403
        )
    key = f"ra_{secrets.token_urlsafe(KEY_BYTES)}"
    row = Open311Key.create(
        station=station.id,
        digest=_digest(key),
        prefix=key[:10],
        label=(label or "")[:100],
        issued_by=admin.id,
        created_at=now or utcnow(),
    )
    return row, key


def key_for(station, key):
    """The live key row ``key`` opens at ``station``, or ``None``."""
    if not key or len(key) > 200:
        return None
    row = Open311Key.get_or_none(Open311Key.digest == _digest(key), Open311Key.revoked_at.is_null())
    if row is None or row.station_id != station.id:
        return None
    # the lookup is by digest; compare again in constant time all the same
    return row if hmac.compare_digest(row.digest, _digest(key)) else None


def revoke(station, prefix, now=None):
    """Revoke the station's live keys starting with ``prefix``; returns how many."""
    return (
        Open311Key.update(revoked_at=now or utcnow())
        .where(Open311Key.station == station.id, Open311Key.prefix == prefix[:10], Open311Key.revoked_at.is_null())
        .execute()
    )


def keys_of(station):
    return list(
        Open311Key.select(Open311Key, User.name.alias("issuer"))
        .join(User, on=(Open311Key.issued_by == User.id))
        .where(Open311Key.station == station.id)
        .order_by(Open311Key.id)
        .objects()
    )


__all__ = ["create_key", "key_for", "keys_of", "revoke"]
