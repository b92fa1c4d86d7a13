"""Reporting an incident (警情与求助): each core category with its extra
fields, a place, safe photos and refusals that store nothing. Likely
duplicates and the missing-child alert: ``test_incidents_duplicates.py``
and ``test_incidents_urgent.py``."""

import pytest
from PIL import Image

from core.incidents import IncidentError
from core.incidents.reporting import load_report, report
from core.models import (
    Incident,
    IncidentEvent,
    IncidentEventKind,
    IncidentState,
    Instruction,
    Role,
)
from core.photos import uploads_root
from core.testing import write_station
from tests.incidents_helpers import (
    CORE_FIELDS,
    HERE,
    body,
    file_report,
    jpeg_with_gps,
    person,
    uploaded_files,
    volunteer,
)
from tests.points_helpers import station
from tests.tasks_helpers import photo_bytes


def refused(call):
    with pytest.raises(IncidentError) as caught:
        call()
    return caught.value


def nothing_stored(app):
    assert Incident.select().count() == 0
    assert IncidentEvent.select().count() == 0
    assert Instruction.select().count() == 0
    assert uploaded_files(app) == []


# --- each core category -------------------------------------------------------


@pytest.mark.parametrize("category", sorted(CORE_FIELDS))
def test_a_volunteer_reports_each_core_category(app, category):
    with app.test_request_context():
        vol = volunteer(app)
        incident = file_report(app, vol, category, description="看到了就报告")
        stored = Incident.get_by_id(incident.id)
        assert (stored.station_id, stored.category, stored.state) == (station(app).id, category, IncidentState.OPEN)
        assert stored.reporter_id == vol.id and stored.description == "看到了就报告"
        assert (stored.latitude, stored.longitude) == HERE
        assert stored.urgent == (category == "missing_child")
        [event] = IncidentEvent.select().where(IncidentEvent.incident == stored.id)
        assert (event.kind, event.actor_id, event.to_state) == (IncidentEventKind.REPORTED, vol.id, IncidentState.OPEN)


def test_every_station_offers_the_six_core_categories(app):
    expected = [
        "illegal_parking",
        "lost_and_found",
        "missing_child",
        "merchant_help",
        "construction_noise",
        "illegal_posters",
    ]
    for slug in ("huguo", "xiaonanmen", "donghua"):
        keys = [category.key for category in station(app, slug).incident_categories]
        assert keys[:6] == expected, slug


def test_extra_fields_are_loaded_with_their_defaults(app):
    with app.test_request_context():
        incident = file_report(app, volunteer(app), "construction_noise", fields={})
        assert incident.fields == {"heard_during": "night"}
        child = file_report(app, volunteer(app), "missing_child", fields={"age": "7", "clothing": "黄色雨衣"})
        assert child.fields == {"age": 7, "clothing": "黄色雨衣", "child_name": "", "last_seen_at": ""}


@pytest.mark.parametrize(
    "category, fields, named",
    [
        ("lost_and_found", {"kind": "stolen", "item": "钱包"}, ["fields.kind"]),
        ("lost_and_found", {"kind": "found"}, ["fields.item"]),
        ("missing_child", {"age": 30, "clothing": "红衣"}, ["fields.age"]),
        ("missing_child", {"age": 5}, ["fields.clothing"]),
        ("illegal_parking", {"plate": "云A12345", "colour": "白"}, ["fields.colour"]),
        ("illegal_parking", {"plate": "云A\x0012345"}, ["fields.plate"]),
        ("merchant_help", {"shop": "老街米线"}, ["fields"]),
    ],
    ids=[
        "bad choice",
        "missing item",
        "age out of range",
        "missing clothing",
        "unknown field",
        "NUL in plate",
        "no extra fields",
    ],
)
def test_bad_extra_fields_are_refused_naming_each_field(app, category, fields, named):
    with app.test_request_context():
        error = refused(lambda: file_report(app, volunteer(app), category, fields=fields))
        assert (error.status, error.code) == (400, "invalid_input")
        assert sorted(error.fields) == named
        nothing_stored(app)


