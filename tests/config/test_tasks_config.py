"""A station's ``[tasks]`` table: what it changes, and every mistake in it
refused with the file and the key named — by ``load_stations``, by the app
refusing to start, and by ``redarmband stations check``."""

import pytest

from core.config import MAX_PHOTO_MB, STAR_HOURS, load_stations
from core.testing import write_station

from .helpers import SCHOOLS, problem_line, problem_lines, registry, stations_check


def tasks_table(text):
    return "[tasks]\n" + text + "\n"


CORE_TYPES = (
    "business_info, illegal_parking, illegal_posters, neighbourhood_council, patrol, school_safety, traffic_guiding"
)


# --- what loads ---------------------------------------------------------------


def test_without_a_tasks_table_the_defaults_apply(stations_dir):
    write_station(stations_dir, "alpha")
    tasks = load_stations(stations_dir, registry()).by_slug["alpha"].tasks
    assert (tasks.disabled, tasks.max_photo_mb, tasks.star_hours) == ((), 5, STAR_HOURS)
    assert tasks.max_photo_bytes == 5 * 1024 * 1024


def test_a_full_tasks_table_loads(stations_dir, make_app):
    write_station(
        stations_dir,
        "alpha",
        plugins=["school_guardian"],
        theme="huxiaoxia",
        extra=tasks_table(
            'disabled = ["patrol", "school_gate_duty"]\nmax_photo_mb = 2\nstar_hours = [10, 20, 30, 40, 50]'
        )
        + SCHOOLS,
    )
    tasks = load_stations(stations_dir, registry()).by_slug["alpha"].tasks
    assert (tasks.disabled, tasks.max_photo_mb, tasks.star_hours) == (
        ("patrol", "school_gate_duty"),
        2,
        (10, 20, 30, 40, 50),
    )
    station = make_app().extensions["redarmband"].tenancy.get("alpha")
    offered = [task_type.key for task_type in station.task_types]
    assert "patrol" not in offered and "school_gate_duty" not in offered and "traffic_guiding" in offered


# --- [tasks] disabled ---------------------------------------------------------


def test_an_unknown_type_in_disabled_lists_the_stations_types(stations_dir, refused):
    path = write_station(stations_dir, "alpha", extra=tasks_table('disabled = ["patrl"]'))
    line = problem_line(refused(), path)
    assert "key 'tasks.disabled'" in line and "'patrl'" in line
    assert f"this station has: {CORE_TYPES}" in line


def test_a_plugin_type_is_unknown_where_the_plugin_is_not_enabled(stations_dir, refused):
    write_station(
        stations_dir,
        "huguo",
        plugins=["school_guardian"],
        theme="huxiaoxia",
        extra=tasks_table('disabled = ["school_gate_duty"]') + SCHOOLS,
    )
    plain = write_station(stations_dir, "plain", extra=tasks_table('disabled = ["school_gate_duty"]'))
    message = refused()
    line = problem_line(message, plain)
    assert "key 'tasks.disabled'" in line and "'school_gate_duty'" in line
    assert "huguo" not in message


@pytest.mark.parametrize("value", ['"patrol"', "[1]"], ids=["a string, not a list", "a number in the list"])
def test_a_disabled_that_is_not_a_list_of_names_names_the_key(stations_dir, refused, value):
    # Fails today: core/config.py reads data["tasks"]["disabled"] after the
    # schema dropped the invalid value, and crashes with KeyError: 'disabled'.
    path = write_station(stations_dir, "alpha", extra=tasks_table(f"disabled = {value}"))
    assert any("key 'tasks.disabled" in line for line in problem_lines(refused(), path))


# --- [tasks] max_photo_mb -------------------------------------------------------


@pytest.mark.parametrize("value", [0, MAX_PHOTO_MB + 1, -3])
def test_max_photo_mb_out_of_range_names_the_range(stations_dir, refused, value):
    path = write_station(stations_dir, "alpha", extra=tasks_table(f"max_photo_mb = {value}"))
    line = problem_line(refused(), path)
    assert "key 'tasks.max_photo_mb'" in line
    assert f"greater than or equal to 1 and less than or equal to {MAX_PHOTO_MB}" in line


def test_max_photo_mb_must_be_a_whole_number(stations_dir, refused):
    path = write_station(stations_dir, "alpha", extra=tasks_table('max_photo_mb = "big"'))
    line = problem_line(refused(), path)
    assert "key 'tasks.max_photo_mb'" in line and "integer" in line


@pytest.mark.parametrize("value", [1, MAX_PHOTO_MB])
def test_max_photo_mb_at_its_bounds_loads(stations_dir, value):
    write_station(stations_dir, "alpha", extra=tasks_table(f"max_photo_mb = {value}"))
    assert load_stations(stations_dir, registry()).by_slug["alpha"].tasks.max_photo_mb == value


# --- [tasks] star_hours ---------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "[100, 300, 600, 1000]",
        "[100, 300, 600, 1000, 1500, 2000]",
        "[100, 300, 300, 1000, 1500]",
        "[1500, 1000, 600, 300, 100]",
        "[]",
    ],
    ids=["four", "six", "a repeat", "falling", "none"],
)
def test_star_hours_must_be_five_rising_numbers(stations_dir, refused, value):
    path = write_station(stations_dir, "alpha", extra=tasks_table(f"star_hours = {value}"))
    line = problem_line(refused(), path)
    assert "key 'tasks.star_hours'" in line and "five rising numbers" in line


def test_star_hours_of_zero_names_the_entry(stations_dir, refused):
    path = write_station(stations_dir, "alpha", extra=tasks_table("star_hours = [0, 1, 2, 3, 4]"))
    lines = problem_lines(refused(), path)
    assert any("key 'tasks.star_hours.0'" in line and "greater than or equal to 1" in line for line in lines)


def test_star_hours_that_are_not_a_list_are_refused(stations_dir, refused):
    path = write_station(stations_dir, "alpha", extra=tasks_table('star_hours = "many"'))
    line = problem_line(refused(), path)
    assert "key 'tasks.star_hours'" in line and "list" in line


# --- the table as a whole -------------------------------------------------------


def test_an_unknown_key_in_tasks_is_named(stations_dir, refused):
    path = write_station(stations_dir, "alpha", extra=tasks_table("max_photos_mb = 3"))
    line = problem_line(refused(), path)
    assert "key 'tasks.max_photos_mb'" in line


def test_every_problem_of_the_tasks_table_is_reported_at_once(stations_dir, refused):
    path = write_station(
        stations_dir, "alpha", extra=tasks_table('disabled = ["patrl"]\nmax_photo_mb = 9\nstar_hours = [1, 2, 3]')
    )
    message = refused()
    keys = sorted(line.split("key '")[1].split("'")[0] for line in problem_lines(message, path))
    assert keys == ["tasks.disabled", "tasks.max_photo_mb", "tasks.star_hours"]


def test_stations_check_names_the_file_and_key(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    write_station(bad, "alpha")
    path = write_station(bad, "beta", extra=tasks_table("max_photo_mb = 0\nstar_hours = [5, 4, 3, 2, 1]"))
    result = stations_check(bad)
    assert result.exit_code == 1
    assert f"{path}: key 'tasks.max_photo_mb'" in result.output
    assert f"{path}: key 'tasks.star_hours'" in result.output
    assert "alpha.toml" not in result.output
