"""HTML answers decoded for output shaping: their tables (Beautiful Soup, CSS selectors)."""

from __future__ import annotations

import functools
from typing import Any

from bs4 import BeautifulSoup, Tag

from .decoders import Decoder
from .exchange import UpstreamResponse


@functools.cache
def html_decoder(selector: str | None = None) -> Decoder:
    """A decoder of HTML answers into ``{"tables": [[row, ...], ...]}``, every row an object
    keyed by the table's header cells; ``selector`` (``outputSchema``, a CSS selector) keeps
    the tables it matches and those inside what it matches."""

    def decode_html(upstream: UpstreamResponse) -> Any:
        document = BeautifulSoup(upstream.text(), "html.parser")
        tables = []
        for table in _tables(document, selector):
            headers = _headers(table)
            if headers:
                tables.append([_row_object(headers, row) for row in _rows(table)])
        return {"tables": tables}

    return decode_html


def _tables(document: BeautifulSoup, selector: str | None) -> list[Tag]:
    if not selector or not selector.strip():
        return list(document.select("table"))
    found: dict[int, Tag] = {}
    for element in document.select(selector):
        for table in [element] if element.name == "table" else element.select("table"):
            found.setdefault(id(table), table)
    return list(found.values())


def _text(cell: Tag) -> str:
    return " ".join(cell.get_text().split())


def _headers(table: Tag) -> list[str]:
    cells = table.select("thead tr:first-child th") or table.select("tr:first-child th")
    headers = [_text(cell) for cell in cells]
    return headers if any(headers) else []


def _rows(table: Tag) -> list[list[str]]:
    rows = []
    for row in table.select("tbody tr") or table.select("tr"):
        if row.select("th"):
            continue  # a header row
        cells = row.select("td")
        if cells:
            rows.append([_text(cell) for cell in cells])
    return rows


def _row_object(headers: list[str], row: list[str]) -> dict[str, str]:
    return {
        header: row[index] if index < len(row) else ""
        for index, header in enumerate(headers)
    }
