"""Settings, and the station configs in ``stations/*.toml``.

Every problem found in the station files is collected and reported at once,
each naming the file, the key and what was expected; ``redarmband stations
check`` prints them and the app refuses to start on them.
"""

import itertools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from .plugins import is_on
from .problems import OperatorError

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_THEME = "default"
# The national volunteer star levels (星级志愿者): confirmed service hours.
STAR_HOURS = (100, 300, 600, 1000, 1500)
# Nine photos of this size must fit in one request (app.MAX_CONTENT_LENGTH).
MAX_PHOTO_MB = 6


def settings_from_environment(instance_path):
    """App settings that come from ``REDARMBAND_*`` environment variables."""
    return {
        "DATABASE_URL": os.environ.get(
            "REDARMBAND_DATABASE_URL",
            f"sqlite:///{Path(instance_path) / 'redarmband.sqlite3'}",
        ),
        "STATIONS_DIR": os.environ.get("REDARMBAND_STATIONS_DIR", str(Path.cwd() / "stations")),
        "SECRET_KEY": os.environ.get("REDARMBAND_SECRET_KEY"),
    }


class StationConfigError(OperatorError):
    """One or more station files are wrong; ``problems`` holds one line each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("station config is invalid:\n" + "\n".join(f"  {p}" for p in self.problems))


class OathSchema(Schema):
    class Meta:
        unknown = RAISE

    version = fields.String(required=True, validate=validate.Length(min=1))
    text = fields.String(required=True, validate=validate.Length(min=1))


class PointsSchema(Schema):
    class Meta:
        unknown = RAISE

    checkin_points = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=0, max=100))
    daily_cap = fields.Integer(strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1))
    pickup_days = fields.Integer(strict=True, load_default=7, validate=validate.Range(min=1, max=365))


@dataclass(frozen=True)
class PointsSettings:
    """A station's ``[points]`` table."""

    checkin_points: int = 1
    daily_cap: int | None = None  # the most points one volunteer earns in a day
    pickup_days: int = 7  # a reserved redemption expires after this many days


class TasksSchema(Schema):
    class Meta:
        unknown = RAISE

    disabled = fields.List(fields.String(), load_default=list)
    max_photo_mb = fields.Integer(strict=True, load_default=5, validate=validate.Range(min=1, max=MAX_PHOTO_MB))
    star_hours = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000)), load_default=lambda: list(STAR_HOURS)
    )

    @validates("star_hours")
    def _five_rising(self, value, **_kwargs):
        if len(value) != 5 or any(b <= a for a, b in itertools.pairwise(value)):
            raise ValidationError(
                "expected five rising numbers of hours, one per star, e.g. [100, 300, 600, 1000, 1500]"
            )


@dataclass(frozen=True)
class TasksSettings:
    """A station's ``[tasks]`` table."""

    disabled: tuple = ()  # task type keys switched off at this station
    max_photo_mb: int = 5  # the largest photo a volunteer may send
    star_hours: tuple = STAR_HOURS  # confirmed hours for ★1 … ★5

    @property
    def max_photo_bytes(self):
        return self.max_photo_mb * 1024 * 1024


class GroupsSchema(Schema):
    class Meta:
        unknown = RAISE

    liaison_limit = fields.Integer(strict=True, load_default=10, validate=validate.Range(min=1, max=100))


@dataclass(frozen=True)
class GroupsSettings:
    """A station's ``[groups]`` table."""

    liaison_limit: int = 10  # 一人联络十名: the volunteers one officer looks after


class IncidentsSchema(Schema):
    class Meta:
        unknown = RAISE

    disabled = fields.List(fields.String(), load_default=list)
    duplicate_radius_m = fields.Integer(strict=True, load_default=200, validate=validate.Range(min=10, max=5000))
    duplicate_hours = fields.Integer(strict=True, load_default=2, validate=validate.Range(min=1, max=72))
    useful_points = fields.Integer(strict=True, load_default=2, validate=validate.Range(min=0, max=100))


@dataclass(frozen=True)
class IncidentsSettings:
    """A station's ``[incidents]`` table."""

    disabled: tuple = ()  # incident category keys switched off at this station
    duplicate_radius_m: int = 200  # a report this near one of the same category …
    duplicate_hours: int = 2  # … and this recent is offered as a likely duplicate
    useful_points: int = 2  # what a report confirmed useful earns its reporter (0: nothing)


