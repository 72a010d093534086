"""What script steps of every language share: their embedded sources and the switch that
turns them off."""

from __future__ import annotations

import functools
import json
import os
from importlib import resources

from .errors import StepFailed


@functools.cache
def script_sources() -> dict[str, str]:
    """The sources of the script steps' files (``scripts.json``, written at build time from
    the spec's folder), read on first use."""
    data = resources.files(__package__).joinpath("scripts.json").read_text("utf-8")
    sources: dict[str, str] = json.loads(data)
    return sources


def check_enabled(step: str, enabled: bool | None) -> None:
    """Fail ``step`` when script steps are switched off: by ``management.scripting.enabled``,
    else by ``NAFTIKO_SCRIPTING=false`` in the server's environment."""
    switch = os.environ.get("NAFTIKO_SCRIPTING", "").lower() != "false"
    if not (switch if enabled is None else enabled):
        reason = "management.scripting"
        if enabled is None:
            reason = "NAFTIKO_SCRIPTING=false"
        raise StepFailed(step, f"script steps are disabled ({reason})", 503)
