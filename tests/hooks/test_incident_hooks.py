"""Incident hooks: a plugin's own incident categories (with their fields'
schema), and the event after each change of an incident — at the station
that enables the plugin (``enabling``) and not at the one that does not
(``other``)."""

import logging

import pytest
from marshmallow import Schema, fields, validate
from peewee import SqliteDatabase

from core import IncidentCategory, Text, hookimpl
from core.incidents import IncidentError
from core.incidents.lifecycle import assign, change_state, comment, confirm_useful
from core.models import Incident, IncidentEvent, IncidentState, Role
from core.testing import write_station
from tests.hooks.conftest import platform
from tests.incidents_helpers import file_report, person

# ---------------------------------------------------------------------------
# register_incident_categories
# ---------------------------------------------------------------------------


class DogFields(Schema):
    size = fields.String(required=True, validate=validate.OneOf(["small", "large"]))
    aggressive = fields.Boolean(load_default=False)


class PlateRequired(Schema):
    """The plugin's 违停: the plate is required here."""

    plate = fields.String(required=True, validate=validate.Length(min=5, max=12))


STRAY_DOG = IncidentCategory(
    "stray_dog", Text("流浪犬", "Stray dog"), Text("街上的流浪犬。", "A stray dog."), fields_schema=DogFields
)
STRICT_PARKING = IncidentCategory(
    "illegal_parking",
    Text("违停（须填车牌）", "Parking (plate needed)"),
    Text("违停", "Parking"),
    fields_schema=PlateRequired,
)


class DogsAndPlates:
    @hookimpl
    def register_incident_categories(self):
        return [STRAY_DOG, STRICT_PARKING]


def _station(app, slug):
    return platform(app).tenancy.get(slug)


def _keys(app, slug):
    return [category.key for category in _station(app, slug).incident_categories]


CORE_KEYS = [
    "illegal_parking",
    "lost_and_found",
    "missing_child",
    "merchant_help",
    "construction_noise",
    "illegal_posters",
]


class TestRegisterIncidentCategories:
    @pytest.fixture
    def probe(self):
        return DogsAndPlates()

    def test_hook_register_incident_categories(self, app):
        assert _keys(app, "enabling") == [*CORE_KEYS, "stray_dog"]
        assert _station(app, "enabling").incident_category("stray_dog") is STRAY_DOG
        with app.test_request_context():
            vol = person(app, "enabling")
            incident = file_report(app, vol, "stray_dog", slug="enabling", fields={"size": "large"})
            assert Incident.get_by_id(incident.id).fields == {"size": "large", "aggressive": False}
            with pytest.raises(IncidentError) as caught:
                file_report(app, vol, "stray_dog", slug="enabling", fields={"size": "huge", "colour": "黄"})
            assert caught.value.status == 400 and sorted(caught.value.fields) == ["fields.colour", "fields.size"]
            assert Incident.select().count() == 1

    def test_hook_register_incident_categories_not_at_other_stations(self, app):
        assert _keys(app, "other") == CORE_KEYS
        with app.test_request_context():
            with pytest.raises(IncidentError) as caught:
                file_report(app, person(app, "other"), "stray_dog", slug="other", fields={"size": "small"})
            assert list(caught.value.fields) == ["category"]

    def test_hook_register_incident_categories_replaces_cores_of_the_same_key(self, app):
        # in core's place in the list, with the plugin's schema; core's elsewhere
        assert _station(app, "enabling").incident_category("illegal_parking") is STRICT_PARKING
        assert _keys(app, "enabling")[0] == "illegal_parking"
        assert _station(app, "other").incident_category("illegal_parking") is not STRICT_PARKING
        with app.test_request_context():
            with pytest.raises(IncidentError) as caught:
                file_report(app, person(app, "enabling"), "illegal_parking", slug="enabling", fields={})
            assert list(caught.value.fields) == ["fields.plate"]
            assert file_report(app, person(app, "other"), "illegal_parking", slug="other", fields={}).fields == {
                "plate": ""
            }


class TestSwitchedOffCategories:
    @pytest.fixture
    def probe(self):
        return DogsAndPlates()

    @pytest.fixture
    def redarmband_stations_dir(self, tmp_path):
        directory = tmp_path / "stations"
        directory.mkdir()
        write_station(
            directory, "enabling", plugins=["probe"], extra='[incidents]\ndisabled = ["stray_dog", "illegal_parking"]\n'
        )
        write_station(directory, "other", plugins=["probe"])
        return directory

    def test_hook_register_incident_categories_switched_off_by_a_station(self, app):
        # switching a key off takes the plugin's replacement and core's alike
        assert _keys(app, "enabling") == CORE_KEYS[1:]
        assert _keys(app, "other") == [*CORE_KEYS, "stray_dog"]
        with app.test_request_context():
            with pytest.raises(IncidentError) as caught:
                file_report(app, person(app, "enabling"), "stray_dog", slug="enabling", fields={"size": "small"})
            assert list(caught.value.fields) == ["category"]


