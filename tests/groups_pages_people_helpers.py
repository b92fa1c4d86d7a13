"""Shared by the group page test modules: the officer's and admin's phones, the admin signed in, acknowledging."""

from core.models import Role

from .tasks_pages_helpers import action, officer

OFFICER = "13700000001"
ADMIN = "13700000009"


def admin(app, slug="huguo", phone=ADMIN):
    return officer(app, slug, phone=phone, name="王所长", role=Role.STATION_ADMIN)


def ack(client, instruction_id):
    return action(client, f"/s/huguo/instructions/{instruction_id}/acknowledge", "/s/huguo/instructions")
