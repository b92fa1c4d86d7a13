"""What the task pages serve besides pages: a volunteer's private calendar
feed (no sign-in: the token in its address is the key), submission photos
(to the submitter and the station's staff only) and the printable service
certificate."""

import re

from flask import Blueprint, Response, abort, current_app, g, send_from_directory
from flask_login import current_user

from ..models import User
from ..photos import thumbnail_path, uploads_root
from ..points import local_date_of
from ..tasks import TaskError, feeds, hours, submissions
from ..themes import render_station_template
from .auth import signed_in_and
from .row_ids import ROW_ID
from .task_pages.common import stars, type_label

bp = Blueprint("task_files", __name__, url_prefix="/s/<station>")

FEED_TOKEN = re.compile(r"\d{1,12}-[0-9a-f]{1,64}", re.ASCII)

# Signed in (else the sign-in page); whether they may see it is the view's question.
signed_in = signed_in_and(lambda user: True, 404)


@bp.route("/calendar/<token>.ics")
def calendar_feed(token):
    # only what a token looks like reaches the check (hmac.compare_digest
    # raises on non-ASCII text, see feeds.user_for_feed_token)
    if not FEED_TOKEN.fullmatch(token):
        abort(404)
    volunteer = feeds.user_for_feed_token(current_app.config["SECRET_KEY"], token)
    if volunteer is None or volunteer.station_id != g.station.id:
        abort(404)
    body = feeds.calendar_of(g.station, volunteer, label_of=lambda key: str(type_label(key)))
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{g.station.slug}-tasks.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _send_photo(submission_id, position, thumb):
    try:
        path = submissions.photo_path(g.station, current_user._get_current_object(), submission_id, position)
    except TaskError:
        abort(404)
    if thumb:
        path = thumbnail_path(path).as_posix()
    response = send_from_directory(uploads_root(current_app), path, mimetype="image/jpeg", max_age=86400)
    response.cache_control.public = False
    response.cache_control.private = True  # the work of one volunteer: never in a shared cache
    return response


@bp.route(f"/submissions/<{ROW_ID}:submission_id>/photos/<int(min=1, max=99):position>")
@signed_in
def photo(submission_id, position):
    return _send_photo(submission_id, position, thumb=False)


@bp.route(f"/submissions/<{ROW_ID}:submission_id>/photos/<int(min=1, max=99):position>/thumb")
@signed_in
def photo_thumb(submission_id, position):
    return _send_photo(submission_id, position, thumb=True)


@bp.route("/certificates/<number>")
@signed_in
def certificate(number):
    try:
        found = hours.get_certificate(g.station, current_user._get_current_object(), number[:40])
    except TaskError:
        abort(404)
    people = {user.id: user for user in User.select().where(User.id.in_([found.volunteer_id, found.issued_by_id]))}
    return render_station_template(
        "tasks/certificate.html",
        certificate=found,
        volunteer=people[found.volunteer_id],
        officer=people[found.issued_by_id],
        stars=stars(found.star_level),
        issued_on=local_date_of(g.station, found.issued_at),
    )
