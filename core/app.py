"""The application factory."""

import os
from dataclasses import dataclass
from pathlib import Path

import jinja2
from flask import Flask, before_render_template, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import api, db, i18n, open311, ratelimits, schema
from .api import openapi
from .config import (
    MAX_PHOTO_MB,
    StationDirectory,
    load_stations,
    settings_from_environment,
)
from .groups.tree import ensure_tree
from .instance import ensure_writable, instance_path, secret_key
from .plugins import PluginRegistry, make_plugin_manager
from .tenancy import HostRouting, Tenancy
from .themes import theme_template_loader
from .web import errors, pages
from .web.auth import csrf, login_manager


@dataclass(frozen=True)
class Platform:
    """What one app knows about its plugins and stations."""

    pm: object
    registry: PluginRegistry
    directory: StationDirectory
    tenancy: Tenancy


def create_app(test_config=None):
    """Build the app, or raise :class:`core.problems.OperatorError` saying in
    a line what stops it: bad station config, an instance folder it cannot
    write, a database it cannot reach, or one not at this version's schema.

    ``test_config`` overrides settings; ``LOAD_ENTRYPOINTS=False`` skips
    installed plugins, ``EXTRA_PLUGINS`` registers ``(name, plugin)`` pairs,
    ``INSTANCE_PATH`` moves the instance folder (uploads, secret key),
    ``DB_POOL_SIZE`` caps PostgreSQL's pool and ``REQUIRE_READY_DATABASE=False``
    builds it on a database that ``init-db`` or ``db upgrade`` is about to prepare.
    """
    overrides = test_config or {}
    instance = instance_path(overrides.get("INSTANCE_PATH"))
    app = Flask(__name__, instance_path=str(instance))
    app.config.update(settings_from_environment(app.instance_path))
    app.config.update(
        LOAD_ENTRYPOINTS=True,
        EXTRA_PLUGINS=(),
        REQUIRE_READY_DATABASE=True,
        DB_POOL_SIZE=None,
        # the largest request body: a submission's nine photos of the largest size a station allows
        MAX_CONTENT_LENGTH=(9 * MAX_PHOTO_MB + 2) * 1024 * 1024,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("REDARMBAND_SECURE_COOKIES", "") == "1",
        # A token lives as long as the session: reading the oath slowly on a
        # phone must not cost the volunteer their form.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(overrides)

    # Checks that write nothing come first: a refusal leaves no file behind.
    pm = make_plugin_manager(app.config["LOAD_ENTRYPOINTS"], app.config["EXTRA_PLUGINS"])
    registry = PluginRegistry(pm)
    directory = load_stations(app.config["STATIONS_DIR"], registry)  # refuses a folder with no station file
    tenancy = Tenancy(directory, registry)
    app.extensions["redarmband"] = Platform(pm, registry, directory, tenancy)
    db.init_app(app)
    if app.config["REQUIRE_READY_DATABASE"] and db.sqlite_file_missing():
        raise schema.DatabaseNotReady(schema.describe_state(schema.NOTHING))  # and opening it would make it

    ensure_writable(app.instance_path)  # uploads and the SQLite database live there
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
    db.check_connection()
    with db.database.connection_context():
        state = schema.read_state(schema.sources_for(registry))
        if app.config["REQUIRE_READY_DATABASE"] and not state.ready:
            raise schema.DatabaseNotReady(schema.describe_state(state))  # refused at start, not mid-request
        if state.ready:
            tenancy.resolve_station_rows()  # never inside a request's transaction
            ensure_tree(tenancy)  # the city, district and station groups
    i18n.init_app(app, pm)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.jinja_loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(str(Path(app.root_path) / "templates")), theme_template_loader(registry.themes)]
    )

    _route_by_station(app, tenancy)
    pages.register(app)
    for blueprint in (api.bp, openapi.bp, open311.bp):
        app.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # bearer tokens or Open311 api keys only, never the session cookie
    for _owner, blueprint in registry.blueprints:
        app.register_blueprint(blueprint, url_prefix=f"/s/<station>{blueprint.url_prefix or ''}")
    ratelimits.init_app(app)
    errors.register(app)
    before_render_template.connect(_add_plugin_template_vars, app)
    unrouted = app.wsgi_app
    app.wsgi_app = HostRouting(app.wsgi_app, directory.enabled_slug_for_host)
    app.wsgi_app = open311.Open311Paths(app.wsgi_app, unrouted)  # merged slashes; no station host rewrite
    proxies = int(os.environ.get("REDARMBAND_PROXY_HOPS", "0"))
    if proxies:  # behind nginx: take the client's address and host from X-Forwarded-*
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def _route_by_station(app, tenancy):
    """``<station>`` in a URL picks the request's station; links carry it on."""

    @app.url_value_preprocessor
    def _enter_station(_endpoint, values):
        if values and "station" in values:
            tenancy.enter_station(values.pop("station"))

    @app.url_defaults
    def _keep_station(endpoint, values):
        if "station" not in values and "station" in g and app.url_map.is_endpoint_expecting(endpoint, "station"):
            values["station"] = g.station.slug


def _add_plugin_template_vars(_app, template, context, **_extra):
    station = g.get("station")
    if station is None:
        return
    for extra in station.hooks.extra_template_vars(station=station, template=template.name, request=request):
        context.update(extra or {})
