"""Service hours, star levels (星级志愿者) and service certificates.

Hours are confirmed when an officer approves work; the sum of a volunteer's
confirmed minutes gives the national star level by the station's
``[tasks] star_hours`` (★1 100 h … ★5 1500 h by default).
"""

import re
import secrets
from dataclasses import dataclass

from peewee import IntegrityError, fn

from ..models import Certificate, Submission, SubmissionState, utcnow
from ..points import local_date_of
from .errors import TaskError
from .posting import require_staff
from .qualifications import station_volunteer

NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CERTIFICATE_NUMBER = re.compile(r"[A-Z0-9-]{1,60}")  # <SLUG>-<YYYYMMDD>-<6 of NUMBER_ALPHABET>


@dataclass(frozen=True)
class HoursSummary:
    minutes: int
    star: int  # 0 to 5
    next_star_hours: int | None  # hours the next star needs, None at ★5
    by_type: list  # [{"type_key", "count", "minutes"}], most minutes first

    @property
    def hours(self):
        return round(self.minutes / 60, 1)


def hours_text(minutes):
    """Minutes as hours to one decimal: 90 → 1.5, 60 → 1."""
    return format(round((minutes or 0) / 60, 1), "g")


def star_level(station, minutes):
    thresholds = station.config.tasks.star_hours
    return sum(1 for hours in thresholds if minutes >= hours * 60)


def summary(station, volunteer):
    rows = (
        Submission.select(Submission.type_key, fn.COUNT(Submission.id), fn.COALESCE(fn.SUM(Submission.minutes), 0))
        .where(Submission.volunteer == volunteer.id, Submission.state == SubmissionState.APPROVED)
        .group_by(Submission.type_key)
        .tuples()
    )
    by_type = sorted(
        ({"type_key": key, "count": count, "minutes": int(minutes)} for key, count, minutes in rows),
        key=lambda row: (-row["minutes"], row["type_key"]),
    )
    minutes = sum(row["minutes"] for row in by_type)
    star = star_level(station, minutes)
    thresholds = station.config.tasks.star_hours
    return HoursSummary(minutes, star, thresholds[star] if star < len(thresholds) else None, by_type)


def _new_number(station, now):
    day = local_date_of(station, now).strftime("%Y%m%d")
    token = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))
    return f"{station.slug.upper()}-{day}-{token}"


def issue_certificate(station, officer, volunteer_id, now=None):
    """Issue a service certificate of the volunteer's confirmed hours so far."""
    now = now or utcnow()
    require_staff(station, officer)
    volunteer = station_volunteer(station, volunteer_id)
    hours = summary(station, volunteer)
    if hours.minutes == 0:
        raise TaskError("the volunteer has no confirmed service hours yet", code="no_hours")
    for _attempt in range(5):  # a clash of random numbers is unlikely; retry it anyway
        try:
            return Certificate.create(
                station=station.id,
                volunteer=volunteer.id,
                number=_new_number(station, now),
                issued_by=officer.id,
                issued_at=now,
                minutes=hours.minutes,
                star_level=hours.star,
                content=hours.by_type,
            )
        except IntegrityError:
            continue
    raise TaskError("could not number the certificate; try again", code="try_again", status=503)


def certificates_of(volunteer):
    return list(Certificate.select().where(Certificate.volunteer == volunteer.id).order_by(Certificate.id.desc()))


def get_certificate(station, user, number):
    """A certificate ``user`` may see: their own, or any of the station's if staff."""
    if not CERTIFICATE_NUMBER.fullmatch(number or ""):
        raise TaskError("no such certificate at this station", code="not_found", status=404)
    certificate = Certificate.get_or_none(Certificate.number == number, Certificate.station == station.id)
    if certificate is None or (
        certificate.volunteer_id != user.id and not (user.station_id == station.id and user.is_staff)
    ):
        raise TaskError("no such certificate at this station", code="not_found", status=404)
    return certificate
