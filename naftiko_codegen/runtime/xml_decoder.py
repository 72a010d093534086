"""XML answers decoded for output shaping (defusedxml: no entities, no DTDs)."""

from __future__ import annotations

from typing import Any

from defusedxml import DefusedXmlException, ElementTree

from .exchange import UpstreamResponse


def decode_xml(upstream: UpstreamResponse) -> Any:
    """An XML answer as ``{root_tag: value}``: elements with children or attributes become
    objects (attributes as ``@name``, text beside children as ``#text``), repeated
    children lists, text-only elements strings. Entities and DTDs are refused."""
    try:
        root = ElementTree.fromstring(upstream.content)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise ValueError(f"invalid XML: {error}") from None
    return {root.tag: _xml_value(root)}


def _xml_value(element: Any) -> Any:
    children = list(element)
    text = (element.text or "").strip()
    if not children and not element.attrib:
        return text
    value: dict[str, Any] = {f"@{key}": item for key, item in element.attrib.items()}
    repeated: set[str] = set()
    for child in children:
        item = _xml_value(child)
        if child.tag in repeated:
            value[child.tag].append(item)
        elif child.tag in value:
            value[child.tag] = [value[child.tag], item]
            repeated.add(child.tag)
        else:
            value[child.tag] = item
    if text:
        value["#text"] = text
    return value
