"""Task types: the kinds of work a station's volunteers do.

Types come from the ``register_task_types`` hook, collected once at start-up;
a station sees core's and those of the plugins it enabled. Tasks, submissions
and review build on this.
"""
from dataclasses import dataclass

from .i18n import Text


@dataclass(frozen=True)
class TaskType:
    key: str
    label: Text
    description: Text
    default_points: int = 1
