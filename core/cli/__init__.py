"""The ``redarmband`` command."""
import sys
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

import click
import pluggy
from flask import current_app
from flask.cli import AppGroup, ScriptInfo, routes_command, run_command, shell_command

from . import scaffold
from .accounts import (
    DuplicatePhone,
    RegistrationSchema,
    create_user,
    register_volunteer,
)
from .app import create_app
from .config import StationConfigError, load_stations, settings_from_environment
from .groups.tree import add_member, create_team, ensure_tree
from .hookspecs import PROJECT_NAME
from .incidents.lifecycle import change_state
from .incidents.reporting import load_report, report
from .models import Group, GroupKind, Incident, IncidentState, Role, SchemaOutOfDate, Task, User, create_tables
from .open311.commands import add_commands as add_open311_commands
from .plugins import PluginRegistry, is_builtin, make_plugin_manager
from .points import verify_balances
from .rewards import expire_due, grant_collect
from .tasks.posting import WeeklyPatternSchema, post_weekly
from .tenancy import current_tenancy

DEMO_PASSWORD = "redarmband"
# Demo shifts by task type: school-gate duty at arrival, night patrol across midnight.
DEMO_SHIFTS = {"night_patrol": ("20:00", "02:00")}
DEFAULT_DEMO_SHIFT = ("07:30", "08:30")
# Demo teams of each station, made by its station admin; the demo volunteer joins the first.
DEMO_TEAMS = ("第一巡逻队", "第二巡逻队")


def _platform():
    return current_app.extensions["redarmband"]


def init_database():
    """Create missing tables (core's and every plugin's) and station rows."""
    create_tables(_platform().registry.models)
    current_tenancy().resolve_station_rows()
    ensure_tree(current_tenancy())


