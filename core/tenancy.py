"""Which station a request is for, and lookups scoped to that station.

A request names its station by the path prefix ``/s/<slug>/`` or by a host
listed in the station's config (see :class:`HostRouting`). Unknown and
disabled stations answer 404. Every lookup of station-owned data goes
through :func:`get_or_404`, so another station's object answers exactly like
a missing one.
"""

from dataclasses import dataclass, field

from flask import abort, current_app, g, request

from .db import database
from .models import Station
from .plugins import is_builtin, is_on

# Paths that belong to no station, left alone when a station host is used.
UNSCOPED_PREFIXES = ("/s/", "/api/", "/static/", "/-/themes/")


@dataclass
class StationContext:
    """A configured, enabled station as the app sees it."""

    config: object
    theme: object
    hooks: object
    task_types: list
    scoring_rules: list
    incident_categories: list
    _row_id: int | None = field(default=None, repr=False)

    @property
    def slug(self):
        return self.config.slug

    @property
    def enabled_plugins(self):
        return self.config.plugins

    def plugin_config(self, plugin_name):
        return self.config.plugin_settings.get(plugin_name, {})

    def task_type(self, key):
        """The station's task type ``key``, or ``None`` (unknown or switched off)."""
        return next((task_type for task_type in self.task_types if task_type.key == key), None)

    def incident_category(self, key):
        """The station's incident category ``key``, or ``None`` (unknown or switched off)."""
        return next((category for category in self.incident_categories if category.key == key), None)

    @property
    def id(self):
        """The station's row id, created on first use (safe under races).

        Requests resolve it on entry, before any transaction. One made inside
        a transaction is not kept: a rollback would take the row with it.
        """
        if self._row_id is not None:
            return self._row_id
        Station.insert(slug=self.slug).on_conflict_ignore().execute()
        row_id = Station.get(Station.slug == self.slug).id
        if not database.in_transaction():
            self._row_id = row_id
        return row_id


class Tenancy:
    """The enabled stations of one app, built once at start-up."""

    def __init__(self, directory, registry):
        self.directory = directory
        self.registry = registry
        self.blueprint_owner = {bp.name: owner for owner, bp in registry.blueprints}
        self._by_row_id = {}
        self.stations = {
            config.slug: StationContext(
                config=config,
                theme=registry.themes[config.theme],
                hooks=registry.hooks_for(config.plugins),
                task_types=_task_types_for(config, registry),
                scoring_rules=[rule for owner, rule in registry.scoring_rules if is_on(owner, config.plugins)],
                incident_categories=_incident_categories_for(config, registry),
            )
            for config in directory.enabled()
        }

    def get(self, slug):
        return self.stations.get(slug)

    def resolve_station_rows(self):
        """Give every station its row id at start-up, outside any request:
        missing rows are made (safe when several workers start at once)."""
        if not self.stations or not Station.table_exists():
            return  # before init-db; ids are then made on first use
        rows = [{"slug": slug} for slug in self.stations]
        Station.insert_many(rows).on_conflict_ignore().execute()
        for slug, row_id in Station.select(Station.slug, Station.id).tuples():
            self._by_row_id[row_id] = self.stations.get(slug)  # None: a station no longer enabled
            if slug in self.stations:
                self.stations[slug]._row_id = row_id

    def by_district(self):
        """The enabled stations ordered by district, then slug (for listings)."""
        return sorted(self.stations.values(), key=lambda station: (station.config.district, station.slug))

    def station_of(self, user):
        """The enabled station ``user`` belongs to, or ``None`` (a city admin,
        or a station that has been disabled)."""
        if user is None or user.station_id is None:
            return None
        if user.station_id not in self._by_row_id:  # one query per station and worker, then kept
            row = Station.get_or_none(Station.id == user.station_id)
            self._by_row_id[user.station_id] = self.stations.get(row.slug) if row else None
        return self._by_row_id[user.station_id]

    def enter_station(self, slug):
        """Make ``slug`` the request's station, or answer 404."""
        station = self.get(slug)
        if station is None:
            abort(404)
        for blueprint in request.blueprints:
            owner = self.blueprint_owner.get(blueprint)
            if owner is not None and owner not in station.enabled_plugins:
                abort(404)
        station.id  # noqa: B018 - resolve the row outside any transaction
        g.station = station


def _task_types_for(config, registry):
    """The station's task types: its brand plugins' first, then core's."""
    found = {}
    for owner, task_type in registry.task_types:
        if is_on(owner, config.plugins) and task_type.key not in config.tasks.disabled:
            found.setdefault(task_type.key, (is_builtin(owner), task_type.key, task_type))
    return [task_type for _core, _key, task_type in sorted(found.values())]


def _incident_categories_for(config, registry):
    """The station's incident categories: core's first (in their order), then
    its plugins'; a plugin's category of a key core has replaces it."""
    found = {}
    for owner, category in registry.incident_categories:
        wanted = is_on(owner, config.plugins) and category.key not in config.incidents.disabled
        if wanted and (category.key not in found or not is_builtin(owner)):
            found[category.key] = category
    return list(found.values())


def current_tenancy():
    return current_app.extensions["redarmband"].tenancy


def get_station(slug):
    """The enabled station ``slug`` of the current app, or ``None``."""
    return current_tenancy().get(slug)


def get_or_404(model, station, *conditions):
    """The one ``model`` row of ``station`` matching ``conditions``, or 404."""
    found = model.get_or_none(model.station == station.id, *conditions)
    if found is None:
        abort(404)
    return found


class HostRouting:
    """WSGI middleware: a station's own host serves that station's pages.

    ``http://<host>/register`` is answered as ``/s/<slug>/register``; the
    station's pages link with the ``/s/<slug>/`` prefix, which works on any
    host. Unscoped paths (the API, static files, ``/-/``) pass unchanged.
    """

    def __init__(self, wsgi_app, slug_for_host):
        self.wsgi_app = wsgi_app
        self.slug_for_host = slug_for_host

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        slug = self.slug_for_host(host)
        path = environ.get("PATH_INFO", "/")
        if slug and not path.startswith(UNSCOPED_PREFIXES) and path != "/s":
            environ["PATH_INFO"] = f"/s/{slug}{path}"
        return self.wsgi_app(environ, start_response)
