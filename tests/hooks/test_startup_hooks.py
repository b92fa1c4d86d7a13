"""Start-up hooks: themes, task types, config schemas, blueprints, models, commands."""

import click
import pytest
from flask import Blueprint, g, url_for
from marshmallow import Schema, fields, validate
from peewee import CharField, ForeignKeyField

from core import (
    BaseModel,
    MenuItem,
    Role,
    Station,
    TaskType,
    Text,
    Theme,
    User,
    database,
    get_or_404,
    hookimpl,
)
from core.config import StationConfigError
from core.testing import write_station
from tests.hooks.conftest import DEFAULT_PRIMARY, menu_of, page, platform

# ---------------------------------------------------------------------------
# register_themes
# ---------------------------------------------------------------------------

LANTERN_COLOURS = {
    "primary": "#0a7e6e",
    "on_primary": "#fefefe",
    "accent": "#e4b04a",
    "background": "#f7f3e8",
    "text": "#202020",
}
LANTERN_LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><title>lantern</title></svg>'
LANTERN_MOTTO = "灯笼照亮回家的路"


class ThemePlugin:
    """Registers the ``lantern`` theme, which overrides ``home.html`` only."""

    def __init__(self, folder):
        templates, static = folder / "templates", folder / "static"
        templates.mkdir(parents=True)
        static.mkdir()
        (templates / "home.html").write_text(
            '{% extends "home.html" %}\n'
            f'{{% block hero_text %}}<p class="motto">{LANTERN_MOTTO}</p>{{% endblock %}}\n',
            encoding="utf-8",
        )
        (static / "lantern.svg").write_text(LANTERN_LOGO, encoding="utf-8")
        self.theme = Theme(
            name="lantern",
            label=Text("灯笼", "Lantern"),
            colours=LANTERN_COLOURS,
            logo="lantern.svg",
            template_folder=templates,
            static_folder=static,
        )

    @hookimpl
    def register_themes(self):
        return [self.theme]


class TestRegisterThemes:
    @pytest.fixture
    def probe(self, tmp_path):
        return ThemePlugin(tmp_path / "lantern")

    @pytest.fixture
    def redarmband_stations_dir(self, tmp_path):
        directory = tmp_path / "stations"
        directory.mkdir()
        write_station(directory, "enabling", plugins=["probe"], theme="lantern")
        write_station(directory, "other")
        return directory

    def test_hook_register_themes(self, client):
        home = page(client.get("/s/enabling/"))
        assert f"--primary: {LANTERN_COLOURS['primary']};" in home
        assert f"--accent: {LANTERN_COLOURS['accent']};" in home
        assert 'src="/-/themes/lantern/lantern.svg"' in home
        assert LANTERN_MOTTO in home  # the theme's own home.html …
        assert 'class="task-types"' in home  # … still extends the base page
        logo = client.get("/-/themes/lantern/lantern.svg")
        assert logo.status_code == 200
        assert logo.get_data(as_text=True) == LANTERN_LOGO

    def test_hook_register_themes_only_where_chosen(self, client):
        home = page(client.get("/s/other/"))
        assert f"--primary: {DEFAULT_PRIMARY};" in home
        assert LANTERN_COLOURS["primary"] not in home
        assert LANTERN_MOTTO not in home
        assert "/-/themes/lantern/" not in home

    def test_hook_register_themes_falls_back_to_base_templates(self, client):
        register = client.get("/s/enabling/register")
        assert register.status_code == 200
        assert 'name="accept_oath"' in page(register)  # core's register.html
        assert f"--primary: {LANTERN_COLOURS['primary']};" in page(register)
        missing = client.get("/s/enabling/no-such-page")
        assert missing.status_code == 404
        assert f"--primary: {LANTERN_COLOURS['primary']};" in page(missing)
        assert LANTERN_MOTTO not in page(register) + page(missing)

    def test_hook_register_themes_needs_the_plugin_enabled(self, make_app, tmp_path):
        directory = tmp_path / "borrowing"
        directory.mkdir()
        path = write_station(directory, "borrower", theme="lantern")  # plugins = []
        with pytest.raises(StationConfigError) as refused:
            make_app(STATIONS_DIR=str(directory))
        [problem] = refused.value.problems
        assert str(path) in problem and "key 'theme'" in problem and "'probe'" in problem


# ---------------------------------------------------------------------------
# register_task_types
# ---------------------------------------------------------------------------


class TaskTypePlugin:
    @hookimpl
    def register_task_types(self):
        return [
            TaskType(
                "lantern_watch",
                Text("灯笼守望", "Lantern watch"),
                Text("夜里看守街口的灯笼。", "Watch the street-corner lanterns at night."),
                default_points=4,
            )
        ]


