"""Tasks on a station's pages, the volunteer's side, one module per job:
:mod:`.work` (the task list, sign-up, submitting and resubmitting work) and
:mod:`.record` (notifications, hours and certificates, the calendar feed).
They share one blueprint, ``tasks``, and the helpers of :mod:`.common`; the
work form is :mod:`.work_forms`."""

from . import record, work  # noqa: F401 - registers their routes
from .common import bp

__all__ = ["bp"]
