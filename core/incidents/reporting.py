"""Volunteers (and Open311 clients) report incidents.

Everything that can be checked is checked before a photo is written; the
photos are then re-encoded like task photos (:mod:`core.photos`: EXIF and
GPS gone) and the incident, its first timeline line and — for an urgent
category such as 寻找走失儿童 — its urgent instruction to the whole district
are written in one transaction. A refusal leaves no row and no file.
"""

import logging
import math
import secrets
from datetime import timedelta

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from ..db import write_transaction
from ..groups.instructions import send_alert
from ..models import (
    DistrictAdmin,
    Group,
    Incident,
    IncidentEvent,
    IncidentEventKind,
    IncidentSource,
    IncidentState,
    Priority,
    Role,
    User,
    utcnow,
)
from ..photos import discard_photos, save_station_photos
from ..tenancy import current_tenancy
from ..validation import TypedText
from .errors import forbidden, invalid
from .ordering import hold_timeline

logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 4000  # Open311's limit for a request's description
MAX_ADDRESS = 200
EARTH_RADIUS_M = 6_371_000


class ReportSchema(Schema):
    """A report's own fields; the category's extra fields come as ``fields``."""

    category = fields.String(required=True, validate=validate.Length(min=1, max=60))
    description = TypedText(required=True, min_length=1, max_length=MAX_DESCRIPTION)
    extra_fields = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields", attribute="fields")
    latitude = fields.Float(
        load_default=None, allow_none=True, allow_nan=False, validate=validate.Range(min=-90, max=90)
    )
    longitude = fields.Float(
        load_default=None, allow_none=True, allow_nan=False, validate=validate.Range(min=-180, max=180)
    )
    address = TypedText(load_default="", max_length=MAX_ADDRESS)
    hide_name = fields.Boolean(load_default=False)

    @validates_schema
    def _somewhere(self, data, **_kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("give both latitude and longitude, or neither", "longitude")
        if data.get("latitude") is None and not (data.get("address") or "").strip():
            raise ValidationError("say where: latitude and longitude, or an address", "location")


def load_report(raw):
    """Load :class:`ReportSchema` data; raises a 400 naming the fields."""
    try:
        data = ReportSchema().load(raw, unknown=RAISE)
    except ValidationError as error:
        raise invalid(
            {key: value if isinstance(value, list) else [str(value)] for key, value in error.messages.items()}
        ) from error
    data["address"] = data["address"].strip()
    data["description"] = data["description"].strip()
    if not data["description"]:
        raise invalid({"description": ["say what you see"]})
    return data


def check_category(station, data, photo_count):
    """The station's category of ``data`` and its loaded extra fields;
    raises a 400 naming what is wrong (nothing is stored)."""
    category = station.incident_category(data["category"])
    if category is None:
        known = ", ".join(c.key for c in station.incident_categories)
        raise invalid(
            {"category": [f"unknown incident category {data['category']!r} at this station; expected one of: {known}"]}
        )
    problems, extra = {}, {}
    loader = category.fields_loader()
    if loader is not None:
        try:
            extra = loader.load(data["fields"], unknown=RAISE)
        except ValidationError as error:
            for key, messages in error.messages.items():
                problems[f"fields.{key}"] = messages if isinstance(messages, list) else [str(messages)]
    elif data["fields"]:
        problems["fields"] = [f"{category.key!r} reports have no extra fields"]
    if photo_count > category.max_photos:
        problems["photos"] = [f"at most {category.max_photos} photos; got {photo_count}"]
    if problems:
        raise invalid(problems)
    return category, extra


def report(
    station, reporter, data, photos=(), *, now=None, source=IncidentSource.VOLUNTEER, contact=None, alert_author=None
):
    """Record an incident: ``data`` from :func:`load_report`, ``photos`` the
    uploaded files' bytes. ``reporter`` is a member of the station, or
    ``None`` for an Open311 client; an urgent category's instruction is then
    sent in the name of ``alert_author`` (the admin who issued the key).
    Returns the incident."""
    now = now or utcnow()
    if reporter is not None and not may_report(station, reporter):
        raise forbidden("only members of this station report incidents here", "not_a_member")
    category, extra = check_category(station, data, len(photos))
    saved = save_station_photos(station, "incidents", list(photos), now, invalid)
    try:
        with write_transaction():
            hold_timeline(station)
            incident = Incident.create(
                station=station.id,
                category=category.key,
                description=data["description"],
                fields=extra,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                address=data.get("address", ""),
                photos=saved,
                source=source,
                reporter=reporter.id if reporter else None,
                hide_name=bool(data.get("hide_name")),
                contact=contact or {},
                urgent=category.urgent,
                token=secrets.token_urlsafe(18),
                created_at=now,
                updated_at=now,
            )
            event = IncidentEvent.create(
                incident=incident.id,
                station=station.id,
                kind=IncidentEventKind.REPORTED,
                actor=reporter.id if reporter else None,
                to_state=IncidentState.OPEN,
                created_at=now,
            )
            if category.urgent:
                author = _hidden_behind_staff(station, reporter, incident.hide_name) if reporter else alert_author
                instruction = _send_urgent_alert(station, author, category, incident, now)
                Incident.update(alert=instruction.id).where(Incident.id == incident.id).execute()
    except BaseException:
        discard_photos(saved)
        raise
    incident = Incident.get_by_id(incident.id)
    station.hooks.fire("on_incident_changed", station=station, incident=incident, event=event)
    return incident


def _hidden_behind_staff(station, reporter, hide_name):
    """Who sends a member's urgent alert: the reporter — or, if they asked to
    hide their name from other volunteers, someone answerable in their place
    (everyone it reaches sees its sender's name): the station's first active
    admin, else officer, else the district's admin, else a city admin. Only
    a deployment with none of these at all sends it in the reporter's name."""
    if not hide_name or reporter.is_staff:
        return reporter
    active = User.active == True  # noqa: E712 - a peewee expression
    candidates = (
        User.select().where(User.station == station.id, User.role == Role.STATION_ADMIN, active),
        User.select().where(User.station == station.id, User.role == Role.OFFICER, active),
        User.select()
        .join(DistrictAdmin, on=(DistrictAdmin.user == User.id))
        .where(DistrictAdmin.district == station.config.district, User.role == Role.DISTRICT_ADMIN, active),
        User.select().where(User.role == Role.CITY_ADMIN, active),
    )
    for query in candidates:
        sender = query.order_by(User.id).first()
        if sender is not None:
            return sender
    logger.warning("station %s: no admin to send a hidden reporter's urgent alert; sent in their name", station.slug)
    return reporter


def _send_urgent_alert(station, author, category, incident, now):
    """An urgent instruction to every group of the station's district: its
    own station, the other stations there and all their teams."""
    district = Group.get(Group.key == f"district:{station.config.district}")
    where = incident.address or f"{incident.latitude:.5f}, {incident.longitude:.5f}"
    details = "；".join(f"{label}：{value}" for label, value in labelled_fields(category, incident.fields, station))
    text = f"【{category.label.zh}】{station.config.name}：{incident.description}"
    if details:
        text += f"（{details}）"
    instruction, _count = send_alert(
        current_tenancy(),
        author,
        district,
        {"text": text[:2000], "place": where[:200], "priority": Priority.URGENT, "deadline": None},
        photos=incident.photos,
        now=now,
    )
    return instruction


def labelled_fields(category, values, station=None):
    """The filled-in extra fields as ``(Chinese label, shown value)`` in the
    schema's order: a chosen value shows its label (拾到物品, not "found").
    ``choices`` may be a list or, as for task types, a callable(station)."""
    loader = category.fields_loader()
    if loader is None:
        return []
    shown = []
    for name, field in loader.fields.items():
        value = values.get(name)
        if value in ("", None):
            continue
        label = field.metadata.get("label")
        choices = field.metadata.get("choices") or ()
        choices = dict(choices(station) if callable(choices) else choices)
        value = choices.get(value, value)
        shown.append((getattr(label, "zh", None) or name, getattr(value, "zh", value)))
    return shown


def distance_m(lat1, lon1, lat2, lon2):
    """The great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def likely_duplicates(station, category, *, latitude=None, longitude=None, address="", now=None, limit=5):
    """Live reports of ``category`` at the station that are probably the same
    thing: within ``[incidents] duplicate_radius_m`` metres and
    ``duplicate_hours`` hours (or, without coordinates, at the same address),
    nearest first, as ``(incident, metres or None)``."""
    now = now or utcnow()
    settings = station.config.incidents
    query = Incident.select().where(
        Incident.station == station.id,
        Incident.category == category,
        Incident.state.in_(IncidentState.LIVE),
        Incident.created_at >= now - timedelta(hours=settings.duplicate_hours),
    )
    radius = settings.duplicate_radius_m
    if latitude is not None and longitude is not None:
        # a box around the point narrows the rows in SQL; the exact distance is then computed
        d_lat = math.degrees(radius / EARTH_RADIUS_M)
        d_lon = d_lat / max(math.cos(math.radians(latitude)), 0.01)
        boxed = query.where(
            Incident.latitude.between(latitude - d_lat, latitude + d_lat),
            Incident.longitude.between(longitude - d_lon, longitude + d_lon),
        )
        found = [
            (incident, distance_m(latitude, longitude, incident.latitude, incident.longitude))
            for incident in boxed.limit(200)
        ]
        found = [(incident, round(metres)) for incident, metres in found if metres <= radius]
        found.sort(key=lambda pair: (pair[1], -pair[0].id))
    else:
        wanted = " ".join((address or "").split()).casefold()
        if not wanted:
            return []
        candidates = query.where(Incident.address != "").order_by(Incident.id.desc()).limit(200)
        found = [(incident, None) for incident in candidates if " ".join(incident.address.split()).casefold() == wanted]
    return found[:limit]


def may_report(station, user):
    """Whether ``user`` reports incidents at ``station``: its active members."""
    return user is not None and user.active and user.station_id == station.id and user.role in Role.STATION_ROLES