def test_a_category_key_must_be_a_plain_name():
    for bad in ("", "违停", "a b", "x" * 61):
        with pytest.raises(ValueError):
            IncidentCategory(bad, Text("x", "x"), Text("x", "x"))
    with pytest.raises(ValueError):
        IncidentCategory("dogs", Text("x", "x"), Text("x", "x"), fields_schema=dict)
    with pytest.raises(ValueError):
        IncidentCategory("dogs", Text("x", "x"), Text("x", "x"), max_photos=7)


# ---------------------------------------------------------------------------
# on_incident_changed
# ---------------------------------------------------------------------------


class Recorder:
    """Records each event, and whether its timeline line was committed."""

    def __init__(self, database_path):
        self.calls = []
        self.database_path = database_path

    def _committed(self, event):
        if self.database_path is None:  # PostgreSQL: the in-transaction flag says it
            from core.db import database

            return not database.in_transaction()
        outside = SqliteDatabase(self.database_path)  # another connection sees only committed rows
        found = outside.execute_sql("SELECT COUNT(*) FROM incidentevent WHERE id = ?", (event.id,)).fetchone()[0]
        outside.close()
        return found == 1

    @hookimpl
    def on_incident_changed(self, station, incident, event):
        self.calls.append((station.slug, incident.id, event.kind, incident.state, self._committed(event)))


class Raising:
    @hookimpl
    def on_incident_changed(self, station, incident, event):
        raise RuntimeError("the plugin's server is down")


@pytest.fixture
def recorder(database_url):
    path = database_url.removeprefix("sqlite:///") if database_url.startswith("sqlite") else None
    return Recorder(path)


class TestIncidentEvents:
    @pytest.fixture
    def probe(self, recorder):
        return recorder

    def test_hook_on_incident_changed(self, app, probe):
        with app.test_request_context():
            st = _station(app, "enabling")
            vol, boss = person(app, "enabling"), person(app, "enabling", Role.OFFICER)
            incident = file_report(app, vol, slug="enabling")
            change_state(st, boss, incident.id, IncidentState.ACKNOWLEDGED)
            comment(st, vol, incident.id, "车还在")
            assign(st, boss, incident.id, vol.id)
            change_state(st, vol, incident.id, IncidentState.RESOLVED, note="已挪车")
            confirm_useful(st, boss, incident.id)
        S = IncidentState
        assert probe.calls == [
            ("enabling", incident.id, "reported", S.OPEN, True),
            ("enabling", incident.id, "state", S.ACKNOWLEDGED, True),
            ("enabling", incident.id, "comment", S.ACKNOWLEDGED, True),
            ("enabling", incident.id, "assigned", S.ACKNOWLEDGED, True),
            ("enabling", incident.id, "state", S.RESOLVED, True),
            ("enabling", incident.id, "useful", S.RESOLVED, True),
        ]

    def test_hook_on_incident_changed_not_at_other_stations_nor_for_refusals(self, app, probe):
        with app.test_request_context():
            other = _station(app, "other")
            incident = file_report(app, person(app, "other"), slug="other")
            change_state(other, person(app, "other", Role.OFFICER), incident.id, IncidentState.ACKNOWLEDGED)
            st, vol = _station(app, "enabling"), person(app, "enabling")
            with pytest.raises(IncidentError):
                file_report(app, vol, "stray_dog", slug="enabling")
            mine = file_report(app, vol, slug="enabling")
            probe.calls.clear()
            boss = person(app, "enabling", Role.OFFICER)
            refusals = [
                lambda: change_state(st, vol, mine.id, IncidentState.ACKNOWLEDGED),  # not staff
                lambda: change_state(st, boss, mine.id, IncidentState.RESOLVED),  # no note
                lambda: comment(st, vol, mine.id, ""),
                lambda: confirm_useful(st, boss, mine.id),  # not resolved
                lambda: change_state(st, boss, incident.id, IncidentState.RESOLVED, note="x"),  # another station's
            ]
            for refusal in refusals:
                with pytest.raises(IncidentError):
                    refusal()
        assert probe.calls == []

    def test_hook_on_incident_changed_sees_the_urgent_alert_sent(self, app, probe):
        with app.test_request_context():
            incident = file_report(app, person(app, "enabling"), "missing_child", slug="enabling")
        assert probe.calls == [("enabling", incident.id, "reported", IncidentState.OPEN, True)]
        assert Incident.get_by_id(incident.id).alert_id is not None


class TestIncidentEventFailure:
    @pytest.fixture
    def probe(self):
        return Raising()

    def test_hook_on_incident_changed_failure_is_logged_and_the_change_stays(self, app, caplog):
        with app.test_request_context(), caplog.at_level(logging.ERROR, logger="core.plugins"):
            st = _station(app, "enabling")
            incident = file_report(app, person(app, "enabling"), slug="enabling")
            changed, _event = change_state(
                st, person(app, "enabling", Role.OFFICER), incident.id, IncidentState.ACKNOWLEDGED
            )
            assert changed.state == IncidentState.ACKNOWLEDGED
            assert Incident.get_by_id(incident.id).state == IncidentState.ACKNOWLEDGED
            assert IncidentEvent.select().where(IncidentEvent.incident == incident.id).count() == 2
        failures = [r for r in caplog.records if "on_incident_changed" in r.getMessage()]
        assert len(failures) == 2 and all("probe" in r.getMessage() for r in failures)
