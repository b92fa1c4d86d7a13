"""The model base class and field helpers shared by core's models."""

import json
from datetime import UTC, datetime

from peewee import Model, TextField

from ..db import database


def utcnow():
    """Now, as the naive UTC time every model stores."""
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database


class JSONField(TextField):
    """JSON kept as text, the same on SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)
