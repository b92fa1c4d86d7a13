"""Refusals of the incident modules: nothing was changed."""

from ..errors import Refused, refusal_makers


class IncidentError(Refused):
    """A refused incident action (see :class:`core.errors.Refused`)."""


not_found, forbidden, invalid = refusal_makers(IncidentError, " at this station")
