"""Web sign-in (Flask-Login sessions) and CSRF protection (Flask-WTF).

The JSON API does not use the session: it takes bearer tokens only, which is
why it can be exempt from CSRF.
"""

from functools import wraps

from flask import abort, g, redirect, request, url_for
from flask_babel import lazy_gettext
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from ..models import Role, User

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_message = lazy_gettext("Please sign in to see this page.")


@login_manager.user_loader
def _load_user(user_id):
    return User.get_or_none(User.id == int(user_id))


@login_manager.unauthorized_handler
def _to_station_login():
    # without a station: the sign-in of accounts of no station (/login)
    return redirect(url_for("account.login", next=request.full_path))


def signed_in_and(allowed, refusal):
    """A view decorator: sign in first; then ``allowed(user)``, or ``refusal``
    (404 where "not yours" must look like "not there", else 403)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not allowed(current_user):
                abort(refusal)
            return view(*args, **kwargs)

        return wrapper

    return decorate


# Signed in, and a member of the request's station (another station's user: 404).
station_member_required = signed_in_and(lambda user: user.station_id == g.station.id, 404)


def volunteer_required(view):
    """A volunteer of this station (others of this station: 403; of another: 404)."""
    return station_member_required(signed_in_and(lambda user: user.role == Role.VOLUNTEER, 403)(view))


# An officer or admin of this station; anyone else signed in gets 403.
staff_required = signed_in_and(lambda user: user.station_id == g.station.id and user.is_staff, 403)

# An admin of this station; anyone else signed in gets 403.
station_admin_required = signed_in_and(
    lambda user: user.station_id == g.station.id and user.role == Role.STATION_ADMIN, 403
)


def is_volunteer_here(user):
    return bool(user and user.is_authenticated and user.station_id == g.station.id and user.role == Role.VOLUNTEER)
