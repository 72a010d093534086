"""Property-based tests: mutated corpus specs never crash the compiler, and what it generates
parses, imports without side effects and reproduces every spec string exactly.

Strategies start from the specs in ``tests/data/`` (a sample of the corpus) and

* inject hostile strings (quotes, triple quotes, backslashes, newlines, ``{{``, ``${``, ``#``,
  NUL, U+2028, Python keywords, soft keywords and builtins...) into every description and
  label, which the schema accepts, so the build succeeds and round-trips can be checked;
* inject them into every string field, rename keys, delete keys and swap value types, which
  mostly makes the spec invalid: the command must then exit 2 with diagnostics;
* splice hostile text into the raw YAML.

Every case asserts: exit code 0 or 2, never a traceback or exit 3; ``validate`` agrees with
``build``; when the build succeeds, every ``.py`` file compiles, every JSON and TOML file
parses, and importing every generated module in a subprocess (under an audit hook that records
file writes, network connections and process creation) has no side effect; the tool
descriptions and titles in ``TOOLS``, the MCP instructions, and the OpenAPI titles, summaries
and descriptions equal the spec strings exactly.

The number of cases is bounded: ``NAFTIKO_FUZZ_EXAMPLES`` (default 150) in total across the
strategies. Examples are derandomized (the same cases on every run) unless
``NAFTIKO_FUZZ_RANDOM=1``; a failing case is reported as found, not shrunk (shrinking a
compiler run can take minutes), unless ``NAFTIKO_FUZZ_SHRINK=1``.
"""

from __future__ import annotations

import copy
import json
import keyword
import os
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from naftiko_codegen.cli import main
from naftiko_codegen.loader import load_text

from .conftest import SAMPLE_SPECS

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SEED_FILES = [
    TESTS / "data" / "minimal.yaml",
    REPO / "specs" / "flyte-admin-executions.yaml",
    *SAMPLE_SPECS,
]
SEEDS = {path.name: load_text(path.read_text("utf-8"), path.name).data for path in SEED_FILES}
RAW_SEEDS = {path.name: path.read_text("utf-8") for path in SEED_FILES}

TOTAL = int(os.environ.get("NAFTIKO_FUZZ_EXAMPLES", "150"))
RANDOM = os.environ.get("NAFTIKO_FUZZ_RANDOM") == "1"
SHRINK = os.environ.get("NAFTIKO_FUZZ_SHRINK") == "1"
SHARES = {"text": 0.45, "anything": 0.35, "raw": 0.20}

HOSTILE = [
    '"',
    "'",
    '"""',
    "'''",
    '\\"""',
    "\\",
    "\\n",
    "\\x00",
    "\n",
    "\r\n",
    "\t",
    "{{",
    "}}",
    "{{x}}",
    "{x}",
    "${HOME}",
    "$(id)",
    "%s",
    "{0}",
    "#",
    "# noqa",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u202e",
    "😀",
    "é",
    "match",
    "case",
    "type",
    "_",
    "print",
    "__import__",
    "__import__('os').system('touch /tmp/naftiko-pwned')",
    "exec",
    "class",
    "def",
    "None",
    "True",
    "lambda",
    "async",
    "await",
    "self",
    "json",
    "-->",
    "*/",
    "</script>",
    "]]>",
    "`",
    "```",
    "|",
    " ",
    "",
]
TEXT_KEYS = {"description", "label"}


def _budget(kind: str) -> int:
    return max(1, round(TOTAL * SHARES[kind]))


def _settings(kind: str) -> settings:
    return settings(
        max_examples=_budget(kind),
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
        phases=list(Phase) if SHRINK else [p for p in Phase if p is not Phase.shrink],
    )


hostile_strings = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(max_size=4)), min_size=1, max_size=4
).map("".join)


# --------------------------------------------------------------------------- mutations


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) in the document, containers included, parents first."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, path + (index,))


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _delete(document: Any, path: tuple[Any, ...]) -> None:
    target = document
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]


def _rename(document: Any, path: tuple[Any, ...], new_key: str) -> None:
    target = document
    for part in path[:-1]:
        target = target[part]
    items = list(target.items())
    target.clear()
    for key, value in items:
        target[new_key if key == path[-1] else key] = value


