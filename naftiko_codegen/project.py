"""Project configuration: the capabilities of a repository, listed once.

The table ``[tool.naftiko-gen]`` of the nearest ``pyproject.toml`` (found walking up from
the working directory), or a ``naftiko-gen.toml`` with the same keys (at its top level, or
under ``[tool.naftiko-gen]``), lists build entries::

    [[tool.naftiko-gen.build]]
    specs = "capabilities/*.yaml"          # glob(s), relative to the file holding the table
    output = "generated/{stem}"            # {stem}, {path}, {package} (see the README)
    package-name = "acme_{stem}"           # optional
    strict = true                          # optional

In one directory ``naftiko-gen.toml`` takes precedence over ``pyproject.toml``; a
``pyproject.toml`` without the table does not count (the search goes on upwards). Every
problem is reported at once, located (``file:line:col``, key path, what was expected).
Nothing here imports the compiler: a build that only reads its configuration stays fast.
"""

from __future__ import annotations

import dataclasses
import glob
import keyword
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import names
from .diagnostics import detail_lines
from .project_keys import BuildEntry, read_entries, split_openapi
from .tomlpos import KeyPath, key_positions, locate

PYPROJECT = "pyproject.toml"
OWN_FILE = "naftiko-gen.toml"
TABLE = ("tool", "naftiko-gen")


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
        head = f"{self.file}:{self.line}:{self.column}: {severity}: {self.message}"
        details = detail_lines(at=self.key or None, expected=self.expected, hint=self.hint)
        return "\n".join([head, *details])


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
            package = entry.package_name.replace("{stem}", names.snake_case(stem))
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
            namespace, equals, file = split_openapi(value)
            resolved = os.path.normpath(self.root / file.replace("{stem}", stem))
            openapi.append(f"{namespace}{equals}{resolved}")
        return ConfiguredSpec(
            spec=spec,
            entry=entry,
            package_name=package,
            openapi=tuple(openapi),
            output_template=entry.output.replace("{stem}", stem).replace(
                "{path}", Path(os.path.relpath(spec.parent / stem, self.root)).as_posix()
            ),
            root=self.root,
        )


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
    entries, problems = read_entries(project, table)
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
