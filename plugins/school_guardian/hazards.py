"""校园周边隐患: checking a report, and a school's hazard board."""

from flask_babel import gettext as _

from core import Submission, SubmissionState, Text

from .task_types import HAZARD, NAME

BOARD_SIZE = 100

STATE_LABELS = {
    SubmissionState.PENDING: Text("待审核", "Waiting for review"),
    SubmissionState.APPROVED: Text("已核实", "Confirmed"),
    SubmissionState.REJECTED: Text("未采纳", "Not accepted"),
    SubmissionState.RETURNED: Text("退回补充", "Sent back for changes"),
}


def validate_submission(station, task_type, data):
    """A hazard report needs its location and one of this station's schools."""
    if task_type.key != HAZARD:
        return None
    problems = {}
    if data.get("latitude") is None or data.get("longitude") is None:
        problems["location"] = [_("A hazard report needs its location: press “Add my location” before sending.")]
    school = (data.get("fields") or {}).get("school")
    names = [school["name"] for school in station.plugin_config(NAME).get("schools", ())]
    if school is not None and school not in names:
        problems["fields.school"] = [
            _("“%(school)s” is not one of this station's schools: %(schools)s", school=school, schools="、".join(names))
        ]
    return problems


def board(station, school_name):
    """The school's hazard reports, newest first."""
    found = []
    query = (
        Submission.select()
        .where(Submission.station == station.id, Submission.type_key == HAZARD)
        .order_by(Submission.id.desc())
    )
    for submission in query.iterator():
        if (submission.fields or {}).get("school") == school_name:
            found.append(submission)
            if len(found) >= BOARD_SIZE:
                break
    return found


def photo_positions(submission):
    return sorted(photo.position for photo in submission.photos)