class StationSchema(Schema):
    class Meta:
        unknown = RAISE

    slug = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z][a-z0-9-]{1,39}$",
            error="expected 2–40 lower-case letters, digits or '-', starting with a letter",
        ),
    )
    name = fields.String(required=True, validate=validate.Length(min=1))
    district = fields.String(required=True, validate=validate.Length(min=1))
    brand = fields.String(required=True, validate=validate.Length(min=1))
    enabled = fields.Boolean(load_default=True)
    hosts = fields.List(
        fields.String(
            validate=validate.Regexp(
                re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", re.IGNORECASE),
                error="expected a host name such as donghua.example.org (no scheme, port or path)",
            )
        ),
        load_default=list,
    )
    theme = fields.String(load_default=DEFAULT_THEME)
    timezone = fields.String(load_default=DEFAULT_TIMEZONE)
    plugins = fields.List(fields.String(), load_default=list)
    # TOML cannot hold both ``plugins = [...]`` and ``[plugins.<name>]``,
    # so each plugin's own table lives under ``[plugin_settings.<name>]``.
    plugin_settings = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict)
    oath = fields.Nested(OathSchema, required=True)
    points = fields.Nested(PointsSchema, load_default=lambda: PointsSchema().load({}))
    tasks = fields.Nested(TasksSchema, load_default=lambda: TasksSchema().load({}))
    groups = fields.Nested(GroupsSchema, load_default=lambda: GroupsSchema().load({}))
    incidents = fields.Nested(IncidentsSchema, load_default=lambda: IncidentsSchema().load({}))

    @validates("timezone")
    def _known_timezone(self, value, **_kwargs):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError(f"expected an IANA time zone such as {DEFAULT_TIMEZONE}, got {value!r}") from error


# A misspelt key is answered with the keys that exist, in each table.
for _schema in (StationSchema, OathSchema, PointsSchema, TasksSchema, GroupsSchema, IncidentsSchema):
    _schema.error_messages = {"unknown": "unknown key; expected one of: " + ", ".join(sorted(_schema().fields))}


@dataclass(frozen=True)
class StationConfig:
    """One station, as its config file describes it."""

    slug: str
    name: str
    district: str
    brand: str
    enabled: bool
    hosts: tuple
    theme: str
    timezone: str
    plugins: tuple
    oath_version: str
    oath_text: str
    source: str
    points: PointsSettings = PointsSettings()
    tasks: TasksSettings = TasksSettings()
    groups: GroupsSettings = GroupsSettings()
    incidents: IncidentsSettings = IncidentsSettings()
    plugin_settings: dict = field(default_factory=dict, compare=False)

    @property
    def tz(self):
        return ZoneInfo(self.timezone)


class StationDirectory:
    """All configured stations, by slug and by host."""

    def __init__(self, stations, warnings=()):
        self.warnings = list(warnings)  # stations left out, one line each
        self.by_slug = {station.slug: station for station in stations}
        self.by_host = {host.lower(): station for station in stations for host in station.hosts}

    def enabled(self):
        return [s for s in self.by_slug.values() if s.enabled]

    def get_enabled(self, slug):
        station = self.by_slug.get(slug)
        return station if station and station.enabled else None

    def enabled_slug_for_host(self, host):
        station = self.by_host.get(host.split(":")[0].lower())
        return station.slug if station and station.enabled else None


