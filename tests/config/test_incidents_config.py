"""A station's ``[incidents]`` table: what it changes, and every mistake in
it refused with the file and the key named — by ``load_stations`` and by
the app refusing to start alike."""

import pytest

from core.config import load_stations
from core.testing import write_station

from .helpers import problem_line, registry


def incidents_table(text):
    return "[incidents]\n" + text + "\n"


# --- what loads ---------------------------------------------------------------


def test_without_an_incidents_table_the_defaults_hold(stations_dir):
    write_station(stations_dir, "alpha")
    settings = load_stations(stations_dir, registry()).by_slug["alpha"].incidents
    assert (settings.disabled, settings.duplicate_radius_m, settings.duplicate_hours, settings.useful_points) == (
        (),
        200,
        2,
        2,
    )


def test_the_table_sets_each_station_its_own(stations_dir, make_app):
    write_station(
        stations_dir,
        "alpha",
        extra=incidents_table(
            'disabled = ["illegal_posters", "construction_noise"]\nduplicate_radius_m = 50\nduplicate_hours = 6\nuseful_points = 0'
        ),
    )
    write_station(stations_dir, "beta")
    tenancy = make_app().extensions["redarmband"].tenancy
    alpha = tenancy.get("alpha")
    assert alpha.config.incidents.disabled == ("illegal_posters", "construction_noise")
    assert (
        alpha.config.incidents.duplicate_radius_m,
        alpha.config.incidents.duplicate_hours,
        alpha.config.incidents.useful_points,
    ) == (50, 6, 0)
    assert [c.key for c in alpha.incident_categories] == [
        "illegal_parking",
        "lost_and_found",
        "missing_child",
        "merchant_help",
    ]
    assert len(tenancy.get("beta").incident_categories) == 6  # each station its own


def test_a_plugins_category_may_be_switched_off_where_the_plugin_is_on(stations_dir):
    write_station(
        stations_dir,
        "alpha",
        plugins=["night_patrol"],
        extra=incidents_table('disabled = ["venue_disturbance"]') + NIGHT_PATROL_SETTINGS,
    )
    assert load_stations(stations_dir, registry()).by_slug["alpha"].incidents.disabled == ("venue_disturbance",)


NIGHT_PATROL_SETTINGS = """
[plugin_settings.night_patrol]
night_start = "20:00"
night_end = "02:00"
night_multiplier = 1.5
weekend_bonus = 2
alliance_commitments = ["不向未成年人售酒"]
"""


# --- mistakes -----------------------------------------------------------------


def test_an_unknown_category_in_disabled_names_the_categories_there_are(stations_dir, refused):
    path = write_station(stations_dir, "alpha", extra=incidents_table('disabled = ["stray_dogs"]'))
    line = problem_line(refused(), path)
    assert line.startswith(f"{path}: key 'incidents.disabled': unknown incident category 'stray_dogs'")
    assert "illegal_parking" in line and "missing_child" in line


def test_a_plugins_category_is_unknown_where_the_plugin_is_off(stations_dir, refused):
    path = write_station(stations_dir, "alpha", extra=incidents_table('disabled = ["venue_disturbance"]'))
    line = problem_line(refused(), path)
    assert line.startswith(f"{path}: key 'incidents.disabled': unknown incident category 'venue_disturbance'")


@pytest.mark.parametrize("value", ['"illegal_posters"', "[1]"], ids=["a string", "a number in the list"])
def test_disabled_that_is_not_a_list_of_names_is_refused(stations_dir, refused, value):
    path = write_station(stations_dir, "alpha", extra=incidents_table(f"disabled = {value}"))
    assert problem_line(refused(), path).startswith(f"{path}: key 'incidents.disabled")


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("duplicate_radius_m", 9, "greater than or equal to 10 and less than or equal to 5000"),
        ("duplicate_radius_m", 5001, "greater than or equal to 10 and less than or equal to 5000"),
        ("duplicate_hours", 0, "greater than or equal to 1 and less than or equal to 72"),
        ("duplicate_hours", 73, "greater than or equal to 1 and less than or equal to 72"),
        ("useful_points", -1, "greater than or equal to 0 and less than or equal to 100"),
        ("useful_points", 101, "greater than or equal to 0 and less than or equal to 100"),
    ],
)
def test_a_number_out_of_range_names_the_file_key_and_range(stations_dir, refused, key, value, expected):
    path = write_station(stations_dir, "alpha", extra=incidents_table(f"{key} = {value}"))
    line = problem_line(refused(), path)
    assert line.startswith(f"{path}: key 'incidents.{key}':") and expected in line


@pytest.mark.parametrize("key", ["duplicate_radius_m", "duplicate_hours", "useful_points"])
@pytest.mark.parametrize("value", ['"200"', "200.5", "true"], ids=["a string", "a fraction", "a boolean"])
def test_a_number_that_is_not_an_integer_is_refused(stations_dir, refused, key, value):
    path = write_station(stations_dir, "alpha", extra=incidents_table(f"{key} = {value}"))
    line = problem_line(refused(), path)
    assert line.startswith(f"{path}: key 'incidents.{key}':") and "integer" in line


def test_a_misspelt_key_names_the_keys_that_exist(stations_dir, refused):
    path = write_station(stations_dir, "alpha", extra=incidents_table("duplicate_radius = 100"))
    line = problem_line(refused(), path)
    assert line == (
        f"{path}: key 'incidents.duplicate_radius': unknown key; expected one of: "
        "disabled, duplicate_hours, duplicate_radius_m, useful_points"
    )


def test_incidents_that_is_not_a_table_is_named(stations_dir, refused):
    path = write_station(stations_dir, "alpha", incidents=5)
    assert problem_line(refused(), path).startswith(f"{path}: key 'incidents':")


def test_only_the_bad_file_is_named(stations_dir, refused):
    write_station(stations_dir, "alpha", extra=incidents_table("useful_points = 5"))
    path = write_station(stations_dir, "beta", extra=incidents_table("duplicate_hours = 0"))
    message = refused()
    problem_line(message, path)
    assert "alpha.toml" not in message
