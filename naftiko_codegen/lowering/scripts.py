"""Lowering of ``script`` steps: language, location and files resolved at build time.

Python scripts run in a subprocess of the generated server, JavaScript scripts in a fresh
V8 isolate inside it (mini-racer); Groovy is not generated. The
script and its ``dependencies`` are read by the generator (local files inside the spec's
directory only, the rule of every ``location``) and embedded in the generated package, which
therefore never reads the spec's folder at run time. ``management.scripting`` on the control
adapter supplies the defaults (``defaultLocation``, ``defaultLanguage``), the ``timeout``,
the ``enabled`` switch and the ``allowedLanguages``.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from .. import ir
from ..diagnostics import Path
from .context import Diagnostics
from .files import FileProblem, read_location, resolve_location
from .scope import Scope

LANGUAGES = ("python", "javascript")
"""The script languages generated: Python in a subprocess, JavaScript in a V8 isolate."""
DEFAULT_TIMEOUT_MS = 60_000
"""The runtime engine's default script timeout."""
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")
"""One path segment of ``file`` or a dependency, as the schema describes it."""


@dataclasses.dataclass(eq=False)
class Scripts:
    """Resolves ``script`` steps and embeds their sources."""

    diagnostics: Diagnostics
    data: Any

    def scripting(self) -> tuple[Mapping[str, Any], Path]:
        """``management.scripting`` of the control adapter (empty when absent), and its path."""
        exposes = self.data.get("capability", {}).get("exposes", [])
        for index, adapter in enumerate(exposes):
            if isinstance(adapter, dict) and adapter.get("type") == "control":
                settings = adapter.get("management", {}).get("scripting")
                path: Path = ("capability", "exposes", index, "management", "scripting")
                return (settings if isinstance(settings, dict) else {}), path
        return {}, ()

    def step_setting(
        self,
        step: Mapping[str, Any],
        settings: Mapping[str, Any],
        key: str,
        path: Path,
        example: str,
    ) -> Any:
        """The step's ``key``, else ``management.scripting``'s ``default<Key>``; NG102 when
        neither is set (``example`` shows what to write)."""
        default = "default" + key[0].upper() + key[1:]
        value = step.get(key) or settings.get(default)
        if value is None:
            self.diagnostics.fail(
                path,
                "NG102",
                f"the script step has no `{key}` and `management.scripting` sets no "
                f"`{default}`",
                expected=example,
            )
        return value

    def script_step(
        self, name: str, step: Mapping[str, Any], scope: Scope, path: Path
    ) -> ir.ScriptStep:
        """A Python script step with its files embedded; problems are located errors.

        The caller adds the ``with`` values, which may read earlier steps.
        """
        settings, settings_path = self.scripting()
        language = self.step_setting(step, settings, "language", path, "language: python")
        if language not in LANGUAGES:
            where = path + ("language",) if "language" in step else settings_path
            self.diagnostics.fail(
                where + (("defaultLanguage",) if "language" not in step else ()),
                "NG211",
                f"`{language}` script steps are not generated: the generated server runs "
                "Python and JavaScript scripts only",
                expected="language: python or javascript",
                hint="rewrite the script in Python or JavaScript",
            )
        allowed = settings.get("allowedLanguages")
        if allowed is not None and language not in allowed:
            self.diagnostics.fail(
                settings_path + ("allowedLanguages",),
                "NG103",
                f"`management.scripting.allowedLanguages` does not allow `{language}`, which "
                "a script step uses",
                expected=f"allowedLanguages including {language}",
            )
        example = "location: file:///<folder of the scripts>"
        location = self.step_setting(step, settings, "location", path, example)
        dependencies = [
            (str(item), path + ("dependencies", index))
            for index, item in enumerate(step.get("dependencies", []))
        ]
        files = tuple(
            self.read_script(str(location), name, where)
            for name, where in [*dependencies, (str(step["file"]), path + ("file",))]
        )
        entries = tuple((item.name, ir.InputValue(item.ident)) for item in scope.inputs.values())
        timeout = settings.get("timeout", DEFAULT_TIMEOUT_MS)
        enabled = settings.get("enabled")
        return ir.ScriptStep(
            name=name,
            language=str(language),
            files=files,
            timeout=int(timeout) / 1000,
            enabled=enabled if isinstance(enabled, bool) else None,
            inputs=entries,
        )

    def read_script(self, location: str, name: str, path: Path) -> tuple[str, str]:
        """``(path relative to the spec's directory, source)`` of one script file."""
        segments = name.split("/")
        if any(not _SEGMENT.fullmatch(part) or part in (".", "..") for part in segments):
            self.diagnostics.fail(
                path,
                "NG103",
                f"script path {name!r} is not a relative path of plain segments",
                expected="segments of letters, digits, `.`, `_` and `-` (no `..`)",
            )
        uri = location.rstrip("/") + "/" + "/".join(urllib.parse.quote(s) for s in segments)
        try:
            (found,) = read_location(uri, self.diagnostics.document.directory, allow_dir=False)
        except FileProblem as problem:
            self.diagnostics.fail(
                path, problem.code, f"script {name!r}: {problem.message}", hint=problem.hint
            )
        source = found.text()
        if source is None:
            self.diagnostics.fail(path, "NG006", f"script {name!r} is not UTF-8 text")
        directory = self.diagnostics.document.directory
        assert directory is not None  # read_location refuses specs without a folder
        target = resolve_location(uri, directory)
        return target.relative_to(directory).as_posix(), source