@st.composite
def text_mutations(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Hostile strings in every description and label (schema-valid)."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    document = copy.deepcopy(SEEDS[name])
    for path, value in list(_leaves(document)):
        if path and path[-1] in TEXT_KEYS and isinstance(value, str):
            mode = draw(st.sampled_from(["replace", "prefix", "suffix", "keep"]))
            hostile = draw(hostile_strings)
            new = {"replace": hostile, "prefix": hostile + value, "suffix": value + hostile}
            _set(document, path, new.get(mode, value))
    return name, document


_OTHER_TYPES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.just([]),
    st.just({}),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["x", "name", "type"]), st.integers(), max_size=2),
    hostile_strings,
)


@st.composite
def anything_mutations(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Hostile strings in any string field, renamed and deleted keys, swapped types."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    document = copy.deepcopy(SEEDS[name])
    strings = [p for p, v in _leaves(document) if p and isinstance(v, str)]
    rate = draw(st.sampled_from([0.02, 0.1, 0.5, 1.0]))
    for path in strings:
        if draw(st.floats(0, 1)) < rate:
            hostile = draw(hostile_strings)
            value: Any = SEEDS[name]
            for part in path:
                value = value[part]
            original = str(value)
            choices = [hostile, original + hostile, hostile + original]
            _set(document, path, draw(st.sampled_from(choices)))
    for _ in range(draw(st.integers(0, 4))):
        paths = [p for p, _ in _leaves(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        operation = draw(st.sampled_from(["delete", "swap", "rename"]))
        if operation == "delete":
            _delete(document, path)
        elif operation == "swap":
            _set(document, path, draw(_OTHER_TYPES))
        elif isinstance(path[-1], str):
            _rename(document, path, draw(hostile_strings))
    return name, document


@st.composite
def raw_mutations(draw: st.DrawFn) -> str:
    """Hostile text spliced into the YAML source itself."""
    name = draw(st.sampled_from(sorted(RAW_SEEDS)))
    text = RAW_SEEDS[name]
    for _ in range(draw(st.integers(1, 3))):
        offset = draw(st.integers(0, len(text)))
        text = text[:offset] + draw(hostile_strings) + text[offset:]
    return text


class _QuotedDumper(yaml.SafeDumper):
    """Every string double-quoted: nothing is left to implicit typing on the way back."""


_QuotedDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"'),
)


def dump(document: Any) -> str:
    text = yaml.dump(
        document, Dumper=_QuotedDumper, allow_unicode=True, sort_keys=False, width=10**9
    )
    assert load_text(text, "fuzz.yaml").data == document, "the loader reads back what was written"
    return text


# --------------------------------------------------------------------------- the import worker

_IMPORT_WORKER = r"""
import importlib, json, os, sys, traceback
sys.dont_write_bytecode = True
import fastapi, httpx, jsonschema, pydantic, starlette, uvicorn  # noqa: F401
import mcp  # noqa: F401
try:
    import mcp.server.lowlevel, mcp.server.stdio, mcp.server.streamable_http_manager  # noqa: F401
except ImportError:
    pass

events = []
active = False
WATCHED = ("socket.", "subprocess.", "os.system", "os.exec", "os.spawn", "os.posix_spawn",
           "os.fork", "os.remove", "os.rename", "os.rmdir", "os.mkdir", "shutil.", "os.chmod",
           "os.truncate", "os.symlink", "os.link", "urllib.", "http.client", "webbrowser", "pty")


def hook(event, args):
    if not active:
        return
    if event == "open":
        path, mode, flags = (list(args) + [None, None, None])[:3]
        writes = isinstance(mode, str) and any(c in mode for c in "wax+")
        if isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC):
            writes = True
        if writes:
            events.append(f"open {path!r} {mode!r}")
    elif event.startswith(WATCHED):
        events.append(f"{event} {str(args)[:200]}")


sys.addaudithook(hook)

for line in sys.stdin:
    request = json.loads(line)
    root, package = request["root"], request["package"]
    result = {"tools": {}, "openapi": {}, "servers": {}}
    importlib.invalidate_caches()
    sys.path.insert(0, root)
    active = True
    try:
        for module_name in request["modules"]:
            module = importlib.import_module(f"{package}.{module_name}")
            if hasattr(module, "TOOLS"):
                result["servers"][module_name] = [
                    getattr(module, "SERVER_NAME", None), getattr(module, "INSTRUCTIONS", None)
                ]
                result["tools"][module_name] = [
                    [tool.name, tool.title, tool.description] for tool in module.TOOLS
                ]
            if isinstance(getattr(module, "OPENAPI", None), dict):
                result["openapi"][module_name] = module.OPENAPI
    except BaseException:
        result["error"] = traceback.format_exc()
    finally:
        active = False
        sys.path.remove(root)
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
        for key in [k for k in sys.path_importer_cache if k.startswith(root)]:
            del sys.path_importer_cache[key]
    result["events"] = list(events)
    events.clear()
    print(json.dumps(result), flush=True)
"""


class ImportWorker:
    """One Python process that imports generated packages, one after another."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.process = subprocess.Popen(
            [sys.executable, "-c", _IMPORT_WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )

    def inspect(self, root: Path, package: str, modules: list[str]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        request = {"root": str(root), "package": package, "modules": modules}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the import worker died"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module", autouse=True)
def _private_format_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Random campaigns format thousands of one-off modules: keep them out of the user's
    formatting cache (the derandomized default run reuses the same few hundred entries)."""
    if not RANDOM:
        yield
        return
    previous = os.environ.get("NAFTIKO_GEN_CACHE_DIR")
    os.environ["NAFTIKO_GEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("format-cache"))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["NAFTIKO_GEN_CACHE_DIR"]
        else:
            os.environ["NAFTIKO_GEN_CACHE_DIR"] = previous


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImportWorker]:
    cwd = tmp_path_factory.mktemp("import-cwd")
    started = ImportWorker(cwd)
    try:
        yield started
    finally:
        started.close()
        assert list(cwd.iterdir()) == [], "importing generated packages created files"


# --------------------------------------------------------------------------- the properties

STATS = {"cases": 0, "built": 0, "refused": 0}

_SHADOWED = set(sys.stdlib_module_names) | {
    "fastapi",
    "httpx",
    "jsonschema",
    "mcp",
    "pydantic",
    "starlette",
    "uvicorn",
    "anyio",
}


def _compile(text: str) -> tuple[int, str, str, Path | None, tempfile.TemporaryDirectory[str]]:
    """Build ``text`` as a spec; returns (exit code, stdout, stderr, output dir, its holder)."""
    holder = tempfile.TemporaryDirectory(prefix="naftiko-fuzz-")
    root = Path(holder.name)
    spec = root / "spec.yaml"
    spec.write_text(text, "utf-8")
    runner = CliRunner()
    built = runner.invoke(main, ["build", str(spec), "-o", str(root / "out")])
    validated = runner.invoke(main, ["validate", "--format", "json", str(spec)])
    STATS["cases"] += 1
    for result in (built, validated):
        assert result.exception is None or isinstance(
            result.exception, SystemExit
        ), result.exception
        assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert validated.exit_code == built.exit_code, (built.stderr, validated.stdout)
    report = json.loads(validated.stdout)
    assert report["valid"] is (built.exit_code == 0)
    if built.exit_code == 2:
        STATS["refused"] += 1
        assert report["diagnostics"], "a refused spec has at least one diagnostic"
        for diagnostic in report["diagnostics"]:
            assert diagnostic["line"] >= 1 and diagnostic["column"] >= 1
        assert not (root / "out").exists()
        return 2, built.stdout, built.stderr, None, holder
    STATS["built"] += 1
    return 0, built.stdout, built.stderr, root / "out", holder


def _check_package(out: Path, document: dict[str, Any], worker: ImportWorker) -> None:
    packages = [p for p in out.iterdir() if p.is_dir() and (p / "__init__.py").is_file()]
    assert len(packages) == 1
    package = packages[0]
    name = package.name
    assert name.isidentifier() and name.isascii() and not keyword.iskeyword(name), name
    assert name not in _SHADOWED, f"package {name!r} would hide a module it imports"
    pyproject = tomllib.loads((out / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["name"]
    for path in sorted(out.rglob("*")):
        if path.suffix == ".py":
            compile(path.read_text("utf-8"), str(path), "exec", dont_inherit=True)
        elif path.suffix == ".json":
            json.loads(path.read_text("utf-8"))
    env_example = out / ".env.example"
    if env_example.exists():
        for line in env_example.read_text("utf-8").splitlines():
            assert not line.strip() or line.startswith("#") or "=" in line, line
            if not line.startswith("#") and "=" in line:
                key = line.split("=", 1)[0]
                assert key.isidentifier() and key.upper() == key, line
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    modules = sorted(p.stem for p in package.glob("*.py"))
    answer = worker.inspect(out, name, modules)
    assert "error" not in answer, answer.get("error")
    assert answer["events"] == [], f"side effects on import: {answer['events']}"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    _check_round_trip(document, answer)


def _check_round_trip(document: dict[str, Any], answer: dict[str, Any]) -> None:
    """Spec strings come back exactly from the imported modules."""
    capability = document.get("capability", {})
    info = document.get("info", {})
    adapters = capability.get("exposes", [])
    mcp_adapters = {a.get("namespace"): a for a in adapters if a.get("type") == "mcp"}
    rest_adapters = [a for a in adapters if a.get("type") == "rest"]
    for module, (server_name, instructions) in answer["servers"].items():
        assert server_name in mcp_adapters, (module, server_name)
        adapter = mcp_adapters[server_name]
        if adapter.get("description"):
            assert instructions == adapter["description"]
        spec_tools = {t["name"]: t for t in adapter.get("tools", [])}
        for tool_name, title, description in answer["tools"][module]:
            tool = spec_tools[tool_name]
            text = (tool.get("description") or "").strip()
            if text:  # the spec's text (stripped), then what the tool calls
                assert description.startswith(text)
                assert description[len(text) :][:2] in ("", "\n\n")
            if tool.get("label"):  # an empty label means no title
                assert title == tool["label"]
    for openapi in answer["openapi"].values():
        if info.get("label"):
            assert openapi["info"]["title"] == info["label"]
        operations = {
            op["name"]: op
            for adapter in rest_adapters
            for resource in adapter.get("resources", [])
            for op in resource.get("operations", [])
            if "name" in op
        }
        descriptions = {a.get("description") for a in rest_adapters} | {info.get("description")}
        assert openapi["info"].get("description") in descriptions | {None, ""}
        for path_item in openapi["paths"].values():
            for operation in path_item.values():
                spec_operation = operations.get(operation.get("operationId"))
                if spec_operation is None:
                    continue
                if spec_operation.get("description"):
                    assert operation["description"] == spec_operation["description"]
                if spec_operation.get("label"):
                    assert operation["summary"] == spec_operation["label"]
                elif spec_operation.get("description"):
                    assert operation["summary"] == spec_operation["description"]


@_settings("text")
@given(case=text_mutations())
def test_hostile_descriptions_and_labels(case: tuple[str, dict[str, Any]], worker: Any) -> None:
    _, document = case
    code, _, stderr, out, holder = _compile(dump(document))
    with holder:
        if code == 0:
            assert out is not None
            _check_package(out, document, worker)


@_settings("anything")
@given(case=anything_mutations())
def test_hostile_anything(case: tuple[str, dict[str, Any]], worker: Any) -> None:
    _, document = case
    code, _, _, out, holder = _compile(dump(document))
    with holder:
        if code == 0:
            assert out is not None
            _check_package(out, document, worker)


@_settings("raw")
@given(text=raw_mutations())
def test_hostile_raw_yaml(text: str, worker: Any) -> None:
    code, _, _, out, holder = _compile(text)
    with holder:
        if code == 0:
            assert out is not None
            _check_package(out, load_text(text, "spec.yaml").data, worker)


def test_fuzz_statistics() -> None:
    """Reports how many cases ran (visible with ``-s``); runs last in this module."""
    print(f"\nfuzz: {STATS['cases']} cases, {STATS['built']} built, {STATS['refused']} refused")
    assert STATS["cases"] == 0 or STATS["built"] > 0


# --------------------------------------------------------------------------- regressions
# Failures the fuzzing found, pinned as small cases (all fixed).


def _build_minimal_with_label(label: str) -> tuple[Path, tempfile.TemporaryDirectory[str]]:
    document = copy.deepcopy(SEEDS["minimal.yaml"])
    document["info"]["label"] = label
    code, _, stderr, out, holder = _compile(dump(document))
    assert code == 0, stderr
    assert out is not None
    return out, holder


def test_regression_delete_character_in_label() -> None:
    out, holder = _build_minimal_with_label("Pets\x7f")
    with holder:
        pyproject = tomllib.loads((out / "pyproject.toml").read_text("utf-8"))
        assert pyproject["project"]["description"].endswith("Pets\x7f")


@pytest.mark.parametrize("label", ["class", "json", "mcp"])
def test_regression_label_that_is_not_a_usable_package_name(label: str) -> None:
    out, holder = _build_minimal_with_label(label)
    with holder:
        (package,) = [p.name for p in out.iterdir() if (p / "__init__.py").is_file()]
        assert not keyword.iskeyword(package) and package not in _SHADOWED, package
