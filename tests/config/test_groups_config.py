"""A station's ``[groups]`` table: what it changes, and every mistake in it
refused with the file and the key named — by ``load_stations``, by the app
refusing to start, and by ``redarmband stations check``."""

import pytest

from core.config import load_stations
from core.testing import write_station

from .helpers import problem_line, registry, stations_check


def groups_table(text):
    return "[groups]\n" + text + "\n"


# --- what loads ---------------------------------------------------------------


def test_without_a_groups_table_an_officer_liaises_with_ten(stations_dir):
    write_station(stations_dir, "alpha")
    assert load_stations(stations_dir, registry()).by_slug["alpha"].groups.liaison_limit == 10


def test_an_empty_groups_table_keeps_the_default(stations_dir):
    write_station(stations_dir, "alpha", extra=groups_table(""))
    assert load_stations(stations_dir, registry()).by_slug["alpha"].groups.liaison_limit == 10


@pytest.mark.parametrize("value", [1, 3, 100])
def test_a_liaison_limit_within_its_bounds_loads(stations_dir, make_app, value):
    write_station(stations_dir, "alpha", extra=groups_table(f"liaison_limit = {value}"))
    write_station(stations_dir, "beta")
    assert load_stations(stations_dir, registry()).by_slug["alpha"].groups.liaison_limit == value
    tenancy = make_app().extensions["redarmband"].tenancy
    assert tenancy.get("alpha").config.groups.liaison_limit == value
    assert tenancy.get("beta").config.groups.liaison_limit == 10  # each station its own


# --- mistakes -----------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, 101])
def test_a_liaison_limit_out_of_range_names_the_file_key_and_range(stations_dir, refused, value):
    path = write_station(stations_dir, "alpha", extra=groups_table(f"liaison_limit = {value}"))
    line = problem_line(refused(), path)
    assert line.startswith(f"{path}: key 'groups.liaison_limit':")
    assert "greater than or equal to 1 and less than or equal to 100" in line


@pytest.mark.parametrize("value", ['"ten"', "true", "[10]"], ids=["a string", "a boolean", "a list"])
def test_a_liaison_limit_that_is_not_a_number_is_refused(stations_dir, refused, value):
    path = write_station(stations_dir, "alpha", extra=groups_table(f"liaison_limit = {value}"))
    line = problem_line(refused(), path)
    assert line.startswith(f"{path}: key 'groups.liaison_limit':") and "integer" in line


def test_a_fractional_liaison_limit_is_refused(stations_dir, refused):
    path = write_station(stations_dir, "alpha", extra=groups_table("liaison_limit = 2.5"))
    line = problem_line(refused(), path)
    assert line.startswith(f"{path}: key 'groups.liaison_limit':") and "integer" in line


def test_a_misspelt_key_in_groups_names_the_keys_that_exist(stations_dir, refused):
    path = write_station(stations_dir, "alpha", extra=groups_table("liason_limit = 3"))
    line = problem_line(refused(), path)
    assert line == f"{path}: key 'groups.liason_limit': unknown key; expected one of: liaison_limit"


def test_groups_that_is_not_a_table_is_named(stations_dir, refused):
    path = write_station(stations_dir, "alpha", groups=5)
    line = problem_line(refused(), path)
    assert line.startswith(f"{path}: key 'groups':")


def test_only_the_bad_file_is_named(stations_dir, refused):
    write_station(stations_dir, "alpha", extra=groups_table("liaison_limit = 5"))
    path = write_station(stations_dir, "beta", extra=groups_table("liaison_limit = 0"))
    message = refused()
    problem_line(message, path)
    assert "alpha.toml" not in message


def test_stations_check_names_the_file_and_key(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    write_station(bad, "alpha")
    path = write_station(bad, "beta", extra=groups_table("liaison_limit = 1000"))
    result = stations_check(bad)
    assert result.exit_code == 1
    assert f"{path}: key 'groups.liaison_limit'" in result.output
    assert "alpha.toml" not in result.output
