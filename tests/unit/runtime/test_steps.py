"""Orchestration steps: upstream calls, lookups and Python scripts (steps, lookups,
scripting)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from naftiko_codegen.runtime import script_files, scripting
from naftiko_codegen.runtime.errors import StepFailed
from naftiko_codegen.runtime.exchange import UpstreamResponse
from naftiko_codegen.runtime.lookups import lookup
from naftiko_codegen.runtime.steps import run_step


async def answered(content: bytes, status: int = 200) -> UpstreamResponse:
    return UpstreamResponse("api", "get", status, "application/json", content)


def test_a_step_answers_its_json_or_fails_with_the_upstream_message() -> None:
    assert asyncio.run(run_step("s", answered(b'{"a": 1}'))) == {"a": 1}
    assert asyncio.run(run_step("s", answered(b""))) is None
    with pytest.raises(StepFailed) as raised:
        asyncio.run(run_step("fetch", answered(b'{"message": "gone"}', 404)))
    assert (raised.value.step, raised.value.status) == ("fetch", 404)
    assert raised.value.detail.endswith("HTTP 404: gone")
    with pytest.raises(StepFailed) as raised:
        asyncio.run(run_step("fetch", answered(b"<html>")))
    assert raised.value.status == 502


TABLE = [
    {"id": 1, "name": "one", "extra": True},
    {"id": "2", "name": "two"},
    {"id": 1, "name": "duplicate"},
    "not an object",
    {"name": "no id"},
]


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("1", {"id": 1, "name": "one"}),
        (2, {"id": "2", "name": "two"}),
        (2.0, {"id": "2", "name": "two"}),
        (3, None),
        ([2, 3, 1], [{"id": "2", "name": "two"}, {"id": 1, "name": "one"}]),
        ([], []),
    ],
)
def test_lookup_matches_as_text_and_keeps_the_first_entry(value: Any, found: Any) -> None:
    assert lookup("s", TABLE, "id", value, ("id", "name")) == found


def test_lookup_on_one_object_none_and_a_bad_table() -> None:
    assert lookup("s", {"k": True, "v": 1}, "k", "true", ("v", "absent")) == {
        "v": 1,
        "absent": None,
    }
    assert lookup("s", None, "k", 1, ("v",)) is None
    with pytest.raises(StepFailed, match="the index is str, not an array of objects"):
        lookup("s", "text", "k", 1, ("v",))


@pytest.fixture
def sources(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The scripts the package would carry in scripts.json."""
    files: dict[str, str] = {}
    monkeypatch.setattr(script_files, "script_sources", lambda: files)
    monkeypatch.delenv("NAFTIKO_SCRIPTING", raising=False)
    return files


def run_script(
    context: dict[str, Any], *files: str, timeout: float = 20, enabled: bool | None = None
) -> Any:
    return asyncio.run(
        scripting.run_script("step", context, files, timeout=timeout, enabled=enabled)
    )


def test_a_script_reads_the_context_and_answers_its_result(sources: dict[str, str]) -> None:
    sources["a.py"] = "def double(x):\n    return 2 * x\n"
    sources["b.py"] = "print('to stderr')\nresult = {'n': double(context['n'])}\n"
    assert run_script({"n": 21}, "a.py", "b.py") == {"n": 42}
    sources["none.py"] = "x = 1\n"
    assert run_script({}, "none.py") is None


def test_a_script_runs_without_the_servers_environment(
    sources: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NAFTIKO_TEST_SECRET", "s3cret")
    sources["env.py"] = "import os, sys\nresult = [dict(os.environ), sys.flags.isolated]\n"
    environment, isolated = run_script({}, "env.py")
    assert "NAFTIKO_TEST_SECRET" not in environment
    assert isolated == 1


def test_a_failing_script_names_its_line(sources: dict[str, str]) -> None:
    sources["bad.py"] = "x = 1\nraise ValueError('no ' + str(x))\n"
    with pytest.raises(StepFailed) as raised:
        run_script({}, "bad.py")
    assert raised.value.status == 500
    assert raised.value.detail == "the script failed: ValueError: no 1 (line 2 of bad.py)"


def test_a_script_is_stopped_at_its_timeout(sources: dict[str, str]) -> None:
    sources["loop.py"] = "while True:\n    pass\n"
    with pytest.raises(StepFailed) as raised:
        run_script({}, "loop.py", timeout=0.5)
    assert raised.value.status == 504


def test_scripts_can_be_switched_off(
    sources: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sources["ok.py"] = "result = 1\n"
    with pytest.raises(StepFailed, match=r"disabled \(management.scripting\)"):
        run_script({}, "ok.py", enabled=False)
    monkeypatch.setenv("NAFTIKO_SCRIPTING", "false")
    with pytest.raises(StepFailed, match=r"disabled \(NAFTIKO_SCRIPTING=false\)"):
        run_script({}, "ok.py")
    assert run_script({}, "ok.py", enabled=True) == 1


def test_a_context_that_is_not_json_is_refused(sources: dict[str, str]) -> None:
    sources["ok.py"] = "result = 1\n"
    with pytest.raises(StepFailed, match="cannot be sent to the script"):
        run_script({"x": object()}, "ok.py")
