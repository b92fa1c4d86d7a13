"""Scoring rules: what an event (a check-in, an approved task …) earns.

Rules come from the ``register_scoring_rules`` hook, collected at start-up;
a station uses core's and those of the plugins it enabled, in that order.
Each rule sees the event and the points the rules before it gave, and adds a
line (possibly negative) to the breakdown. The station's ``daily_cap`` is
applied last, by core, and shows as a line of its own.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from .i18n import Text
from .points import BreakdownLine


@dataclass(frozen=True)
class ScoringEvent:
    """What is being scored. ``details`` carries event-specific facts
    (a task's type and times, say) for rules that need them."""

    kind: str  # "checkin", "task" …
    station: object
    volunteer: object
    local_date: date
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ScoringRule:
    """``score(event, subtotal)`` returns the points this rule adds (0 or
    ``None`` for none); ``events`` lists the event kinds it scores."""

    key: str
    label: Text
    events: tuple
    score: Callable


def score(station, event):
    """The breakdown lines of ``event`` at ``station``, before any daily cap."""
    lines, subtotal = [], 0
    for rule in station.scoring_rules:
        if event.kind not in rule.events:
            continue
        points = rule.score(event, subtotal) or 0
        if points:
            lines.append(BreakdownLine(rule.key, rule.label.zh, rule.label.en, int(points)))
            subtotal += int(points)
    return lines


DAILY_CAP_LABEL = Text("每日上限", "Daily cap")


def apply_daily_cap(station, lines, earned_today):
    """Add a line cutting what exceeds the station's ``daily_cap``, if any."""
    cap = station.config.points.daily_cap
    total = sum(line.points for line in lines)
    if cap is None or total <= 0:
        return lines
    allowed = max(0, cap - earned_today)
    if total <= allowed:
        return lines
    cut = BreakdownLine(
        "core.daily_cap", f"{DAILY_CAP_LABEL.zh}（{cap}）", f"{DAILY_CAP_LABEL.en} ({cap})", allowed - total
    )
    return [*lines, cut]
