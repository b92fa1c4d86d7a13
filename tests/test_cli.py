"""The ``redarmband`` command: checking station files, the database, accounts."""

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from core.cli import build_cli
from core.models import Role, User
from core.plugins import make_plugin_manager
from core.testing import write_station
from tests.conftest import BRAND_PLUGINS, REPO

REDARMBAND = Path(sys.executable).parent / "redarmband"
ACCOUNT = ["--phone", "13700000001", "--name", "张警官", "--password", "secret123"]


def check_stations(directory):
    """``redarmband stations check DIRECTORY`` in-process."""
    cli = build_cli(make_plugin_manager(load_entrypoints=False, extra_plugins=BRAND_PLUGINS))
    return CliRunner().invoke(cli, ["stations", "check", str(directory)], obj=ScriptInfo(create_app=None))


@pytest.fixture
def bad_stations(tmp_path):
    """A station directory with one good file and one with a bad time zone."""
    write_station(tmp_path, "alpha")
    return write_station(tmp_path, "beta", timezone="Kunming/Yunnan")


# --- stations check ---------------------------------------------------------


def test_stations_check_passes_the_shipped_stations():
    result = check_stations(REPO / "stations")
    assert result.exit_code == 0, result.output
    for slug in ("donghua", "huguo", "xiaonanmen"):
        assert f"{REPO / 'stations' / slug}.toml: {slug} (" in result.output
    assert "donghua (东华红枫夜巡队, enabled) ok" in result.output


def test_stations_check_reports_a_disabled_station_as_such(tmp_path):
    write_station(tmp_path, "sleepy", enabled=False)
    result = check_stations(tmp_path)
    assert result.exit_code == 0, result.output
    assert "sleepy (sleepy brand, disabled) ok" in result.output


def test_stations_check_fails_on_a_bad_station(bad_stations):
    result = check_stations(bad_stations.parent)
    assert result.exit_code == 1


def test_stations_check_prints_the_file_and_key_of_a_bad_station(bad_stations):
    result = check_stations(bad_stations.parent)
    assert result.exit_code == 1
    assert f"{bad_stations}: key 'timezone'" in result.output
    assert "'Kunming/Yunnan'" in result.output


def test_stations_check_through_the_runner_fixture(runner):
    result = runner.invoke(["stations", "check", str(REPO / "stations")])
    assert result.exit_code == 0, result.output
    assert result.output.count(" ok\n") == 3


