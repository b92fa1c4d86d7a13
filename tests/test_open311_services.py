"""Open311: discovery, services and service definitions, in both formats,
with the deviations real clients make (doubled slashes, singular service/)."""

import pytest

from core.testing import write_station

from .open311_helpers import ATTRIBUTE_KEYS, BASE, SERVICE_KEYS, errors_of, listed, xml

CORE_CODES = [
    "illegal_parking",
    "lost_and_found",
    "missing_child",
    "merchant_help",
    "construction_noise",
    "illegal_posters",
]


def test_discovery_json_names_the_spec_and_both_formats(client):
    response = client.get(f"{BASE}/discovery.json")
    assert response.status_code == 200
    document = response.get_json()
    assert set(document) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2/"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]


@pytest.mark.parametrize("path", ["/discovery.xml", "/discovery"])
def test_discovery_xml_and_xml_without_an_extension(client, path):
    response = client.get(BASE + path)
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_services_json_lists_the_station_categories(client):
    response = client.get(f"{BASE}/services.json?jurisdiction_id=huguo")
    assert response.status_code == 200
    services = listed(response)
    assert [s["service_code"] for s in services][:6] == CORE_CODES
    assert all(set(s) == SERVICE_KEYS for s in services)
    by_code = {s["service_code"]: s for s in services}
    assert by_code["missing_child"]["service_name"] == "寻找走失儿童"
    assert by_code["missing_child"]["metadata"] is True
    assert by_code["merchant_help"]["metadata"] is False
    assert by_code["illegal_parking"]["keywords"] == "parking,违停"
    assert {s["type"] for s in services} == {"realtime"}


def test_services_xml_and_english_on_request(client):
    response = client.get(f"{BASE}/services.xml?jurisdiction_id=huguo&lang=en")
    root = xml(response)
    assert root.tag == "services" and {child.tag for child in root} == {"service"}
    first = root[0]
    assert {child.tag for child in first} == SERVICE_KEYS
    assert first.findtext("service_code") == "illegal_parking"
    assert first.findtext("service_name") == "Illegal parking"
    assert first.findtext("metadata") == "true"
    english = listed(
        client.get(f"{BASE}/services.json?jurisdiction_id=huguo", headers={"Accept-Language": "en-GB,en;q=0.9"})
    )
    assert english[0]["service_name"] == "Illegal parking"


def test_a_switched_off_category_is_no_service(make_app, tmp_path):
    directory = tmp_path / "one"
    directory.mkdir()
    write_station(directory, "solo", extra='[incidents]\ndisabled = ["illegal_posters"]\n')
    client = make_app(STATIONS_DIR=str(directory), EXTRA_PLUGINS=[]).test_client()
    # one enabled station: jurisdiction_id may be left out
    codes = [s["service_code"] for s in listed(client.get(f"{BASE}/services.json"))]
    assert "illegal_posters" not in codes and "illegal_parking" in codes
    assert client.get(f"{BASE}/services/illegal_posters.json").status_code == 404


def test_missing_jurisdiction_with_several_stations_is_a_400_naming_it(client):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 400
    ((code, description),) = errors_of(response)
    assert code == 400 and description.startswith("jurisdiction_id")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_jurisdiction_is_a_404_in_the_spec_shape(client, fmt):
    response = client.get(f"{BASE}/services.{fmt}?jurisdiction_id=atlantis")
    assert response.status_code == 404
    ((code, description),) = errors_of(response)
    assert code == 404 and "jurisdiction_id" in description


def test_service_definition_json_maps_the_schema(client):
    response = client.get(f"{BASE}/services/missing_child.json?jurisdiction_id=huguo")
    assert response.status_code == 200
    document = response.get_json()
    assert document["service_code"] == "missing_child"
    attributes = {a["code"]: a for a in document["attributes"]}
    assert [a["order"] for a in document["attributes"]] == [1, 2, 3, 4]
    assert all(ATTRIBUTE_KEYS <= set(a) for a in attributes.values())
    assert attributes["age"]["datatype"] == "number" and attributes["age"]["required"] is True
    assert attributes["age"]["description"] == "年龄"
    assert attributes["child_name"]["datatype"] == "string" and attributes["child_name"]["required"] is False
    assert all(a["variable"] is True for a in attributes.values())


