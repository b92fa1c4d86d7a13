"""The tree of groups through core's functions: made from the station configs,
who sees which part of it, teams and their refusals, and a station's own
``[groups] liaison_limit``."""

import threading

import pytest

from core import db
from core.groups import GroupError, liaison, tree
from core.models import Group, GroupKind, Liaison, Role
from core.testing import write_station

from .groups_helpers import person, team, tenancy
from .points_helpers import station

SHIPPED = {
    "city": (GroupKind.CITY, tree.CITY_NAME, None),
    "district:五华分局": (GroupKind.DISTRICT, "五华分局", "city"),
    "district:盘龙分局": (GroupKind.DISTRICT, "盘龙分局", "city"),
    "station:huguo": (GroupKind.STATION, "护国派出所", "district:五华分局"),
    "station:xiaonanmen": (GroupKind.STATION, "小南门派出所", "district:五华分局"),
    "station:donghua": (GroupKind.STATION, "东华派出所", "district:盘龙分局"),
}


def the_tree():
    """Every group as ``key: (kind, name, parent key)``."""
    keys = {group.id: group.key for group in Group.select()}
    return {group.key: (group.kind, group.name, keys.get(group.parent_id)) for group in Group.select()}


# --- the tree from the station configs ------------------------------------------


def test_the_tree_follows_the_shipped_station_configs(app):
    with app.app_context():
        assert the_tree() == SHIPPED
        for slug in ("huguo", "xiaonanmen", "donghua"):
            group = tree.station_group(station(app, slug))
            assert group.station_id == station(app, slug).id
            assert group.district == station(app, slug).config.district


def test_ensure_tree_run_again_changes_nothing(app):
    with app.app_context():
        huguo_team = team(app, "huguo", "护学队")
        before = {group.key: group.id for group in Group.select()}
        tree.ensure_tree(tenancy(app))
        tree.ensure_tree(tenancy(app))
        assert {group.key: group.id for group in Group.select()} == before
        assert Group.get_by_id(huguo_team.id).parent_id == tree.station_group(station(app, "huguo")).id


