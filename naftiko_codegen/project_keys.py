"""The keys of a ``[tool.naftiko-gen]`` table, checked: every problem found, located.

``[tool.naftiko-gen]`` holds ``build``, an array of tables; each entry holds ``specs`` (a
glob or an array of globs), ``output`` (``{stem}``, ``{path}``, ``{package}``), and optionally
``exclude``, ``package-name`` (``{stem}``), ``openapi`` (``[NAMESPACE=]FILE``, ``{stem}``)
and ``strict``.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import string
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .tomlpos import KeyPath

if TYPE_CHECKING:
    from .project import ConfigProblem, Project

ENTRY_KEYS = ("specs", "exclude", "output", "package-name", "openapi", "strict")
"""Keys of one ``[[build]]`` entry."""
TOP_KEYS = ("build",)
"""Keys of the ``[tool.naftiko-gen]`` table itself."""

_PLACEHOLDERS = {
    "output": ("stem", "path", "package"),
    "package-name": ("stem",),
    "openapi": ("stem",),
}
"""The placeholders each templated key may use."""


@dataclasses.dataclass(frozen=True)
class BuildEntry:
    """One ``[[build]]`` entry, validated."""

    index: int
    specs: tuple[str, ...]
    exclude: tuple[str, ...]
    output: str
    package_name: str | None
    openapi: tuple[str, ...]
    strict: bool


def split_openapi(value: str) -> tuple[str, str, str]:
    """``NAMESPACE=FILE`` as (namespace, "=", file); a value without ``=`` is a file."""
    namespace, equals, file = value.partition("=")
    return (namespace, equals, file) if equals else ("", "", value)


def read_entries(project: Project, table: Any) -> tuple[list[BuildEntry], list[ConfigProblem]]:
    """The validated ``[[build]]`` entries of ``table`` and every problem found."""
    problems: list[ConfigProblem] = []
    if not isinstance(table, dict):
        return [], [project.problem((), "[tool.naftiko-gen] must be a table")]
    problems.extend(_unknown_keys(project, (), table, TOP_KEYS))
    builds = table.get("build")
    if builds is None:
        problems.append(
            project.problem(
                (),
                "the configuration lists no capabilities",
                expected="one or more [[tool.naftiko-gen.build]] tables with `specs` and "
                "`output`",
            )
        )
        return [], problems
    if not isinstance(builds, list) or not all(isinstance(b, dict) for b in builds):
        problems.append(
            project.problem(("build",), "`build` must be an array of tables ([[...build]])")
        )
        return [], problems
    entries = []
    for index, build in enumerate(builds):
        entry = _entry(project, index, build, problems)
        if entry is not None:
            entries.append(entry)
    return entries, problems


def _unknown_keys(
    project: Project, path: KeyPath, table: Mapping[str, Any], known: Iterable[str]
) -> list[ConfigProblem]:
    allowed = list(known)
    problems = []
    for key in table:
        if key in allowed:
            continue
        close = difflib.get_close_matches(key, allowed, n=1)
        problems.append(
            project.problem(
                (*path, key),
                f"unknown key `{key}`",
                expected="one of " + ", ".join(f"`{k}`" for k in allowed),
                hint=f"did you mean `{close[0]}`?" if close else None,
            )
        )
    return problems


def _entry(
    project: Project, index: int, build: Mapping[str, Any], problems: list[ConfigProblem]
) -> BuildEntry | None:
    """One build entry, or ``None`` when it has problems (appended to ``problems``)."""
    here: KeyPath = ("build", index)
    before = len(problems)
    problems.extend(_unknown_keys(project, here, build, ENTRY_KEYS))
    for required in ("specs", "output"):
        if required not in build:
            problems.append(project.problem(here, f"build entry {index + 1} has no `{required}`"))
    specs = _strings(project, here, build, "specs", problems)
    exclude = _strings(project, here, build, "exclude", problems)
    for key, patterns in (("specs", specs), ("exclude", exclude)):
        for pattern in patterns:
            if os.path.isabs(pattern):
                problems.append(
                    project.problem(
                        (*here, key),
                        f"`{pattern}` is absolute",
                        expected="a glob relative to the folder of the configuration file",
                    )
                )
    output = _template(project, here, build, "output", problems)
    package_name = _template(project, here, build, "package-name", problems)
    openapi = _strings(project, here, build, "openapi", problems)
    for value in openapi:
        _check_placeholders(project, (*here, "openapi"), "openapi", value, problems)
        if not split_openapi(value)[2]:
            problems.append(
                project.problem(
                    (*here, "openapi"), f"`{value}` names no file", expected="[NAMESPACE=]FILE"
                )
            )
    strict = build.get("strict", False)
    if not isinstance(strict, bool):
        problems.append(
            project.problem(
                (*here, "strict"), "`strict` must be true or false", expected="a boolean"
            )
        )
    if len(problems) > before or output is None:
        return None
    return BuildEntry(index, specs, exclude, output, package_name, openapi, bool(strict))


def _strings(
    project: Project,
    here: KeyPath,
    build: Mapping[str, Any],
    key: str,
    problems: list[ConfigProblem],
) -> tuple[str, ...]:
    """A key holding a non-empty string or an array of them (absent: empty)."""
    value = build.get(key)
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(item, str) and item for item in items)
    ):
        problems.append(
            project.problem(
                (*here, key),
                f"`{key}` must be a non-empty string or an array of them",
                expected='"capabilities/*.yaml" or ["a/*.yaml", "b/*.yaml"]',
            )
        )
        return ()
    return tuple(items)


def _template(
    project: Project,
    here: KeyPath,
    build: Mapping[str, Any],
    key: str,
    problems: list[ConfigProblem],
) -> str | None:
    """A templated string key (``output``, ``package-name``), placeholders checked."""
    value = build.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        problems.append(project.problem((*here, key), f"`{key}` must be a non-empty string"))
        return None
    if not _check_placeholders(project, (*here, key), key, value, problems):
        return None
    if key == "output" and os.path.isabs(value):
        problems.append(
            project.problem(
                (*here, key),
                f"`{value}` is absolute",
                expected="a folder relative to the folder of the configuration file",
            )
        )
        return None
    return value


def _check_placeholders(
    project: Project, path: KeyPath, key: str, value: str, problems: list[ConfigProblem]
) -> bool:
    """Whether ``value`` uses only the placeholders ``key`` allows (else a problem)."""
    allowed = _PLACEHOLDERS[key]
    expected = ", ".join(f"{{{name}}}" for name in allowed)
    try:
        fields = [
            (name, conversion, spec)
            for _, name, spec, conversion in string.Formatter().parse(value)
            if name is not None
        ]
    except ValueError as error:
        problems.append(
            project.problem(path, f"`{value}`: {error}", expected=f"placeholders {expected}")
        )
        return False
    for name, conversion, spec in fields:
        if name not in allowed or conversion or spec:
            problems.append(
                project.problem(
                    path,
                    f"`{key}` uses the placeholder `{{{name}}}`",
                    expected=f"only {expected}",
                )
            )
            return False
    return True
