"""Error pages: JSON under /api/, Open311's errors under /open311/, a themed page elsewhere."""

from flask import g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..api.errors import error_response
from ..open311.views import error_for_unrouted
from ..tenancy import current_tenancy
from ..themes import render_station_template


def register(app):
    @app.errorhandler(CSRFError)
    def _csrf_failed(error):
        return _page(400, error.description)

    @app.errorhandler(HTTPException)
    def _http_error(error):
        if request.path.startswith("/api/"):
            return error_response(error.code, error.name.lower().replace(" ", "_"), error.description)
        if request.path == "/open311" or request.path.startswith("/open311/"):
            return error_for_unrouted(error)
        return _page(error.code, error.description)


def _page(code, message):
    if g.get("station") is None:
        _wear_station_theme_of(request.path)
    if g.get("station") is not None:
        return render_station_template("error.html", code=code, message=message), code
    return render_template("error.html", code=code, message=message), code


def _wear_station_theme_of(path):
    """A 404 under ``/s/<slug>/`` that matched no route still looks like that
    station's page (when the station exists and is enabled)."""
    prefix, _, rest = path.partition("/s/")
    station = current_tenancy().get(rest.split("/")[0]) if prefix == "" and rest else None
    if station is not None:
        g.station = station
