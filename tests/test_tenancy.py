"""Requests find their station by path or host; stations never see each other's data."""

import pytest
from werkzeug.exceptions import NotFound

from core.models import User
from core.tenancy import get_or_404
from core.testing import write_station


def test_station_by_path_prefix(client):
    page = client.get("/s/donghua/").get_data(as_text=True)
    assert "东华红枫夜巡队" in page and "东华派出所" in page


def test_station_by_its_configured_host(client):
    page = client.get("/", headers={"Host": "huguo.redarmband.local"}).get_data(as_text=True)
    assert "护国派出所" in page
    register_page = client.get("/register", headers={"Host": "xiaonanmen.redarmband.local:8080"})
    assert register_page.status_code == 200
    assert "小南门派出所" in register_page.get_data(as_text=True)


def test_api_and_static_paths_are_not_rewritten_on_a_station_host(client):
    response = client.get("/api/v1/stations", headers={"Host": "huguo.redarmband.local"})
    assert len(response.get_json()["stations"]) == 3
    assert client.get("/static/app.css", headers={"Host": "huguo.redarmband.local"}).status_code == 200


def test_an_unknown_host_gets_the_city_page(client):
    assert "盘龙分局" in client.get("/", headers={"Host": "elsewhere.example"}).get_data(as_text=True)


def test_unknown_station_is_404(client):
    assert client.get("/s/atlantis/").status_code == 404
    assert client.get("/s/atlantis/register").status_code == 404


def test_disabled_station_is_404_by_path_and_host(make_app, tmp_path):
    write_station(tmp_path, "open", hosts=["open.example"])
    write_station(tmp_path, "closed", enabled=False, hosts=["closed.example"])
    client = make_app(STATIONS_DIR=str(tmp_path)).test_client()
    assert client.get("/s/open/").status_code == 200
    assert client.get("/s/closed/").status_code == 404
    assert client.get("/s/closed/register").status_code == 404
    assert "closed brand" not in client.get("/", headers={"Host": "closed.example"}).get_data(as_text=True)
    slugs = [s["slug"] for s in client.get("/api/v1/stations").get_json()["stations"]]
    assert slugs == ["open"]


def test_links_keep_the_station(client):
    page = client.get("/s/xiaonanmen/").get_data(as_text=True)
    assert 'href="/s/xiaonanmen/register"' in page
    assert 'href="/s/xiaonanmen/login"' in page


def test_city_page_groups_enabled_stations_by_district(client):
    page = client.get("/").get_data(as_text=True)
    wuhua, panlong = page.index("五华分局"), page.index("盘龙分局")
    assert wuhua < page.index("护国派出所") < page.index("小南门派出所") < panlong < page.index("东华派出所")


def test_another_stations_object_is_a_404_exactly_like_a_missing_one(app, register_volunteer):
    volunteer_id = register_volunteer("huguo").get_json()["id"]
    tenancy = app.extensions["redarmband"].tenancy
    with app.test_request_context():
        huguo, donghua = tenancy.get("huguo"), tenancy.get("donghua")
        assert get_or_404(User, huguo, User.id == volunteer_id).phone == "13812345678"
        with pytest.raises(NotFound) as other_station:
            get_or_404(User, donghua, User.id == volunteer_id)
        with pytest.raises(NotFound) as missing:
            get_or_404(User, huguo, User.id == volunteer_id + 1000)
    assert other_station.value.description == missing.value.description


def test_each_station_shows_its_own_brand_theme(client):
    donghua = client.get("/s/donghua/").get_data(as_text=True)
    huguo = client.get("/s/huguo/").get_data(as_text=True)
    assert "--primary: #8b1a1a" in donghua and "/-/themes/maple/logo.svg" in donghua
    assert "--primary: #1565c0" in huguo and "/-/themes/huxiaoxia/logo.svg" in huguo
    assert "红枫点亮夜色" in donghua  # the maple theme's own home page
    assert "护小侠守校门" in huguo  # the 护小侠 theme's own home page


def test_pages_a_theme_does_not_override_fall_back_to_the_base_template(client):
    login = client.get("/s/huguo/login").get_data(as_text=True)
    assert "--primary: #1565c0" in login and 'name="password"' in login


def test_stations_sharing_a_brand_keep_their_own_names_and_data(client):
    huguo = client.get("/s/huguo/school-guardian/").get_data(as_text=True)
    xiaonanmen = client.get("/s/xiaonanmen/school-guardian/").get_data(as_text=True)
    assert "昆明市长春小学" in huguo and "五华区小南门小学" not in huguo
    assert "五华区小南门小学" in xiaonanmen and "昆明市长春小学" not in xiaonanmen


def test_theme_files_are_served_and_unknown_ones_are_404(client):
    logo = client.get("/-/themes/huxiaoxia/logo.svg")
    assert logo.status_code == 200 and b"<svg" in logo.data
    assert client.get("/-/themes/huxiaoxia/../__init__.py").status_code == 404
    assert client.get("/-/themes/nonesuch/logo.svg").status_code == 404


def test_a_missing_page_under_a_station_wears_that_stations_theme(client):
    response = client.get("/s/huguo/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "--primary: #1565c0" in page and "页面不存在" in page
    assert 'href="/s/huguo/"' in page


def test_a_stations_plugin_listing_answers_on_its_own_host(client):
    response = client.get("/-/plugins.json", headers={"Host": "huguo.redarmband.local"})
    assert response.status_code == 200 and response.get_json()["station"] == "huguo"


def test_a_station_row_made_in_a_rolled_back_transaction_is_not_remembered(app):
    from core.db import database
    from core.models import Group, Station

    huguo = app.extensions["redarmband"].tenancy.get("huguo")
    Group.delete().where(Group.station == huguo.id).execute()  # its station group points at the row
    Station.delete().where(Station.slug == "huguo").execute()
    huguo._row_id = None
    with pytest.raises(RuntimeError):
        with database.atomic():
            assert huguo.id
            raise RuntimeError("the request failed")
    assert huguo.id == Station.get(Station.slug == "huguo").id


def test_workers_starting_together_share_one_whole_secret_key(tmp_path):
    import threading

    from core.instance import secret_key

    keys, start = [], threading.Barrier(8)

    def worker():
        start.wait()
        keys.append(secret_key(tmp_path))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_a_dark_theme_gives_its_cards_and_figures_their_own_colours(client):
    donghua = client.get("/s/donghua/").get_data(as_text=True)
    assert "--surface: #2b2830" in donghua and "--highlight: #ff8c1a" in donghua
    huguo = client.get("/s/huguo/").get_data(as_text=True)
    assert "--surface: #ffffff" in huguo and "--highlight: #1565c0" in huguo
