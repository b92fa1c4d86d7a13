"""Open311: GET requests, one request and tokens — filters, the 90-day
window, status open/closed, and one station never seeing another's."""

from datetime import datetime, timedelta

import pytest

from core.incidents.lifecycle import change_state
from core.models import Incident, Role, utcnow

from .open311_helpers import (
    BASE,
    REQUEST_KEYS,
    errors_of,
    issue_key,
    listed,
    make_incident,
    post,
    xml,
)
from .points_helpers import station
from .tasks_helpers import person


def ids(response):
    return [item["service_request_id"] for item in listed(response)]


def get(client, query, fmt="json"):
    return client.get(f"{BASE}/requests.{fmt}?jurisdiction_id=huguo&{query}")


def test_a_request_document_has_the_spec_keys_and_w3c_times(app, client):
    incident = make_incident(app, now=datetime(2026, 11, 28, 10, 0, 0))
    (document,) = listed(client.get(f"{BASE}/requests/{incident.id}.json?jurisdiction_id=huguo"))
    assert set(document) == REQUEST_KEYS
    assert document["service_request_id"] == incident.id
    assert document["status"] == "open"
    assert document["service_code"] == "merchant_help" and document["service_name"] == "商户求助"
    assert document["agency_responsible"] == station(app).config.name
    assert document["requested_datetime"] == "2026-11-28T18:00:00+08:00"  # Kunming time
    assert document["updated_datetime"] == "2026-11-28T18:00:00+08:00"
    assert document["address"] == "青年路 1 号" and document["lat"] is None


def test_a_request_in_xml_and_without_extension(app, client):
    incident = make_incident(app)
    for path in (f"{BASE}/requests/{incident.id}.xml", f"{BASE}/requests/{incident.id}"):
        root = xml(client.get(f"{path}?jurisdiction_id=huguo"))
        assert root.tag == "service_requests"
        (request,) = root
        assert request.tag == "request" and {child.tag for child in request} == REQUEST_KEYS
        assert request.findtext("service_request_id") == str(incident.id)
        assert request.findtext("status") == "open"
        assert "x@example.cn" not in client.get(f"{path}?jurisdiction_id=huguo").get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_another_stations_or_an_unknown_request_is_a_404(app, client, fmt):
    theirs = make_incident(app, "xiaonanmen")
    for request_id in (theirs.id, 999999, "12abc", "9" * 40, "1%00"):
        response = client.get(f"{BASE}/requests/{request_id}.{fmt}?jurisdiction_id=huguo")
        assert response.status_code == 404
        assert errors_of(response)[0][0] == 404
    assert client.get(f"{BASE}/requests/{theirs.id}.{fmt}?jurisdiction_id=xiaonanmen").status_code == 200


def test_get_requests_lists_only_the_station_newest_first(app, client):
    now = utcnow()
    older = make_incident(app, now=now - timedelta(days=2))
    newer = make_incident(app, now=now - timedelta(hours=1))
    make_incident(app, "xiaonanmen", now=now - timedelta(hours=1))
    assert ids(client.get(f"{BASE}/requests.json?jurisdiction_id=huguo")) == [newer.id, older.id]
    root = xml(client.get(f"{BASE}/requests.xml?jurisdiction_id=huguo"))
    assert root.tag == "service_requests" and [r.findtext("service_request_id") for r in root] == [
        str(newer.id),
        str(older.id),
    ]
    assert xml(client.get(f"{BASE}/requests?jurisdiction_id=huguo")).tag == "service_requests"


def test_the_default_window_is_the_last_90_days(app, client):
    now = utcnow()
    recent = make_incident(app, now=now - timedelta(days=89))
    make_incident(app, now=now - timedelta(days=91))
    assert ids(client.get(f"{BASE}/requests.json?jurisdiction_id=huguo")) == [recent.id]


