"""Project configuration: the capabilities of a repository, listed once.

The table ``[tool.naftiko-gen]`` of the nearest ``pyproject.toml`` (found walking up from
the working directory), or a ``naftiko-gen.toml`` with the same keys (at its top level, or
under ``[tool.naftiko-gen]``), lists build entries::

    [[tool.naftiko-gen.build]]
    specs = "capabilities/*.yaml"          # glob(s), relative to the file holding the table
    output = "generated/{stem}"            # {stem}: file name without suffix; {package}
    package-name = "acme_{stem}"           # optional
    strict = true                          # optional

In one directory ``naftiko-gen.toml`` takes precedence over ``pyproject.toml``; a
``pyproject.toml`` without the table does not count (the search goes on upwards). Every
problem is reported at once, located (``file:line:col``, key path, what was expected).
Nothing here imports the compiler: a build that only reads its configuration stays fast.
"""

from __future__ import annotations

import dataclasses
import difflib
import glob
import keyword
import os
import re
import string
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import names
from .tomlpos import KeyPath, key_positions, locate

PYPROJECT = "pyproject.toml"
OWN_FILE = "naftiko-gen.toml"
TABLE = ("tool", "naftiko-gen")

ENTRY_KEYS = ("specs", "exclude", "output", "package-name", "openapi", "strict")
"""Keys of one ``[[build]]`` entry."""
TOP_KEYS = ("build",)
"""Keys of the ``[tool.naftiko-gen]`` table itself."""

_PLACEHOLDERS = {
    "output": ("stem", "package"),
    "package-name": ("stem",),
    "openapi": ("stem",),
}
"""The placeholders each templated key may use."""

_RUNTIME_MODULES = frozenset(
    {"anyio", "click", "fastapi", "httpx", "jsonschema", "mcp", "pydantic", "starlette", "uvicorn"}
)
"""Top-level modules a generated package imports; a package of the same name would hide them."""


@dataclasses.dataclass(frozen=True)
class ConfigProblem:
    """One located problem (or warning) in a configuration file."""

    file: str
    line: int
    column: int
    message: str
    key: str = ""
    """The key path, written as in TOML (``tool.naftiko-gen.build[1].output``)."""
    expected: str | None = None
    hint: str | None = None
    warning: bool = False

    def format_text(self) -> str:
        """``file:line:col: error: message`` plus detail lines, as spec diagnostics are."""
        severity = "warning" if self.warning else "error"
        lines = [f"{self.file}:{self.line}:{self.column}: {severity}: {self.message}"]
        if self.key:
            lines.append(f"  at: {self.key}")
        if self.expected is not None:
            lines.append(f"  expected: {self.expected}")
        if self.hint is not None:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class ConfigError(Exception):
    """The configuration cannot be used; carries every problem found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__(f"{len(problems)} configuration problem(s)")
        self.problems = problems


def package_name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a generated package's name (``None`` when it can)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        return (
            f"{value!r} is not a Python package name (ASCII letters, digits and `_`, "
            "not starting with a digit)"
        )
    if keyword.iskeyword(value):
        return f"{value!r} is a Python keyword"
    if value in sys.stdlib_module_names or value in _RUNTIME_MODULES:
        return (
            f"{value!r} would hide the module of the same name that the generated package imports"
        )
    return None


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


@dataclasses.dataclass(frozen=True)
class ConfiguredSpec:
    """A capability the configuration lists, with everything its build needs."""

    spec: Path
    """Absolute path of the capability file."""
    entry: BuildEntry
    package_name: str | None
    """The package name the entry gives (``None``: derived from the spec)."""
    openapi: tuple[str, ...]
    """``[NAMESPACE=]FILE`` values, files absolute."""
    output_template: str
    """The entry's ``output``, ``{stem}`` substituted; ``{package}`` may remain."""
    root: Path

    @property
    def strict(self) -> bool:
        """Warnings count as errors for this capability."""
        return self.entry.strict

    @property
    def static_output(self) -> Path | None:
        """The output directory when it does not depend on the package name."""
        if "{package}" in self.output_template:
            return None
        return self.output_for("")

    def output_for(self, package: str) -> Path:
        """The output directory of this capability once its package name is known."""
        text = self.output_template.replace("{package}", package)
        return Path(os.path.normpath(self.root / text))


