"""Incident categories: what volunteers report (违停, 失物招领, 走失儿童 …).

Categories come from the ``register_incident_categories`` hook, collected
once at start-up; a station sees core's and those of the plugins it enabled,
less those its config switches off (``[incidents] disabled``). Each is one
Open311 service at that station.
"""

from dataclasses import dataclass

from marshmallow import Schema

from ..i18n import Text

MAX_PHOTOS = 6


@dataclass(frozen=True)
class IncidentCategory:
    """One kind of incident.

    ``fields_schema`` (a marshmallow Schema class or instance) loads the
    category's extra fields; each field's ``metadata`` may carry a ``label``
    (:class:`core.Text`) and ``choices`` (``[(value, Text), …]``), shown on the
    report form and as the Open311 service definition. An ``urgent`` category
    sends an urgent instruction to the whole district as it is reported.
    """

    key: str
    label: Text
    description: Text
    fields_schema: object = None
    urgent: bool = False
    max_photos: int = MAX_PHOTOS
    keywords: tuple = ()  # Open311 keywords
    group: str = ""  # Open311 group

    def __post_init__(self):
        if not (
            self.key
            and len(self.key) <= 60
            and self.key.replace("_", "").replace("-", "").isalnum()
            and self.key.isascii()
        ):
            raise ValueError(f"incident category {self.key!r}: expected 1–60 ASCII letters, digits, '_' or '-'")
        if not 0 <= self.max_photos <= MAX_PHOTOS:
            raise ValueError(f"incident category {self.key!r}: max_photos must be 0 to {MAX_PHOTOS}")
        schema = self.fields_schema
        if schema is not None and not (
            isinstance(schema, Schema) or (isinstance(schema, type) and issubclass(schema, Schema))
        ):
            raise ValueError(f"incident category {self.key!r}: fields_schema must be a marshmallow Schema")

    def fields_loader(self):
        """A fresh schema instance for the extra fields (or ``None``)."""
        schema = self.fields_schema
        return schema() if isinstance(schema, type) else schema
