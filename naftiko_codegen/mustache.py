"""Compile the Mustache subset used in specs (``{{name}}`` interpolation) at build time."""

from __future__ import annotations

import re
from collections.abc import Iterator

_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_SECTION_SIGILS = "#^/!>{&="


class TemplateSyntaxError(ValueError):
    """A template uses Mustache features the generator does not compile."""


def is_template(text: str) -> bool:
    """True when ``text`` contains at least one ``{{...}}`` tag."""
    return "{{" in text


def tokens(text: str) -> Iterator[tuple[bool, str]]:
    """Yield ``(is_variable, text)`` pairs; variable names are stripped of spaces.

    Raises :class:`TemplateSyntaxError` for sections, partials, comments, triple
    braces and unterminated tags.
    """
    position = 0
    for match in _TAG.finditer(text):
        if match.start() > position:
            yield False, text[position : match.start()]
        name = match.group(1).strip()
        if not name:
            raise TemplateSyntaxError("empty `{{}}` tag")
        if name[0] in _SECTION_SIGILS:
            raise TemplateSyntaxError(
                f"Mustache tag `{{{{{name}}}}}` is not supported; "
                "only `{{name}}` interpolation is"
            )
        yield True, name
        position = match.end()
    rest = text[position:]
    if "{{" in rest:
        raise TemplateSyntaxError("unterminated `{{` tag")
    if rest:
        yield False, rest
