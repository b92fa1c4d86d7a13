"""Uploaded photos: decoded and re-encoded with Pillow, metadata stripped.

What does not decode as JPEG, PNG or WebP is refused. Re-encoding drops EXIF
(GPS included) and anything hidden after the image data. Files are stored
below the instance folder's ``uploads/`` by station and date, under a random
name, with a thumbnail beside each.
"""

import secrets
from io import BytesIO
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from .points import local_date_of

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs well before Pillow's own limit
LONGEST_SIDE = 2000  # a 4000 px phone photo decodes at half scale (draft)
THUMBNAIL_SIDE = 320


class PhotoRejected(ValueError):
    """Not an acceptable photo; the message says why and ``code`` names the
    reason: ``too_large``, ``not_a_photo`` or ``too_many_pixels``."""

    def __init__(self, message, code, number=None):
        super().__init__(message)
        self.code = code
        self.number = number  # which of several photos (from 1), when save_photos refused it


def uploads_root(app):
    return Path(app.instance_path) / "uploads"


def save_photo(app, station_slug, folder, data, *, max_bytes, today, draft=True):
    """Store ``data`` as a clean JPEG and a thumbnail; return its relative path.

    ``draft`` lets libjpeg decode a large JPEG at a reduced scale straight
    away (it is shrunk to LONGEST_SIDE anyway): several times less CPU for a
    phone photo (bench/photo_pipeline.py). ``False`` is kept for that bench.
    """
    if len(data) > max_bytes:
        raise PhotoRejected(f"the photo is larger than {max_bytes // (1024 * 1024)} MB", "too_large")
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise PhotoRejected("expected a JPEG, PNG or WebP photo", "not_a_photo")
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoRejected("the photo has too many pixels", "too_many_pixels")
            if draft and probe.format == "JPEG":
                # libjpeg picks the smallest of 1/1 … 1/8 scale that is still
                # at least this size in both directions
                ratio = LONGEST_SIDE / max(probe.size)
                if ratio < 1:
                    probe.draft("RGB", (int(probe.width * ratio), int(probe.height * ratio)))
            image = ImageOps.exif_transpose(probe)  # keep the orientation EXIF gave it
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise PhotoRejected("the file is not a photo that can be read", "not_a_photo") from error
    image = image.convert("RGB")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    relative = Path(station_slug) / folder / today.strftime("%Y/%m/%d") / f"{secrets.token_hex(12)}.jpg"
    target = uploads_root(app) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "JPEG", quality=85, optimize=True)  # no exif= argument: metadata is dropped
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    thumbnail.save(thumbnail_path(target), "JPEG", quality=80)
    return relative.as_posix()


def save_photos(app, station_slug, folder, photos, *, max_bytes, today):
    """Store every photo of ``photos`` (bytes each), or none: when one is
    refused, those already written are deleted and :class:`PhotoRejected`
    says which (``number``, from 1). Returns the relative paths."""
    saved = []
    try:
        for number, data in enumerate(photos, start=1):
            try:
                saved.append(save_photo(app, station_slug, folder, data, max_bytes=max_bytes, today=today))
            except PhotoRejected as rejected:
                rejected.number = number
                raise
    except BaseException:
        delete_photos(app, saved)
        raise
    return saved


def save_station_photos(station, folder, photos, now, refuse):
    """:func:`save_photos` for a station's volunteers (task work, incident
    reports): the station's size limit, its local day's folder; a refused
    photo is ``refuse({"photos": [why]})``, the calling area's 400."""
    try:
        return save_photos(
            current_app._get_current_object(),
            station.slug,
            folder,
            photos,
            max_bytes=station.config.tasks.max_photo_bytes,
            today=local_date_of(station, now),
        )
    except PhotoRejected as rejected:
        raise refuse({"photos": [f"photo {rejected.number}: {rejected}"]}) from rejected


def discard_photos(paths):
    """Delete stored photos of the current app (a refused or replaced set)."""
    delete_photos(current_app._get_current_object(), paths)


def delete_photos(app, paths):
    for path in paths:
        delete_photo(app, path)


def thumbnail_path(path):
    path = Path(path)
    return path.with_name(f"{path.stem}.thumb.jpg")


def delete_photo(app, relative):
    """Remove a stored photo and its thumbnail (gone already is fine)."""
    target = uploads_root(app) / relative
    for path in (target, thumbnail_path(target)):
        path.unlink(missing_ok=True)
