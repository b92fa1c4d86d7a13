"""The bar alliance's own tables: member venues, approved visits, findings.

Every row names its station, so two stations enabling the plugin never see
each other's venues.
"""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from core import BaseModel, Station, Submission, User, utcnow


class Venue(BaseModel):
    """A member venue of a station's bar alliance (联盟场所)."""

    station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
    name = CharField(max_length=100)
    address = CharField(max_length=200)
    licence_number = CharField(max_length=60)
    responsible_person = CharField(max_length=50)
    phone = CharField(max_length=20)
    joined_on = DateField()
    active = BooleanField(default=True)  # False: suspended from the alliance

    class Meta:
        table_name = "night_patrol_venue"
        indexes = ((("station", "licence_number"), True),)


class VenueVisit(BaseModel):
    """A safety check of a venue (venue_visit work), recorded when approved."""

    station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
    venue = ForeignKeyField(Venue, backref="visits", on_delete="CASCADE")
    submission = ForeignKeyField(Submission, unique=True, backref="+", on_delete="CASCADE")
    volunteer = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    visited_at = DateTimeField()  # naive UTC: when the work was sent
    approved_at = DateTimeField(default=utcnow)
    failed_items = IntegerField(default=0)

    class Meta:
        table_name = "night_patrol_venue_visit"


class Finding(BaseModel):
    """A checklist item a venue failed; open until staff close it."""

    station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
    venue = ForeignKeyField(Venue, backref="findings", on_delete="CASCADE")
    visit = ForeignKeyField(VenueVisit, backref="findings", on_delete="CASCADE")
    item = CharField(max_length=40)  # a CHECKLIST key
    note = TextField()
    opened_at = DateTimeField(default=utcnow)
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    close_note = TextField(default="")

    class Meta:
        table_name = "night_patrol_finding"
        indexes = ((("visit", "item"), True),)


MODELS = [Venue, VenueVisit, Finding]


def active_venues(station):
    return list(Venue.select().where(Venue.station == station.id, Venue.active == True).order_by(Venue.name, Venue.id))
