"""``### Findings``: what this run's figures show across sections (each only when they show it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench_footprint import FOOTPRINT
from bench_mcp import MCP
from bench_mcp import ratios as mcp_ratios
from bench_profiles import PROFILES, ServerProfile, profile_delta
from bench_rest import BEST, REST
from bench_rest import ratios as rest_ratios
from benchlib import Summary, geomean, median
from build_measure import BuildSpec, all_build_specs, synthetic_points
from load_points import cpu_us, measured_ratios, rps
from report_format import num, pct, ratio, sec, stat_s
from results import Results

POOL_LABELS = {
    "REST generated": "the generated REST server",
    "REST hand-written": "the hand-written proxy",
    "MCP generated": "the generated MCP server",
}
LOADER = Path(__file__).resolve().parent.parent / "naftiko_codegen" / "loader.py"


def profiles(results: Results) -> dict[str, ServerProfile]:
    """The runtime profiles of this run (none when the section did not run)."""
    section = PROFILES.result(results)
    return section.profiles if section else {}


def per_request(results: Results, label: str) -> dict[str, float]:
    """µs per request by package in the profile of ``label``."""
    profile = profiles(results).get(label)
    return profile.per_request_us if profile else {}


# --------------------------------------------------------------------------- build


def formatting(results: Results) -> str | None:
    """black's share of the Flyte build, and whether it had to change the rendered modules."""
    specs = all_build_specs(results)
    flyte = specs.get("flyte", BuildSpec())
    phases = flyte.phases_primed
    total = sum(p.median for p in phases.values())
    fmt = phases["format"].median if "format" in phases else 0.0
    if not (total and fmt / total > 0.5):
        return None
    big = max(synthetic_points(specs), default=None, key=lambda p: (p[0], p[1]))
    extra = ""
    if big:
        n, t, d = big
        extra = f" (and {pct(d.phases_primed['format'].median, t)} at {num(n)} operations)"
    changed, pyfiles = flyte.changed_by_format
    changed_text = f"{changed} of the {pyfiles}" if changed is not None else "most of the"
    head = (
        f"**Build: formatting with black is {pct(fmt, total)} of the in-process first build of the "
        f"Flyte capability{extra}.** "
    )
    if changed == 0:
        return head + (
            f"black changes {changed_text} rendered Python modules: the templates render its "
            "layout (`naftiko_codegen/pylayout.py`; every test build asserts it), so black makes "
            "one checking pass instead of two, over chunks of the modules cut at top-level "
            "definitions, on both CPUs (`naftiko_codegen/formatting.py`). What remains is that "
            "single pass. Removing it would mean trusting the layout the tests enforce instead of "
            "running black at build time (the design card asks for black), or a faster formatter "
            "(`ruff format`) whose output differs from black's in places. The other phases "
            f"together take {sec(total - fmt)}."
        )
    return head + (
        f"black changed {changed_text} rendered Python modules, so it made two passes over them: a "
        "template no longer renders black's layout (`naftiko_codegen/pylayout.py`; the tests' "
        "`compile_in_black_layout` names the module and shows black's diff)."
    )


def cyclic_gc(results: Results) -> str | None:
    """What the cyclic garbage collector would cost black, at the largest size experimented on."""
    specs = all_build_specs(results)
    gc_points = sorted(
        (d.ops, d.generated_lines, d.format_gc_enabled_s, d.phases_primed["format"].median)
        for d in specs.values()
        if d.kind == "synthetic"
        and d.format_gc_enabled_s
        and d.generated_lines
        and d.ops is not None
    )
    if not gc_points:
        return None
    n2, l2, on2, off2 = gc_points[-1]
    text = (
        f"**Build: Python's cyclic garbage collector would cost black {pct(on2 - off2, on2)} of "
        f"the format phase at {num(n2)} operations** (format {sec(on2)} with the collector on, "
        f"{sec(off2)} with `gc.disable()`)."
    )
    if len(gc_points) >= 2:
        n1, l1, on1, off1 = gc_points[0]
        text += (
            f" Per generated line, with the collector on: {on1 / l1 * 1e6:.0f} µs at {num(n1)} "
            f"operations, {on2 / l2 * 1e6:.0f} µs at {num(n2)}; with it off: {off1 / l1 * 1e6:.0f} "
            f"and {off2 / l2 * 1e6:.0f} µs. black keeps large trees of small objects alive and "
            "every full collection scans them, so the cost per line, hence per operation, rises "
            "with the size of the generated modules (the flat-cost target)."
        )
    return text + (
        " The compiler therefore runs every compilation with the collector off "
        "(`naftiko_codegen/pipeline.py`, `without_cyclic_gc()`); the same full collections made "
        "loading and lowering superlinear."
    )


