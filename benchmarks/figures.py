"""The figures of issue 4: what is measured, its target and its baseline, in one table.

A figure passes when its median (and worst, where a limit is given) meets the absolute limits
and its median divided by its baseline's median meets the ratio limit.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One row of the report. Values are kept in seconds (or MB for memory)."""

    name: str
    label: str
    group: str
    unit: str = "s"  # "s", "ms" (measured in seconds, shown in ms) or "MB"
    median_max: float | None = None  # absolute limit on the median, in seconds or MB
    worst_max: float | None = None  # absolute limit on the worst sample
    ratio_max: float | None = None  # limit on median / baseline median
    baseline: str | None = None  # the figure this one is compared with
    is_baseline: bool = False


S = "s"
MS = "ms"
MB = "MB"

#: Every figure, its target and its baseline: the only place targets are written down.
FIGURES: tuple[Figure, ...] = (
    # baselines, measured in the same run
    Figure("python-pass", "python -c pass, whole process", "python", MS, is_baseline=True),
    Figure(
        "python-click", 'python -c "import click", whole process', "python", MS, is_baseline=True
    ),
    Figure("empty-textual", "empty Textual app, launch to text", "empty-app", S, is_baseline=True),
    Figure("less-launch", "less War and Peace, launch to text", "less", S, is_baseline=True),
    Figure("less-key-space", "less, key Space to screen change", "less", MS, is_baseline=True),
    Figure("less-key-j", "less, key j to screen change", "less", MS, is_baseline=True),
    # opening
    Figure(
        "reopen-id",
        "reopen War and Peace, `margin open ID`, launch to text",
        "reopen",
        S,
        ratio_max=1.5,
        baseline="empty-textual",
    ),
    Figure(
        "reopen-path",
        "reopen War and Peace, `margin PATH`, launch to text",
        "reopen",
        S,
        ratio_max=1.5,
        baseline="empty-textual",
    ),
    Figure(
        "first-open",
        "first open of War and Peace (import included), launch to text",
        "first-open",
        S,
        median_max=1.0,
        baseline="empty-textual",
    ),
    Figure(
        "first-open-10mb",
        "first open of a 10 MB book, launch to text",
        "big",
        S,
        median_max=2.5,
        baseline="empty-textual",
    ),
    Figure(
        "memory-10mb",
        "peak memory (VmHWM) opening the 10 MB book",
        "big",
        MB,
        median_max=200.0,
    ),
    # keys on War and Peace with 10,000 annotations
    *(
        Figure(
            f"key-{name}",
            f"key {label} to screen change (10,000 annotations)",
            "keys",
            MS,
            median_max=0.016,
            worst_max=0.050,
            baseline="less-key-space",
        )
        for name, label in (("j", "j"), ("space", "Space"), ("G", "G"), ("next-ann", "]"))
    ),
    Figure(
        "key-quick-tag",
        "key 1 (quick tag) to the new highlight's count in the status line",
        "keys",
        MS,
        median_max=0.033,
        baseline="less-key-space",
    ),
    Figure(
        "search-char",
        "incremental search, typed character to `match i/N` shown",
        "keys",
        MS,
        median_max=0.050,
        baseline="less-key-space",
    ),
    # the command line over a library of 1,000 documents and 100,000 annotations
    Figure(
        "cli-search",
        "`margin search` over 1,000 documents / 100,000 annotations",
        "cli",
        S,
        median_max=0.3,
        baseline="python-pass",
    ),
    Figure(
        "cli-export-md",
        "`margin export --format md` of 100,000 annotations",
        "cli",
        S,
        median_max=3.0,
        baseline="python-pass",
    ),
    Figure(
        "cli-list",
        "`margin list` (1,000 documents)",
        "cli",
        S,
        ratio_max=2.0,
        baseline="python-click",
    ),
    Figure("cli-help", "`margin --help`", "cli", S, ratio_max=2.0, baseline="python-click"),
)

BY_NAME = {f.name: f for f in FIGURES}
GROUPS = tuple(dict.fromkeys(f.group for f in FIGURES))


@dataclass
class Result:
    """The samples of one figure, with notes (timeouts, progress seen, and the like)."""

    figure: Figure
    samples: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: str = ""  # why it was not measured

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def worst(self) -> float | None:
        return max(self.samples) if self.samples else None


def ratio(result: Result, results: dict[str, Result]) -> float | None:
    """Median over the baseline's median, when both were measured."""
    name = result.figure.baseline
    base = results.get(name) if name else None
    if result.median is None or base is None or not base.median:
        return None
    return result.median / base.median


def verdict(result: Result, results: dict[str, Result]) -> str:
    """ "pass", "FAIL", "-" (a baseline, or nothing to judge) or "not measured"."""
    fig = result.figure
    if result.median is None:
        return "not measured"
    if fig.is_baseline:
        return "-"
    checks: list[bool] = []
    if fig.median_max is not None:
        checks.append(result.median <= fig.median_max)
    if fig.worst_max is not None:
        assert result.worst is not None
        checks.append(result.worst <= fig.worst_max)
    if fig.ratio_max is not None:
        r = ratio(result, results)
        if r is None:
            return "no baseline"
        checks.append(r <= fig.ratio_max)
    if any(note.startswith("FAIL") for note in result.notes):
        checks.append(False)
    if not checks:
        return "-"
    return "pass" if all(checks) else "FAIL"


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == MS:
        return f"{value * 1000:.1f} ms"
    if unit == MB:
        return f"{value:.0f} MB"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def target_text(fig: Figure) -> str:
    """The target as the issue states it."""
    parts = []
    if fig.median_max is not None:
        parts.append(f"median ≤ {show(fig.median_max, fig.unit)}")
    if fig.worst_max is not None:
        parts.append(f"worst ≤ {show(fig.worst_max, fig.unit)}")
    if fig.ratio_max is not None:
        parts.append(f"≤ {fig.ratio_max:g} × {fig.baseline}")
    return ", ".join(parts) if parts else "(baseline)" if fig.is_baseline else "–"
