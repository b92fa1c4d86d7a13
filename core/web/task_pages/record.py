"""A volunteer's own record on a station's pages: notifications, service
hours and certificates, and the private calendar feed's address."""

import re

from flask import current_app, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...tasks import feeds, hours, notifications
from ...themes import render_station_template
from ..auth import station_member_required, volunteer_required
from .common import bp, stars

# ---------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------


@bp.route("/me/notifications")
@station_member_required
def my_notifications():
    user = current_user._get_current_object()
    notes = notifications.notifications_of(user)
    if any(note.read_at is None for note in notes):
        notifications.mark_read(user)
    return render_station_template("tasks/notifications.html", notes=notes)


# ---------------------------------------------------------------------------
# My hours and certificates
# ---------------------------------------------------------------------------


@bp.route("/me/hours")
@volunteer_required
def my_hours():
    volunteer = current_user._get_current_object()
    summary = hours.summary(g.station, volunteer)
    to_next = None
    if summary.next_star_hours is not None:
        to_next = format(round(max(0, summary.next_star_hours * 60 - summary.minutes) / 60, 1), "g")
    return render_station_template(
        "tasks/hours.html",
        summary=summary,
        stars=stars(summary.star),
        to_next=to_next,
        certificates=hours.certificates_of(volunteer),
    )


# ---------------------------------------------------------------------------
# The calendar feed's address
# ---------------------------------------------------------------------------


def _secret():
    return current_app.config["SECRET_KEY"]


@bp.route("/me/calendar")
@volunteer_required
def calendar():
    token = feeds.feed_token(_secret(), current_user._get_current_object())
    feed_url = url_for("task_files.calendar_feed", token=token, _external=True)
    webcal_url = re.sub(r"^https?://", "webcal://", feed_url)
    return render_station_template("tasks/calendar.html", feed_url=feed_url, webcal_url=webcal_url)


@bp.route("/me/calendar/reset", methods=["POST"])
@volunteer_required
def reset_calendar():
    feeds.reset_feed(_secret(), current_user._get_current_object())
    flash(_("Your calendar has a new address; the old one no longer works. Subscribe again with the new one."))
    return redirect(url_for("tasks.calendar"))