@dataclasses.dataclass(frozen=True)
class Project:
    """A loaded configuration file."""

    file: Path
    entries: tuple[BuildEntry, ...]
    table: KeyPath
    """Where the table sits in the file (``tool.naftiko-gen``, or the top level)."""
    positions: dict[KeyPath, tuple[int, int]]
    warnings: tuple[ConfigProblem, ...] = ()

    @property
    def root(self) -> Path:
        """The directory globs and outputs are relative to."""
        return self.file.parent

    def problem(self, path: KeyPath, message: str, **extra: Any) -> ConfigProblem:
        """A problem located at ``path`` (below the table) in this file."""
        full = (*self.table, *path)
        line, column = locate(self.positions, full)
        return ConfigProblem(
            display_path(self.file), line, column, message, key=format_key(full), **extra
        )

    def specs(self) -> list[ConfiguredSpec]:
        """Every configured capability, in a stable order (entry, then path).

        Raises :class:`ConfigError` when a file is listed by two entries or an entry's
        package name is not usable; a glob that matches nothing is a warning
        (:attr:`expansion_warnings`).
        """
        found: dict[Path, ConfiguredSpec] = {}
        problems: list[ConfigProblem] = []
        for entry in self.entries:
            for spec in self._expand(entry):
                configured = self._configure(entry, spec, problems)
                if configured is None:
                    continue
                first = found.get(spec)
                if first is not None:
                    problems.append(
                        self.problem(
                            ("build", entry.index, "specs"),
                            f"{display_path(spec)} is listed by two build entries "
                            f"(entries {first.entry.index + 1} and {entry.index + 1})",
                            hint="narrow one glob, or add the file to one entry's `exclude`",
                        )
                    )
                    continue
                found[spec] = configured
        if problems:
            raise ConfigError(problems)
        return list(found.values())

    def expansion_warnings(self) -> list[ConfigProblem]:
        """A warning for every ``specs`` glob that matches no file."""
        warnings = []
        for entry in self.entries:
            for index, pattern in enumerate(entry.specs):
                if not _glob(self.root, pattern):
                    path: KeyPath = ("build", entry.index, "specs")
                    if len(entry.specs) > 1:
                        path += (index,)
                    warning = self.problem(path, f"`{pattern}` matches no file", warning=True)
                    warnings.append(warning)
        return warnings

    def _expand(self, entry: BuildEntry) -> list[Path]:
        excluded = {path for pattern in entry.exclude for path in _glob(self.root, pattern)}
        matched = [path for pattern in entry.specs for path in _glob(self.root, pattern)]
        return sorted(dict.fromkeys(p for p in matched if p not in excluded and p.is_file()))

    def _configure(
        self, entry: BuildEntry, spec: Path, problems: list[ConfigProblem]
    ) -> ConfiguredSpec | None:
        stem = spec.name.rsplit(".", 1)[0] if "." in spec.name else spec.name
        package = None
        if entry.package_name is not None:
            package = entry.package_name.replace("{stem}", names.identifier(stem, reserved=False))
            why = package_name_problem(package)
            if why is not None:
                where = f"for {display_path(spec)}, " if "{stem}" in entry.package_name else ""
                problem = self.problem(
                    ("build", entry.index, "package-name"),
                    f"{where}package-name gives {package!r}: {why}",
                )
                if problem not in problems:
                    problems.append(problem)
                return None
        openapi = []
        for value in entry.openapi:
            namespace, equals, file = _split_openapi(value)
            resolved = os.path.normpath(self.root / file.replace("{stem}", stem))
            openapi.append(f"{namespace}{equals}{resolved}")
        return ConfiguredSpec(
            spec=spec,
            entry=entry,
            package_name=package,
            openapi=tuple(openapi),
            output_template=entry.output.replace("{stem}", stem),
            root=self.root,
        )


def _split_openapi(value: str) -> tuple[str, str, str]:
    """``NAMESPACE=FILE`` as (namespace, "=", file); a value without ``=`` is a file."""
    namespace, equals, file = value.partition("=")
    return (namespace, equals, file) if equals else ("", "", value)


