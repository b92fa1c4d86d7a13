"""The application factory."""
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import jinja2
from flask import Flask, before_render_template, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import api, db, i18n, open311, ratelimits
from .api import openapi
from .config import (
    MAX_PHOTO_MB,
    StationDirectory,
    load_stations,
    settings_from_environment,
)
from .groups.tree import ensure_tree
from .models import check_schema
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
    """Build the app. Bad station config raises ``StationConfigError``.

    ``test_config`` overrides settings; ``LOAD_ENTRYPOINTS=False`` skips
    installed plugins, ``EXTRA_PLUGINS`` registers ``(name, plugin)`` pairs and
    ``INSTANCE_PATH`` moves the instance folder (uploads, secret key).
    """
    app = Flask(
        __name__,
        instance_path=(test_config or {}).get("INSTANCE_PATH") or os.environ.get("REDARMBAND_INSTANCE_PATH") or None,
    )
    app.config.update(settings_from_environment(app.instance_path))
    app.config.update(
        LOAD_ENTRYPOINTS=True,
        EXTRA_PLUGINS=(),
        # the largest request body: a submission's nine photos of the largest size a station allows
        MAX_CONTENT_LENGTH=(9 * MAX_PHOTO_MB + 2) * 1024 * 1024,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("REDARMBAND_SECURE_COOKIES", "") == "1",
        # A token lives as long as the session: reading the oath slowly on a
        # phone must not cost the volunteer their form.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(test_config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)

    pm = make_plugin_manager(app.config["LOAD_ENTRYPOINTS"], app.config["EXTRA_PLUGINS"])
    registry = PluginRegistry(pm)
    directory = load_stations(app.config["STATIONS_DIR"], registry)
    tenancy = Tenancy(directory, registry)
    app.extensions["redarmband"] = Platform(pm, registry, directory, tenancy)

    db.init_app(app)
    with db.database.connection_context():
        check_schema(registry.models)  # a stale database stops start-up, not a request
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


def _instance_secret_key(instance_path):
    """A key kept in the instance folder, made once. Several app servers must
    share one: set ``REDARMBAND_SECRET_KEY`` for them instead."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written in full to a private file first, then linked into place in
        # one step: a worker starting at the same moment either finds no file
        # or a whole key, never an empty one.
        draft = path.with_name(f"secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as key_file:
            key_file.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker made it first; use theirs
        finally:
            draft.unlink()
    return path.read_text().strip()