def test_redarmband_command_reports_bad_stations_without_a_traceback(bad_stations):
    result = subprocess.run(
        [str(REDARMBAND), "stations", "check", str(bad_stations.parent)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{bad_stations}: key 'timezone'" in result.stderr
    assert "expected an IANA time zone" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "alpha" not in result.stdout  # nothing claims the directory is fine


def test_redarmband_command_passes_the_shipped_stations():
    result = subprocess.run(
        [str(REDARMBAND), "stations", "check", str(REPO / "stations")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(" ok\n") == 3


# --- init-db ----------------------------------------------------------------


def test_init_db_twice_keeps_the_data(app, runner):
    assert runner.invoke(["init-db"]).exit_code == 0
    assert runner.invoke(["users", "create", "--role", "city_admin", *ACCOUNT]).exit_code == 0

    second = runner.invoke(["init-db"])
    assert second.exit_code == 0, second.output
    assert "database ready" in second.output
    with app.app_context():
        assert User.get(User.phone == "13700000001").name == "张警官"


# --- users create ---------------------------------------------------------


def test_created_officer_can_get_a_token_and_see_their_station(app, runner):
    result = runner.invoke(["users", "create", "--role", "officer", "--station", "donghua", *ACCOUNT])
    assert result.exit_code == 0, result.output
    assert "created officer 张警官 (13700000001) at donghua" in result.output

    client = app.test_client()
    response = client.post("/api/v1/auth/tokens", json={"phone": "13700000001", "password": "secret123"})
    assert response.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.get_json()['token']}"})
    assert me.status_code == 200
    assert me.get_json()["role"] == Role.OFFICER
    assert me.get_json()["station"]["slug"] == "donghua"


def test_users_create_refuses_a_phone_already_registered(app, runner):
    assert runner.invoke(["users", "create", "--role", "officer", "--station", "donghua", *ACCOUNT]).exit_code == 0
    again = runner.invoke(["users", "create", "--role", "officer", "--station", "huguo", *ACCOUNT])
    assert again.exit_code != 0
    assert "--phone" in again.output and "already registered" in again.output
    with app.app_context():
        assert User.select().where(User.phone == "13700000001").count() == 1


def test_users_create_refuses_an_unknown_station(app, runner):
    result = runner.invoke(["users", "create", "--role", "officer", "--station", "nowhere", *ACCOUNT])
    assert result.exit_code != 0
    assert "--station" in result.output and "'nowhere'" in result.output
    with app.app_context():
        assert not User.select().where(User.phone == "13700000001").exists()


def test_users_create_city_admin_needs_no_station(app, runner):
    result = runner.invoke(["users", "create", "--role", "city_admin", *ACCOUNT])
    assert result.exit_code == 0, result.output
    with app.app_context():
        admin = User.get(User.phone == "13700000001")
    assert (admin.role, admin.station_id) == (Role.CITY_ADMIN, None)


def test_users_create_officer_without_station_says_one_is_needed(app, runner):
    result = runner.invoke(["users", "create", "--role", "officer", *ACCOUNT])
    assert result.exit_code != 0
    assert "station" in result.output and "needs one" in result.output
    with app.app_context():
        assert not User.select().where(User.phone == "13700000001").exists()


def test_the_demo_posts_each_stations_own_tasks_once(app):
    from core.demo import create_accounts, create_tasks
    from core.models import Task

    with app.app_context():
        create_accounts()
        create_tasks()
        create_tasks()  # a second demo start adds nothing
        tenancy = app.extensions["redarmband"].tenancy
        kinds = {
            slug: {task.type_key for task in Task.select().where(Task.station == station.id)}
            for slug, station in tenancy.stations.items()
        }
        counts = {
            slug: Task.select().where(Task.station == station.id).count() for slug, station in tenancy.stations.items()
        }
    assert kinds["huguo"] == {"school_gate_duty"} and kinds["donghua"] == {"night_patrol"}
    assert all(8 <= count <= 11 for count in counts.values()), counts  # two weeks of school days from today


def test_the_demo_makes_district_admins_and_each_stations_teams_once(app):
    from core.demo import DEMO_TEAMS, create_accounts, create_groups
    from core.groups import tree
    from core.models import DistrictAdmin, Group, GroupKind, GroupMember

    with app.app_context():
        logins = create_accounts()
        create_groups()
        again = create_accounts()  # a second demo start adds nothing
        create_groups()
        assert again == logins
        district_logins = [(where, phone) for where, role, phone in logins if role == Role.DISTRICT_ADMIN]
        assert district_logins == [("五华分局", "13900009801"), ("盘龙分局", "13900009802")]
        phones = [phone for _, _, phone in logins]
        assert len(phones) == len(set(phones)) == 3 * 3 + 2 + 1
        assert {(row.user.phone, row.district) for row in DistrictAdmin.select()} == {
            (phone, where) for where, phone in district_logins
        }
        for where, phone in district_logins:
            admin = User.get(User.phone == phone)
            assert (admin.role, admin.station_id, tree.district_of(admin)) == (Role.DISTRICT_ADMIN, None, where)

        tenancy = app.extensions["redarmband"].tenancy
        for slug, station in tenancy.stations.items():
            teams = list(
                Group.select().where(Group.station == station.id, Group.kind == GroupKind.TEAM).order_by(Group.id)
            )
            assert [team.name for team in teams] == list(DEMO_TEAMS), slug
            admin = User.get(User.phone == next(p for s, r, p in logins if s == slug and r == Role.STATION_ADMIN))
            assert all(team.created_by_id == admin.id for team in teams)
            assert all(team.parent_id == tree.station_group(station).id for team in teams)
            volunteer = User.get(User.phone == next(p for s, r, p in logins if s == slug and r == Role.VOLUNTEER))
            assert [member.id for member in tree.members_of(teams[0])] == [volunteer.id]
        assert GroupMember.select().count() == len(tenancy.stations)


def test_users_create_district_admin(app, runner):
    from core.groups import tree
    from core.models import DistrictAdmin

    result = runner.invoke(["users", "create", "--role", "district_admin", "--district", "五华分局", *ACCOUNT])
    assert result.exit_code == 0, result.output
    assert "created district_admin 张警官 (13700000001) at 五华分局" in result.output
    with app.app_context():
        admin = User.get(User.phone == "13700000001")
        assert (admin.role, admin.station_id, tree.district_of(admin)) == (Role.DISTRICT_ADMIN, None, "五华分局")
        assert DistrictAdmin.select().count() == 1


def test_users_create_refuses_an_unknown_district(app, runner):
    result = runner.invoke(["users", "create", "--role", "district_admin", "--district", "朝阳分局", *ACCOUNT])
    assert result.exit_code != 0
    assert "--district" in result.output and "'朝阳分局'" in result.output
    assert "五华分局" in result.output and "盘龙分局" in result.output  # the districts there are
    with app.app_context():
        assert not User.select().where(User.phone == "13700000001").exists()


def test_users_create_district_admin_without_a_district_says_one_is_needed(app, runner):
    result = runner.invoke(["users", "create", "--role", "district_admin", *ACCOUNT])
    assert result.exit_code != 0
    assert "district" in result.output and "Traceback" not in result.output
    with app.app_context():
        assert not User.select().where(User.phone == "13700000001").exists()


def test_the_demo_reports_a_few_incidents_per_station_once(app):
    from core.demo import DEMO_INCIDENTS, create_accounts, create_incidents
    from core.incidents import board
    from core.models import Incident, IncidentState

    with app.test_request_context():
        create_accounts()
        create_incidents()
        create_incidents()  # a second demo start adds nothing
        tenancy = app.extensions["redarmband"].tenancy
        for slug, station in tenancy.stations.items():
            shown = board.board(station)
            assert [incident.category for incident in shown] == [
                category for category, *_ in reversed(DEMO_INCIDENTS)
            ], slug
            assert [incident.state for incident in shown].count(IncidentState.ACKNOWLEDGED) == 1
            reporter = User.get_by_id(shown[0].reporter_id)
            assert (reporter.station_id, reporter.role) == (station.id, Role.VOLUNTEER)
        assert Incident.select().count() == len(DEMO_INCIDENTS) * len(tenancy.stations)
