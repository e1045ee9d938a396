"""Open311 GeoReport v2 documents in JSON or XML, and its error format.

The spec (http://wiki.open311.org/GeoReport_v2) gives every document as a
list: JSON `[{...}, ...]`, XML `<services><service>...</service></services>`.
Errors are the same shape: `[{"code": 400, "description": "..."}]` and
`<errors><error><code>400</code><description>...</description></error></errors>`.
"""

import json
import xml.etree.ElementTree as ET

from django.http import HttpResponse

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# Names of the XML elements holding list items, where the spec names them.
ITEM_NAMES = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


class Open311Error(Exception):
    """A request the spec answers with an error document: 400, 403 (api_key) or 404."""

    def __init__(self, code, description):
        super().__init__(description)
        self.code = code
        self.description = str(description)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent, name, value):
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            _append(element, ITEM_NAMES.get(name, "item"), inner)
    else:
        element.text = _text(value)


def to_xml(root, item, payload):
    """`payload` (a list of dicts, or one dict for discovery) under <root>, each list item as <item>."""
    element = ET.Element(root)
    if isinstance(payload, dict):
        for key, value in payload.items():
            _append(element, key, value)
    else:
        for entry in payload:
            _append(element, item, entry)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def render(fmt, root, item, payload, status=200):
    if fmt == "xml":
        body = to_xml(root, item, payload)
    else:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_error(fmt, code, description):
    return render(fmt, "errors", "error", [{"code": code, "description": str(description)}], status=code)