def lower_growth(results: Results) -> str | None:
    """The lower phase growing faster than the number of operations."""
    lower_points = sorted(
        (d.ops, d.phases_primed["lower"].median)
        for d in all_build_specs(results).values()
        if d.kind == "synthetic"
        and d.status == "ok"
        and "lower" in d.phases_primed
        and d.ops is not None
        and d.ops >= 100
    )
    if not (
        len(lower_points) >= 2
        and (lower_points[-1][1] / lower_points[-1][0]) / (lower_points[0][1] / lower_points[0][0])
        > 1.5
    ):
        return None
    (n1, t1), (n2, t2) = lower_points[0], lower_points[-1]
    return (
        f"**Build: the lower phase grows faster than the number of operations** ({sec(t1)} at "
        f"{num(n1)} operations, {sec(t2)} at {num(n2)}: × {(t2 / n2) / (t1 / n1):.1f} per "
        "operation). `naftiko_codegen/lowering/base.py`, `resolve_call()`, finds the consumed "
        "operation a `call:` names with a list comprehension over all of the namespace's "
        "operations (`[op for op in api.operations if op.name == operation]`), once per REST "
        "operation and per MCP tool: O(n²). Index each API's operations by name once (a dict of "
        "name → operations, built with the API) and look the name up. Small next to formatting "
        "today, it is the term that would dominate a large build once formatting is fixed."
    )


def yaml_loading(results: Results) -> str | None:
    """YAML loading as the largest phase after formatting (while the loader is pure Python)."""
    full = all_build_specs(results).get("flyte-full", BuildSpec()).phases_primed
    full_total = sum(p.median for p in full.values())
    full_load = full["load"].median if "load" in full else 0.0
    uses_libyaml = LOADER.exists() and "CParser" in LOADER.read_text()
    fmt = full["format"].median if "format" in full else 0.0
    if uses_libyaml or not full_total or full_load / max(full_total - fmt, 1e-9) <= 0.4:
        return None
    return (
        f"**Build: YAML loading is the largest phase after formatting** ({sec(full_load)} of "
        f"{sec(full_total)} for the whole Flyte Admin API). `naftiko_codegen/loader.py`, class "
        "`_Composer`, builds on PyYAML's pure-Python `Reader`/`Scanner`/`Parser`; libyaml is "
        "available (`yaml.__with_libyaml__`), and `yaml._yaml.CParser` produces the same node "
        "graph with the same marks (line/column) several times faster. Subclass `yaml.CParser` + "
        "`_CoreResolver` when available (keep the pure-Python path as the fallback)."
    )


def build_findings(results: Results) -> list[str | None]:
    """The build findings, shown when the Flyte capability's phases were measured."""
    flyte = all_build_specs(results).get("flyte")
    if flyte is None or not flyte.phases_primed:
        return []
    return [formatting(results), cyclic_gc(results), lower_growth(results), yaml_loading(results)]


# --------------------------------------------------------------------------- runtime


