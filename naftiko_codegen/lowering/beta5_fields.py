"""Fields Ikanos 1.0.0-beta5 adds to what alpha2 had (``docs/semantics.md``, "Ikanos
1.0.0-beta5"): freshness hints of MCP results (``ttlMs``, ``cacheScope``), the largest binary
answer read (``maxBinarySize``), and reverse tunnels (``tunnel``, not generated).

An alpha2 document never has them (its schema refuses them), so everything here is a no-op
for it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

from .. import ir
from ..diagnostics import Path
from .context import Diagnostics

_UNITS = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)(B|KiB|MiB|GiB)$")


def binary_size(text: str) -> int:
    """Bytes in a ``BinarySize`` (``512KiB``, ``5MiB``, ``1.5GiB``; the schema checked it)."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"not a binary size: {text!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def cache_hint(
    diagnostics: Diagnostics, spec: Mapping[str, Any], path: Path
) -> ir.CacheHint | None:
    """An MCP adapter's ``ttlMs`` and ``cacheScope`` (``None`` when it sets neither); a
    negative ``ttlMs`` is an error."""
    if "ttlMs" not in spec and "cacheScope" not in spec:
        return None
    ttl = int(spec.get("ttlMs", 0))
    if ttl < 0:
        diagnostics.report(
            path + ("ttlMs",),
            "NG103",
            f"`ttlMs` is {ttl}; a freshness hint cannot be negative",
            expected="0 (always ask again) or more milliseconds",
        )
        ttl = 0
    scope = cast(Any, str(spec.get("cacheScope", "private")))
    return ir.CacheHint(ttl, scope)


def operation_limit(spec: Mapping[str, Any]) -> int | None:
    """A consumed operation's own ``maxBinarySize``, in bytes."""
    size = spec.get("maxBinarySize")
    return binary_size(str(size)) if isinstance(size, str) else None


def with_adapter_limits(
    apis: Mapping[str, ir.ConsumedApi], exposes: Iterable[Any]
) -> dict[str, ir.ConsumedApi]:
    """``apis`` with the adapters' ``maxBinarySize`` as the limit of every binary operation
    that sets none (when adapters set different sizes, the largest: no adapter's binary
    answers are cut short by another's setting)."""
    sizes = [
        binary_size(str(adapter["maxBinarySize"]))
        for adapter in exposes
        if isinstance(adapter, Mapping) and isinstance(adapter.get("maxBinarySize"), str)
    ]
    if not sizes:
        return dict(apis)
    default = max(sizes)
    return {
        namespace: dataclasses.replace(
            api,
            operations=tuple(
                (
                    dataclasses.replace(op, max_bytes=default)
                    if op.raw_format == "binary" and op.max_bytes is None
                    else op
                )
                for op in api.operations
            ),
        )
        for namespace, api in apis.items()
    }


def unreachable_through_tunnel(
    diagnostics: Diagnostics, spec: Mapping[str, Any], path: Path
) -> bool:
    """Report a consumed API's reverse ``tunnel`` (not generated); true when the API cannot
    be called at all (``fallback: fail``, the default), false when the generated client
    calls ``baseUri`` directly (``fallback: direct``)."""
    tunnel = spec.get("tunnel")
    if not isinstance(tunnel, Mapping):
        return False
    kind = tunnel.get("type", "ziti")
    namespace = spec.get("namespace")
    if tunnel.get("fallback") == "direct":
        diagnostics.warn(
            path + ("tunnel",),
            "NG211",
            f"reverse tunnels (`{kind}`) are not generated; with `fallback: direct` the "
            f"client of `{namespace}` calls its `baseUri` directly",
            hint="run the package where the `baseUri` is reachable, or remove the tunnel",
        )
        return False
    diagnostics.warn(
        path + ("tunnel",),
        "NG211",
        f"reverse tunnels (`{kind}`) are not generated; `{namespace}` is only reachable "
        "through one, so it is not generated and the operations that call it are skipped",
        hint="write `fallback: direct` to call the `baseUri` directly",
    )
    return True
