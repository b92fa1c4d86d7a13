"""What `pip install redarmband` puts on a machine: the wheel's contents."""
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_templates_themes_catalogues_and_entry_points(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
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
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[redarmband]" in text and "night_patrol = plugins.night_patrol" in text
    assert "redarmband = core.cli:main" in text
