"""The incident states in words, in the reader's language: one list for
pages and notifications alike."""

from flask_babel import lazy_gettext as _l

from ..models import IncidentState

STATE_LABELS = {
    IncidentState.OPEN: _l("Open"),
    IncidentState.ACKNOWLEDGED: _l("Acknowledged"),
    IncidentState.IN_PROGRESS: _l("In progress"),
    IncidentState.RESOLVED: _l("Resolved"),
    IncidentState.DUPLICATE: _l("Duplicate"),
    IncidentState.NOT_ACTIONABLE: _l("Not actionable"),
}


def state_label(state):
    return STATE_LABELS.get(state, state)