def _glob(root: Path, pattern: str) -> list[Path]:
    """Files matching ``pattern`` below ``root`` (``**`` spans folders), absolute, sorted."""
    matches = glob.glob(pattern, root_dir=root, recursive=True)
    return sorted(Path(os.path.normpath(root / match)) for match in matches)


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when inside it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def format_key(path: KeyPath) -> str:
    """A key path as TOML writes it: ``tool.naftiko-gen.build[1].output``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_-]+", part):
            text += f".{part}" if text else part
        else:
            quoted = '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
            text += f".{quoted}" if text else quoted
    return text


# --------------------------------------------------------------------------- discovery


def find_project(start: Path | None = None) -> Project | None:
    """The configuration that applies in ``start`` (default: the working directory):
    walking up, the first ``naftiko-gen.toml``, or ``pyproject.toml`` with a
    ``[tool.naftiko-gen]`` table. Raises :class:`ConfigError` for a file it cannot use."""
    directory = (start or Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        own = folder / OWN_FILE
        if own.is_file():
            return load(own)
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _mentions_table(pyproject):
            project = load(pyproject)
            if project is not None:
                return project
    return None


def _mentions_table(pyproject: Path) -> bool:
    """Whether ``pyproject`` may hold ``[tool.naftiko-gen]`` (its text names it): most
    ``pyproject.toml`` files are then never parsed."""
    try:
        return b"naftiko-gen" in pyproject.read_bytes()
    except OSError:
        return False


def load(file: Path) -> Project | None:
    """Read and check the configuration in ``file`` (a ``pyproject.toml``, or any other
    name for the ``naftiko-gen.toml`` form).

    Returns ``None`` for a ``pyproject.toml`` that has no ``[tool.naftiko-gen]`` table;
    raises :class:`ConfigError` with every problem otherwise found.
    """
    import tomllib

    file = Path(os.path.abspath(file))
    shown = display_path(file)
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(
            [ConfigProblem(shown, 1, 1, f"cannot read the file: {error.strerror or error}")]
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError([ConfigProblem(shown, 1, 1, f"not UTF-8 text: {error}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([_decode_problem(shown, error)]) from None
    positions = key_positions(text)
    warnings: list[ConfigProblem] = []
    nested = _nested_table(data)
    if file.name == PYPROJECT:
        if nested is None:
            return None
        table_path: KeyPath = TABLE
        table = nested
    else:
        top = {key: value for key, value in data.items() if key != "tool"}
        if nested is not None and top:
            line, column = locate(positions, (next(iter(top)),))
            raise ConfigError(
                [
                    ConfigProblem(
                        shown,
                        line,
                        column,
                        f"{file.name} holds keys both at its top level and under "
                        "[tool.naftiko-gen]",
                        hint="keep one of the two forms",
                    )
                ]
            )
        table_path, table = (TABLE, nested) if nested is not None else ((), top)
        sibling = file.parent / PYPROJECT
        if sibling.is_file() and _mentions_table(sibling):
            warnings.append(
                ConfigProblem(
                    display_path(sibling),
                    1,
                    1,
                    f"[tool.naftiko-gen] in this file is ignored: {file.name} beside it "
                    "takes precedence",
                    warning=True,
                )
            )
    project = Project(file, (), table_path, positions, tuple(warnings))
    entries, problems = _entries(project, table)
    if problems:
        raise ConfigError(problems)
    return dataclasses.replace(project, entries=tuple(entries))


def _nested_table(data: Mapping[str, Any]) -> Any:
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None
    return tool.get("naftiko-gen")


def _decode_problem(shown: str, error: Exception) -> ConfigProblem:
    """A TOML syntax error, located where ``tomllib`` says (``... (at line 3, column 9)``)."""
    message = str(error)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if found is None:
        return ConfigProblem(shown, 1, 1, f"invalid TOML: {message}")
    line, column = int(found.group(1)), int(found.group(2))
    return ConfigProblem(shown, line, column, f"invalid TOML: {message[: found.start()]}")


def _entries(project: Project, table: Any) -> tuple[list[BuildEntry], list[ConfigProblem]]:
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
        if not _split_openapi(value)[2]:
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
