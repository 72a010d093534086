"""Which MCP tools a server offers, chosen at run time from its settings.

One package serves a cautious agent (``<PREFIX>_MCP_READ_ONLY=true``: only tools that
change nothing) and an admin agent (every tool); ``<PREFIX>_MCP_TOOLS`` keeps the tools
whose name matches a glob, ``<PREFIX>_MCP_TOOL_TAGS`` those with one of the tags. A tool
left out is neither listed nor callable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from fnmatch import fnmatchcase

from .env_settings import SettingsReader

DEFAULT_MAX_ANSWER_BYTES = 100_000
"""The answer-size cap when the settings give none (bytes of UTF-8 text)."""

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclasses.dataclass(frozen=True)
class ToolSelection:
    """The tools served: every condition given must hold (an empty one holds always)."""

    read_only: bool = False
    """Only tools whose ``readOnlyHint`` is true."""
    names: tuple[str, ...] = ()
    """Globs (``fnmatch``, case-sensitive); a tool is kept when its name matches one."""
    tags: tuple[str, ...] = ()
    """A tool is kept when it has one of these tags."""

    def admits(self, name: str, read_only: bool, tags: Iterable[str]) -> bool:
        """True when the tool ``name`` (read-only or not, with ``tags``) is served."""
        if self.read_only and not read_only:
            return False
        if self.names and not any(fnmatchcase(name, glob) for glob in self.names):
            return False
        return not self.tags or not set(self.tags).isdisjoint(tags)


def tool_selection(env: SettingsReader) -> ToolSelection:
    """The selection that ``MCP_READ_ONLY``, ``MCP_TOOLS`` and ``MCP_TOOL_TAGS`` set
    (a bad ``MCP_READ_ONLY`` is noted in ``env.errors``)."""
    flag = env.text("MCP_READ_ONLY", "false").strip().lower()
    if flag not in _TRUE + _FALSE:
        env.errors.append(f"{env.prefix}MCP_READ_ONLY must be true or false")
    return ToolSelection(
        read_only=flag in _TRUE,
        names=_words(env.text("MCP_TOOLS", "")),
        tags=_words(env.text("MCP_TOOL_TAGS", "")),
    )


def keeps_sessions(env: SettingsReader) -> bool:
    """Whether ``MCP_SESSIONS`` asks for sessions (``stateful``) rather than the default
    stateless serving (a value that is neither is noted in ``env.errors``)."""
    mode = env.text("MCP_SESSIONS", "stateless").strip().lower()
    if mode not in ("stateless", "stateful"):
        env.errors.append(f"{env.prefix}MCP_SESSIONS must be stateless or stateful")
    return mode == "stateful"


def _words(value: str) -> tuple[str, ...]:
    """The comma-separated entries of ``value``, blanks dropped."""
    return tuple(word.strip() for word in value.split(",") if word.strip())