def test_an_unknown_category_is_refused_naming_category(app):
    with app.test_request_context():
        error = refused(lambda: file_report(app, volunteer(app), "stray_dogs"))
        assert error.status == 400 and list(error.fields) == ["category"]
        assert "stray_dogs" in error.fields["category"][0] and "illegal_parking" in error.fields["category"][0]
        nothing_stored(app)


class TestSwitchedOff:
    @pytest.fixture
    def redarmband_stations_dir(self, tmp_path):
        """huguo and xiaonanmen of 五华分局; xiaonanmen switches 违贴广告 off."""
        directory = tmp_path / "stations"
        directory.mkdir()
        write_station(directory, "huguo", district="五华分局")
        write_station(
            directory, "xiaonanmen", district="五华分局", extra='[incidents]\ndisabled = ["illegal_posters"]\n'
        )
        return directory

    def test_a_category_switched_off_at_a_station_is_refused_there_only(self, app):
        with app.test_request_context():
            assert station(app, "xiaonanmen").incident_category("illegal_posters") is None
            assert "illegal_posters" not in [c.key for c in station(app, "xiaonanmen").incident_categories]
            error = refused(lambda: file_report(app, volunteer(app, "xiaonanmen"), "illegal_posters"))
            assert error.status == 400 and list(error.fields) == ["category"]
            nothing_stored(app)
            assert file_report(app, volunteer(app, "huguo"), "illegal_posters").category == "illegal_posters"


# --- where it is --------------------------------------------------------------


def test_a_report_without_a_place_is_refused_naming_location(app):
    with app.test_request_context():
        error = refused(lambda: load_report(body(at=None)))
        assert error.status == 400 and list(error.fields) == ["location"]
        blank = refused(lambda: load_report(body(at=None, address="   ")))
        assert list(blank.fields) == ["location"]
        nothing_stored(app)


@pytest.mark.parametrize("given", [{"latitude": 25.04}, {"longitude": 102.71}], ids=["latitude only", "longitude only"])
def test_only_one_of_latitude_and_longitude_is_refused(app, given):
    raw = body(at=None, address="护国路 12 号", **given)
    error = refused(lambda: load_report(raw))
    assert error.status == 400 and "longitude" in error.fields


@pytest.mark.parametrize(
    "given",
    [
        {"latitude": 91, "longitude": 102.7},
        {"latitude": 25.0, "longitude": 181},
        {"latitude": "NaN", "longitude": 102.7},
    ],
)
def test_coordinates_off_the_globe_are_refused(app, given):
    error = refused(lambda: load_report({**body(at=None), **given}))
    assert error.status == 400 and set(error.fields) & {"latitude", "longitude"}


def test_an_address_alone_is_a_place(app):
    with app.test_request_context():
        incident = file_report(app, volunteer(app), at=None, address="  护国路 12 号  ")
        assert incident.address == "护国路 12 号" and incident.latitude is None and incident.longitude is None


@pytest.mark.parametrize("text", ["压盲道\x00", "压\x1b[31m盲道", "\x07"], ids=["NUL", "escape", "bell"])
def test_control_characters_in_the_description_are_refused(app, text):
    # PostgreSQL cannot store NUL in text: it must be a 400, not a 500
    with app.test_request_context():
        error = refused(lambda: file_report(app, volunteer(app), description=text))
        assert error.status == 400 and "description" in error.fields
        nothing_stored(app)


@pytest.mark.parametrize("text", ["   ", "\n\t "], ids=["spaces", "blank lines"])
def test_a_description_of_only_spaces_is_refused(app, text):
    with app.test_request_context():
        error = refused(lambda: file_report(app, volunteer(app), description=text))
        assert error.status == 400 and "description" in error.fields
        nothing_stored(app)


def test_a_description_is_kept_without_its_surrounding_spaces(app):
    with app.test_request_context():
        assert file_report(app, volunteer(app), description="  白色轿车  ").description == "白色轿车"


