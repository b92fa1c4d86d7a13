"""WSGI middleware: Open311 paths with doubled slashes are answered.

Real clients join a base URL ending in ``/`` with a path starting with one
(``/open311/v2//requests.json``). Werkzeug would answer such a path with a
redirect, which a client POSTing a request does not follow, so the slashes
are merged before routing. Only paths under ``/open311`` are touched.

Open311 paths belong to no station's host either: with ``open311_app`` (the
app without :class:`core.tenancy.HostRouting`) they skip the rewrite of a
station host's paths to ``/s/<slug>/…``; ``jurisdiction_id`` names the station.
"""

import re

SLASHES = re.compile(r"/{2,}")
PREFIX = "/open311"


class Open311Paths:
    def __init__(self, wsgi_app, open311_app=None):
        self.wsgi_app = wsgi_app
        self.open311_app = open311_app or wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        merged = SLASHES.sub("/", path)
        if merged == PREFIX or merged.startswith(PREFIX + "/"):
            environ["PATH_INFO"] = merged
            return self.open311_app(environ, start_response)
        return self.wsgi_app(environ, start_response)