def rest_gap(results: Results) -> str | None:
    """What is left between the generated REST server and the best hand-written proxy on the
    same dependencies, when it is more than 10 %."""
    measured = measured_ratios(rest_ratios(results, BEST))
    if not measured or geomean(measured.values()) >= 0.9:
        return None
    delta = profile_delta(profiles(results), "REST generated", "REST hand-written")
    worst = [f"{k} ({va - vb:+.0f} µs)" for k, va, vb in delta[:4] if va - vb > 5]
    where = (
        f"Under the profiler the extra time per request is in: {', '.join(worst)}. "
        if worst
        else ""
    )
    return (
        f"**REST: the generated server is {ratio(geomean(measured.values()))} the best "
        f"hand-written proxy on the same dependencies (target ≥ 0.9×).** {where}Both move the "
        "bytes on aiohttp's pool over uvloop and httptools, and the generated server sends "
        "each upstream call directly on that pool, serving its routes from the request guard "
        "without the framework's middleware layers. What it still does on top, all of it ours "
        "and kept on purpose: the request guard (size, depth and string limits; a watch for a "
        "client that leaves, for calls longer than 50 ms), one more coroutine level per call "
        "(route → client method → pool), the per-read timeout that aiohttp re-arms on every "
        "read (`READ_TIMEOUT`), a size limit counted on each answer, header bytes passed on "
        "exactly, `json_body()` checking that a POST body is JSON, and the access log's "
        "secret mask. At 1 connection compare the best hand-written proxy's own ratio to the "
        "plain one (columns d and c of chapter 2): latency, not CPU, bounds that point."
    )


def mcp_gap(results: Results) -> str | None:
    """How far 2 × FastMCP is out of reach, when the target is missed."""
    mr = mcp_ratios(results)
    measured = measured_ratios(mr)
    if not measured or geomean(measured.values()) >= 2:
        return None
    pg, pf = per_request(results, "MCP generated"), per_request(results, "MCP FastMCP.from_openapi")
    cpu = [e.cpu_ratio for e in mr.values() if e.cpu_ratio]
    text = (
        f"**MCP: generated / FastMCP throughput is {ratio(geomean(measured.values()))}, below the "
        "2× target.** Server CPU per call, FastMCP ÷ generated: "
        f"{', '.join(ratio(c) for c in cpu) or '–'}."
    )
    if not (pg and pf):
        return text
    tf = sum(pf.values())
    own_f = pf.get("fastmcp", 0.0)
    own_g = pg.get("generated package (ours)", 0.0) + pg.get("jsonschema", 0.0)
    imp_g = pg.get("import system (failed imports at run time)", 0.0)
    tg = sum(pg.values())
    floor = tg - own_g - imp_g
    bound = tf / max(floor, 1e-9)
    text += (
        f" Under the profiler a call costs FastMCP {tf:.0f} µs, of which {own_f:.0f} µs "
        f"({pct(own_f, tf)}) is FastMCP's own layer, and the generated server {tg:.0f} µs, of "
        f"which {own_g:.0f} µs is its own code and argument validation (jsonschema); the other "
        f"{floor:.0f} µs is the stack both servers share (the `mcp` SDK's Streamable HTTP "
        "transport and JSON-RPC with pydantic, Starlette, uvicorn + h11, anyio, asyncio, the "
        "httpx family), which the generated server already uses more lightly than FastMCP does. "
        f"Even with its own code costing nothing it would be at most ≈ {bound:.2f}× FastMCP, so 2× "
        "is out of reach while both use the `mcp` SDK's HTTP transport."
    )
    if imp_g > 5:
        text += (
            " Its largest avoidable cost in these runs is the failed `import sniffio` "
            f"({imp_g:.0f} µs per call under the profiler), which FastMCP's httpx2 does not pay "
            "and which an installed generated package does not pay either (it depends on "
            "`sniffio`)."
        )
    return text


def pool_cost_us(profile: ServerProfile | None) -> float | None:
    """Cumulative µs per request in httpcore's connection-pool assignment pass, if profiled."""
    for entry in profile.top if profile else []:
        if entry.function.endswith("(_assign_requests_to_connections)"):
            return float(entry.cumtime_us_per_request)
    return None


