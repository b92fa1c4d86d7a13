"""Core's scoring rules: a check-in earns the station's ``checkin_points``;
approved work earns its task type's ``default_points``; a report an officer
confirmed useful earns ``[incidents] useful_points``."""

from ..hookspecs import hookimpl
from ..i18n import Text
from ..scoring import ScoringRule


def _checkin_points(event, _subtotal):
    return event.station.config.points.checkin_points


def _task_points(event, _subtotal):
    task_type = event.details.get("task_type")
    return task_type.default_points if task_type else 0


def _incident_points(event, _subtotal):
    return event.station.config.incidents.useful_points


CHECKIN_RULE = ScoringRule("core.checkin", Text("每日签到", "Daily check-in"), ("checkin",), _checkin_points)

TASK_RULE = ScoringRule("core.task", Text("任务积分", "Task points"), ("task",), _task_points)


INCIDENT_RULE = ScoringRule("core.incident", Text("有效报告", "Useful report"), ("incident",), _incident_points)


@hookimpl
def register_scoring_rules():
    return [CHECKIN_RULE, TASK_RULE, INCIDENT_RULE]
