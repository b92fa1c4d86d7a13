"""``redarmband plugins new``: a station team's own plugin, made, installed and used.

The first tests run the command in-process and read what it wrote. The rest do
what a station team does, in a throw-away virtual environment: generate the
plugin with the real ``redarmband`` command, ``pip install`` it, start the app
with installed plugins loaded from entry points, and run the plugin's own tests.

The throw-away environment sees this environment's packages (redarmband and its
dependencies, setuptools, wheel, pytest) through a ``.pth`` file, so nothing is
downloaded: ``pip install --no-deps --no-build-isolation --no-index``.
"""

import ast
import importlib.util
import json
import os
import re
import site
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

import core
from core.cli import build_cli
from core.plugins import make_plugin_manager
from tests.conftest import BRAND_PLUGINS

REDARMBAND = Path(sys.executable).parent / "redarmband"
NAME = "bike_patrol"
TITLE = "单车巡逻"
BONUS = 4  # the enabling station's [plugin_settings.bike_patrol] bonus
GENERATED = (
    "pyproject.toml",
    "README.md",
    "conftest.py",
    f"{NAME}/__init__.py",
    f"{NAME}/settings.py",
    f"{NAME}/views.py",
    f"{NAME}/templates/{NAME}/index.html",
    f"tests/test_{NAME}.py",
)


def plugins_new(*args):
    """``redarmband plugins new ARGS`` in-process, with the brand plugins installed."""
    cli = build_cli(make_plugin_manager(load_entrypoints=False, extra_plugins=BRAND_PLUGINS))
    return CliRunner().invoke(cli, ["plugins", "new", *args], obj=ScriptInfo(create_app=None))


def files_under(directory):
    return sorted(path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file())


# --- the command, in-process -----------------------------------------------


def test_new_writes_the_plugin_project_into_redarmband_name_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = plugins_new(NAME)
    assert result.exit_code == 0, result.output
    project = tmp_path / f"redarmband-{NAME}"
    assert set(GENERATED) <= set(files_under(project))
    for relative in GENERATED:
        assert f"  {relative}\n" in result.output
    assert f"pip install -e ./redarmband-{NAME}\n" in result.output


def test_new_writes_into_the_directory_given(tmp_path):
    result = plugins_new(NAME, "--directory", str(tmp_path / "ours" / "lamp"))
    assert result.exit_code == 0, result.output
    assert set(GENERATED) <= set(files_under(tmp_path / "ours" / "lamp"))
    assert not (tmp_path / f"redarmband-{NAME}").exists()