def test_service_definition_xml_lists_values_of_a_choice(client):
    root = xml(client.get(f"{BASE}/services/lost_and_found.xml?jurisdiction_id=huguo"))
    assert root.tag == "service_definition"
    assert [child.tag for child in root] == ["service_code", "attributes"]
    kind = root.find("attributes/attribute[code='kind']")
    assert kind.findtext("datatype") == "singlevaluelist"
    assert kind.findtext("required") == "true"
    assert [(v.findtext("key"), v.findtext("name")) for v in kind.findall("values/value")] == [
        ("found", "拾到物品"),
        ("lost", "丢失物品"),
    ]


def test_service_definition_without_extension_is_xml_and_singular_service_works(client):
    assert xml(client.get(f"{BASE}/services/construction_noise?jurisdiction_id=huguo")).tag == "service_definition"
    response = client.get(f"{BASE}/service/construction_noise.json?jurisdiction_id=huguo")
    assert response.status_code == 200
    (heard,) = response.get_json()["attributes"]
    assert heard["datatype"] == "singlevaluelist" and [v["key"] for v in heard["values"]] == ["night", "day"]


def test_a_category_without_fields_has_no_attributes(client):
    assert client.get(f"{BASE}/services/merchant_help.json?jurisdiction_id=huguo").get_json()["attributes"] == []
    root = xml(client.get(f"{BASE}/services/merchant_help.xml?jurisdiction_id=huguo"))
    assert list(root.find("attributes")) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_is_a_404(client, fmt):
    response = client.get(f"{BASE}/services/potholes.{fmt}?jurisdiction_id=huguo")
    assert response.status_code == 404
    assert errors_of(response)[0][0] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2//services.json?jurisdiction_id=huguo",
        "/open311//v2/services.json?jurisdiction_id=huguo",
        "/open311/v2//services//missing_child.json?jurisdiction_id=huguo",
    ],
)
def test_doubled_slashes_are_answered_not_redirected(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_doubled_slashes_elsewhere_are_left_to_werkzeug(client):
    # only /open311 paths are merged; other paths keep Werkzeug's redirect
    assert client.get("/api//v1/stations").status_code == 308


def test_an_unknown_format_is_a_404(client):
    assert client.get(f"{BASE}/services/missing_child.html?jurisdiction_id=huguo").status_code == 404
    assert client.get(f"{BASE}/services.yaml?jurisdiction_id=huguo").status_code == 404


def test_empty_optional_parameters_count_as_absent(client):
    response = client.get(f"{BASE}/services.json?jurisdiction_id=huguo&lang=")
    assert response.status_code == 200
    assert listed(response)[0]["service_name"] == "车辆违停"


def test_open311_on_a_station_host_is_not_rewritten_into_the_station_pages(client):
    response = client.get(
        f"{BASE}/services.json?jurisdiction_id=huguo", headers={"Host": "xiaonanmen.redarmband.local"}
    )
    assert response.status_code == 200
    assert listed(response)[0]["service_code"] == "illegal_parking"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", f"{BASE}/nothing.json", 404),
        ("get", f"{BASE}/requests/1.json/", 404),
        ("put", f"{BASE}/requests.json", 405),
        ("get", "/open311/v3/services.xml", 404),
    ],
)
def test_a_path_or_method_the_spec_does_not_have_answers_with_the_specs_error(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    if path.endswith(".xml"):
        root = xml(response)
        assert root.tag == "errors" and int(root.findtext("error/code")) == status
    else:
        (error,) = response.get_json()
        assert error["code"] == status and error["description"]
