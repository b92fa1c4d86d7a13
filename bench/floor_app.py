"""The floor: the least a check-in endpoint can do, in bare Flask + peewee.

Serve it exactly like the app, on a city made by ``make_city.py``::

    REDARMBAND_DATABASE_URL=sqlite:////path/city.sqlite3 \\
    .venv/bin/gunicorn -w 2 -b 127.0.0.1:8001 --chdir bench 'floor_app:create_app()'

``POST /api/v1/me/checkins`` does per request what a check-in cannot do
without, against the same tables, with the same SQLite settings (core.db's
pragmas, a connection kept open per worker, ``BEGIN IMMEDIATE``):

1. find the bearer token's user (SHA-256 digest, one indexed join);
2. in one write transaction: read the volunteer's row (the balance), insert a
   ``LedgerEntry`` (unique ``checkin:<volunteer>:<day>`` key, so a second
   check-in the same day fails as it must), add to ``points_balance`` and
   ``points_earned``;
3. answer 201 with the entry id and the new balance as JSON (409 for a
   second check-in the same day).

It does not keep ``CheckIn`` or ``EarnedByMonth`` rows, score with rules,
compute a streak or fire hooks: that is what the app does on top of it.

``GET /api/v1/me`` (token lookup, JSON) and ``GET /health`` are there to test
the load generator against.
"""

import hashlib
import json
import os
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, jsonify, request
from peewee import (
    CharField,
    DateField,
    DateTimeField,
    IntegerField,
    IntegrityError,
    Model,
    SqliteDatabase,
    TextField,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.db import SQLITE_PRAGMAS

STATION_TZ = timezone(timedelta(hours=8))  # Asia/Shanghai, as make_city.py's stations
BREAKDOWN = json.dumps(
    [{"label": {"en": "Daily check-in", "zh": "每日签到"}, "points": 1, "rule": "core.checkin"}], ensure_ascii=False
)

database = SqliteDatabase(None, pragmas=SQLITE_PRAGMAS)


class BaseModel(Model):
    class Meta:
        database = database


class User(BaseModel):
    station_id = IntegerField()
    name = CharField()
    points_balance = IntegerField()
    points_earned = IntegerField()
    active = IntegerField()

    class Meta:
        table_name = "user"


class ApiToken(BaseModel):
    user_id = IntegerField()
    token_digest = CharField()

    class Meta:
        table_name = "apitoken"


class LedgerEntry(BaseModel):
    station_id = IntegerField()
    volunteer_id = IntegerField()
    amount = IntegerField()
    kind = CharField()
    reason = CharField()
    breakdown = TextField()
    caused_by_id = IntegerField(null=True)
    created_at = DateTimeField()
    local_date = DateField()
    earned = IntegerField()
    idempotency_key = CharField()

    class Meta:
        table_name = "ledgerentry"


def _user_for_request():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    return (
        User.select(User.id, User.station_id, User.name, User.points_balance, User.active)
        .join(ApiToken, on=(ApiToken.user_id == User.id))
        .where(ApiToken.token_digest == digest, User.active == 1)
        .first()
    )


def create_app():
    url = os.environ["REDARMBAND_DATABASE_URL"]
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        raise SystemExit("the floor app runs on SQLite only")
    database.init(parts.path[1:])
    app = Flask(__name__)

    @app.get("/health")
    def health():
        return {"ok": True}

    @app.get("/api/v1/me")
    def me():
        user = _user_for_request()
        if user is None:
            return {"error": "unauthorized"}, 401
        return {"id": user.id, "name": user.name, "points_balance": user.points_balance}

    @app.post("/api/v1/me/checkins")
    def check_in():
        user = _user_for_request()
        if user is None:
            return {"error": "unauthorized"}, 401
        now = datetime.now(UTC)
        today = now.astimezone(STATION_TZ).date()
        try:
            with database.atomic("IMMEDIATE"):
                volunteer = User.select(User.points_balance).where(User.id == user.id).get()
                entry = LedgerEntry.create(
                    station_id=user.station_id,
                    volunteer_id=user.id,
                    amount=1,
                    kind="checkin",
                    reason=f"签到 {today.isoformat()}",
                    breakdown=BREAKDOWN,
                    caused_by_id=user.id,
                    created_at=now.replace(tzinfo=None),
                    local_date=today,
                    earned=1,
                    idempotency_key=f"checkin:{user.id}:{today.isoformat()}",
                )
                User.update(points_balance=User.points_balance + 1, points_earned=User.points_earned + 1).where(
                    User.id == user.id
                ).execute()
        except IntegrityError:
            return {"error": "already checked in today"}, 409
        return jsonify(
            {"entry": entry.id, "balance": volunteer.points_balance + 1, "local_date": today.isoformat()}
        ), 201

    return app