class TestRegisterTaskTypes:
    @pytest.fixture
    def probe(self):
        return TaskTypePlugin()

    def test_hook_register_task_types(self, client):
        enabling = page(client.get("/s/enabling/"))
        assert "灯笼守望" in enabling and "夜里看守街口的灯笼。" in enabling
        assert "安全巡查" in enabling  # core's types stay
        english = page(client.get("/s/enabling/?lang=en"))
        assert "Lantern watch" in english and "Watch the street-corner lanterns at night." in english

    def test_hook_register_task_types_not_at_other_stations(self, client):
        other = page(client.get("/s/other/"))
        assert "安全巡查" in other
        assert "灯笼守望" not in other


# ---------------------------------------------------------------------------
# register_config_schema
# ---------------------------------------------------------------------------


class LanternSettings(Schema):
    greeting = fields.String(required=True, validate=validate.Length(min=1))
    lanterns = fields.Integer(load_default=8, validate=validate.Range(min=1))


class ConfigPlugin:
    """Takes ``[plugin_settings.probe]`` and shows it at ``/probe-settings``."""

    def __init__(self, schema=LanternSettings):
        self.schema = schema
        self.bp = Blueprint("probe", __name__, url_prefix="/probe-settings")
        self.bp.add_url_rule("/", "show", lambda: dict(g.station.plugin_config("probe")))

    @hookimpl
    def register_config_schema(self):
        return self.schema

    @hookimpl
    def register_blueprints(self):
        return [self.bp]


SETTINGS = '\n[plugin_settings.probe]\ngreeting = "你好"\n'


class TestRegisterConfigSchema:
    @pytest.fixture
    def probe(self):
        return ConfigPlugin()

    @pytest.fixture
    def redarmband_stations_dir(self, tmp_path):
        directory = tmp_path / "stations"
        directory.mkdir()
        write_station(directory, "enabling", plugins=["probe"], extra=SETTINGS)
        write_station(directory, "other")
        return directory

    def test_hook_register_config_schema(self, app, client):
        assert client.get("/s/enabling/probe-settings/").get_json() == {"greeting": "你好", "lanterns": 8}
        assert platform(app).tenancy.get("enabling").plugin_config("probe") == {"greeting": "你好", "lanterns": 8}
        assert platform(app).tenancy.get("other").plugin_config("probe") == {}

    def test_hook_register_config_schema_may_return_an_instance(self, make_app):
        app = make_app(EXTRA_PLUGINS=[("probe", ConfigPlugin(LanternSettings()))])
        assert app.test_client().get("/s/enabling/probe-settings/").get_json() == {"greeting": "你好", "lanterns": 8}

    @pytest.mark.parametrize(
        "settings, key, message",
        [
            ('greeting = "你好"\nlanterns = "many"', "plugin_settings.probe.lanterns", "Not a valid integer."),
            ('greeting = "你好"\nlanterns = 0', "plugin_settings.probe.lanterns", "greater than or equal to 1"),
            ("lanterns = 3", "plugin_settings.probe.greeting", "Missing data for required field."),
            ('greeting = "你好"\ncolour = "red"', "plugin_settings.probe.colour", "Unknown field."),
        ],
        ids=["wrong-type", "out-of-range", "missing", "unknown-key"],
    )
    def test_hook_register_config_schema_bad_settings_refuse_start(self, make_app, tmp_path, settings, key, message):
        directory = tmp_path / "bad"
        directory.mkdir()
        path = write_station(directory, "enabling", plugins=["probe"], extra=f"\n[plugin_settings.probe]\n{settings}\n")
        with pytest.raises(StationConfigError) as refused:
            make_app(STATIONS_DIR=str(directory))
        [problem] = refused.value.problems
        assert problem.startswith(f"{path}: key '{key}': ")
        assert message in problem

    def test_hook_register_config_schema_settings_need_the_plugin_enabled(self, make_app, tmp_path):
        directory = tmp_path / "bad"
        directory.mkdir()
        path = write_station(directory, "other", extra=SETTINGS)  # plugins = []
        with pytest.raises(StationConfigError) as refused:
            make_app(STATIONS_DIR=str(directory))
        [problem] = refused.value.problems
        assert problem.startswith(f"{path}: key 'plugin_settings.probe': ")


# ---------------------------------------------------------------------------
# register_blueprints
# ---------------------------------------------------------------------------


class BlueprintPlugin:
    """A page at ``/lanterns/`` and a menu item leading to it."""

    def __init__(self):
        self.bp = Blueprint("probe", __name__, url_prefix="/lanterns")

        @self.bp.route("/")
        def index():
            return f"lanterns of {g.station.config.name}, found at {url_for('probe.index')}"

    @hookimpl
    def register_blueprints(self):
        return [self.bp]

    @hookimpl
    def menu_items(self):
        return [MenuItem(Text("灯笼", "Lanterns"), url_for("probe.index"))]


