"""Likely duplicates: before a volunteer sends a report, the live reports of
the same category nearby and recent are offered, nearest first — within the
station's ``[incidents] duplicate_radius_m`` and ``duplicate_hours``."""

from datetime import timedelta

import pytest

from core.incidents.lifecycle import change_state
from core.incidents.reporting import likely_duplicates
from core.models import IncidentState, utcnow
from core.testing import write_station
from tests.incidents_helpers import HERE, file_report, north_of, officer, volunteer
from tests.points_helpers import station


def offered(app, slug="huguo", category="illegal_parking", at=HERE, now=None, address=""):
    lat, lon = at if at else (None, None)
    found = likely_duplicates(station(app, slug), category, latitude=lat, longitude=lon, address=address, now=now)
    return [(incident.id, metres) for incident, metres in found]


def test_near_and_recent_reports_of_the_category_are_offered_nearest_first(app):
    with app.test_request_context():
        vol = volunteer(app)
        far = file_report(app, vol, at=north_of(HERE, 150))
        near = file_report(app, vol, at=north_of(HERE, 20))
        middle = file_report(app, vol, at=north_of(HERE, 90))
        assert offered(app) == [(near.id, 20), (middle.id, 90), (far.id, 150)]


def test_what_is_not_a_likely_duplicate_is_not_offered(app):
    with app.test_request_context():
        vol, boss = volunteer(app), officer(app)
        now = utcnow()
        file_report(app, vol, at=north_of(HERE, 250))  # beyond 200 m
        file_report(app, vol, now=now - timedelta(hours=2, minutes=5))  # older than 2 hours
        file_report(app, vol, "illegal_posters")  # another category
        closed = file_report(app, vol)
        change_state(station(app), boss, closed.id, IncidentState.NOT_ACTIONABLE, note="车已开走")
        file_report(app, volunteer(app, "xiaonanmen"))  # another station, same spot
        assert offered(app, now=now) == []
        still = file_report(app, vol, now=now - timedelta(hours=1, minutes=55))
        assert offered(app, now=now) == [(still.id, 0)]


def test_acknowledged_and_in_progress_reports_are_still_offered(app):
    with app.test_request_context():
        vol, boss = volunteer(app), officer(app)
        first, second = file_report(app, vol), file_report(app, vol, at=north_of(HERE, 10))
        change_state(station(app), boss, first.id, IncidentState.ACKNOWLEDGED)
        change_state(station(app), boss, second.id, IncidentState.IN_PROGRESS)
        assert [incident_id for incident_id, _m in offered(app)] == [first.id, second.id]
        change_state(station(app), boss, first.id, IncidentState.RESOLVED, note="已拖走")
        assert [incident_id for incident_id, _m in offered(app)] == [second.id]


def test_another_stations_reports_are_offered_there_only(app):
    with app.test_request_context():
        theirs = file_report(app, volunteer(app, "xiaonanmen"))
        assert offered(app, "huguo") == []
        assert offered(app, "xiaonanmen") == [(theirs.id, 0)]


def test_without_coordinates_the_same_address_matches(app):
    with app.test_request_context():
        vol = volunteer(app)
        same = file_report(app, vol, at=None, address="护国路 12 号")
        file_report(app, vol, at=None, address="护国路 14 号")
        file_report(app, vol, at=None, address="护国路 12 号", category="illegal_posters")
        located = file_report(app, vol, address="护国路 12 号")  # has coordinates, and that address too
        found = offered(app, at=None, address="  护国路   12 号 ")  # spacing does not matter
        assert [incident_id for incident_id, _m in found] == [located.id, same.id]
        assert all(metres is None for _id, metres in found)
        assert offered(app, at=None, address="") == []


class TestConfiguredWindow:
    @pytest.fixture
    def redarmband_stations_dir(self, tmp_path):
        """narrow: 50 m and 1 hour; wide: 1000 m and 6 hours."""
        directory = tmp_path / "stations"
        directory.mkdir()
        write_station(directory, "narrow", extra="[incidents]\nduplicate_radius_m = 50\nduplicate_hours = 1\n")
        write_station(directory, "wide", extra="[incidents]\nduplicate_radius_m = 1000\nduplicate_hours = 6\n")
        return directory

    @pytest.mark.parametrize(
        "slug, metres, hours_ago, found",
        [
            ("narrow", 40, 0.5, True),
            ("narrow", 60, 0.5, False),
            ("narrow", 10, 1.2, False),
            ("wide", 900, 5.5, True),
            ("wide", 1100, 1, False),
            ("wide", 10, 6.2, False),
        ],
    )
    def test_the_radius_and_hours_follow_the_station_config(self, app, slug, metres, hours_ago, found):
        with app.test_request_context():
            now = utcnow()
            incident = file_report(
                app, volunteer(app, slug), slug=slug, at=north_of(HERE, metres), now=now - timedelta(hours=hours_ago)
            )
            assert offered(app, slug, now=now) == ([(incident.id, metres)] if found else [])