def build_cli(pm=None):
    """The command group; ``pm`` (default: installed plugins) adds plugin commands."""
    pm = pm or make_plugin_manager()
    cli = AppGroup(name="redarmband", help="Red Armband (红袖标): run and manage station volunteer programmes.")
    for command in (run_command, shell_command, routes_command):
        cli.add_command(command)

    @cli.command("init-db")
    def init_db_command():
        """Create the database tables. Running it again changes nothing."""
        init_database()
        click.echo("database ready")

    @cli.command("demo", with_appcontext=False)
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    def demo_command(host, port):
        """Create the database, demo accounts per station, and serve the demo."""
        app = create_app()
        with app.app_context():
            init_database()
            logins = _create_demo_accounts()
            _create_demo_tasks()
            _create_demo_groups()
            _create_demo_incidents()
        click.echo(f"Red Armband demo: database {app.config['DATABASE_URL']}")
        click.echo(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for slug, role, phone in logins:
            click.echo(f"  {slug:<12} {role:<14} {phone}")
        click.echo(f"Open http://{host}:{port}/")
        app.run(host=host, port=port, debug=False, threaded=True)

    @cli.group("stations")
    def stations_group():
        """Station configs."""

    @stations_group.command("check", with_appcontext=False)
    @click.argument("directory", required=False, type=click.Path(file_okay=False))
    def stations_check(directory):
        """Check every station file in DIRECTORY (default: the configured one)."""
        directory = directory or settings_from_environment(".")["STATIONS_DIR"]
        try:
            stations = load_stations(directory, PluginRegistry(pm))
        except StationConfigError as error:
            raise click.ClickException(str(error))
        if not stations.by_slug:
            raise click.ClickException(f"{directory}: no station files (*.toml) found")
        for station in stations.by_slug.values():
            state = "enabled" if station.enabled else "disabled"
            click.echo(f"{station.source}: {station.slug} ({station.brand}, {state}) ok")

    @cli.group("users")
    def users_group():
        """Officer and admin accounts."""

    @users_group.command("create")
    @click.option(
        "--role", required=True, type=click.Choice([Role.OFFICER, Role.STATION_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN])
    )
    @click.option("--station", "slug", help="station slug (not for a city or district admin)")
    @click.option("--district", help="a district admin's district, as the station configs name it")
    @click.option("--phone", required=True)
    @click.option("--name", required=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def users_create(role, slug, district, phone, name, password):
        """Create an officer, station admin, district admin or city admin."""
        districts = {station.config.district for station in current_tenancy().stations.values()}
        if district and district not in districts:
            raise click.BadParameter(f"no enabled station is in {district!r}; districts: {', '.join(sorted(districts))}", param_hint="--district")
        station_id = None
        if slug:
            station = current_tenancy().get(slug)
            if station is None:
                raise click.BadParameter(f"no enabled station {slug!r}", param_hint="--station")
            station_id = station.id
        try:
            user = create_user(
                role=role, phone=phone, name=name, password=password, station_id=station_id, district=district
            )
        except DuplicatePhone:
            raise click.BadParameter(f"{phone} is already registered", param_hint="--phone")
        except ValueError as error:
            raise click.UsageError(str(error))
        click.echo(f"created {role} {user.name} ({user.phone})" + (f" at {slug or district}" if slug or district else ""))

    @users_group.command("grant-collect")
    @click.option("--phone", required=True, help="the account that hands out rewards at a designated place")
    @click.option("--revoke", is_flag=True, help="take the permission away instead")
    def grant_collect_command(phone, revoke):
        """Let an account of a station mark its redemptions collected."""
        user = User.get_or_none(User.phone == phone)
        if user is None or user.station_id is None:
            raise click.BadParameter(f"no station account with phone {phone}", param_hint="--phone")
        grant_collect(user, allowed=not revoke)
        click.echo(f"{user.name} ({phone}) {'may no longer' if revoke else 'may now'} collect redemptions")

    _add_points_commands(cli)
    _add_plugins_commands(cli, pm)
    add_open311_commands(cli)
    pm.hook.register_commands(cli=cli)
    return cli


def _add_points_commands(cli):
    @cli.group("points")
    def points_group():
        """The points ledger."""

    @points_group.command("verify")
    def points_verify():
        """Recompute every balance from the ledger; exit 1 on any difference."""
        problems = verify_balances()
        for problem in problems:
            click.echo(
                f"volunteer {problem.volunteer_id} {problem.phone}: {problem.field} kept {problem.kept}, "
                f"entries say {problem.from_entries}",
                err=True,
            )
        if problems:
            raise click.ClickException(f"{len(problems)} difference(s) between kept figures and the ledger")
        click.echo(f"ledger ok: {User.select().count()} accounts match their entries")

    @points_group.command("expire")
    def points_expire():
        """Expire redemptions not collected in time, refunding their points (run it from cron)."""
        total = 0
        for station in current_tenancy().stations.values():
            expired = expire_due(station)
            total += expired
            if expired:
                click.echo(f"{station.slug}: {expired} expired")
        click.echo(f"{total} redemption(s) expired")


def _installed_plugin_names(pm):
    """Plugin names taken already: those registered and those installed as entry points."""
    names = {name for name, _plugin in pm.list_name_plugin() if not is_builtin(name)}
    names.update(entry_point.name for entry_point in metadata.entry_points(group=PROJECT_NAME))
    return names


def _add_plugins_commands(cli, pm):
    @cli.group("plugins")
    def plugins_group():
        """Station plugins."""

    @plugins_group.command("new", with_appcontext=False)
    @click.argument("name")
    @click.option(
        "--directory",
        type=click.Path(path_type=Path),
        help="where to write the plugin's project  [default: ./redarmband-NAME]",
    )
    @click.option("--title", help="the plugin's name as people read it, e.g. 单车巡逻  [default: from NAME]")
    def plugins_new(name, directory, title):
        """Write a new plugin project NAME, ready to install with pip.

        NAME is the plugin's name and Python package, e.g. bike_patrol: stations
        enable it with plugins = ["bike_patrol"].
        """
        directory = directory or Path(f"redarmband-{name}")
        try:
            written = scaffold.create(name, directory, title=title, installed=_installed_plugin_names(pm))
        except scaffold.ScaffoldError as error:
            hint = "NAME" if error.param == "name" else error.param
            raise click.BadParameter(str(error), param_hint=hint)
        shown = str(directory) if directory.is_absolute() or str(directory).startswith(".") else f"./{directory}"
        click.echo(f"created plugin {name!r} in {shown}:")
        for path in written:
            click.echo(f"  {path.relative_to(directory).as_posix()}")
        click.echo("next, where redarmband is installed:")
        click.echo(f"  pip install -e {shown}")
        click.echo(f'  add plugins = ["{name}"] to a station file, then: redarmband stations check')
        click.echo(f'  cd {shown} && pip install -e ".[test]" && pytest')


def _create_demo_accounts():
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
                    "password": DEMO_PASSWORD,
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
        _ensure_user(role=Role.DISTRICT_ADMIN, phone=phone, name=f"{district}管理员", station_id=None, district=district)
        logins.append((district, Role.DISTRICT_ADMIN, phone))
    _ensure_user(role=Role.CITY_ADMIN, phone="13900009999", name="市级管理员", station_id=None)
    logins.append(("(city)", Role.CITY_ADMIN, "13900009999"))
    return logins


def _create_demo_tasks():
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


def _create_demo_groups():
    """The ``DEMO_TEAMS`` of each station, made by its station admin, with the
    station's demo volunteer in the first; a team that exists already is left
    alone, so a second demo start adds nothing."""
    for station in current_tenancy().stations.values():
        admin = User.select().where(User.station == station.id, User.role == Role.STATION_ADMIN).order_by(User.id).first()
        if admin is None:
            continue
        volunteer = User.select().where(User.station == station.id, User.role == Role.VOLUNTEER).order_by(User.id).first()
        for number, name in enumerate(DEMO_TEAMS):
            if Group.select().where(Group.station == station.id, Group.kind == GroupKind.TEAM, Group.name == name).exists():
                continue
            team = create_team(station, admin, name)
            if number == 0 and volunteer is not None:
                add_member(station, admin, team.id, volunteer.id)


# A few live reports per station, near the centre of Kunming: (category, description, fields, address, offset).
DEMO_INCIDENTS = (
    ("illegal_parking", "白色轿车停在消防通道上，挡住了小区大门。", {"plate": "云A·12345"}, "小区东门消防通道", 0.0000),
    ("lost_and_found", "在公交站捡到一个黑色钱包，已交到便民服务点。", {"kind": "found", "item": "黑色钱包"}, "公交站台", 0.0030),
    ("illegal_posters", "电线杆上贴满了办证小广告。", {}, "人民路口电线杆", 0.0060),
)
DEMO_CENTRE = (25.0389, 102.7183)  # 昆明 — a spot in the city centre


def _create_demo_incidents():
    """``DEMO_INCIDENTS`` at each station, reported by its demo volunteer, the
    second acknowledged by its officer; a station that has incidents already
    is left alone."""
    for number, station in enumerate(sorted(current_tenancy().stations.values(), key=lambda s: s.slug)):
        if Incident.select().where(Incident.station == station.id).exists():
            continue
        volunteer = User.select().where(User.station == station.id, User.role == Role.VOLUNTEER).order_by(User.id).first()
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
        create_user(password=DEMO_PASSWORD, **fields)


def main():
    try:
        cli = build_cli()
        cli.main(prog_name="redarmband", obj=ScriptInfo(create_app=create_app, load_dotenv_defaults=False))
    except (StationConfigError, pluggy.PluginValidationError, SchemaOutOfDate) as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)

