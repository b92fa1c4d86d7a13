"""Refusals of the group modules: nothing was changed."""

from ..errors import Refused, refusal_makers


class GroupError(Refused):
    """A refused group action (see :class:`core.errors.Refused`)."""


not_found, forbidden, invalid = refusal_makers(GroupError)
