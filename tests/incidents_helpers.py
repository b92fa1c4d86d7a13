"""Builders shared by the incident tests: people, reports at given places
and times, photos carrying a location, and what is left on disk."""

import itertools
import math
from io import BytesIO
from pathlib import Path

from PIL import ExifTags, Image

from core.accounts import create_user
from core.incidents.reporting import load_report, report
from core.models import Role

from .points_helpers import station

_phones = itertools.count(13_300_000_000)

# 护国路, Kunming: where the reports of these tests are made
HERE = (25.04300, 102.71000)
METRES_PER_DEGREE_LATITUDE = 2 * math.pi * 6_371_000 / 360

# What each core category needs beyond the description (its schema's fields)
CORE_FIELDS = {
    "illegal_parking": {"plate": "云A12345"},
    "lost_and_found": {"kind": "found", "item": "黑色钱包"},
    "missing_child": {"child_name": "小明", "age": 6, "clothing": "红色外套，蓝色书包"},
    "merchant_help": {},
    "construction_noise": {"heard_during": "night"},
    "illegal_posters": {},
}


def person(app, slug="huguo", role=Role.VOLUNTEER, name=None, active=True):
    """A new user of ``slug`` (``None``: no station) with ``role``."""
    phone = str(next(_phones))
    user = create_user(
        role=role,
        phone=phone,
        name=name or f"{role}{phone[-4:]}",
        password="pass-word-1",
        station_id=station(app, slug).id if slug else None,
    )
    if not active:
        user.active = False
        user.save()
    return user


def volunteer(app, slug="huguo", name=None):
    return person(app, slug, Role.VOLUNTEER, name)


def officer(app, slug="huguo", name=None):
    return person(app, slug, Role.OFFICER, name)


def north_of(point, metres):
    """The point ``metres`` due north of ``point``."""
    return (point[0] + metres / METRES_PER_DEGREE_LATITUDE, point[1])


def body(category="illegal_parking", *, at=HERE, **overrides):
    """A report's raw input at ``at`` (``None``: no coordinates)."""
    raw = {
        "category": category,
        "description": "护国路口一辆白色轿车压盲道",
        "fields": dict(CORE_FIELDS.get(category, {})),
    }
    if at is not None:
        raw["latitude"], raw["longitude"] = at
    raw.update(overrides)
    return raw


def file_report(app, reporter, category="illegal_parking", *, slug=None, photos=(), now=None, **overrides):
    """Report through the domain, as the report form does; the incident."""
    st = station(app, slug or _slug_of(app, reporter))
    return report(st, reporter, load_report(body(category, **overrides)), list(photos), now=now)


def _slug_of(app, user):
    return app.extensions["redarmband"].tenancy.station_of(user).slug


def jpeg_with_gps(colour=(200, 30, 40)):
    """A JPEG photo whose EXIF names the camera and where it was taken."""
    image = Image.new("RGB", (120, 80), colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (25.0, 2.0, 34.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (102.0, 42.0, 36.0)
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    with Image.open(BytesIO(data)) as check:  # the test photo really carries a location
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def uploaded_files(app):
    root = Path(app.instance_path) / "uploads"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
