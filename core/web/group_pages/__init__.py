"""Work groups on a station's pages (core.groups), one module per job:
:mod:`.instructions` (my instructions, mobilisation answers, posting and
following instructions), :mod:`.teams` (the tree and its teams) and
:mod:`.liaison` (一人联络十名). They share one blueprint, ``groups``, and the
helpers of :mod:`.common`."""

from . import instructions, liaison, teams  # noqa: F401 - registers their routes
from .common import bp

__all__ = ["bp"]
