"""What script steps of every language share: their embedded sources and the switch that
turns them off."""

from __future__ import annotations

import functools
import json
import os
from importlib import resources
from typing import Any

from .errors import StepFailed

Context = dict[str, Any]
"""What a script step reads as ``context``: the inputs, the earlier steps' answers and the
``with`` values (sent as JSON)."""
Files = tuple[str, ...]
"""The step's files (keys of :func:`script_sources`), run in order in one scope."""


@functools.cache
def script_sources() -> dict[str, str]:
    """The sources of the script steps' files (``scripts.json``, written at build time from
    the spec's folder), read on first use."""
    data = resources.files(__package__).joinpath("scripts.json").read_text("utf-8")
    sources: dict[str, str] = json.loads(data)
    return sources


def sources_of(files: Files) -> list[tuple[str, str]]:
    """The (name, source) of each of ``files``, in order."""
    return [(name, script_sources()[name]) for name in files]


def check_enabled(step: str, enabled: bool | None) -> None:
    """Fail ``step`` when script steps are switched off: by ``management.scripting.enabled``,
    else by ``NAFTIKO_SCRIPTING=false`` in the server's environment."""
    switch = os.environ.get("NAFTIKO_SCRIPTING", "").lower() != "false"
    if not (switch if enabled is None else enabled):
        reason = "management.scripting"
        if enabled is None:
            reason = "NAFTIKO_SCRIPTING=false"
        raise StepFailed(step, f"script steps are disabled ({reason})", 503)


def unsendable(step: str, error: Exception) -> StepFailed:
    """The failure (500) of ``step`` when its context is not JSON (``error`` says why)."""
    return StepFailed(step, f"the context cannot be sent to the script: {error}", 500)


def stopped(step: str, timeout: float) -> StepFailed:
    """The failure (504) of ``step`` when its script outran ``timeout`` seconds."""
    detail = f"the script did not finish within {timeout:g} s and was stopped"
    return StepFailed(step, detail, 504)
