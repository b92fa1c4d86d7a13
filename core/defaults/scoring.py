"""Core's scoring rule: a check-in earns the station's ``checkin_points``."""
from ..hookspecs import hookimpl
from ..i18n import Text
from ..scoring import ScoringRule


def _checkin_points(event, _subtotal):
    return event.station.config.points.checkin_points


CHECKIN_RULE = ScoringRule("core.checkin", Text("每日签到", "Daily check-in"), ("checkin",), _checkin_points)


@hookimpl
def register_scoring_rules():
    return [CHECKIN_RULE]
