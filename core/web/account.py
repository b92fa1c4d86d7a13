"""Register, sign in, sign out and "my profile" on a station's pages.

District and city admins belong to no station: they sign in and out at
``/login`` and ``/logout``, which are the same views (the same endpoints, so
the same rate limits count both doors) without a station.
"""

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from marshmallow import EXCLUDE, ValidationError

from ..accounts import OCCUPATIONS, DuplicatePhone, RegistrationSchema, authenticate, register_volunteer
from ..models import Role
from ..tenancy import current_tenancy
from ..themes import render_station_template
from .auth import station_member_required

bp = Blueprint("account", __name__, url_prefix="/s/<station>")


@bp.record_once
def _also_without_a_station(state):
    """``/login`` and ``/logout`` for accounts of no station (district and city admins)."""
    state.app.add_url_rule("/login", "account.login", login, methods=["GET", "POST"])
    state.app.add_url_rule("/logout", "account.logout", logout, methods=["POST"])


def _render(page, **context):
    """A station's page (in its theme), or the city's where there is no station."""
    if g.get("station") is None:
        return render_template(page, **context)
    return render_station_template(page, **context)


# What the form says about a field marshmallow refused, in the reader's
# language (the API gives marshmallow's own message).
FIELD_PROBLEMS = {
    "name": _l("Enter your name (up to 50 characters)."),
    "phone": _l("Enter an 11-digit mobile number."),
    "password": _l("Use a password of at least 8 characters."),
    "occupation": _l("Choose your occupation."),
    "accept_oath": _l("You must accept the oath to register."),
    "oath_version": _l("The oath has changed; please read it again."),
}


@bp.route("/register", methods=["GET", "POST"])
def register():
    form, problems, status = {}, {}, 200
    if request.method == "POST":
        form = request.form.to_dict()
        form["accept_oath"] = request.form.get("accept_oath") == "yes"
        try:
            data = RegistrationSchema(station=g.station).load(form, unknown=EXCLUDE)
        except ValidationError as error:
            problems = {field: FIELD_PROBLEMS.get(field, _("Check this field.")) for field in error.messages}
            status = 400
        else:
            try:
                volunteer = register_volunteer(g.station, data)
            except DuplicatePhone:
                problems, status = {"phone": _("This phone number is already registered.")}, 409
            else:
                _fresh_session()
                login_user(volunteer)
                flash(
                    _(
                        "Welcome, %(name)s! You are now a volunteer of %(brand)s.",
                        name=volunteer.name,
                        brand=g.station.config.brand,
                    )
                )
                return redirect(url_for("station.home"))
    return render_station_template("register.html", form=form, problems=problems, occupations=OCCUPATIONS), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    failed, status = False, 200
    if request.method == "POST":
        user = authenticate(request.form.get("phone", "").strip(), request.form.get("password", ""))
        if user is None:
            failed, status = True, 401
        else:
            _fresh_session()
            login_user(user)
            return redirect(_after_login(user))
    return _render("login.html", failed=failed, phone=request.form.get("phone", "")), status


def _after_login(user):
    """Back where the user was going on this station (at ``/login``: where an
    account of no station was going), else their own home."""
    wanted = request.args.get("next", "")
    try:
        parts = urlsplit(wanted)
    except ValueError:  # e.g. "//[": not a URL at all
        parts = None
    if (
        parts is not None
        and user.station_id == (g.station.id if g.get("station") is not None else None)
        and wanted.startswith("/")
        and not parts.netloc
        and not wanted.startswith("//")
    ):
        return wanted
    home = current_tenancy().station_of(user)
    if home is not None:
        return url_for("station.home", station=home.slug)
    if user.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN):
        return url_for("admin_groups.index")
    return url_for("city.index")


def _fresh_session():
    """Start a new session (and CSRF token) when who is signed in changes;
    only the chosen language carries over."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    _fresh_session()
    return redirect(url_for("station.home") if g.get("station") is not None else url_for("city.index"))


@bp.route("/me")
@station_member_required
def profile():
    return render_station_template("profile.html", occupations=OCCUPATIONS)