def connection_pool(results: Results) -> str | None:
    """The upstream client's connection-pool cost, when the runtime profiles show it."""
    costs = {label: pool_cost_us(profiles(results).get(label)) for label in POOL_LABELS}
    mcp_cost = costs["MCP generated"]
    if not mcp_cost or mcp_cost < 200:
        return None
    pg, pf = per_request(results, "MCP generated"), per_request(results, "MCP FastMCP.from_openapi")
    text = (
        f"**Upstream client: httpcore's connection pool costs about {mcp_cost:.0f} µs per proxied "
        "MCP call under the profiler.** `AsyncConnectionPool._assign_requests_to_connections` "
        f"(httpcore {results.environment.versions.get('httpcore', '?')}) runs on every request and "
        "every response close; for each pooled connection it polls the socket (`has_expired()` → "
        "`is_socket_readable`, through anyio's `extra_attributes`) and it re-counts the idle "
        "connections for each of them (quadratic). Cumulative per request: "
        + ", ".join(f"{sec(v / 1e6)} in {POOL_LABELS[k]}" for k, v in costs.items() if v)
        + ". FastMCP uses pydantic's fork `httpx2`, whose pool makes this pass linear "
        "(pydantic/httpx2#974; the same changes are still open upstream as encode/httpcore#1035 "
        "and #928). It is not ours to fix inside httpcore, and the generated packages use `httpx` "
        "as the design card says; moving them to `httpx2` is a design decision."
    )
    if pg and pf:
        own = (
            pg.get("generated package (ours)", 0.0)
            + pg.get("jsonschema", 0.0)
            + pg.get("import system (failed imports at run time)", 0.0)
        )
        rest = sum(pg.values()) - own - mcp_cost
        bound = sum(pf.values()) / max(rest, 1e-9)
        text += (
            " Even without this pass and without its own code, the generated MCP server would be "
            f"at most ≈ {bound:.2f}× FastMCP."
        )
    return text


def variant_effect(results: Results) -> str:
    """What adding sniffio changed in this run (REST and MCP variants), as a clause."""
    parts = []
    rest, mcp = REST.result(results), MCP.result(results)
    for point, targets in (rest.points if rest else {}).items():
        if targets.get("generated+sniffio") and targets.get("generated"):
            before, after = median(cpu_us(targets["generated"])), median(
                cpu_us(targets["generated+sniffio"])
            )
            gain = median(rps(targets["generated+sniffio"])) / median(rps(targets["generated"]))
            parts.append(
                f"REST {point}: CPU per request {before:.0f} → {after:.0f} µs, requests/s × "
                f"{gain:.2f}"
            )
    for point, targets in (mcp.points if mcp else {}).items():
        if targets.get("generated+sniffio") and targets.get("generated"):
            before, after = median(cpu_us(targets["generated"])), median(
                cpu_us(targets["generated+sniffio"])
            )
            parts.append(f"MCP {point}: CPU per call {before:.0f} → {after:.0f} µs")
    return ("; with sniffio installed in this run — " + "; ".join(parts)) if parts else ""


