"""Instructions travel down the tree (传指令): an officer posts to a group,
and it reaches every member of that group and of every group below it.

Who it reached is written when it is posted, in one INSERT … SELECT: a city
instruction to 200,000 volunteers is one statement, and "who has not
acknowledged" is then a plain query. Acknowledging is one guarded UPDATE,
so a second acknowledgement is refused (409) and changes nothing.
"""

import json

from flask import current_app
from marshmallow import Schema, fields, validate
from peewee import Value, fn

from ..db import for_update, write_transaction
from ..models import (
    Group,
    Instruction,
    InstructionRecipient,
    Notification,
    Priority,
    User,
    utcnow,
)
from ..photos import PhotoRejected, delete_photos, save_photos
from ..validation import AwareDateTime, TypedText
from .errors import GroupError, forbidden, invalid, not_found
from .tree import audience, get_group, may_instruct, may_see


class InstructionSchema(Schema):
    text = TypedText(required=True, min_length=1, max_length=2000)
    place = TypedText(load_default="", max_length=200)
    priority = fields.String(load_default=Priority.NORMAL, validate=validate.OneOf(Priority.ALL))
    deadline = AwareDateTime(load_default=None, allow_none=True)


MAX_PHOTOS = 3
DEFAULT_MAX_PHOTO_BYTES = 5 * 1024 * 1024  # for city and district groups, which have no station config


def _save_photos(group, tenancy, photos, now):
    """Store every photo or none (a refused one takes the others with it)."""
    if len(photos) > MAX_PHOTOS:
        raise invalid({"photos": [f"at most {MAX_PHOTOS} photos"]})
    station = next((s for s in tenancy.stations.values() if s.id == group.station_id), None)
    max_bytes = station.config.tasks.max_photo_bytes if station else DEFAULT_MAX_PHOTO_BYTES
    folder_owner = station.slug if station else "city"
    try:
        return save_photos(
            current_app._get_current_object(),
            folder_owner,
            "instructions",
            photos,
            max_bytes=max_bytes,
            today=now.date(),
        )
    except PhotoRejected as rejected:
        raise invalid({"photos": [f"photo {rejected.number}: {rejected}"]}) from rejected


def post(tenancy, author, group_id, data, now=None, photos=()):
    """Post an instruction (with up to three photos' bytes); returns
    ``(instruction, how many it reached)``."""
    now = now or utcnow()
    group = get_group(group_id)
    if not may_see(author, group, tenancy):
        raise not_found("group")  # another station's group looks like no group
    if not may_instruct(author, group, tenancy):
        raise forbidden("only officers and admins post instructions", "staff_only")
    if data.get("deadline") is not None and data["deadline"] <= now:
        raise invalid({"deadline": ["must be in the future"]})
    saved = _save_photos(group, tenancy, list(photos), now) if photos else []
    try:
        instruction = _write(tenancy, author, group, data, saved, now)
    except BaseException:
        delete_photos(current_app._get_current_object(), saved)
        raise
    count = InstructionRecipient.select().where(InstructionRecipient.instruction == instruction.id).count()
    return instruction, count


def send_alert(tenancy, author, group, data, photos=(), now=None):
    """Post an urgent instruction for core itself, without the sender's
    permission check (a volunteer's 寻找走失儿童 report reaches the whole
    district in their name). ``photos`` are stored paths, shared with the
    report. Call inside the transaction of what caused it; returns
    ``(instruction, how many it reached)``."""
    instruction = _write(tenancy, author, group, data, list(photos), now or utcnow())
    count = InstructionRecipient.select().where(InstructionRecipient.instruction == instruction.id).count()
    return instruction, count


def _write(tenancy, author, group, data, photos, now):
    with write_transaction():
        # Live pages follow "instructions with an id above the last one seen".
        # On PostgreSQL an id is drawn when the row is inserted, not when it
        # commits, so a long city-wide fan-out could commit after a later id
        # was read and never reach an open page: one instruction is written
        # at a time (the city group's row is the lock; SQLite's BEGIN
        # IMMEDIATE does this already).
        for_update(Group.select(Group.id).where(Group.key == "city")).first()
        instruction = Instruction.create(
            group=group.id,
            author=author.id,
            text=data["text"],
            place=data.get("place", ""),
            priority=data.get("priority", Priority.NORMAL),
            deadline=data.get("deadline"),
            photos=photos,
            created_at=now,
        )
        reached = audience(group, tenancy).where(User.id != author.id)
        rows = reached.select(Value(instruction.id), User.id, User.station)
        InstructionRecipient.insert_from(
            rows, [InstructionRecipient.instruction, InstructionRecipient.user, InstructionRecipient.station]
        ).execute()
    return instruction


