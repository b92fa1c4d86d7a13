"""The spec's documents as JSON or XML.

A document is plain data (dicts, lists, strings, numbers, booleans, None).
JSON is it as it is. XML names a list's items by the list's own tag
(``services`` holds ``service`` elements, ``service_requests`` holds
``request`` …), writes booleans as ``true``/``false`` and None as an empty
element, and starts with the XML declaration naming UTF-8, as the spec asks.
"""

import json
import re
import xml.etree.ElementTree as ET

from flask import Response

# What XML 1.0 cannot carry at all: text stored before it was refused on
# input still leaves the document well-formed (as U+FFFD).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

FORMATS = ("json", "xml")
MIMETYPES = {"json": "application/json", "xml": "text/xml"}

# The tag of each item of a list, by the list's tag.
ITEM_TAGS = {
    "services": "service",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
}


def respond(document, fmt, root, status=200):
    """``document`` as a response in ``fmt``; ``root`` is the XML root tag."""
    if fmt == "json":
        body = json.dumps(document, ensure_ascii=False)
    else:
        body = to_xml(document, root)
    return Response(body, status=status, mimetype=MIMETYPES[fmt], content_type=f"{MIMETYPES[fmt]}; charset=utf-8")


def to_xml(document, root):
    element = ET.Element(root)
    _fill(element, document)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def _fill(element, value):
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item_tag), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("\ufffd", str(value))