def test_ensure_tree_run_twice_at_once_makes_the_tree_once(app):
    with app.app_context():
        for kind in (GroupKind.STATION, GroupKind.DISTRICT, GroupKind.CITY):  # children first: RESTRICT
            Group.delete().where(Group.kind == kind).execute()
        assert Group.select().count() == 0
        db.database.close()
    barrier = threading.Barrier(2, timeout=30)
    errors = []

    def start_up():
        try:
            with app.app_context():
                db.database.connect(reuse_if_open=True)
                barrier.wait()
                tree.ensure_tree(tenancy(app))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            db.database.close()

    threads = [threading.Thread(target=start_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with app.app_context():
        assert the_tree() == SHIPPED


# --- who sees what ----------------------------------------------------------------


@pytest.fixture
def teams(app):
    """A team with a sub-team at huguo, a team at xiaonanmen and at donghua."""
    with app.app_context():
        admin = person(app, "huguo", Role.STATION_ADMIN)
        school = tree.create_team(station(app, "huguo"), admin, "护学队")
        gate = tree.create_team(station(app, "huguo"), admin, "正门组", school.id)
        return {
            "huguo": school.key,
            "huguo gate": gate.key,
            "xiaonanmen": team(app, "xiaonanmen", "巡逻队").key,
            "donghua": team(app, "donghua", "夜巡一队").key,
        }


def seen(user, app):
    return [(group.key, depth) for group, depth in tree.subtree(user, tenancy(app))]


def test_a_city_admin_sees_the_whole_tree(app, teams):
    with app.app_context():
        city = person(app, None, Role.CITY_ADMIN)
        keys = {key for key, _ in seen(city, app)}
        assert keys == {group.key for group in Group.select()} == set(SHIPPED) | set(teams.values())
        assert seen(city, app)[0] == ("city", 0)
        assert all(tree.may_see(city, group, tenancy(app)) for group in Group.select())


def test_a_district_admin_sees_their_district_its_stations_and_teams_only(app, teams):
    with app.app_context():
        wuhua = person(app, None, Role.DISTRICT_ADMIN, district="五华分局")
        assert tree.district_of(wuhua) == "五华分局"
        got = seen(wuhua, app)
        assert {key for key, _ in got} == {
            "district:五华分局",
            "station:huguo",
            "station:xiaonanmen",
            teams["huguo"],
            teams["huguo gate"],
            teams["xiaonanmen"],
        }
        depth = dict(got)
        assert got[0] == ("district:五华分局", 0)
        assert (depth["station:huguo"], depth[teams["huguo"]], depth[teams["huguo gate"]]) == (1, 2, 3)
        for key in ("city", "district:盘龙分局", "station:donghua", teams["donghua"]):
            assert not tree.may_see(wuhua, Group.get(Group.key == key), tenancy(app)), key


def test_an_officer_sees_their_station_and_its_teams(app, teams):
    with app.app_context():
        officer = person(app, "huguo", Role.OFFICER)
        assert seen(officer, app) == [("station:huguo", 0), (teams["huguo"], 1), (teams["huguo gate"], 2)]
        for key in ("city", "district:五华分局", "station:xiaonanmen", teams["xiaonanmen"], teams["donghua"]):
            assert not tree.may_see(officer, Group.get(Group.key == key), tenancy(app)), key
        volunteer = person(app, "donghua")
        assert seen(volunteer, app) == [("station:donghua", 0), (teams["donghua"], 1)]


# --- teams ------------------------------------------------------------------------


def refusal(call):
    with pytest.raises(GroupError) as refused:
        call()
    return refused.value


def test_a_team_name_is_taken_once_per_station(app):
    with app.app_context():
        admin = person(app, "huguo", Role.STATION_ADMIN)
        huguo = station(app, "huguo")
        tree.create_team(huguo, admin, "护学队")
        clash = refusal(lambda: tree.create_team(huguo, admin, " 护学队 "))  # the name is trimmed first
        assert (clash.status, clash.code) == (409, "name_taken") and "name" in clash.fields
        assert Group.select().where(Group.kind == GroupKind.TEAM).count() == 1
        team(app, "xiaonanmen", "护学队")  # another station may use the name


def test_a_team_below_another_stations_team_is_404(app):
    with app.app_context():
        theirs = team(app, "donghua", "夜巡一队")
        admin = person(app, "huguo", Role.STATION_ADMIN)
        refused = refusal(lambda: tree.create_team(station(app, "huguo"), admin, "子队", theirs.id))
        assert (refused.status, refused.code) == (404, "not_found")
        district = Group.get(Group.key == "district:五华分局")  # not a group of the station either
        assert refusal(lambda: tree.create_team(station(app, "huguo"), admin, "子队", district.id)).status == 404
        assert refusal(lambda: tree.create_team(station(app, "huguo"), admin, "子队", 10**9)).status == 404
        assert not Group.select().where(Group.name == "子队").exists()


@pytest.mark.parametrize(
    "name", ["护学\x00队", "护学\n队", "\x1b[31m红", "队\x7f", "", "   ", "队" * (tree.MAX_TEAM_NAME + 1)]
)
def test_a_bad_team_name_is_400(app, name):
    with app.app_context():
        admin = person(app, "huguo", Role.STATION_ADMIN)
        refused = refusal(lambda: tree.create_team(station(app, "huguo"), admin, name))
        assert (refused.status, refused.code) == (400, "invalid_input") and list(refused.fields) == ["name"]
        assert not Group.select().where(Group.kind == GroupKind.TEAM).exists()


def test_only_the_stations_admins_make_its_teams(app):
    with app.app_context():
        for someone in (person(app, "huguo", Role.OFFICER), person(app, "xiaonanmen", Role.STATION_ADMIN)):
            refused = refusal(lambda someone=someone: tree.create_team(station(app, "huguo"), someone, "护学队"))
            assert (refused.status, refused.code) == (403, "station_admins_only")


# --- a station's own liaison limit ---------------------------------------------------


def test_a_station_with_a_liaison_limit_of_3_refuses_the_fourth(make_app, tmp_path):
    stations = tmp_path / "small"
    stations.mkdir()
    write_station(stations, "alpha", district="一区", extra="[groups]\nliaison_limit = 3\n")
    write_station(stations, "beta", district="一区")
    app = make_app(STATIONS_DIR=str(stations))
    with app.app_context():
        alpha = station(app, "alpha")
        assert alpha.config.groups.liaison_limit == 3 and station(app, "beta").config.groups.liaison_limit == 10
        admin, officer = person(app, "alpha", Role.STATION_ADMIN), person(app, "alpha", Role.OFFICER)
        volunteers = [person(app, "alpha") for _ in range(4)]
        for volunteer in volunteers[:3]:
            liaison.assign(alpha, admin, officer.id, volunteer.id)
        fourth = refusal(lambda: liaison.assign(alpha, admin, officer.id, volunteers[3].id))
        assert (fourth.status, fourth.code) == (409, "liaison_limit") and "officer_id" in fourth.fields
        assert Liaison.select().where(Liaison.officer == officer.id).count() == 3
        [row] = liaison.overview(alpha)
        assert (row["volunteers"], row["limit"], row["over_limit"]) == (3, 3, False)
        assert the_tree()["station:alpha"] == (GroupKind.STATION, "alpha station", "district:一区")


def test_a_station_moved_to_another_district_in_its_config_moves_in_the_tree(make_app, tmp_path):
    stations = tmp_path / "moving"
    stations.mkdir()
    write_station(stations, "alpha", district="一区")
    first = make_app(STATIONS_DIR=str(stations))
    with first.app_context():
        admin = person(first, "alpha", Role.STATION_ADMIN)
        squad = tree.create_team(station(first, "alpha"), admin, "巡逻队", None)
    write_station(stations, "alpha", district="二区", name="阿尔法站")  # the admin edits the config and restarts
    again = make_app(STATIONS_DIR=str(stations))
    with again.app_context():
        assert the_tree()["station:alpha"] == (GroupKind.STATION, "阿尔法站", "district:二区")
        assert Group.get_by_id(squad.id).district == "二区"
        boss = person(again, None, Role.DISTRICT_ADMIN, district="二区")
        assert {group.key for group, _depth in tree.subtree(boss, again.extensions["redarmband"].tenancy)} >= {
            "district:二区",
            "station:alpha",
        }
