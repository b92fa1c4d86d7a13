"""Venue visits: checked before they are stored, turned into findings when approved."""

from core import write_transaction

from .models import Finding, Venue, VenueVisit
from .task_types import CHECKLIST, FAIL, VENUE_VISIT, note_key


def validate_venue_visit(station, task_type, data):
    """The venue must be an active member of this station's alliance; a failed
    item needs a note, and the visit at least one photo."""
    if task_type.key != VENUE_VISIT.key:
        return None
    fields = data["fields"]
    problems = {}
    venue_id = fields.get("venue")
    if venue_id is not None:
        venue = Venue.get_or_none(Venue.id == venue_id, Venue.station == station.id)
        if venue is None:
            problems["fields.venue"] = ["no venue of this station's bar alliance has this number"]
        elif not venue.active:
            problems["fields.venue"] = [f"{venue.name} is suspended from the bar alliance; choose an active venue"]
    failed = [item for item in CHECKLIST if fields.get(item) == FAIL]
    for item in failed:
        if not (fields.get(note_key(item)) or "").strip():
            # "Missing data": the work form asks the volunteer to fill it in, as for any required field
            problems[f"fields.{note_key(item)}"] = [
                f"Missing data for required field: {CHECKLIST[item].en} failed, say what is wrong"
            ]
    if failed and data.get("photo_count", 0) < 1:
        problems["photos"] = ["a failed checklist item needs at least one photo of what is wrong"]
    return problems


def record_approved_visit(station, submission, review):
    """An approved venue visit: recorded in the venue's history, and each
    failed item opened as a finding of the venue."""
    if review.decision != "approved" or submission.type_key != VENUE_VISIT.key:
        return
    fields = submission.fields or {}
    venue = Venue.get_or_none(Venue.id == fields.get("venue"), Venue.station == station.id)
    if venue is None:
        return
    failed = [item for item in CHECKLIST if fields.get(item) == FAIL]
    with write_transaction():
        if VenueVisit.select().where(VenueVisit.submission == submission.id).exists():
            return  # recorded already
        visit = VenueVisit.create(
            station=station.id,
            venue=venue.id,
            submission=submission.id,
            volunteer=submission.volunteer_id,
            visited_at=submission.submitted_at,
            approved_at=review.created_at,
            failed_items=len(failed),
        )
        for item in failed:
            Finding.create(
                station=station.id,
                venue=venue.id,
                visit=visit.id,
                item=item,
                note=(fields.get(note_key(item)) or "").strip(),
                opened_at=review.created_at,
            )
