"""The night patrol's pages."""
from flask import Blueprint, g, url_for

from core import MenuItem, Text, render_station_template

bp = Blueprint("night_patrol", __name__, url_prefix="/night-patrol", template_folder="templates")


@bp.route("/")
def tonight():
    settings = g.station.plugin_config("night_patrol")
    return render_station_template("night_patrol/tonight.html", settings=settings)


def menu_items():
    return [MenuItem(Text("今晚夜巡", "Tonight's patrol"), url_for("night_patrol.tonight"), order=30)]