def load_stations(directory, registry):
    """Read and check every ``*.toml`` in ``directory`` against ``registry``.

    Raises :class:`StationConfigError` listing every problem found.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise StationConfigError([f"{directory}: not a directory of station files"])
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise StationConfigError(
            [
                f"{directory}: no station files (*.toml): write one (README, Adding a station) "
                "or set REDARMBAND_STATIONS_DIR to the folder that has them"
            ]
        )
    problems, warnings, stations = [], [], []
    for path in files:
        station, file_problems, file_warnings = _load_station_file(path, registry)
        problems.extend(file_problems)
        warnings.extend(file_warnings)
        if station:
            stations.append(station)
    problems.extend(_clashes(stations))
    if problems:
        raise StationConfigError(problems)
    return StationDirectory(stations, warnings)


def _load_station_file(path, registry):
    def problem(key, expected):
        return f"{path}: key '{key}': {expected}"

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM from a Windows editor is fine
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return None, [f"{path}: not valid TOML: {error}"], []
    problems = []
    try:
        data = StationSchema().load(raw)
    except ValidationError as error:
        problems.extend(problem(key, message) for key, message in _flatten(error.messages))
        # Go on checking what did load, so every problem is reported at once.
        data = {"plugins": [], "plugin_settings": {}, "theme": DEFAULT_THEME, **error.valid_data}

    installed = registry.station_plugin_names()
    broken = {name: registry.broken_named(name) for name in data["plugins"] if registry.broken_named(name)}
    if broken and not data.get("enabled", True):
        # A disabled station serves nothing: it must not stop the city over a
        # plugin that is broken today. It is left out, and `stations check` says so.
        return (
            None,
            [],
            [f"{path}: disabled station left out: it enables {', '.join(map(repr, broken))}, which failed to load"],
        )
    for name in data["plugins"]:
        if name in broken:
            failure = broken[name]
            problems.append(
                problem(
                    "plugins",
                    f"plugin {name!r} is installed but failed to load ({failure.distribution}): {failure.error}",
                )
            )
        elif name not in installed:
            problems.append(problem("plugins", f"unknown plugin {name!r}; installed: {', '.join(installed) or 'none'}"))
    settings = {}
    for name in data["plugin_settings"]:
        if name in broken:
            continue  # its settings cannot be checked without it; the line above says why
        if name not in data["plugins"]:
            problems.append(
                problem(f"plugin_settings.{name}", f"plugin {name!r} is not in this station's plugins list")
            )
    for name in data["plugins"]:
        if name not in installed or name in broken:
            continue
        block = data["plugin_settings"].get(name, {})
        schema = registry.config_schemas.get(name)
        if schema is None:
            if block:
                problems.append(problem(f"plugin_settings.{name}", f"plugin {name!r} takes no settings"))
            continue
        schema = schema() if isinstance(schema, type) else schema
        try:
            settings[name] = schema.load(block)
        except ValidationError as error:
            problems.extend(
                problem(f"plugin_settings.{name}.{key}", message) for key, message in _flatten(error.messages)
            )

    if broken:
        # Its task types, categories and theme are missing too: one line per
        # broken plugin says it all.
        return None, problems, []
    if "tasks" in data:
        offered = {task_type.key for owner, task_type in registry.task_types if is_on(owner, data["plugins"])}
        for key in data["tasks"].get("disabled", ()):  # a wrongly typed list is reported already
            if key not in offered:
                problems.append(
                    problem(
                        "tasks.disabled", f"unknown task type {key!r}; this station has: {', '.join(sorted(offered))}"
                    )
                )
    if "incidents" in data:
        offered = {category.key for owner, category in registry.incident_categories if is_on(owner, data["plugins"])}
        for key in data["incidents"].get("disabled", ()):
            if key not in offered:
                problems.append(
                    problem(
                        "incidents.disabled",
                        f"unknown incident category {key!r}; this station has: {', '.join(sorted(offered))}",
                    )
                )

    theme_owner = registry.theme_owner.get(data["theme"])
    if theme_owner is None:
        problems.append(
            problem("theme", f"unknown theme {data['theme']!r}; installed: {', '.join(sorted(registry.themes))}")
        )
    elif not is_on(theme_owner, data["plugins"]):
        problems.append(
            problem(
                "theme",
                f"theme {data['theme']!r} comes from plugin {theme_owner!r}, which this station does not enable",
            )
        )
    if problems:
        return None, problems, []
    return (
        StationConfig(
            slug=data["slug"],
            name=data["name"],
            district=data["district"],
            brand=data["brand"],
            enabled=data["enabled"],
            hosts=tuple(data["hosts"]),
            theme=data["theme"],
            timezone=data["timezone"],
            plugins=tuple(data["plugins"]),
            oath_version=data["oath"]["version"],
            oath_text=data["oath"]["text"],
            source=str(path),
            points=PointsSettings(**data["points"]),
            tasks=TasksSettings(
                disabled=tuple(data["tasks"]["disabled"]),
                max_photo_mb=data["tasks"]["max_photo_mb"],
                star_hours=tuple(data["tasks"]["star_hours"]),
            ),
            groups=GroupsSettings(**data["groups"]),
            incidents=IncidentsSettings(**{**data["incidents"], "disabled": tuple(data["incidents"]["disabled"])}),
            plugin_settings=settings,
        ),
        [],
        [],
    )


def _clashes(stations):
    """Slugs and hosts claimed by more than one file."""
    problems = []
    seen_slugs, seen_hosts = {}, {}
    for station in stations:
        first = seen_slugs.setdefault(station.slug, station)
        if first is not station:
            problems.append(
                f"{station.source}: key 'slug': duplicate slug {station.slug!r}, already used by {first.source}"
            )
        for host in station.hosts:
            first = seen_hosts.setdefault(host.lower(), station)
            if first is not station:
                problems.append(f"{station.source}: key 'hosts': host {host!r} is already used by {first.source}")
    return problems


def _flatten(messages, prefix=""):
    """marshmallow's nested error dict as ``(dotted.key, "message; message")``."""
    for key, value in messages.items():
        # marshmallow files errors of a whole nested table under "_schema",
        # and of a dict entry's value under "value": report the user's key.
        skip = key == "_schema" or (key == "value" and prefix.startswith("plugin_settings."))
        dotted = prefix.rstrip(".") if skip else f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{dotted}.")
        else:
            yield dotted, "; ".join(str(message) for message in value)
