"""A station's home page and its plugin listing."""

from flask import Blueprint, g, jsonify

from ..tenancy import current_tenancy
from ..themes import render_station_template

bp = Blueprint("station", __name__, url_prefix="/s/<station>")


@bp.route("/")
def home():
    return render_station_template("home.html", task_types=g.station.task_types)


def _plugins_here():
    return current_tenancy().registry.describe(g.station.enabled_plugins)


@bp.route("/-/plugins")
def plugins():
    return render_station_template("plugins.html", plugins=_plugins_here())


@bp.route("/-/plugins.json")
def plugins_json():
    return jsonify({"station": g.station.slug, "plugins": _plugins_here()})
