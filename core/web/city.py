"""The city page: enabled stations grouped by district; theme files."""

from itertools import groupby

from flask import Blueprint, render_template

from ..tenancy import current_tenancy
from ..themes import serve_theme_file

bp = Blueprint("city", __name__)


@bp.route("/")
def index():
    stations = current_tenancy().by_district()
    districts = [(district, list(group)) for district, group in groupby(stations, key=lambda s: s.config.district)]
    return render_template("city.html", districts=districts)


@bp.route("/-/themes/<name>/<path:filename>")
def theme_file(name, filename):
    return serve_theme_file(current_tenancy().registry.themes, name, filename)