def test_an_existing_empty_directory_is_used(tmp_path):
    (tmp_path / "empty").mkdir()
    result = plugins_new(NAME, "--directory", str(tmp_path / "empty"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "empty" / NAME / "__init__.py").is_file()


def test_the_pyproject_declares_the_entry_point_and_depends_on_redarmband(tmp_path):
    assert plugins_new(NAME, "--directory", str(tmp_path)).exit_code == 0
    pyproject = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == "redarmband-bike-patrol"
    assert pyproject["project"]["entry-points"]["redarmband"] == {NAME: NAME}
    assert [dep for dep in pyproject["project"]["dependencies"] if dep.startswith("redarmband")]
    assert pyproject["tool"]["setuptools"]["packages"]["find"]["include"] == [f"{NAME}*"]
    assert "templates/**/*" in pyproject["tool"]["setuptools"]["package-data"]["*"]


def _core_imports(path):
    """``(module, names)`` of every import of core in a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "core":
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "core":
                    yield alias.name, []


def test_the_plugin_imports_only_cores_public_names(tmp_path):
    assert plugins_new(NAME, "--directory", str(tmp_path)).exit_code == 0
    package_files = sorted((tmp_path / NAME).glob("*.py"))
    assert len(package_files) == 3
    imported = set()
    for path in package_files:
        for module, names in _core_imports(path):
            assert module == "core", f"{path.name} imports {module}: a plugin imports only from core"
            imported.update(names)
    assert imported <= set(core.__all__), f"not public: {sorted(imported - set(core.__all__))}"
    assert {"hookimpl", "TaskType", "ScoringRule", "MenuItem", "render_station_template"} <= imported
    # its tests use core.testing's fixtures, as the plugin guide says
    for path in (tmp_path / "conftest.py", tmp_path / "tests" / f"test_{NAME}.py"):
        assert {module for module, _names in _core_imports(path)} <= {"core", "core.testing"}


def test_a_title_with_quotes_and_backslashes_stays_text(tmp_path):
    title = '他说 "好" \\ ok'
    result = plugins_new(NAME, "--directory", str(tmp_path), "--title", title)
    assert result.exit_code == 0, result.output
    spec = importlib.util.spec_from_file_location("scaffold_views_probe", tmp_path / NAME / "views.py")
    views = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(views)
    assert (views.TITLE.zh, views.TITLE.en) == (title, title)
    pyproject = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert title in pyproject["project"]["description"]


@pytest.mark.parametrize(
    "name, says",
    [
        ("BikePatrol", "not a plugin name"),
        ("bike-patrol", "not a plugin name"),
        ("9lives", "not a plugin name"),
        ("b", "not a plugin name"),
        ("core", "reserved for Red Armband's core"),
        ("core_extras", "reserved for Red Armband's core"),
        ("plugins", "is reserved"),
        ("class", "is reserved"),
        ("night_patrol", "already an installed plugin"),
        ("school_guardian", "already an installed plugin"),
        ("json", "already the name of a Python module"),
        ("flask", "already the name of a Python module"),
    ],
)
def test_a_bad_name_is_refused_naming_the_argument(tmp_path, monkeypatch, name, says):
    monkeypatch.chdir(tmp_path)
    result = plugins_new(name)
    assert result.exit_code == 2
    assert "Invalid value for NAME" in result.output and says in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_bad_title_is_refused_naming_the_option(tmp_path):
    for title, says in (("", "give a title"), ("x" * 61, "at most 60 characters"), ("two\nlines", "one line")):
        result = plugins_new(NAME, "--directory", str(tmp_path / "p"), "--title", title)
        assert result.exit_code == 2
        assert "Invalid value for --title" in result.output and says in result.output
    assert not (tmp_path / "p").exists()


def test_a_non_empty_directory_is_never_overwritten(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "pyproject.toml").write_text("# the team's own\n", encoding="utf-8")
    result = plugins_new(NAME, "--directory", str(target))
    assert result.exit_code == 2
    assert "Invalid value for --directory" in result.output and "is not empty" in result.output
    assert files_under(target) == ["pyproject.toml"]
    assert (target / "pyproject.toml").read_text(encoding="utf-8") == "# the team's own\n"


def test_a_file_in_the_way_is_refused(tmp_path):
    (tmp_path / "taken").write_text("", encoding="utf-8")
    result = plugins_new(NAME, "--directory", str(tmp_path / "taken"))
    assert result.exit_code == 2
    assert "Invalid value for --directory" in result.output and "is a file" in result.output


# --- made, installed and used in a throw-away virtual environment ------------

# Run by the throw-away environment's Python: the app as a city runs it
# (installed plugins loaded from entry points), on two stations, one of which
# enables the plugin. It prints what it saw as JSON. It always uses SQLite: the
# point is the plugin's installation, and core's PostgreSQL support is what
# the rest of the suite checks (the plugin's own tests below do follow
# REDARMBAND_DATABASE_URL).
CITY = textwrap.dedent(
    """
    import json, sys
    from io import BytesIO
    from pathlib import Path

    from PIL import Image

    from core import create_app
    from core.accounts import create_user
    from core.cli import init_database
    from core.models import Role
    from core.testing import write_station

    name, bonus, work = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    stations = work / "stations"
    stations.mkdir()
    write_station(stations, "ours", plugins=[name], extra=f"[plugin_settings.{name}]\\nbonus = {bonus}\\n")
    write_station(stations, "theirs")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "scaffold-test",
        "STATIONS_DIR": str(stations),
        "DATABASE_URL": f"sqlite:///{work / 'city.sqlite3'}",
        "INSTANCE_PATH": str(work / "instance"),
        "REQUIRE_READY_DATABASE": False,  # init_database() makes it just below
    })
    with app.app_context():
        init_database()
        create_user(role=Role.OFFICER, phone="13700000001", name="officer", password="officer-pass-1",
                    station_id=app.extensions["redarmband"].tenancy.get("ours").id)
    client = app.test_client()
    url_prefix = "/" + name.replace("_", "-") + "/"
    seen = {"module": __import__(name).__file__, "stations": {}}
    for slug in ("ours", "theirs"):
        seen["stations"][slug] = {
            "plugins": client.get(f"/s/{slug}/-/plugins.json").get_json()["plugins"],
            "page": client.get(f"/s/{slug}{url_prefix}").status_code,
            "page_text": client.get(f"/s/{slug}{url_prefix}").get_data(as_text=True),
            "home": client.get(f"/s/{slug}/").get_data(as_text=True),
            "task_types": [t["key"] for t in client.get(f"/api/v1/s/{slug}/task-types").get_json()["task_types"]],
        }

    def token(phone, password):
        answer = client.post("/api/v1/auth/tokens", json={"phone": phone, "password": password})
        return {"Authorization": "Bearer " + answer.get_json()["token"]}

    registered = client.post("/api/v1/s/ours/volunteers", json={
        "name": "volunteer", "phone": "13800000001", "password": "volunteer-pass-1",
        "occupation": "courier", "accept_oath": True, "oath_version": "v1"})
    assert registered.status_code == 201, registered.get_json()
    volunteer, officer = token("13800000001", "volunteer-pass-1"), token("13700000001", "officer-pass-1")
    photo = BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(photo, "JPEG")
    approved = {}
    # the plugin's work, and core's patrol (which needs a photo)
    for type_key, photos in ((name, []), ("patrol", [(BytesIO(photo.getvalue()), "p.jpg")])):
        submitted = client.post("/api/v1/s/ours/submissions", data={"type": type_key, "text": "done", "photos": photos},
                                headers=volunteer, content_type="multipart/form-data")
        assert submitted.status_code == 201, submitted.get_json()
        answer = client.post(f"/api/v1/s/ours/submissions/{submitted.get_json()['id']}/review",
                             json={"decision": "approve"}, headers=officer)
        assert answer.status_code == 200, answer.get_json()
        approved[type_key] = answer.get_json()
    seen["approved"] = approved
    print(json.dumps(seen))
    """
)


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory):
    """A plugin made by ``redarmband plugins new`` and pip-installed into a
    new virtual environment; ``(venv python, project directory, city's view)``."""
    root = tmp_path_factory.mktemp("scaffold")
    project = root / f"redarmband-{NAME}"
    made = subprocess.run(
        [str(REDARMBAND), "plugins", "new", NAME, "--title", TITLE],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr + made.stdout

    venv = root / "venv"
    # --without-pip: pip, like everything else, comes from this environment through the .pth file
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    venv_site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # addsitedir, not a bare path: it also runs this environment's own .pth files (an editable redarmband)
    lines = [f"import site; site.addsitedir({directory!r})" for directory in site.getsitepackages()]
    (venv_site / "_redarmband_shared.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")

    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "-q", str(project)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, (
        "pip install of the generated plugin failed (setuptools < 70.1 needs the 'wheel' package, "
        "which the test extras install):\n" + installed.stderr + installed.stdout
    )
    city = subprocess.run(
        [str(python), "-c", CITY, NAME, str(BONUS), str(root)], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert city.returncode == 0, city.stderr + city.stdout
    return python, project, json.loads(city.stdout)


def _listed(seen, slug):
    return {plugin["name"]: plugin for plugin in seen["stations"][slug]["plugins"]}


def test_the_plugin_is_installed_into_the_throwaway_environment_only(throwaway):
    python, _project, seen = throwaway
    assert Path(seen["module"]).is_relative_to(python.parent.parent)  # imported from the venv's site-packages
    assert importlib.util.find_spec(NAME) is None  # and not from this environment


def test_the_installed_plugin_is_listed_in_plugins_json(throwaway):
    _python, _project, seen = throwaway
    ours, theirs = _listed(seen, "ours"), _listed(seen, "theirs")
    assert ours[NAME]["version"] == "0.1.0"  # from its distribution
    assert not ours[NAME]["builtin"]
    assert {"register_task_types", "register_scoring_rules", "register_blueprints", "menu_items"} <= set(
        ours[NAME]["hooks"]
    )
    assert (ours[NAME]["enabled"], theirs[NAME]["enabled"]) == (True, False)
    assert {"night_patrol", "school_guardian"} <= set(ours)  # found the same way as the brand plugins


def test_the_page_and_menu_item_are_at_the_enabling_station_only(throwaway):
    _python, _project, seen = throwaway
    ours, theirs = seen["stations"]["ours"], seen["stations"]["theirs"]
    assert (ours["page"], theirs["page"]) == (200, 404)
    assert f"<h1>{TITLE}</h1>" in ours["page_text"]
    assert f"<strong>{BONUS}</strong>" in ours["page_text"]  # the station's own setting
    assert f'href="/s/ours/bike-patrol/">{TITLE}</a>' in ours["home"]
    assert "bike-patrol" not in theirs["home"]


def test_the_task_type_is_offered_at_the_enabling_station_only(throwaway):
    _python, _project, seen = throwaway
    assert NAME in seen["stations"]["ours"]["task_types"]
    assert NAME not in seen["stations"]["theirs"]["task_types"]
    assert "patrol" in seen["stations"]["theirs"]["task_types"]  # core's types are everywhere


def test_the_scoring_rule_adds_its_own_breakdown_line_to_approved_work(throwaway):
    _python, _project, seen = throwaway
    plugin_work, core_work = seen["approved"][NAME], seen["approved"]["patrol"]
    lines = {line["rule"]: line for line in plugin_work["breakdown"]}
    assert set(lines) == {"core.task", f"{NAME}.bonus"}
    assert lines[f"{NAME}.bonus"]["points"] == BONUS
    assert lines[f"{NAME}.bonus"]["label"] == {"zh": f"{TITLE}加分", "en": f"{TITLE} bonus"}
    assert plugin_work["points"] == lines["core.task"]["points"] + BONUS
    assert [line["rule"] for line in core_work["breakdown"]] == ["core.task"]  # other work gets no bonus


def test_the_generated_plugins_own_tests_pass(throwaway):
    python, project, _seen = throwaway
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


# --- the guide ---------------------------------------------------------------

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"


def test_the_guide_lists_every_public_name_of_core():
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("### What a plugin may import from core")
    section = text[start : text.index("\n### ", start + 1)]
    missing = [name for name in core.__all__ if not re.search(rf"`{name}[`(]", section)]
    assert not missing, f"docs/plugins.md does not say what these are for: {missing}"


def test_the_guide_walks_through_the_command_and_what_it_writes():
    text = GUIDE.read_text(encoding="utf-8")
    walkthrough = text[: text.index("## What a plugin is")]
    assert "redarmband plugins new bike_patrol" in walkthrough
    for relative in GENERATED:
        assert Path(relative).name in walkthrough, f"the walkthrough does not say what {relative} is"
    for step in ("pip install -e", "plugins = [", "[plugin_settings.bike_patrol]", "pytest", "pybabel", "theme"):
        assert step in walkthrough
