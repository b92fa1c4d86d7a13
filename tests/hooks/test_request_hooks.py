"""Per-request and event hooks: menu items, template variables, registration events."""

import pytest
from flask import Blueprint, current_app

from core import (
    MenuItem,
    Role,
    Text,
    User,
    database,
    hookimpl,
    render_station_template,
)
from core import db as core_db
from core.testing import post_form, write_station
from tests.hooks.conftest import WEB_VOLUNTEER, menu_of, page

# ---------------------------------------------------------------------------
# menu_items
# ---------------------------------------------------------------------------


class MenuPlugin:
    """A menu item that greets the signed-in volunteer by name."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def menu_items(self, station, user):
        self.calls.append((station.slug, user))
        label = Text(f"{user.name}的灯笼", f"{user.name}'s lanterns") if user else Text("灯笼", "Lanterns")
        return [MenuItem(label, f"/s/{station.slug}/lanterns-info", order=15)]


class TestMenuItems:
    @pytest.fixture
    def probe(self):
        return MenuPlugin()

    def test_hook_menu_items(self, client, probe):
        menu = menu_of(client.get("/s/enabling/"))
        hrefs = [href for href, _label in menu]
        assert ("/s/enabling/lanterns-info", "灯笼") in menu
        # order=15 puts it after core's Home (10) and before Register (80)
        home, probe_item, register = (hrefs.index(f"/s/enabling/{path}") for path in ("", "lanterns-info", "register"))
        assert home < probe_item < register
        assert probe.calls and all(call == ("enabling", None) for call in probe.calls)

    def test_hook_menu_items_not_at_other_stations(self, client, probe):
        menu = menu_of(client.get("/s/other/"))
        assert menu, "the other station's page has a menu"
        assert not [label for _href, label in menu if "灯笼" in label]
        assert probe.calls == []

    def test_hook_menu_items_receives_the_signed_in_user(self, client, probe):
        assert post_form(client, "/s/enabling/register", WEB_VOLUNTEER).status_code == 302
        probe.calls.clear()
        menu = menu_of(client.get("/s/enabling/"))
        assert ("/s/enabling/lanterns-info", "王芳的灯笼") in menu
        assert [slug for slug, _user in probe.calls] == ["enabling"]
        [(_slug, user)] = probe.calls
        # A plugin may keep what it was given: it must be the User itself, not
        # flask_login's current_user proxy, which means someone else (or
        # nobody) once the request is over.
        assert isinstance(user, User), f"menu_items got {type(user).__name__}, not a User"
        assert user.phone == WEB_VOLUNTEER["phone"]


# ---------------------------------------------------------------------------
# extra_template_vars
# ---------------------------------------------------------------------------


class TemplateVarsPlugin:
    def __init__(self):
        self.calls = []

    @hookimpl
    def extra_template_vars(self, station, template, request):
        self.calls.append((station.slug, template, request.path))
        return {"lantern_motto": f"{station.config.brand} lights {template} at {request.path}"}


class MottoPagePlugin:
    """A page, enabled at both stations, that prints ``lantern_motto``."""

    def __init__(self, folder):
        (folder / "motto").mkdir(parents=True)
        (folder / "motto" / "show.html").write_text(
            '{% extends "base.html" %}{% block content %}'
            '<p id="motto">{{ lantern_motto | default("no motto") }}</p>{% endblock %}',
            encoding="utf-8",
        )
        self.bp = Blueprint("motto", __name__, url_prefix="/motto", template_folder=str(folder))
        self.bp.add_url_rule("/", "show", lambda: render_station_template("motto/show.html"))

    @hookimpl
    def register_blueprints(self):
        return [self.bp]


class TestExtraTemplateVars:
    @pytest.fixture
    def probe(self):
        return TemplateVarsPlugin()

    @pytest.fixture
    def redarmband_plugins(self, probe, tmp_path):
        return [("probe", probe), ("motto_page", MottoPagePlugin(tmp_path / "motto_templates"))]

    @pytest.fixture
    def redarmband_stations_dir(self, tmp_path):
        directory = tmp_path / "stations"
        directory.mkdir()
        write_station(directory, "enabling", plugins=["probe", "motto_page"])
        write_station(directory, "other", plugins=["motto_page"])
        return directory

    def test_hook_extra_template_vars(self, client, probe):
        shown = page(client.get("/s/enabling/motto/"))
        assert '<p id="motto">enabling brand lights motto/show.html at /s/enabling/motto/</p>' in shown
        assert probe.calls == [("enabling", "motto/show.html", "/s/enabling/motto/")]

    def test_hook_extra_template_vars_receives_each_template_name(self, client, probe):
        client.get("/s/enabling/")
        client.get("/s/enabling/login")
        assert probe.calls == [
            ("enabling", "home.html", "/s/enabling/"),
            ("enabling", "login.html", "/s/enabling/login"),
        ]

    def test_hook_extra_template_vars_not_at_other_stations(self, client, probe):
        assert '<p id="motto">no motto</p>' in page(client.get("/s/other/motto/"))
        client.get("/s/other/")
        assert probe.calls == []


# ---------------------------------------------------------------------------
# on_volunteer_registered
# ---------------------------------------------------------------------------


def _committed(phone):
    """Whether another database connection already sees the volunteer."""
    other = core_db.make_database(current_app.config["DATABASE_URL"])
    try:
        with other.bind_ctx([User], bind_refs=False, bind_backrefs=False):
            return User.select().where(User.phone == phone).exists()
    finally:
        getattr(other, "close_all", other.close)()


class EventPlugin:
    def __init__(self):
        self.calls = []

    @hookimpl
    def on_volunteer_registered(self, station, volunteer):
        self.calls.append(
            {
                "station": station.slug,
                "volunteer": (volunteer.id, volunteer.name, volunteer.role, volunteer.station_id == station.id),
                "in_transaction": database.in_transaction(),
                "committed": _committed(volunteer.phone),
            }
        )


class TestOnVolunteerRegistered:
    @pytest.fixture
    def probe(self):
        return EventPlugin()

    def test_hook_on_volunteer_registered(self, register_volunteer, probe):
        registered = register_volunteer("enabling")
        assert registered.status_code == 201
        assert probe.calls == [
            {
                "station": "enabling",
                "volunteer": (registered.get_json()["id"], "李红", Role.VOLUNTEER, True),
                "in_transaction": False,
                "committed": True,
            }
        ]

    def test_hook_on_volunteer_registered_from_the_web_form(self, client, probe):
        assert post_form(client, "/s/enabling/register", WEB_VOLUNTEER).status_code == 302
        [call] = probe.calls
        assert call["station"] == "enabling"
        assert call["volunteer"][1:] == ("王芳", Role.VOLUNTEER, True)
        assert call["committed"] is True and call["in_transaction"] is False

    def test_hook_on_volunteer_registered_not_at_other_stations(self, register_volunteer, client, probe):
        assert register_volunteer("other").status_code == 201
        assert post_form(client, "/s/other/register", WEB_VOLUNTEER).status_code == 302
        assert probe.calls == []

    def test_hook_on_volunteer_registered_not_for_refused_registrations(self, register_volunteer, probe):
        assert register_volunteer("enabling").status_code == 201
        assert register_volunteer("enabling").status_code == 409  # the same phone again
        assert register_volunteer("enabling", phone="13812345679", accept_oath=False).status_code == 400
        assert len(probe.calls) == 1


class FailingEventPlugin:
    @hookimpl
    def on_volunteer_registered(self, station, volunteer):
        raise RuntimeError("the SMS gateway is down")


class TestOnVolunteerRegisteredFailing:
    """The registration is committed before the event: a plugin failing there
    must not show the volunteer an error (a retry would then be refused with
    "already registered")."""

    @pytest.fixture
    def probe(self):
        return FailingEventPlugin()

    @pytest.fixture
    def client(self, make_app):
        return make_app(PROPAGATE_EXCEPTIONS=False).test_client()  # answer as in production

    def test_hook_on_volunteer_registered_a_failing_plugin_does_not_fail_registration(self, register_volunteer, client):
        registered = register_volunteer("enabling")
        assert registered.status_code == 201, registered.get_json()
        signed_up = post_form(client, "/s/enabling/register", WEB_VOLUNTEER)
        assert signed_up.status_code == 302
        assert "王芳" in page(client.get("/s/enabling/"))  # signed in