def photo_path(tenancy, user, instruction_id, position):
    """A stored photo of an instruction, for those it reached and its sender's side."""
    instruction = Instruction.get_or_none(Instruction.id == instruction_id)
    if instruction is None or not 1 <= position <= len(instruction.photos or []):
        raise not_found("photo")
    reached = (
        InstructionRecipient.select()
        .where(InstructionRecipient.instruction == instruction.id, InstructionRecipient.user == user.id)
        .exists()
    )
    if not reached and not may_instruct(user, Group.get_by_id(instruction.group_id), tenancy):
        raise not_found("photo")
    return instruction.photos[position - 1]


def instructions_of(user, *, after_id=None, limit=50):
    """Instructions that reached ``user``, newest first, each with its
    ``acknowledged_at`` (``after_id``: only newer ones, for live pages and
    clients catching up)."""
    query = (
        Instruction.select(Instruction, InstructionRecipient.acknowledged_at, Group.name.alias("group_name"))
        .join(InstructionRecipient, on=(InstructionRecipient.instruction == Instruction.id))
        .switch(Instruction)
        .join(Group, on=(Instruction.group == Group.id))
        .where(InstructionRecipient.user == user.id)
    )
    if after_id is None:
        return list(query.order_by(Instruction.id.desc()).limit(limit).objects())
    # the OLDEST ``limit`` after it: a client catching up after a long gap
    # asks again from the last one it got, and misses none
    oldest = list(query.where(Instruction.id > after_id).order_by(Instruction.id).limit(limit).objects())
    return oldest[::-1]


def unread_count(user):
    return (
        InstructionRecipient.select()
        .where(InstructionRecipient.user == user.id, InstructionRecipient.acknowledged_at.is_null())
        .count()
    )


def acknowledge(user, instruction_id, now=None):
    now = now or utcnow()
    moved = (
        InstructionRecipient.update(acknowledged_at=now)
        .where(
            InstructionRecipient.instruction == instruction_id,
            InstructionRecipient.user == user.id,
            InstructionRecipient.acknowledged_at.is_null(),
        )
        .execute()
    )
    if moved:
        return now
    if (
        InstructionRecipient.select()
        .where(InstructionRecipient.instruction == instruction_id, InstructionRecipient.user == user.id)
        .exists()
    ):
        raise GroupError("you have acknowledged this instruction already", code="already_acknowledged")
    raise not_found("instruction")


def _own_instruction(tenancy, user, instruction_id):
    instruction = Instruction.get_or_none(Instruction.id == instruction_id)
    if instruction is None or not may_instruct(user, Group.get_by_id(instruction.group_id), tenancy):
        raise not_found("instruction")
    return instruction


def status_of(tenancy, user, instruction_id, limit=500):
    """Who acknowledged and who has not: ``(instruction, acknowledged, waiting)``
    as lists of recipient rows (with their user), at most ``limit`` of each —
    a city-wide instruction reaches 200,000; :func:`tally` gives the counts."""
    instruction = _own_instruction(tenancy, user, instruction_id)

    def rows(acknowledged):
        done = InstructionRecipient.acknowledged_at.is_null(not acknowledged)
        return list(
            InstructionRecipient.select(InstructionRecipient, User)
            .join(User, on=(InstructionRecipient.user == User.id))
            .where(InstructionRecipient.instruction == instruction.id, done)
            .order_by(User.name, User.id)
            .limit(limit)
        )

    return instruction, rows(True), rows(False)


REMINDER = "instruction_reminder"  # the notification kind


def remind(tenancy, user, instruction_id, now=None):
    """Remind those who have not acknowledged: each gets an in-app
    notification; returns how many."""
    now = now or utcnow()
    instruction = _own_instruction(tenancy, user, instruction_id)
    waiting = (InstructionRecipient.instruction == instruction.id) & InstructionRecipient.acknowledged_at.is_null()
    with write_transaction():
        reminded = InstructionRecipient.update(reminded_at=now).where(waiting).execute()
        about = {"instruction_id": instruction.id, "text": instruction.text[:100]}
        Notification.insert_from(
            InstructionRecipient.select(
                InstructionRecipient.station,
                InstructionRecipient.user,
                Value(REMINDER),
                Value(json.dumps(about, ensure_ascii=False)),
                Value(now),
            ).where(waiting),
            [Notification.station, Notification.user, Notification.kind, Notification.data, Notification.created_at],
        ).execute()
    return reminded


def tally(instruction_id):
    """``(acknowledged, total)`` of one instruction."""
    row = (
        InstructionRecipient.select(fn.COUNT(InstructionRecipient.acknowledged_at), fn.COUNT(InstructionRecipient.id))
        .where(InstructionRecipient.instruction == instruction_id)
        .tuples()
        .get()
    )
    return row[0], row[1]
