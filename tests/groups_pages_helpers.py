"""Shared by the group page tests: instructions and mobilisations sent
through core's functions, groups by key, the SSE stream read as events."""

from datetime import timedelta

from core.groups import instructions, mobilisation
from core.models import Group, Mobilisation, Role, User, utcnow

from .groups_helpers import tenancy
from .tasks_pages_helpers import action, officer


def group_id(app, key="station:huguo"):
    with app.app_context():
        return Group.get(Group.key == key).id


def send(app, author_phone, text, key="station:huguo", **fields):
    """Post an instruction as ``author_phone`` through core; returns its id."""
    with app.app_context():
        author = User.get(User.phone == author_phone)
        data = {"text": text, "place": fields.pop("place", ""), "priority": fields.pop("priority", "normal"), **fields}
        sent, _reached = instructions.post(tenancy(app), author, group_id(app, key), data)
        return sent.id


def mobilise(app, admin_id, text="全员集结", key="station:huguo", hours=1):
    with app.app_context():
        admin = User.get_by_id(admin_id)
        data = {"text": text, "deadline": utcnow() + timedelta(hours=hours)}
        return mobilisation.start(tenancy(app), admin, group_id(app, key), data).id


def pass_deadline(app, mobilisation_id):
    """Time passes: the mobilisation's deadline was a minute ago."""
    with app.app_context():
        Mobilisation.update(deadline=utcnow() - timedelta(minutes=1)).where(
            Mobilisation.id == mobilisation_id
        ).execute()


def sse_events(text):
    """An event stream's text as a list of ``{field: value}`` (comments dropped)."""
    found = []
    for block in text.split("\n\n"):
        fields = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if fields:
            found.append(fields)
    return found


OFFICER = "13700000001"
ADMIN = "13700000009"


def admin(app, slug="huguo", phone=ADMIN):
    return officer(app, slug, phone=phone, name="王所长", role=Role.STATION_ADMIN)


def ack(client, instruction_id):
    return action(client, f"/s/huguo/instructions/{instruction_id}/acknowledge", "/s/huguo/instructions")
