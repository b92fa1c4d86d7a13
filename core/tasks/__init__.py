"""Tasks: types, officer-posted tasks and sign-ups, submissions and their
review, service hours. One module per job:

- :mod:`.types`: what a task type is (filled by ``register_task_types``);
- :mod:`.posting`: officers post tasks, one-off or from a weekly pattern;
- :mod:`.signups`: volunteers sign up and withdraw, within capacity;
- :mod:`.submissions`: volunteers show their work, with photos;
- :mod:`.review`: officers approve, reject or send back; points are booked;
- :mod:`.hours`: service hours, star levels and certificates;
- :mod:`.feeds`: a volunteer's private iCalendar feed;
- :mod:`.notifications`: in-app messages.
"""

from .errors import TaskError
from .types import MAX_PHOTOS, Qualification, TaskType

__all__ = ["MAX_PHOTOS", "Qualification", "TaskError", "TaskType"]
