"""What `pip install redarmband` puts on a machine: the wheel's contents."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def clean_copy(tmp_path):
    """The source tree as a clean clone has it: a build's leftovers (an egg-info's
    SOURCES.txt above all) would put files in the wheel that package-data leaves out."""
    source = tmp_path / "source"
    leftovers = shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "instance"
    )
    shutil.copytree(REPO, source, ignore=leftovers)
    return source


def test_the_wheel_carries_templates_themes_catalogues_and_entry_points(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(clean_copy(tmp_path))],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("redarmband-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "core/templates/base.html",
        "core/static/app.css",
        "core/defaults/theme_static/logo.svg",
        "core/translations/zh_Hans_CN/LC_MESSAGES/messages.mo",
        "plugins/night_patrol/theme/static/logo.svg",
        "plugins/night_patrol/theme/templates/home.html",
        "plugins/night_patrol/templates/night_patrol/tonight.html",
        "plugins/school_guardian/translations/zh_Hans_CN/LC_MESSAGES/messages.mo",
    ):
        assert expected in names, f"{expected} is missing from the wheel"
    [entry_points] = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    # `redarmband plugins new` writes a plugin from these: every one must travel in the wheel
    scaffold = REPO / "core" / "scaffold"
    templates = sorted(path.relative_to(REPO).as_posix() for path in (scaffold / "plugin").rglob("*.tmpl"))
    assert "core/scaffold/plugin/__package__/__init__.py.tmpl" in templates
    assert "core/scaffold/plugin/tests/test___package__.py.tmpl" in templates
    missing = [name for name in ["core/scaffold/__init__.py", *templates] if name not in names]
    assert not missing, f"missing from the wheel: {missing}"
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[redarmband]" in text and "night_patrol = plugins.night_patrol" in text
    assert "redarmband = core.cli:main" in text