def sniffio_import(results: Results) -> str | None:
    """httpcore's failed ``import sniffio`` per request, when the benchmark venv lacks sniffio."""
    section = PROFILES.result(results)
    sniff = section.sniffio if section else None
    if sniff is None or sniff.sniffio_installed or not sniff.us_per_call:
        return None
    gen_profile = profiles(results).get("REST generated")
    per_req = gen_profile.current_async_library_per_request if gen_profile else 0
    rest = REST.result(results)
    cpu = [
        d.server_cpu_s / d.requests * 1e6
        for runs in (rest.points if rest else {}).values()
        for d in runs.get("generated", [])
        if d.requests and d.server_cpu_s
    ]
    share = (
        f", about {100 * per_req * sniff.us_per_call / median(cpu):.0f} % of the generated "
        "server's CPU per request"
        if cpu and per_req
        else ""
    )
    return (
        "**Dependencies: every upstream request pays a failed import.** httpcore "
        f"({results.environment.versions.get('httpcore', '?')}) calls "
        "`httpcore._synchronization.current_async_library()`, which runs `import sniffio` each "
        "time; anyio 4.x no longer depends on sniffio, so it is not installed and the import "
        f"fails, searching `sys.path` every time: {sniff.us_per_call:.0f} µs per call measured here"
        + (
            f" ({sniff.us_per_call_with_sniffio:.1f} µs with sniffio installed)"
            if sniff.us_per_call_with_sniffio
            else ""
        )
        + (
            f", ≈ {per_req:.1f} calls per proxied request under the profiler{share}"
            if per_req
            else ""
        )
        + f"{variant_effect(results)}. It hits the hand-written proxy too "
        "(same httpx), but not FastMCP, whose `httpx2`/`httpcore2` do not probe sniffio. A "
        "one-line fix that is ours: add `sniffio` to the dependencies the compiler writes "
        "(`templates/pyproject.toml.j2`); the import then succeeds and "
        'is a dictionary lookup. The "+ sniffio" variants in sections 2 and 3 measure the effect.'
    )


def footprint(results: Results) -> str | None:
    """What the REST server imports beyond the hand-written proxy, when it is much slower."""
    foot = FOOTPRINT.result(results)
    if foot is None:
        return None
    imports = foot.imports

    def import_median(label: str) -> float | None:
        return imports[label].import_s.median if label in imports else None

    main_imp = import_median("generated (package + __main__: REST and MCP)")
    rest_imp = import_median("generated REST module only")
    hand_imp = import_median("hand-written proxy")
    if not (main_imp and rest_imp and hand_imp and rest_imp > 1.5 * hand_imp):
        return None
    deps = foot.dependency_import
    heavy = {k: v for v, k in imports["generated REST module only"].heaviest}
    startup = foot.startup

    def first_request(label: str) -> Summary | None:
        return startup[label].first_request_s if label in startup else None

    first = (
        f"Importing the package as `python -m ... rest` runs takes {sec(main_imp)}, the REST "
        f"module alone {sec(rest_imp)}, the hand-written proxy {sec(hand_imp)}; start-up to the "
        f"first REST request is {stat_s(first_request('generated REST (`rest`)'))} against "
        f"{stat_s(first_request('hand-written proxy'))}."
    )
    if "mcp_types" in heavy:
        return (
            f"**Footprint: a REST-only process loads the MCP types.** {first} `mcp_types` alone "
            f"takes {sec(deps['mcp_types'].median if 'mcp_types' in deps else None)} to import "
            "here; the REST helpers and the MCP helpers of the generated package must stay in "
            "separate modules (the `http_*` and `mcp_*` runtime modules)."
        )
    return (
        "**Footprint: FastAPI is most of what the REST server imports beyond the hand-written "
        f"proxy.** {first} The REST module no longer imports the MCP stack (the MCP helpers are in "
        "the `mcp_*` runtime modules); the difference left is FastAPI itself "
        f"({sec(heavy.get('fastapi'))} "
        "cumulative in the REST module, "
        f"{sec(deps['fastapi'].median if 'fastapi' in deps else None)} alone, with pydantic), "
        "which the design card chose for the REST adapter; the hand-written proxy uses Starlette "
        "alone."
    )


FINDINGS: list[Callable[[Results], str | None]] = [
    rest_gap,
    mcp_gap,
    connection_pool,
    sniffio_import,
    footprint,
]
"""The runtime findings, in the order they are printed (after the build findings)."""


def render(results: Results) -> str:
    """The numbered Findings, or nothing when no finding applies."""
    notes = [n for n in [*build_findings(results), *(f(results) for f in FINDINGS)] if n]
    if not notes:
        return ""
    return "### Findings\n\n" + "\n\n".join(f"{i}. {n}" for i, n in enumerate(notes, 1)) + "\n"
