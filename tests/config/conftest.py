"""Each station-config test writes its own station files, and checks that
``load_stations`` and app start-up refuse them alike."""

import pytest

from core.config import StationConfigError, load_stations

from .helpers import registry


@pytest.fixture
def redarmband_stations_dir(tmp_path):
    """Each test writes its own station files here (the app loads them too)."""
    directory = tmp_path / "stations"
    directory.mkdir()
    return directory


@pytest.fixture
def stations_dir(redarmband_stations_dir):
    return redarmband_stations_dir


@pytest.fixture
def refused(make_app, stations_dir):
    """The error for the current station files; the app refuses with the same."""

    def check():
        with pytest.raises(StationConfigError) as loading:
            load_stations(stations_dir, registry())
        with pytest.raises(StationConfigError) as starting:
            make_app()
        assert str(starting.value) == str(loading.value)
        return str(loading.value)

    return check
