"""Shared by the school_guardian test modules: the test week, its station files as the stations dir, the officer."""

from datetime import timedelta

import pytest

from ..tasks_pages_helpers import officer
from .school_guardian_helpers import first_monday, write_world

# The test world (school_guardian_helpers.write_world) puts a holiday on the
# Wednesday of a week two weeks ahead, so every date used is still to come.
MONDAY = first_monday()
DAY = {name: MONDAY + timedelta(days=offset) for offset, name in enumerate(["mon", "tue", "wed", "thu", "fri"])}
NEXT = {name: day + timedelta(days=7) for name, day in DAY.items()}


# Each test module imports both fixtures (boss_fixture, stations_dir_fixture, marked noqa F401):
# every test's app runs on these station files, not only those asking for the directory.


@pytest.fixture(name="redarmband_stations_dir")
def stations_dir_fixture(tmp_path):
    directory = tmp_path / "school-guardian-stations"
    directory.mkdir()
    return write_world(directory, MONDAY)


@pytest.fixture(name="boss")
def boss_fixture(app):
    """huguo's officer, signed in."""
    return officer(app)
