"""JavaScript script steps, each run in a fresh V8 isolate (mini-racer) with a deadline
and a heap limit: no ``require``, ``process``, ``fetch``, no file or network access."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from typing import Any

from py_mini_racer import (
    JSEvalException,
    JSOOMException,
    JSTimeoutException,
    MiniRacer,
    mini_racer,
)

from .errors import StepFailed
from .script_files import Context, Files, check_enabled, sources_of, stopped, unsendable

MAX_HEAP_BYTES = 256 * 1024 * 1024
"""The most memory one script step's isolate may use."""
_PRELUDE = """
var console = (function () {
  var lines = [];
  function write() { lines.push(Array.prototype.map.call(arguments, String).join(" ")); }
  return {log: write, info: write, warn: write, error: write, debug: write, lines: lines};
})();
"""
"""A ``console`` whose lines go to the server's stderr once the script has run."""
_RESULT = "typeof result === 'undefined' ? undefined : JSON.stringify(result)"
_LOGGED = "typeof console === 'object' && console.lines ? JSON.stringify(console.lines) : '[]'"
_GRACE_S = 5.0
"""How long past its deadline a run may take to stop before the step gives up on it."""
_LOCATION = re.compile(r"^<anonymous>:(\d+): (.*)$")


async def run_javascript(
    step: str, context: Context, files: Files, *, timeout: float, enabled: bool | None
) -> Any:
    """Run a JavaScript script step; the value it assigns to ``result`` (``None`` without).

    The files run in order in one fresh isolate where ``context`` is a global; the step
    fails when they take more than ``timeout`` seconds in all or more than
    :data:`MAX_HEAP_BYTES` of memory.
    """
    check_enabled(step, enabled)
    try:
        payload = json.dumps(context, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise unsendable(step, error) from None
    sources = sources_of(files)
    loop = (
        asyncio.get_running_loop()
    )  # delivers V8's answers, even those that come late
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(_run, step, payload, sources, timeout, loop),
            timeout + _GRACE_S,
        )
    except TimeoutError:  # V8 stops scripts at the deadline: this guards the thread
        raise stopped(step, timeout) from None


def _run(
    step: str,
    payload: str,
    sources: list[tuple[str, str]],
    timeout: float,
    loop: asyncio.AbstractEventLoop,
) -> Any:
    with mini_racer(loop) as racer:
        racer.eval(_PRELUDE + f"var context = {payload};\nvoid 0;")
        deadline = time.monotonic() + timeout
        for name, source in sources:
            _evaluate(racer, step, name, source, deadline, timeout)
        answer = _evaluate(racer, step, "", _RESULT, deadline, timeout)
        _write_console(racer)
    return None if not isinstance(answer, str) else json.loads(answer)


def _evaluate(
    racer: MiniRacer, step: str, name: str, source: str, deadline: float, timeout: float
) -> Any:
    """Evaluate ``source`` (the file ``name``, or the result when ``name`` is empty)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise stopped(step, timeout)
    if name:  # a file's completion value is never read (some cannot be converted)
        source += "\n;void 0;\n"
    try:
        return racer.eval(source, timeout_sec=remaining, max_memory=MAX_HEAP_BYTES)
    except JSTimeoutException:
        raise stopped(step, timeout) from None
    except JSOOMException:
        detail = f"the script ran out of memory ({MAX_HEAP_BYTES // 2**20} MiB) and was stopped"
        raise StepFailed(step, detail, 500) from None
    except JSEvalException as error:
        raise StepFailed(
            step, f"the script failed: {_message(error, name)}", 500
        ) from None


def _message(error: JSEvalException, name: str) -> str:
    """V8's first line, ``<anonymous>:4: TypeError: ...``, as ``TypeError: ... (line 4 of
    scripts/x.js)``; for the result, what JSON cannot hold."""
    first = (str(error).splitlines() or ["unknown error"])[0]
    match = _LOCATION.match(first)
    if match is None:
        return first[:2000]
    if not name:
        return f"the result is not JSON: {match.group(2)}"[:2000]
    return f"{match.group(2)[:2000]} (line {match.group(1)} of {name})"


def _write_console(racer: MiniRacer) -> None:
    try:
        logged = json.loads(str(racer.eval(_LOGGED, timeout_sec=1)))
    except (JSEvalException, ValueError):
        return
    for line in logged if isinstance(logged, list) else []:
        print(line, file=sys.stderr)
