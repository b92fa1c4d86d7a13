"""The demo: three shipped stations, their accounts, tasks, teams and reports.

``redarmband demo`` runs it on a database of its own (``core.cli.demo``);
these functions fill that database and are safe to run again: what exists is
kept. The stations are ``core/demo/stations`` (the repository's ``stations/``,
shipped in the wheel), so the demo works outside a checkout too.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..accounts import RegistrationSchema, create_user, register_volunteer
from ..groups.tree import add_member, create_team
from ..incidents.lifecycle import change_state
from ..incidents.reporting import load_report, report
from ..models import Group, GroupKind, Incident, IncidentState, Role, Task, User
from ..tasks.posting import WeeklyPatternSchema, post_weekly
from ..tenancy import current_tenancy

STATIONS = Path(__file__).resolve().parent / "stations"
PASSWORD = "redarmband"  # public: the demo's accounts must never sit beside real ones
# Demo shifts by task type: school-gate duty at arrival, night patrol across midnight.
DEMO_SHIFTS = {"night_patrol": ("20:00", "02:00")}
DEFAULT_DEMO_SHIFT = ("07:30", "08:30")
# Demo teams of each station, made by its station admin; the demo volunteer joins the first.
DEMO_TEAMS = ("第一巡逻队", "第二巡逻队")
CITY_ADMIN_PHONE = "13900009999"


def is_demo_phone(phone):
    """The demo's phones: 1390000 + two digits + 01–03, 139000098NN and the city admin's."""
    return phone == CITY_ADMIN_PHONE or (
        len(phone) == 11 and phone.startswith("1390000") and (phone[7:9] == "98" or phone[9:] in ("01", "02", "03"))
    )


def fill():
    """Everything the demo shows; returns the log-ins ``(where, role, phone)``."""
    logins = create_accounts()
    create_tasks()
    create_groups()
    create_incidents()
    return logins


def create_accounts():
    """One volunteer, officer and station admin per station, a district admin
    per district of the enabled stations, and a city admin.

    Phones are 1390000 + station number + role number (13900000101 …), 139000098
    + district number for district admins (13900009801 …) and 13900009999 for
    the city admin; existing ones are kept.
    """
    logins = []
    stations = sorted(current_tenancy().stations.values(), key=lambda s: s.slug)
    for number, station in enumerate(stations, start=1):
        prefix = f"1390000{number:02d}"
        volunteer_phone = f"{prefix}01"
        if not User.select().where(User.phone == volunteer_phone).exists():
            data = RegistrationSchema(station=station).load(
                {
                    "name": f"{station.config.name}志愿者",
                    "phone": volunteer_phone,
                    "password": PASSWORD,
                    "occupation": "shop_staff",
                    "accept_oath": True,
                    "oath_version": station.config.oath_version,
                }
            )
            register_volunteer(station, data)
        logins.append((station.slug, Role.VOLUNTEER, volunteer_phone))
        for suffix, role, title in (("02", Role.OFFICER, "民警"), ("03", Role.STATION_ADMIN, "管理员")):
            phone = f"{prefix}{suffix}"
            _ensure_user(role=role, phone=phone, name=f"{station.config.name}{title}", station_id=station.id)
            logins.append((station.slug, role, phone))
    districts = sorted({station.config.district for station in stations})
    for number, district in enumerate(districts, start=1):
        phone = f"139000098{number:02d}"
        _ensure_user(
            role=Role.DISTRICT_ADMIN, phone=phone, name=f"{district}管理员", station_id=None, district=district
        )
        logins.append((district, Role.DISTRICT_ADMIN, phone))
    _ensure_user(role=Role.CITY_ADMIN, phone=CITY_ADMIN_PHONE, name="市级管理员", station_id=None)
    logins.append(("(city)", Role.CITY_ADMIN, CITY_ADMIN_PHONE))
    return logins


def create_tasks():
    """Two weeks of school-day tasks of each station's first task type (its
    brand's own, e.g. 护学岗 at huguo), posted by its demo officer; a station
    that has tasks already is left alone."""
    today = datetime.now(UTC).date()
    for station in current_tenancy().stations.values():
        if Task.select().where(Task.station == station.id).exists():
            continue
        officer = User.get_or_none(User.station == station.id, User.role == Role.OFFICER)
        if officer is None or not station.task_types:
            continue
        task_type = station.task_types[0]
        start, end = DEMO_SHIFTS.get(task_type.key, DEFAULT_DEMO_SHIFT)
        pattern = {
            "type": task_type.key,
            "title": f"{station.config.name} · {task_type.label.zh}",
            "place": station.config.name,
            "capacity": 5,
            "weekdays": [1, 2, 3, 4, 5],
            "start_time": start,
            "end_time": end,
            "first_date": today.isoformat(),
            "last_date": (today + timedelta(days=14)).isoformat(),
        }
        post_weekly(station, officer, WeeklyPatternSchema().load(pattern))


def create_groups():
    """The ``DEMO_TEAMS`` of each station, made by its station admin, with the
    station's demo volunteer in the first; a team that exists already is left
    alone, so a second demo start adds nothing."""
    for station in current_tenancy().stations.values():
        admin = (
            User.select().where(User.station == station.id, User.role == Role.STATION_ADMIN).order_by(User.id).first()
        )
        if admin is None:
            continue
        volunteer = (
            User.select().where(User.station == station.id, User.role == Role.VOLUNTEER).order_by(User.id).first()
        )
        for number, name in enumerate(DEMO_TEAMS):
            if (
                Group.select()
                .where(Group.station == station.id, Group.kind == GroupKind.TEAM, Group.name == name)
                .exists()
            ):
                continue
            team = create_team(station, admin, name)
            if number == 0 and volunteer is not None:
                add_member(station, admin, team.id, volunteer.id)


# A few live reports per station, near the centre of Kunming: (category, description, fields, address, offset).
DEMO_INCIDENTS = (
    ("illegal_parking", "白色轿车停在消防通道上，挡住了小区大门。", {"plate": "云A·12345"}, "小区东门消防通道", 0.0000),
    (
        "lost_and_found",
        "在公交站捡到一个黑色钱包，已交到便民服务点。",
        {"kind": "found", "item": "黑色钱包"},
        "公交站台",
        0.0030,
    ),
    ("illegal_posters", "电线杆上贴满了办证小广告。", {}, "人民路口电线杆", 0.0060),
)
DEMO_CENTRE = (25.0389, 102.7183)  # 昆明 — a spot in the city centre


def create_incidents():
    """``DEMO_INCIDENTS`` at each station, reported by its demo volunteer, the
    second acknowledged by its officer; a station that has incidents already
    is left alone."""
    for number, station in enumerate(sorted(current_tenancy().stations.values(), key=lambda s: s.slug)):
        if Incident.select().where(Incident.station == station.id).exists():
            continue
        volunteer = (
            User.select().where(User.station == station.id, User.role == Role.VOLUNTEER).order_by(User.id).first()
        )
        officer = User.select().where(User.station == station.id, User.role == Role.OFFICER).order_by(User.id).first()
        if volunteer is None or officer is None:
            continue
        for position, (category, text, fields, address, offset) in enumerate(DEMO_INCIDENTS):
            if station.incident_category(category) is None:
                continue
            data = load_report(
                {
                    "category": category,
                    "description": text,
                    "fields": fields,
                    "latitude": round(DEMO_CENTRE[0] + offset + number * 0.01, 6),
                    "longitude": round(DEMO_CENTRE[1] + offset, 6),
                    "address": address,
                }
            )
            incident = report(station, volunteer, data)
            if position == 1:
                change_state(station, officer, incident.id, IncidentState.ACKNOWLEDGED, note="已联系失主")


def _ensure_user(**fields):
    if not User.select().where(User.phone == fields["phone"]).exists():
        create_user(password=PASSWORD, **fields)
