"""A POSTed service request turned into an incident report.

The spec's parameters are mapped onto :func:`core.incidents.reporting.load_report`
and :func:`~core.incidents.reporting.report`; a refusal comes back naming the
spec's parameters (``lat``, ``attribute[age]`` …), not ours. The person's
details (email, names, phone, device and account ids) go into the incident's
``contact``: officers see them, the API never shows them again.
"""

import re

from flask import request

from ..errors import Refused
from ..incidents.reporting import load_report, report
from ..models import IncidentSource
from ..validation import no_control_characters
from .errors import Open311Error, bad_parameter, not_found
from .params import param

ATTRIBUTE = re.compile(r"attribute\[([^\[\]\x00-\x1f]{1,60})\](\[\])?")
CONTACT_PARAMS = ("email", "device_id", "account_id", "first_name", "last_name", "phone", "address_id", "media_url")
MAX_CONTACT = 200
MAX_ATTRIBUTES = 50

# Our field names → the spec's parameters, for error messages.
PARAM_NAMES = {
    "category": "service_code",
    "latitude": "lat",
    "longitude": "long",
    "location": "lat/long or address_string",
    "address": "address_string",
    "description": "description",
    "photos": "media",
    "fields": "attribute",
}


def open311_name(field):
    if field.startswith("fields."):
        return f"attribute[{field.removeprefix('fields.')}]"
    return PARAM_NAMES.get(field, field)


def refusal(error):
    """An :class:`IncidentError` (or another refusal) as the spec's error."""
    if error.fields:
        descriptions = [
            f"{open311_name(field)}: {'; '.join(str(m) for m in messages) if isinstance(messages, list) else messages}"
            for field, messages in sorted(error.fields.items())
        ]
        return Open311Error(error.status, *descriptions)
    return Open311Error(error.status, error.message)


def contact_details():
    """The person's details given, checked (they are stored, so no control
    characters and no essays)."""
    contact = {}
    for name in CONTACT_PARAMS:
        value = param(name)
        if value is None:
            continue
        if len(value) > MAX_CONTACT:
            raise bad_parameter(name, f"at most {MAX_CONTACT} characters")
        try:
            no_control_characters()(value)
        except Exception:  # noqa: BLE001 - marshmallow's ValidationError; the message is ours
            raise bad_parameter(name, "must not contain control characters") from None
        contact[name] = value
    return contact


def attributes():
    """``attribute[code]=value`` as the category's extra fields. A
    multivaluelist's ``attribute[code][]`` gives a list."""
    found = {}
    for key in request.form:
        match = ATTRIBUTE.fullmatch(key)
        if match is None:
            continue
        values = [value.strip() for value in request.form.getlist(key)]
        if match.group(2):
            found[match.group(1)] = [value for value in values if value]
        elif values and values[-1]:
            found[match.group(1)] = values[-1]
        if len(found) > MAX_ATTRIBUTES:
            raise bad_parameter("attribute", f"at most {MAX_ATTRIBUTES} attributes")
    return found


def uploaded_media():
    """The bytes of the ``media`` upload, if one came."""
    upload = request.files.get("media")
    if upload is None or not upload.filename:
        return []
    return [upload.read()]


def post_request(station, key_row, category_code, now=None):
    """Record the request; returns ``(incident, contact)``. Raises :class:`Open311Error`."""
    category = station.incident_category(category_code)
    if category is None:
        raise not_found(f"service_code {category_code[:60]!r}")
    contact = contact_details()
    lat, lon, address = param("lat"), param("long"), param("address_string")
    if address is None and lat is None and lon is None and "address_id" in contact:
        address = contact["address_id"]  # an address id is a place too: officers read it
    raw = {
        "category": category.key,
        "description": request.form.get("description", ""),
        "fields": attributes(),
        "latitude": lat,
        "longitude": lon,
        "address": address or "",
    }
    # the spec makes description optional: a client may say it all with
    # the service and its attributes; officers then read the service's name
    raw["description"] = raw["description"].strip() or category.label.zh
    try:
        data = load_report(raw)
        incident = report(
            station,
            None,
            data,
            uploaded_media(),
            now=now,
            source=IncidentSource.OPEN311,
            contact=contact,
            alert_author=key_row.issued_by,
        )
    except Refused as error:
        raise refusal(error) from error
    return incident, contact
