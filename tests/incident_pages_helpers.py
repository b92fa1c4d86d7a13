"""Shared by the incident page tests: reporting through the form (with
photos), acting on an incident through its page's forms, reading the board."""

import re
from io import BytesIO

from core.models import Incident
from core.testing import csrf_token_from

from .tasks_pages_helpers import jpeg, page

STATION = "/s/huguo"


def report_form(
    category="illegal_parking", *, description="白色轿车堵住小区消防通道", address="护国路 12 号", fields=None, **extra
):
    form = {"category": category, "description": description, "address": address}
    form.update({f"fields.{name}": value for name, value in (fields or {}).items()})
    form.update(extra)
    return form


def send_report(client, form, *, photos=0, slug="huguo"):
    """GET the report form, then POST ``form`` with ``photos`` generated JPEGs."""
    url = f"/s/{slug}/incidents/report"
    data = {"csrf_token": csrf_token_from(client.get(url)), **form}
    data["photos"] = [(BytesIO(jpeg((60 * n, 90, 160))), f"photo{n}.jpg", "image/jpeg") for n in range(photos)]
    return client.post(url, data=data, content_type="multipart/form-data")


def report(client, **kwargs):
    """Report through the page; returns the new incident's id."""
    photos = kwargs.pop("photos", 0)
    response = send_report(client, report_form(**kwargs), photos=photos)
    assert response.status_code == 302, page(response)
    found = re.search(r"/incidents/(\d+)$", response.headers["Location"])
    return int(found.group(1))


def incident_count(app):
    with app.app_context():
        return Incident.select().count()


def get_incident(app, incident_id):
    with app.app_context():
        return Incident.get_by_id(incident_id)


def act(client, incident_id, what, slug="huguo", **form):
    """POST one of an incident page's forms (its CSRF token from the page)."""
    url = f"/s/{slug}/incidents/{incident_id}"
    token = csrf_token_from(client.get(url))
    return client.post(f"{url}/{what}", data={"csrf_token": token, **form})


def change(client, incident_id, to_state, *, note="", **form):
    return act(client, incident_id, "state", to_state=to_state, note=note, **form)


def board_ids(client, query=""):
    """The incident ids listed on the board, top to bottom."""
    return [int(found) for found in re.findall(r'id="incident-(\d+)"', page(client.get(f"{STATION}/incidents{query}")))]


VOLUNTEER = "13800000001"
OTHER_VOLUNTEER = "13800000002"
OFFICER = "13700000001"
