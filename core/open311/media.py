"""Signed links to a request's photos.

Incident photos are private on the station's pages; Open311 publishes the
first one as ``media_url``. The link carries the incident id and the photo's
position signed with the app's secret key, so only a link the API handed
out opens a photo: ids cannot be walked. It does not expire — Open311
clients keep the URLs of the requests they read.
"""

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "open311-media"


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def media_url(incident, position=0):
    """The absolute URL of the incident's photo ``position``, or ``None``."""
    if len(incident.photos or ()) <= position:
        return None
    signed = _serializer().dumps([incident.id, position])
    return url_for("open311.media", name=f"{signed}.jpg", _external=True)


def unsign(name):
    """``(incident_id, position)`` from a link's last segment, or ``None``."""
    signed = name.removesuffix(".jpg")
    if len(signed) > 200:
        return None
    try:
        value = _serializer().loads(signed)
    except BadSignature:
        return None
    if not (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in value)
    ):
        return None
    return value[0], value[1]
