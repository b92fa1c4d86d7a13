"""The night patrol's scoring rules: night work and weekend work earn more.

Both read the station's ``[plugin_settings.night_patrol]`` and the work's
station-local times (``event.details["starts_at"]``/``["ends_at"]``).
"""

import math
from datetime import datetime, time, timedelta

from core import ScoringRule, Text

PLUGIN = "night_patrol"


def night_fraction(starts_at, ends_at, night_start, night_end):
    """The share (0 to 1) of the time from ``starts_at`` to ``ends_at`` that
    falls between the local times ``night_start`` and ``night_end`` (HH:MM;
    an end before the start runs past midnight)."""
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        return 0.0
    start, end = starts_at.replace(tzinfo=None), ends_at.replace(tzinfo=None)  # wall-clock times
    begin, finish = time.fromisoformat(night_start), time.fromisoformat(night_end)
    night = timedelta()
    day = start.date() - timedelta(days=1)  # last night's window may reach into the shift
    while day <= end.date():
        window_start = datetime.combine(day, begin)
        window_end = datetime.combine(day + timedelta(days=1) if finish <= begin else day, finish)
        overlap = min(end, window_end) - max(start, window_start)
        if overlap > timedelta():
            night += overlap
        day += timedelta(days=1)
    return night / (end - start)


def half_up(value):
    return math.floor(value + 0.5)


def night_points(event, subtotal):
    settings = event.station.plugin_config(PLUGIN)
    share = night_fraction(
        event.details.get("starts_at"), event.details.get("ends_at"), settings["night_start"], settings["night_end"]
    )
    return half_up(subtotal * (settings["night_multiplier"] - 1) * share) if subtotal > 0 else 0


def weekend_points(event, subtotal):
    starts_at = event.details.get("starts_at")
    if starts_at is None or starts_at.weekday() < 5:
        return 0
    return event.station.plugin_config(PLUGIN)["weekend_bonus"]


NIGHT_RULE = ScoringRule("night_patrol.night", Text("夜间加成", "Night work bonus"), ("task",), night_points)
WEEKEND_RULE = ScoringRule("night_patrol.weekend", Text("周末加分", "Weekend bonus"), ("task",), weekend_points)
RULES = [NIGHT_RULE, WEEKEND_RULE]
