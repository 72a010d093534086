"""Where keys sit in a TOML file, so configuration errors can say ``pyproject.toml:12:1``.

``tomllib`` parses without positions. This scanner reads the text line by line and records
the line and column of every table header and of every ``key =`` line, under the key path
``tomllib`` gives the same value (array-of-tables entries by index). It understands what
configuration files contain (headers, dotted and quoted keys, multi-line strings and
arrays); inline tables are not descended into, so a key inside one is located at the key
holding the inline table. It never fails: what it cannot place falls back to an ancestor.
"""

from __future__ import annotations

import re

KeyPath = tuple[str | int, ...]
"""Keys and array indices from the document root, as ``tomllib``'s result is indexed."""

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_HEADER = re.compile(r"\s*(\[\[?)")
_STRING_OPENERS = ('"""', "'''")


def _parse_key(text: str, start: int) -> tuple[list[str], int] | None:
    """The dotted key that starts at ``text[start:]`` and where it ends, or ``None``."""
    parts: list[str] = []
    index = start
    while True:
        while index < len(text) and text[index] in " \t":
            index += 1
        if index >= len(text):
            return None
        char = text[index]
        if char in "\"'":
            end = text.find(char, index + 1)
            while char == '"' and end > 0 and text[end - 1] == "\\":
                end = text.find(char, end + 1)
            if end < 0:
                return None
            raw = text[index + 1 : end]
            parts.append(raw.encode().decode("unicode_escape") if char == '"' else raw)
            index = end + 1
        else:
            match = _BARE.match(text, index)
            if match is None:
                return None
            parts.append(match.group())
            index = match.end()
        while index < len(text) and text[index] in " \t":
            index += 1
        if index < len(text) and text[index] == ".":
            index += 1
            continue
        return parts, index


def _open_brackets(value: str) -> int:
    """How many ``[`` minus ``]`` a value leaves open, strings and comments ignored."""
    depth, index, quote = 0, 0, ""
    while index < len(value):
        char = value[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        index += 1
    return depth


def key_positions(text: str) -> dict[KeyPath, tuple[int, int]]:
    """Line and column (1-based) of every table header and key in ``text``."""
    positions: dict[KeyPath, tuple[int, int]] = {}
    counts: dict[tuple[str, ...], int] = {}
    table: KeyPath = ()
    open_string = ""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if open_string:
            if line.count(open_string) % 2 == 1:
                open_string = ""
            continue
        if depth > 0:
            depth = max(0, depth + _open_brackets(line))
            continue
        stripped = line.lstrip()
        column = len(line) - len(stripped) + 1
        if not stripped or stripped.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header is not None:
            parsed = _parse_key(line, header.end())
            if parsed is None:
                continue
            names = tuple(parsed[0])
            if header.group(1) == "[[":
                index = counts.get(names, 0)
                counts[names] = index + 1
                table = (*_resolve(names, counts), index)
            else:
                table = _resolve(names, counts)
            positions.setdefault(table, (number, column))
            continue
        parsed = _parse_key(line, 0)
        if parsed is None:
            continue
        keys, end = parsed
        if end >= len(line) or line[end] != "=":
            continue
        path = (*table, *keys)
        for length in range(len(table) + 1, len(path) + 1):
            positions.setdefault(path[:length], (number, column))
        value = line[end + 1 :].strip()
        opener = next((q for q in _STRING_OPENERS if value.startswith(q)), "")
        if opener and value.count(opener) == 1:
            open_string = opener
        else:
            depth = max(0, _open_brackets(value))
    return positions


def _resolve(names: tuple[str, ...], counts: dict[tuple[str, ...], int]) -> KeyPath:
    """A header's key path with the index of each enclosing array-of-tables entry inserted
    (``[tool.x.build.extra]`` after the second ``[[tool.x.build]]`` → ``build``, 1, ``extra``)."""
    path: list[str | int] = []
    for length in range(1, len(names) + 1):
        path.append(names[length - 1])
        prefix = names[:length]
        if prefix in counts and length < len(names):
            path.append(counts[prefix] - 1)
    return tuple(path)


def locate(positions: dict[KeyPath, tuple[int, int]], path: KeyPath) -> tuple[int, int]:
    """The position of ``path``, else of its nearest ancestor that has one, else 1:1."""
    for end in range(len(path), 0, -1):
        found = positions.get(path[:end])
        if found is not None:
            return found
    return (1, 1)
