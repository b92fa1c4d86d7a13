"""Builders shared by the Open311 tests: keys, posts, parsing both formats."""

import json
import xml.etree.ElementTree as ET
from io import BytesIO

from PIL import ExifTags, Image

from core.incidents.keys import create_key
from core.models import Incident, Role

from .points_helpers import station
from .tasks_helpers import person

BASE = "/open311/v2"
# The keys of a request document, as the spec lists them.
REQUEST_KEYS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
SERVICE_KEYS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
ATTRIBUTE_KEYS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description"}
POSTED_KEYS = {"service_request_id", "service_notice", "account_id"}


def issue_key(app, slug="huguo", label="12345 热线"):
    """A live key of ``slug`` and the station admin who issued it."""
    with app.test_request_context():
        admin = person(app, slug, Role.STATION_ADMIN)
        _row, key = create_key(station(app, slug), admin, label)
    return key, admin


def parking(**overrides):
    """A valid illegal_parking request body; ``None`` values are left out."""
    body = {
        "jurisdiction_id": "huguo",
        "service_code": "illegal_parking",
        "lat": "25.0456",
        "long": "102.7097",
        "description": "白色轿车堵住小区大门",
        "attribute[plate]": "云A12345",
        "email": "zhang@example.cn",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812345678",
        "account_id": "acct-7",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def post(client, key, fmt="json", path=None, **overrides):
    body = parking(**overrides)
    if key is not None:
        body.setdefault("api_key", key)
    return client.post(path or f"{BASE}/requests.{fmt}", data=body)


def errors_of(response):
    """``[(code, description)]`` of an error response, in either format."""
    if response.mimetype == "application/json":
        document = response.get_json()
        assert isinstance(document, list) and all(set(item) == {"code", "description"} for item in document)
        return [(item["code"], item["description"]) for item in document]
    root = xml(response)
    assert root.tag == "errors" and all(child.tag == "error" for child in root)
    return [(int(error.findtext("code")), error.findtext("description")) for error in root]


def xml(response):
    assert response.mimetype == "text/xml", response.mimetype
    body = response.get_data()
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(body)


def listed(response):
    """A JSON list response as Python data."""
    assert response.mimetype == "application/json", response.mimetype
    return json.loads(response.get_data(as_text=True))


def count():
    return Incident.select().count()


def jpeg_with_exif():
    image = Image.new("RGB", (120, 80), (200, 30, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (25.0, 2.0, 34.0)
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def make_incident(app, slug="huguo", *, now=None, category="merchant_help", description="商户门口有人争吵", **extra):
    """An incident reported at ``slug`` (by its own Open311 client), at ``now``."""
    from core.incidents.reporting import load_report, report
    from core.models import IncidentSource

    with app.test_request_context():
        data = load_report({"category": category, "description": description, "address": "青年路 1 号", **extra})
        return report(
            station(app, slug), None, data, now=now, source=IncidentSource.OPEN311, contact={"email": "x@example.cn"}
        )
