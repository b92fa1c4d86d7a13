"""Refusals of the task modules: nothing was changed."""

from ..errors import Refused, refusal_makers


class TaskError(Refused):
    """A refused task action (see :class:`core.errors.Refused`)."""


not_found, forbidden, invalid = refusal_makers(TaskError, " at this station")