@pytest.mark.parametrize(
    "text", ["压\uffff盲道", "压\ufffe盲道", "压\ud800盲道"], ids=["U+FFFF", "U+FFFE", "lone surrogate"]
)
def test_text_no_xml_or_database_can_carry_is_refused(app, text):
    # a lone surrogate cannot be stored; U+FFFE/U+FFFF would break Open311's XML
    with app.test_request_context():
        error = refused(lambda: file_report(app, volunteer(app), description=text))
        assert error.status == 400 and "description" in error.fields
        nothing_stored(app)


def test_line_breaks_in_the_description_are_kept(app):
    with app.test_request_context():
        assert (
            file_report(app, volunteer(app), description="白色轿车\n车牌看不清").description == "白色轿车\n车牌看不清"
        )


def test_a_nul_in_the_address_is_refused(app):
    error = refused(lambda: load_report(body(at=None, address="护国路\x0012 号")))
    assert "address" in error.fields


def test_unknown_report_keys_are_refused(app):
    error = refused(lambda: load_report(body(reporter_id=1)))
    assert error.status == 400 and "reporter_id" in error.fields


def test_a_hidden_name_is_kept(app):
    with app.test_request_context():
        assert file_report(app, volunteer(app), hide_name=True).hide_name is True
        assert file_report(app, volunteer(app)).hide_name is False


# --- photos -------------------------------------------------------------------


def test_photos_are_re_encoded_without_exif_or_location(app):
    with app.test_request_context():
        incident = file_report(app, volunteer(app), photos=[jpeg_with_gps(), photo_bytes(fmt="PNG")])
        assert len(incident.photos) == 2
        for path in incident.photos:
            assert path.startswith("huguo/incidents/")
            stored = uploads_root(app) / path
            with Image.open(stored) as image:
                assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info
            assert b"TestCam" not in stored.read_bytes()


def test_too_many_photos_are_refused_before_any_is_written(app):
    with app.test_request_context():
        error = refused(lambda: file_report(app, volunteer(app), photos=[photo_bytes()] * 7))
        assert error.status == 400 and list(error.fields) == ["photos"]
        nothing_stored(app)


def test_a_file_that_is_not_a_photo_takes_the_others_with_it(app):
    with app.test_request_context():
        photos = [photo_bytes(), photo_bytes(), b"%PDF-1.4 not a photo"]
        error = refused(lambda: file_report(app, volunteer(app), photos=photos))
        assert error.status == 400 and "photo 3" in error.fields["photos"][0]
        nothing_stored(app)


def test_a_refused_extra_field_writes_no_photo(app):
    with app.test_request_context():
        refused(
            lambda: file_report(app, volunteer(app), "lost_and_found", fields={"kind": "found"}, photos=[photo_bytes()])
        )
        nothing_stored(app)


def test_a_failed_write_leaves_no_photo(app, monkeypatch):
    """The files go again if the database refuses the row."""
    from core.incidents import reporting

    def broken(**_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(reporting.IncidentEvent, "create", broken)
    with app.test_request_context():
        with pytest.raises(RuntimeError):
            file_report(app, volunteer(app), photos=[photo_bytes()])
        nothing_stored(app)


# --- who may report -----------------------------------------------------------


@pytest.mark.parametrize("who", ["another station's volunteer", "an inactive volunteer", "a city admin"])
def test_only_active_members_of_the_station_report(app, who):
    with app.test_request_context():
        reporter = {
            "another station's volunteer": lambda: volunteer(app, "xiaonanmen"),
            "an inactive volunteer": lambda: person(app, "huguo", active=False),
            "a city admin": lambda: person(app, None, Role.CITY_ADMIN),
        }[who]()
        error = refused(lambda: report(station(app, "huguo"), reporter, load_report(body()), [photo_bytes()]))
        assert error.status == 403
        nothing_stored(app)


def test_an_officer_reports_too(app):
    with app.test_request_context():
        boss = person(app, "huguo", Role.OFFICER)
        assert file_report(app, boss).reporter_id == boss.id
