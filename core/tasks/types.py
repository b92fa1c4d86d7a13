"""Task types: the kinds of work a station's volunteers do.

Types come from the ``register_task_types`` hook, collected once at start-up;
a station sees core's and those of the plugins it enabled, less the types its
config switches off (``[tasks] disabled``).
"""

from dataclasses import dataclass

from marshmallow import Schema

from ..i18n import Text

MAX_PHOTOS = 9


@dataclass(frozen=True)
class Qualification:
    """A training a volunteer must hold for some work (e.g. 一棍一盾 shield
    drill). Officers record who holds it; ``key`` is what is stored."""

    key: str
    label: Text


@dataclass(frozen=True)
class TaskType:
    """One kind of work.

    ``fields_schema`` (a marshmallow Schema class or instance) loads the
    type's extra fields of a submission; ``min_photos``/``max_photos`` bound
    its photos (at most 9); a volunteer needs ``qualification`` to sign up or
    submit; ``self_start`` lets a volunteer submit such work without a posted
    task.
    """

    key: str
    label: Text
    description: Text
    default_points: int = 1
    fields_schema: object = None
    min_photos: int = 0
    max_photos: int = MAX_PHOTOS
    qualification: Qualification | None = None
    self_start: bool = True

    def __post_init__(self):
        if not 0 <= self.min_photos <= self.max_photos <= MAX_PHOTOS:
            raise ValueError(
                f"task type {self.key!r}: expected 0 <= min_photos <= max_photos <= {MAX_PHOTOS}, "
                f"got {self.min_photos} and {self.max_photos}"
            )
        if self.default_points < 0:
            raise ValueError(f"task type {self.key!r}: default_points must not be negative")
        schema = self.fields_schema
        if schema is not None and not (
            isinstance(schema, Schema) or (isinstance(schema, type) and issubclass(schema, Schema))
        ):
            raise ValueError(f"task type {self.key!r}: fields_schema must be a marshmallow Schema")

    def fields_loader(self):
        """A fresh schema instance for the extra fields (or ``None``)."""
        schema = self.fields_schema
        return schema() if isinstance(schema, type) else schema

    def field_names(self):
        loader = self.fields_loader()
        return list(loader.fields) if loader else []
