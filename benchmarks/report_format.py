"""How ``RESULTS.md`` writes figures: durations, counts, ratios, spreads and tables."""

from __future__ import annotations

from benchlib import Summary, is_missing, summary

DASH = "–"


def sec(x: float | None) -> str:
    """A duration in the unit that reads best (µs, ms or s)."""
    if x is None or is_missing(x):
        return DASH
    if abs(x) < 1e-3:
        return f"{x * 1e6:.0f} µs"
    if abs(x) < 1:
        return f"{x * 1e3:.1f} ms" if abs(x) < 0.1 else f"{x * 1e3:.0f} ms"
    return f"{x:.2f} s"


def stat_s(s: Summary | None) -> str:
    """A duration's median and spread: ``100 ms (99.8–103 ms)``."""
    if s is None or not s.n:
        return DASH
    if s.n == 1:
        return f"{sec(s.median)} (1 run)"
    low, high = sec(s.min), sec(s.max)
    if low.split()[-1] == high.split()[-1]:
        low = low.rsplit(" ", 1)[0]
    return f"{sec(s.median)} ({low}–{high})"


def num(x: float | None, digits: int = 0) -> str:
    """A number with thousands separators."""
    if x is None or is_missing(x):
        return DASH
    return f"{x:,.{digits}f}"


def ratio(x: float | None) -> str:
    """``1.23×``."""
    return DASH if x is None or is_missing(x) else f"{x:.2f}×"


def pct(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole``."""
    return DASH if not whole else f"{100 * part / whole:.0f} %"


def stat_num(values: list[float], digits: int = 0, unit: str = "") -> str:
    """The median of ``values`` and their spread: ``987 (943–1,011)``."""
    s = summary(values)
    if not s.n:
        return DASH
    if s.n == 1:
        return f"{num(s.median, digits)}{unit}"
    return f"{num(s.median, digits)}{unit} ({num(s.min, digits)}–{num(s.max, digits)})"


def ms_from_us(values: list[float]) -> str:
    """Latencies given in µs, written in ms."""
    return stat_num([v / 1000 for v in values], 2, " ms")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (``|`` and newlines in cells escaped)."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += [
        "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |"
        for row in rows
    ]
    return "\n".join(lines)


def titled_table(title: str, prose: str, header: list[str], rows: list[list[str]]) -> str:
    """``### title``, a paragraph, and a table."""
    return f"### {title}\n\n{prose}\n\n" + table(header, rows) + "\n"


def not_measured(title: str, error: str | None) -> str:
    """A chapter whose section did not run, with the end of its error when it failed."""
    return f"## {title}\n\nNot measured" + (f": {error[-400:]}" if error else ".") + "\n"