def test_start_and_end_date_pick_by_requested_time_in_any_zone(app, client):
    first = make_incident(app, now=datetime(2026, 10, 1, 4, 0))  # 12:00 in Kunming
    second = make_incident(app, now=datetime(2026, 10, 3, 4, 0))
    assert ids(get(client, "start_date=2026-10-01T00:00:00%2B08:00&end_date=2026-10-02T00:00:00%2B08:00")) == [first.id]
    assert ids(get(client, "start_date=2026-10-01T05:00:00Z&end_date=2026-10-05T00:00:00Z")) == [second.id]
    # without an offset: the station's local time
    assert ids(get(client, "start_date=2026-10-01T11:00:00&end_date=2026-10-01T13:00:00")) == [first.id]
    # start alone: 90 days from it; end alone: 90 days up to it
    assert ids(get(client, "start_date=2026-10-02T00:00:00Z")) == [second.id]
    assert ids(get(client, "end_date=2026-10-02T00:00:00Z")) == [first.id]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "start_date"),
        ("start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "end_date"),
        ("start_date=yesterday", "start_date"),
        ("end_date=2026-13-01T00:00:00Z", "end_date"),
        ("start_date=0001-01-01T00:00:00Z", "start_date"),
        ("end_date=2026-01-01%00", "end_date"),
        ("status=pending", "status"),
        ("service_request_id=1,two", "service_request_id"),
        ("service_request_id=" + "9" * 30, "service_request_id"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(client, fmt, query, named):
    response = get(client, query, fmt)
    assert response.status_code == 400
    ((code, description),) = errors_of(response)
    assert code == 400 and description.startswith(named)


def test_status_filter_follows_state_changes(app, client):
    stays_open = make_incident(app)
    resolved = make_incident(app)
    acknowledged = make_incident(app)
    officer = person(app, "huguo", Role.OFFICER)
    with app.test_request_context():
        change_state(station(app), officer, resolved.id, "resolved", note="已劝离车主")
        change_state(station(app), officer, acknowledged.id, "acknowledged")
    assert set(ids(get(client, "status=open"))) == {stays_open.id, acknowledged.id}
    assert ids(get(client, "status=closed")) == [resolved.id]
    assert len(ids(get(client, "status=open,closed"))) == 3
    (document,) = listed(client.get(f"{BASE}/requests/{resolved.id}.json?jurisdiction_id=huguo"))
    assert document["status"] == "closed" and document["status_notes"] == "已劝离车主"
    root = xml(get(client, "status=closed", "xml"))
    assert [r.findtext("status") for r in root] == ["closed"]


def test_service_code_filter_takes_a_comma_list(app, client):
    merchant = make_incident(app)
    noise = make_incident(app, category="construction_noise")
    make_incident(app, category="illegal_posters")
    assert set(ids(get(client, "service_code=merchant_help,construction_noise"))) == {merchant.id, noise.id}
    assert ids(get(client, "service_code=potholes")) == []
    assert ids(get(client, "service_code=pot%00holes")) == []


def test_service_request_id_ignores_the_other_filters(app, client):
    old = make_incident(app, now=utcnow() - timedelta(days=200))
    theirs = make_incident(app, "xiaonanmen")
    query = f"service_request_id={old.id},{theirs.id}&status=closed&start_date=2026-01-01T00:00:00Z&service_code=illegal_parking"
    assert ids(get(client, query)) == [old.id]


def test_empty_optional_filters_are_absent(app, client):
    incident = make_incident(app)
    assert ids(get(client, "start_date=&end_date=&status=&service_code=&service_request_id=")) == [incident.id]


def test_doubled_slashes_in_get_requests(app, client):
    incident = make_incident(app)
    assert ids(client.get("/open311//v2//requests.json?jurisdiction_id=huguo")) == [incident.id]
    assert (
        listed(client.get(f"/open311/v2//requests//{incident.id}.json?jurisdiction_id=huguo"))[0]["service_request_id"]
        == incident.id
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_tokens_give_the_request_id(app, client, fmt):
    key, _admin = issue_key(app)
    posted = listed(post(client, key))[0]
    token = Incident.get_by_id(posted["service_request_id"]).token
    response = client.get(f"{BASE}/tokens/{token}.{fmt}?jurisdiction_id=huguo")
    assert response.status_code == 200
    if fmt == "json":
        assert response.get_json() == [{"service_request_id": posted["service_request_id"], "token": token}]
    else:
        root = xml(response)
        assert root.tag == "service_requests" and [c.tag for c in root[0]] == ["service_request_id", "token"]
        assert root[0].findtext("token") == token
    for wrong in ("nope", "a%00b", "x" * 300):
        missing = client.get(f"{BASE}/tokens/{wrong}.{fmt}?jurisdiction_id=huguo")
        assert missing.status_code == 404 and errors_of(missing)[0][0] == 404
    # another station does not know the token
    assert client.get(f"{BASE}/tokens/{token}.{fmt}?jurisdiction_id=xiaonanmen").status_code == 404


@pytest.mark.parametrize("text", ["门口\uffff有人", "门口\ufffe有人"], ids=["U+FFFF", "U+FFFE"])
def test_text_xml_cannot_carry_is_refused_when_posted(client, app, text):
    key, _admin = issue_key(app)
    with app.app_context():
        before = Incident.select().count()
    response = post(client, key, fmt="xml", description=text)
    assert response.status_code == 400
    root = xml(response)  # the error itself is well-formed XML
    assert root.tag == "errors" and root.findtext("error/description").startswith("description")
    with app.app_context():
        assert Incident.select().count() == before


def test_a_stored_text_xml_cannot_carry_still_gives_a_well_formed_list(app, client):
    incident = make_incident(app)
    with app.app_context():  # stored before such text was refused on the way in
        Incident.update(description="门口\uffff有人\x0b争吵").where(Incident.id == incident.id).execute()
    response = client.get(f"{BASE}/requests.xml?jurisdiction_id=huguo")
    assert response.status_code == 200
    (request,) = xml(response)
    assert request.findtext("description") == "门口\ufffd有人\ufffd争吵"
