"""酒吧纠纷 (venue_disturbance): night_patrol's own incident category, offered
at donghua where the plugin is on, not at huguo; its fields are checked;
the plugin still uses only core's public names."""

import ast
from pathlib import Path

import pytest

import core
from core.incidents import IncidentError
from core.models import Incident
from tests.incidents_helpers import file_report, volunteer
from tests.points_helpers import station

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "night_patrol"
DISPUTE = {"venue": "金马坊酒吧", "people_involved": 3}


def test_a_bar_dispute_is_offered_at_donghua_only(app):
    donghua = [c.key for c in station(app, "donghua").incident_categories]
    assert donghua[-1] == "venue_disturbance" and len(donghua) == 7  # after core's six
    category = station(app, "donghua").incident_category("venue_disturbance")
    assert (category.label.zh, category.label.en) == ("酒吧纠纷", "Bar dispute") and not category.urgent
    for slug in ("huguo", "xiaonanmen"):
        assert station(app, slug).incident_category("venue_disturbance") is None


def test_a_donghua_volunteer_reports_a_bar_dispute(app):
    with app.test_request_context():
        incident = file_report(
            app,
            volunteer(app, "donghua"),
            "venue_disturbance",
            description="两桌客人酒后争吵",
            fields={"venue": "金马坊酒吧", "people_involved": "4"},
        )
        stored = Incident.get_by_id(incident.id)
        assert (stored.category, stored.fields) == ("venue_disturbance", {"venue": "金马坊酒吧", "people_involved": 4})


@pytest.mark.parametrize(
    "fields, named",
    [
        ({}, ["fields.people_involved", "fields.venue"]),
        ({"venue": "", "people_involved": 3}, ["fields.venue"]),
        ({"venue": "金马坊\x00", "people_involved": 3}, ["fields.venue"]),
        ({"venue": "金马坊酒吧", "people_involved": 0}, ["fields.people_involved"]),
        ({"venue": "金马坊酒吧", "people_involved": "许多"}, ["fields.people_involved"]),
        ({**DISPUTE, "weapon": "酒瓶"}, ["fields.weapon"]),
    ],
    ids=["nothing", "no venue", "NUL in venue", "nobody involved", "not a number", "unknown field"],
)
def test_a_bar_dispute_with_bad_fields_is_refused_naming_them(app, fields, named):
    with app.test_request_context():
        with pytest.raises(IncidentError) as caught:
            file_report(app, volunteer(app, "donghua"), "venue_disturbance", fields=fields)
        assert caught.value.status == 400 and sorted(caught.value.fields) == named
        assert Incident.select().count() == 0


def test_huguo_refuses_a_bar_dispute_naming_category(app):
    with app.test_request_context():
        with pytest.raises(IncidentError) as caught:
            file_report(app, volunteer(app, "huguo"), "venue_disturbance", fields=DISPUTE)
        assert caught.value.status == 400 and list(caught.value.fields) == ["category"]
        assert Incident.select().count() == 0


def test_the_plugin_imports_only_cores_public_names():
    imported = set()
    for path in sorted(PLUGIN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "core":
                assert node.module == "core", f"{path.name} imports {node.module}"
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                assert not any(alias.name.split(".")[0] == "core" for alias in node.names), path.name
    assert "IncidentCategory" in imported and imported <= set(core.__all__), sorted(imported - set(core.__all__))
