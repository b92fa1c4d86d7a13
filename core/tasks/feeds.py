"""A volunteer's signed-up tasks as a private iCalendar feed.

The feed's URL carries a token derived from the app's secret key, the
volunteer and a generation number kept in :class:`~core.models.CalendarFeed`:
nothing secret is stored, every app server computes the same URL, and
resetting the feed (a new generation) retires the old URL at once.
"""

import hashlib
import hmac
from datetime import UTC, timedelta

import icalendar

from ..models import CalendarFeed, User, utcnow
from .posting import tasks_of

FEED_HISTORY_DAYS = 30  # past tasks stay in the feed this long


def _digest(secret, user_id, generation):
    message = f"calendar:{user_id}:{generation}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def _feed_of(user):
    """The user's feed row, made on first use (safe when two requests race)."""
    CalendarFeed.insert(user=user.id).on_conflict_ignore().execute()
    return CalendarFeed.get(CalendarFeed.user == user.id)


def feed_token(secret, user):
    feed = _feed_of(user)
    return f"{user.id}-{_digest(secret, user.id, feed.generation)}"


def reset_feed(secret, user):
    """Retire the current URL; returns the new token."""
    feed = _feed_of(user)
    CalendarFeed.update(generation=CalendarFeed.generation + 1).where(CalendarFeed.id == feed.id).execute()
    return feed_token(secret, user)


def user_for_feed_token(secret, token):
    """The user whose current feed token this is, or ``None``."""
    user_id, _, digest = (token or "").partition("-")
    if not user_id.isdigit() or len(user_id) > 12 or not digest.isascii():
        return None  # compare_digest refuses non-ASCII text; such a token is wrong anyway
    feed = CalendarFeed.get_or_none(CalendarFeed.user == int(user_id))
    if feed is None or not hmac.compare_digest(digest, _digest(secret, int(user_id), feed.generation)):
        return None
    user = User.get_or_none(User.id == int(user_id))
    return user if user is not None and user.active else None


def calendar_of(station, volunteer, now=None, *, label_of=lambda task_type_key: task_type_key):
    """The volunteer's tasks (from a month ago on) as iCalendar bytes."""
    now = now or utcnow()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Red Armband//redarmband//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{station.config.name} · 红袖标")
    calendar.add("x-wr-timezone", station.config.timezone)
    for task in tasks_of(volunteer, since=now - timedelta(days=FEED_HISTORY_DAYS)):
        event = icalendar.Event()
        event.add("uid", f"task-{task.id}@{station.slug}.redarmband")
        event.add("dtstamp", now.replace(tzinfo=UTC))
        event.add("dtstart", task.starts_at.replace(tzinfo=UTC))
        event.add("dtend", task.ends_at.replace(tzinfo=UTC))
        event.add("summary", f"{label_of(task.type_key)}：{task.title}")
        event.add("location", task.place)
        if task.notes:
            event.add("description", task.notes)
        calendar.add_component(event)
    return calendar.to_ical()
