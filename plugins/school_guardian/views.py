"""The school guardians' pages."""
from flask import Blueprint, g, url_for

from core import MenuItem, Text, render_station_template

bp = Blueprint("school_guardian", __name__, url_prefix="/school-guardian", template_folder="templates")


@bp.route("/")
def schools():
    settings = g.station.plugin_config("school_guardian")
    return render_station_template("school_guardian/schools.html", schools=settings["schools"])


def menu_items():
    return [MenuItem(Text("护学岗", "School gates"), url_for("school_guardian.schools"), order=30)]
