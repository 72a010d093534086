"""Python script steps, each run in an isolated subprocess with a deadline."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from .errors import StepFailed
from .script_files import Context, Files, check_enabled, sources_of, stopped, unsendable

_RUNNER = """
import json
import sys
import traceback

payload = json.loads(sys.stdin.buffer.read())
out = sys.stdout
sys.stdout = sys.stderr
files = [name for name, _ in payload["files"]]
scope = {"__name__": "__script__", "context": payload["context"]}
try:
    for name, source in payload["files"]:
        exec(compile(source, name, "exec"), scope)
    answer = {"result": scope["result"]} if "result" in scope else {}
    text = json.dumps(answer, allow_nan=False)
except BaseException as error:
    where = [f for f in traceback.extract_tb(error.__traceback__) if f.filename in files]
    line = f" (line {where[-1].lineno} of {where[-1].filename})" if where else ""
    text = json.dumps({"error": f"{type(error).__name__}: {error}"[:2000] + line})
out.buffer.write(text.encode("utf-8"))
out.flush()
"""
"""Runs in the subprocess: the files in one namespace, then ``result`` as JSON on stdout
(what the scripts print goes to stderr)."""


async def run_script(
    step: str, context: Context, files: Files, *, timeout: float, enabled: bool | None
) -> Any:
    """Run a Python script step in a subprocess; the value it assigns to ``result``.

    The subprocess is ``sys.executable -I`` with no environment variables (no secrets),
    reads ``context`` as JSON on stdin, and is killed after ``timeout`` seconds. No
    ``result`` answers ``None``.
    """
    check_enabled(step, enabled)
    try:
        sources = sources_of(files)
        payload = json.dumps({"context": context, "files": sources}).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise unsendable(step, error) from None
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-I",
        "-c",
        _RUNNER,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={},
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(payload), timeout)
    except TimeoutError:
        raise stopped(step, timeout) from None
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    try:
        answer = json.loads(output)
    except ValueError:
        code = process.returncode
        detail = f"the script ended without an answer (exit code {code})"
        raise StepFailed(step, detail, 500) from None
    if "error" in answer:
        raise StepFailed(step, f"the script failed: {answer['error']}", 500)
    return answer.get("result")