class TestRegisterBlueprints:
    @pytest.fixture
    def probe(self):
        return BlueprintPlugin()

    def test_hook_register_blueprints(self, client):
        menu = dict(menu_of(client.get("/s/enabling/")))
        assert "/s/enabling/lanterns/" in menu
        reached = client.get("/s/enabling/lanterns/")
        assert reached.status_code == 200
        assert page(reached) == "lanterns of enabling station, found at /s/enabling/lanterns/"

    def test_hook_register_blueprints_404_elsewhere_and_not_in_the_menu(self, client):
        assert client.get("/s/other/lanterns/").status_code == 404
        assert client.get("/s/nowhere/lanterns/").status_code == 404
        menu = menu_of(client.get("/s/other/"))
        assert menu, "the other station's page has a menu"
        assert not [href for href, _label in menu if "lanterns" in href]

    def test_hook_register_blueprints_on_a_station_host(self, client):
        reached = client.get("/lanterns/", base_url="http://enabling.test")
        assert reached.status_code == 200
        assert page(reached).startswith("lanterns of enabling station")
        assert client.get("/lanterns/", base_url="http://other.test").status_code == 404


# ---------------------------------------------------------------------------
# register_models
# ---------------------------------------------------------------------------


class Lantern(BaseModel):
    station = ForeignKeyField(Station, backref="+", on_delete="CASCADE")
    colour = CharField(max_length=20)

    class Meta:
        table_name = "probe_lantern"


class ModelPlugin:
    """Owns the ``probe_lantern`` table; shows one lantern of the station."""

    def __init__(self):
        self.bp = Blueprint("probe", __name__, url_prefix="/lanterns")

        @self.bp.route("/<int:lantern_id>")
        def show(lantern_id):
            lantern = get_or_404(Lantern, g.station, Lantern.id == lantern_id)
            return f"a {lantern.colour} lantern"

    @hookimpl
    def register_models(self):
        return [Lantern]

    @hookimpl
    def register_migrations(self):
        return "tests.hooks.probe_migrations"

    @hookimpl
    def register_blueprints(self):
        return [self.bp]


class TestRegisterModels:
    @pytest.fixture
    def probe(self):
        return ModelPlugin()

    @pytest.fixture
    def redarmband_stations_dir(self, tmp_path):
        directory = tmp_path / "stations"
        directory.mkdir()
        write_station(directory, "enabling", plugins=["probe"])
        write_station(directory, "second", plugins=["probe"])
        return directory

    def test_hook_register_models(self, app, runner):
        with app.app_context():
            assert database.table_exists("probe_lantern")  # init-db made it with core's
            Lantern.create(station=platform(app).tenancy.get("enabling").id, colour="red")
        again = runner.invoke(["init-db"])  # running it again keeps the rows
        assert again.exit_code == 0, again.output
        assert "database ready" in again.output
        with app.app_context():
            assert [lantern.colour for lantern in Lantern.select()] == ["red"]

    def test_hook_register_migrations(self, app, runner):
        """An installed plugin's first migration creates its tables on a
        database made without it; its history is kept under its name."""
        from core.schema import SchemaMigration

        with app.app_context():
            Lantern.drop_table()
            SchemaMigration.delete().where(SchemaMigration.owner == "probe").execute()
        status = runner.invoke(["db", "status"])
        assert status.exit_code == 1
        assert "probe\n  0001_lanterns" in status.output and "pending" in status.output
        assert "The probe plugin's lanterns." in status.output
        upgraded = runner.invoke(["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        assert "applied probe 0001_lanterns: The probe plugin's lanterns." in upgraded.output
        with app.app_context():
            assert database.table_exists("probe_lantern")
            assert [row.name for row in SchemaMigration.select().where(SchemaMigration.owner == "probe")] == [
                "0001_lanterns"
            ]
            Lantern.create(station=platform(app).tenancy.get("enabling").id, colour="red")
        assert runner.invoke(["db", "status"]).exit_code == 0

    def test_hook_register_models_rows_belong_to_their_station(self, app, client):
        with app.app_context(), database.atomic():
            enabling = platform(app).tenancy.get("enabling")
            lantern = Lantern.create(station=enabling.id, colour="red")
        assert page(client.get(f"/s/enabling/lanterns/{lantern.id}")) == "a red lantern"
        assert client.get(f"/s/second/lanterns/{lantern.id}").status_code == 404  # not theirs
        assert client.get(f"/s/enabling/lanterns/{lantern.id + 1}").status_code == 404  # not there


# ---------------------------------------------------------------------------
# register_commands
# ---------------------------------------------------------------------------


class CommandPlugin:
    @hookimpl
    def register_commands(self, cli):
        @cli.command("count-volunteers")
        def count_volunteers():
            """How many volunteers have registered, city-wide."""
            click.echo(f"volunteers: {User.select().where(User.role == Role.VOLUNTEER).count()}")


class TestRegisterCommands:
    @pytest.fixture
    def probe(self):
        return CommandPlugin()

    def test_hook_register_commands(self, runner, register_volunteer):
        listed = runner.invoke(["--help"])
        assert listed.exit_code == 0
        assert "count-volunteers" in listed.output
        assert "How many volunteers have registered" in listed.output
        assert runner.invoke(["count-volunteers"]).output == "volunteers: 0\n"
        assert register_volunteer("enabling").status_code == 201
        assert register_volunteer("other", phone="13812345679").status_code == 201
        assert runner.invoke(["count-volunteers"]).output == "volunteers: 2\n"
