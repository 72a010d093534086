"""JavaScript script steps (javascript_steps): a fresh V8 isolate per run, the context as a
global, ``result`` answered as JSON, time and memory limits, no host access."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from naftiko_codegen.runtime import javascript_steps, script_files
from naftiko_codegen.runtime.errors import StepFailed


@pytest.fixture
def sources(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The scripts the package would carry in scripts.json."""
    files: dict[str, str] = {}
    monkeypatch.setattr(script_files, "script_sources", lambda: files)
    monkeypatch.delenv("NAFTIKO_SCRIPTING", raising=False)
    return files


def run(
    context: dict[str, Any], *files: str, timeout: float = 20, enabled: bool | None = None
) -> Any:
    return asyncio.run(
        javascript_steps.run_javascript("step", context, files, timeout=timeout, enabled=enabled)
    )


def failure(*files: str, timeout: float = 20) -> StepFailed:
    with pytest.raises(StepFailed) as raised:
        run({}, *files, timeout=timeout)
    return raised.value


def test_dependencies_then_the_script_read_the_context(sources: dict[str, str]) -> None:
    sources["lib.js"] = "function double(x) { return 2 * x; }\n"
    sources["main.js"] = "console.log('to stderr');\nresult = {n: double(context['n']), s: 'é'};\n"
    assert run({"n": 21}, "lib.js", "main.js") == {"n": 42, "s": "é"}
    sources["let.js"] = "let result = [1, null, true];\n"
    assert run({}, "let.js") == [1, None, True]
    sources["none.js"] = "var x = context;\n"
    assert run({}, "none.js") is None


def test_each_run_gets_a_fresh_isolate(sources: dict[str, str]) -> None:
    sources["count.js"] = "globalThis.runs = (globalThis.runs || 0) + 1;\nresult = runs;\n"
    assert [run({}, "count.js") for _ in range(3)] == [1, 1, 1]


def test_no_host_file_or_network_access(sources: dict[str, str]) -> None:
    sources["host.js"] = (
        "result = [typeof require, typeof process, typeof fetch, typeof XMLHttpRequest,"
        " typeof java, typeof Deno, typeof Bun, typeof WebAssembly === 'object'];\n"
    )
    kinds = run({}, "host.js")
    assert kinds[:7] == ["undefined"] * 7
    sources["java.js"] = "var rt = java.lang.Runtime.getRuntime();\nresult = rt.totalMemory();\n"
    error = failure("java.js")
    assert error.status == 500
    assert (
        error.detail == "the script failed: ReferenceError: java is not defined (line 1 of java.js)"
    )


def test_a_failing_script_names_its_line(sources: dict[str, str]) -> None:
    sources["bad.js"] = "var x = 1;\nvar y = null;\ny.field = x;\n"
    assert failure("bad.js").detail == (
        "the script failed: TypeError: Cannot set properties of null (setting 'field')"
        " (line 3 of bad.js)"
    )
    sources["syntax.js"] = "result = {;\n"
    assert failure("syntax.js").detail.startswith("the script failed: SyntaxError:")
    sources["bigint.js"] = "result = 10n;\n"
    assert "the result is not JSON: TypeError" in failure("bigint.js").detail


def test_a_script_is_stopped_at_its_timeout(sources: dict[str, str]) -> None:
    sources["loop.js"] = "while (true) { var x = 1; }\n"
    error = failure("loop.js", timeout=0.5)
    assert (error.status, error.detail) == (
        504,
        "the script did not finish within 0.5 s and was stopped",
    )


def test_a_runaway_allocation_is_stopped(sources: dict[str, str]) -> None:
    sources["grow.js"] = "var a = [];\nwhile (true) { a.push(new Array(100000).fill(1)); }\n"
    error = failure("grow.js")
    assert (error.status, error.detail) == (
        500,
        "the script ran out of memory (256 MiB) and was stopped",
    )


def test_scripts_can_be_switched_off_and_contexts_must_be_json(
    sources: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sources["ok.js"] = "result = 1;\n"
    with pytest.raises(StepFailed, match=r"disabled \(management.scripting\)"):
        run({}, "ok.js", enabled=False)
    monkeypatch.setenv("NAFTIKO_SCRIPTING", "false")
    with pytest.raises(StepFailed, match=r"disabled \(NAFTIKO_SCRIPTING=false\)"):
        run({}, "ok.js")
    assert run({}, "ok.js", enabled=True) == 1
    with pytest.raises(StepFailed, match="cannot be sent to the script"):
        run({"x": object()}, "ok.js", enabled=True)


def test_concurrent_runs_keep_apart(sources: dict[str, str]) -> None:
    sources["echo.js"] = (
        "var start = Date.now(); while (Date.now() - start < 50) {}\nresult = context.n;\n"
    )

    async def several() -> list[Any]:
        runs = [
            javascript_steps.run_javascript("s", {"n": n}, ("echo.js",), timeout=20, enabled=None)
            for n in range(6)
        ]
        return list(await asyncio.gather(*runs))

    assert asyncio.run(several()) == list(range(6))
