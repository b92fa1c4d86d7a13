"""The project's test world: the shipped stations and brand plugins."""

from pathlib import Path

import pytest

import plugins.night_patrol
import plugins.school_guardian

pytest_plugins = ["core.testing", "tests.command_line"]  # the latter: `redarmband` run as an operator would

REPO = Path(__file__).resolve().parents[1]
BRAND_PLUGINS = [("night_patrol", plugins.night_patrol), ("school_guardian", plugins.school_guardian)]


@pytest.fixture
def redarmband_plugins():
    return list(BRAND_PLUGINS)


@pytest.fixture
def redarmband_stations_dir():
    return REPO / "stations"


@pytest.fixture
def register_volunteer(client):
    """Register a volunteer at a station through the API; returns the response.

    Keyword arguments override fields of the body; the value "missing" leaves one out.
    """

    def register(station="huguo", **overrides):
        oath_version = client.get("/api/v1/stations").get_json()
        versions = {s["slug"]: s["oath"]["version"] for s in oath_version["stations"]}
        body = {
            "name": "李红",
            "phone": "13812345678",
            "password": "correct horse",
            "occupation": "courier",
            "accept_oath": True,
            "oath_version": versions.get(station, "v1"),
        }
        body.update(overrides)
        body = {key: value for key, value in body.items() if value != "missing"}
        return client.post(f"/api/v1/s/{station}/volunteers", json=body)

    return register
