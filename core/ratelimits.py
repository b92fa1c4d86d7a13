"""Rate limits on signing in, getting tokens and registering (Flask-Limiter).

Each failed sign-in costs a password hash (tens of milliseconds of CPU), and
passwords must not be guessable online, so attempts are limited per phone
number and per client address. Registration is limited per address only, and
generously: a station signs whole training classes up from one network.

Counters live in ``REDARMBAND_RATELIMIT_STORAGE``: ``memory://`` (the
default; per worker process, fine for one machine) or ``redis://host:port``,
which several app servers share.
"""

import os

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# The views whose POSTs are counted; the web form and the API share each count.
SIGN_IN_ENDPOINTS = ("account.login", "api.create_token")
REGISTER_ENDPOINTS = ("account.register", "api.register")

DEFAULTS = {
    "RATELIMIT_SIGN_IN_PER_PHONE": "5 per minute;30 per hour",
    "RATELIMIT_SIGN_IN_PER_ADDRESS": "30 per minute;300 per hour",
    "RATELIMIT_REGISTER_PER_ADDRESS": "30 per minute;300 per hour",
}


def _phone_in_request():
    """The phone number being signed in, from the form or the JSON body."""
    if not request.is_json:
        return f"phone:{request.form.get('phone', '')[:20]}"
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # the view answers such a body with a 400
        body = None
    phone = body.get("phone") if isinstance(body, dict) else ""
    return f"phone:{str(phone)[:20]}"


def storage_uri(config=None):
    """Where the counts are kept: the environment, else the app's config, else memory."""
    return os.environ.get("REDARMBAND_RATELIMIT_STORAGE", (config or {}).get("RATELIMIT_STORAGE", "memory://"))


def init_app(app):
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=storage_uri(app.config),
        strategy="moving-window",
        headers_enabled=True,
        key_prefix="redarmband",
    )
    config = app.config

    def guard(endpoints, limit_key, key_func):
        for endpoint in endpoints:
            view = app.view_functions[endpoint]
            app.view_functions[endpoint] = limiter.shared_limit(  # one count for the web and API doors alike
                lambda: config[limit_key],
                scope=limit_key,
                key_func=key_func,
                methods=["POST"],
                error_message="too many attempts; wait a little and try again",
            )(view)

    guard(SIGN_IN_ENDPOINTS, "RATELIMIT_SIGN_IN_PER_PHONE", _phone_in_request)
    guard(SIGN_IN_ENDPOINTS, "RATELIMIT_SIGN_IN_PER_ADDRESS", get_remote_address)
    guard(REGISTER_ENDPOINTS, "RATELIMIT_REGISTER_PER_ADDRESS", get_remote_address)
    return limiter
