"""Limits on what a request may hold: body size, JSON nesting depth, string length.

Checked on the raw bytes before any parser sees them, so that no request can make a
recursive decoder (``json``, ``jsonschema``, pydantic) overflow the stack.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Protocol

_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
"""JSON strings (escapes included) and brackets: everything that decides the depth."""
_OPENING = frozenset(b"[{")


class LimitSettings(Protocol):
    """The settings the limits come from (the generated ``Settings`` has them)."""

    @property
    def max_body_bytes(self) -> int:
        """The largest request body read."""

    @property
    def max_json_depth(self) -> int:
        """The deepest nesting of arrays and objects a JSON body may have."""

    @property
    def max_string_length(self) -> int:
        """The longest string (JSON string, path segment, query value) accepted."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """The limits of one server, and the settings that change them (named in refusals)."""

    max_body_bytes: int
    max_json_depth: int
    max_string_length: int
    env_prefix: str = ""

    @classmethod
    def of(cls, settings: LimitSettings, env_prefix: str) -> Limits:
        """The limits ``settings`` configure."""
        return cls(
            settings.max_body_bytes,
            settings.max_json_depth,
            settings.max_string_length,
            env_prefix,
        )

    def body_too_large(self) -> str:
        """The message refusing a body over :attr:`max_body_bytes`."""
        return (
            f"the request body is larger than {self.max_body_bytes} bytes "
            f"(setting {self.env_prefix}MAX_BODY_BYTES)"
        )

    def string_too_long(self, where: str) -> str:
        """The message refusing a string over :attr:`max_string_length`."""
        return (
            f"{where} is longer than {self.max_string_length} characters "
            f"(setting {self.env_prefix}MAX_STRING_LENGTH)"
        )

    def json_problem(self, body: bytes) -> str | None:
        """Why the JSON ``body`` is refused (too deep, a string too long), or ``None``.

        Malformed JSON is not judged here: the parser that reads it reports it.
        """
        if body.lstrip()[:1] not in (b"[", b"{"):
            return None
        # quotes count: a string token is its escaped text between two quote bytes
        longest = self.max_string_length + 2
        openings = body.count(b"{") + body.count(b"[")
        if openings <= self.max_json_depth and len(body) <= longest:
            return (
                None  # too few brackets to nest too deep, too short for a long string
            )
        depth = 0
        for match in _TOKENS.finditer(body):
            token = match.group()
            if token[0] in _OPENING:
                depth += 1
                if depth > self.max_json_depth:
                    return (
                        f"the JSON body is nested deeper than {self.max_json_depth} "
                        f"levels (setting {self.env_prefix}MAX_JSON_DEPTH)"
                    )
            elif token[0] == 0x22:
                if len(token) > longest and _text_length(token) > longest - 2:
                    return self.string_too_long("a string in the JSON body")
            else:
                depth -= 1
        return None


def _text_length(token: bytes) -> int:
    """The length in characters of a JSON string token, without its quotes (escapes
    counted as written: never less than the decoded text)."""
    return len(token[1:-1].decode("utf-8", "replace"))
