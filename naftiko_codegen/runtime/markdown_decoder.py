"""Markdown answers decoded for output shaping: front matter, tables and sections
(markdown-it-py with its GFM tables; the front matter read with PyYAML's safe loader).
"""

from __future__ import annotations

import functools
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from .decoded_values import json_data
from .decoders import Decoder
from .exchange import UpstreamResponse

_PARSER = MarkdownIt("commonmark").enable("table")
_SKIPPED_BLOCKS = {"table", "html_block", "hr"}
"""Top-level blocks that are not a section's text (tables are listed apart)."""


@functools.cache
def markdown_decoder(heading_prefix: str | None = None) -> Decoder:
    """A decoder of Markdown answers into ``{"frontMatter": {...}, "tables": [[row, ...],
    ...], "sections": [{"heading", "level", "content"}, ...]}``: rows are objects keyed by
    the header cells, a section is a heading and the text up to the next heading;
    ``heading_prefix`` (``outputSchema``) keeps the sections whose heading starts with it.
    """

    def decode_markdown(upstream: UpstreamResponse) -> Any:
        front_matter, body = _split_front_matter(upstream.text().replace("\r\n", "\n"))
        root = SyntaxTreeNode(_PARSER.parse(body))
        return {
            "frontMatter": front_matter,
            "tables": [_table(node) for node in root.children if node.type == "table"],
            "sections": [
                section
                for section in _sections(root)
                if not heading_prefix or section["heading"].startswith(heading_prefix)
            ],
        }

    return decode_markdown


def _split_front_matter(markdown: str) -> tuple[dict[str, Any], str]:
    """The YAML block between a leading ``---`` line and the next one, and the rest."""
    if not markdown.startswith("---\n"):
        return {}, markdown
    end = markdown.find("\n---\n", 3)
    if end < 0:
        return {}, markdown
    try:
        data = yaml.safe_load(markdown[4:end])
    except yaml.YAMLError as error:
        raise ValueError(f"invalid YAML front matter: {error}") from None
    return (json_data(data) if isinstance(data, dict) else {}), markdown[end + 5 :]


def _text(node: SyntaxTreeNode) -> str:
    """The text of a node: its text and code, soft line breaks as spaces."""
    if node.type in ("text", "code_inline"):
        return node.content
    if node.type == "softbreak":
        return " "
    if node.type == "hardbreak":
        return "\n"
    if node.type in ("fence", "code_block"):
        return node.content.rstrip("\n")
    parts = [_text(child) for child in node.children]
    return (
        "\n" if node.type not in ("inline", "link", "em", "strong", "image") else ""
    ).join(part for part in parts if part)


def _table(node: SyntaxTreeNode) -> list[dict[str, str]]:
    """The rows of a table as objects keyed by its header cells."""
    parts = {part.type: part.children for part in node.children}
    headers = [
        _text(cell).strip()
        for row in parts.get("thead", [])[:1]
        for cell in row.children
    ]
    rows = [
        [_text(cell).strip() for cell in row.children] for row in parts.get("tbody", [])
    ]
    return [
        {
            header: row[index] if index < len(row) else ""
            for index, header in enumerate(headers)
        }
        for row in rows
    ]


def _sections(root: SyntaxTreeNode) -> list[dict[str, Any]]:
    """Each heading with its level and the text of the blocks up to the next heading."""
    headings: list[tuple[str, int, list[str]]] = []
    for node in root.children:
        if node.type == "heading":
            headings.append((_text(node).strip(), int(node.tag[1:]), []))
        elif headings and node.type not in _SKIPPED_BLOCKS:
            text = _text(node).strip()
            if text:
                headings[-1][2].append(text)
    return [
        {"heading": heading, "level": level, "content": "\n".join(content)}
        for heading, level, content in headings
    ]
