"""The report's charts: matplotlib drawn straight to inline SVG with real, selectable text.

One style for all of them: DejaVu Sans (the report's font), greys that stay distinct when printed
in black and white (dark = pure large model, light = heterogeneous), thin black edges, no
background. Every function takes plain data (lists of labels and numbers) and returns the SVG as a
string, so the charts can be tested without the engine or the PDF.

Deterministic: ids are salted per chart (``svg.hashsalt``) and no date is written, so the same data
gives the same SVG bytes. Text is never parsed as mathtext (``text.parse_math`` off), so a ``$`` in a
scenario name is just a dollar sign. Labels longer than ``MAX_LABEL`` characters are shortened with an
ellipsis (the tables beside each chart carry the full text).
"""

from __future__ import annotations

import io
import math
import os
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from functools import lru_cache

from .formatting import ENGLISH, Formatter

DARK = "#3a3a3a"  # pure large model
LIGHT = "#b8b8b8"  # heterogeneous
MID = "#7a7a7a"
INK = "#1a1a1a"
GRID = "#d9d9d9"
WIDTH_IN = 6.6  # the text width of an A4 portrait page (174 mm)
MAX_LABEL = 40

# The words the charts print; the report passes them in its language (see ``render.chart_texts``).
TEXTS = {
    "pure": "A. Pure large model",
    "hetero": "B. Heterogeneous (planner + executor)",
    "annual_cost": "Annual cost (USD per year)",
    "saves": "B saves {share}",
    "costs_more": "B costs {share} more",
    "pays_from": "pays from {qps} QPS",
    "savings_share": "Savings share (whole instances)",
    "peak_load": "Peak load (QPS)",
    "savings_axis": "Annual savings (share of pure cost)",
    "year": "Year",
    "not_viable": "not viable",
    "annual_savings": "Annual savings (USD per year)",
    "faster": "{share} faster",
    "slower": "{share} slower",
    "latency": "Latency (ms)",
    "ms": "{value} ms",
}


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, ...]:
    """DejaVu Sans first; a CJK fallback if one is installed (so Chinese labels are measured right)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    fallbacks = [n for n in ("Noto Sans CJK SC", "WenQuanYi Micro Hei") if n in names]
    return ("DejaVu Sans", *fallbacks[:1])


def _style(salt: str) -> dict:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": f"xlcost-{salt}",
        "font.family": list(_fonts()),
        "font.size": 8.5,
        "axes.titlesize": 9,
        "axes.labelsize": 8,
        "axes.edgecolor": MID,
        "axes.linewidth": 0.6,
        "axes.labelcolor": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "xtick.color": INK,
        "ytick.color": INK,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "text.parse_math": False,
        "text.color": INK,
        "hatch.linewidth": 0.5,
        "lines.linewidth": 1.4,
    }


def label(text: object, limit: int = MAX_LABEL) -> str:
    """A workbook string fit for a chart: one line, at most ``limit`` characters."""
    s = " ".join(str(text if text is not None else "").split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _quiet_font_warnings() -> None:
    """The CJK fallback font has one weight: matplotlib's note that bold falls back to regular is noise."""
    import logging

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


def _use_agg(matplotlib) -> None:
    """Agg, never a GUI backend, unless the host program already chose one (pyplot imported or
    MPLBACKEND set): SVG is written by its own canvas either way."""
    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg", force=False)


@contextmanager
def _canvas(salt: str, height_in: float, ncols: int = 1, nrows: int = 1):
    """A figure in the report's style; on leaving the block, ``out["svg"]`` holds its SVG."""
    import matplotlib

    _use_agg(matplotlib)
    _quiet_font_warnings()
    from matplotlib.figure import Figure

    out: dict[str, str] = {}
    with matplotlib.rc_context(_style(salt)):
        fig = Figure(figsize=(WIDTH_IN, height_in))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        yield fig, axes, out
        out["svg"] = _svg(fig)


def _svg(fig) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buf = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    return text[text.find("<svg"):].strip()  # no XML prolog or DOCTYPE


def _legend(ax) -> None:
    """Above the plot, left-aligned, in one row: never on top of the data."""
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=2, borderaxespad=0.2, handlelength=1.2)


def _grid(ax, axis: str = "x") -> None:
    ax.grid(True, axis=axis, color=GRID, linewidth=0.5)


def _bar_labels(ax, bars, texts: Sequence[str]) -> None:
    for bar, text in zip(bars, texts, strict=True):
        width = bar.get_width()
        x = bar.get_x() + width
        ax.annotate(text, (x, bar.get_y() + bar.get_height() / 2), xytext=(3 if width >= 0 else -3, 0),
                    textcoords="offset points", va="center", ha="left" if width >= 0 else "right",
                    fontsize=8)


def _option_bars(ax, ys: Sequence[float], pure: Sequence[float], hetero: Sequence[float], text: dict):
    """Horizontal bars of both options side by side at each y (pure dark, heterogeneous light)."""
    h = 0.38
    pure_bars = ax.barh([y - h / 2 for y in ys], pure, height=h, color=DARK, edgecolor=INK, linewidth=0.4,
                        label=text["pure"])
    hetero_bars = ax.barh([y + h / 2 for y in ys], hetero, height=h, color=LIGHT, edgecolor=INK, linewidth=0.4,
                          label=text["hetero"])
    return pure_bars, hetero_bars


def option_cost_panels(scenarios: Sequence[str], loads: Sequence[str], option_names: Sequence[str],
                       costs: Sequence[Sequence[float]], savings_share: Sequence[float], text: dict | None = None,
                       fmt: Formatter = ENGLISH) -> str:
    """One panel per scenario, each on its own scale: the annual cost of every option (``costs[option]
    [scenario]``; the first two options are A and B). A scenario where B loses money is as visible as
    one where it saves 80%."""
    text = {**TEXTS, **(text or {})}
    n = max(len(scenarios), 1)
    shades = [DARK, LIGHT, MID, "#e0e0e0"]
    with _canvas("option-costs", 0.75 + 0.42 * len(costs), ncols=n) as (fig, axes, out):
        for k in range(n):
            ax = axes[0][k]
            values = [float(c[k]) for c in costs]
            ys = list(range(len(values)))
            bars = ax.barh(ys, values, height=0.62, color=shades[:len(values)], edgecolor=INK, linewidth=0.4)
            for bar, v in zip(bars, values, strict=True):
                ax.annotate(fmt.money(v), (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                            textcoords="offset points", va="center", ha="left", fontsize=8)
            ax.set_yticks(ys, [label(x, 22) for x in option_names] if k == 0 else [])
            ax.invert_yaxis()
            top = max([0.0, *values])
            ax.set_xlim(0, top * 1.55 if top > 0 else 1)
            ax.set_xticks([])
            ax.spines["bottom"].set_visible(False)
            share = savings_share[k]
            verdict = (text["saves"] if share >= 0 else text["costs_more"]).format(share=fmt.pct(abs(share)))
            ax.set_title(f"{label(scenarios[k], 34)}\n{loads[k]}", fontsize=8)
            ax.set_xlabel(verdict, fontsize=8, fontweight="bold" if share < 0 else "normal")
        fig.tight_layout(w_pad=0.8)
    return out["svg"]


def savings_load_chart(
    band_from: Sequence[float], band_to: Sequence[float], savings: Sequence[float], resolution: float,
    breakeven_qps: float | None, marker_qps: float | None = None, marker_label: str = "",
    text: dict | None = None, fmt: Formatter = ENGLISH,
) -> str:
    """Savings share against load as a step chart; the breakeven load and the scenario's load marked.

    ``band_from``/``band_to``/``savings``: bands of load over which the instance counts (and so the
    savings share) are constant; ``resolution`` is the sweep's load step (the gap between bands).
    """
    text = {**TEXTS, **(text or {})}
    with _canvas("savings-load", 2.9) as (fig, axes, out):
        ax = axes[0][0]
        xs: list[float] = []
        ys: list[float] = []
        for a, b, s in zip(band_from, band_to, savings, strict=True):
            xs += [a, b + resolution]
            ys += [s * 100, s * 100]
        ax.plot(xs, ys, color=INK, linewidth=1.2, drawstyle="default", label=text["savings_share"])
        ax.axhline(0, color=MID, linewidth=0.6)
        top = max(xs) if xs else 1.0
        if breakeven_qps is not None:
            ax.axvline(breakeven_qps, color=INK, linestyle=(0, (4, 2)), linewidth=0.9)
            ax.annotate(text["pays_from"].format(qps=fmt.smart(breakeven_qps)), (breakeven_qps, 0.04),
                        xycoords=("data", "axes fraction"), xytext=(4, 0), textcoords="offset points", fontsize=8,
                        ha="left", va="bottom",
                        bbox={"boxstyle": "square,pad=0.2", "facecolor": "white", "edgecolor": "none"})
        if marker_qps is not None and 0 < marker_qps <= top:
            ax.axvline(marker_qps, color=MID, linestyle=(0, (1, 1.5)), linewidth=0.9)
            ax.annotate(label(marker_label, 44) or f"{fmt.smart(marker_qps)} QPS", (marker_qps, 0.96),
                        xycoords=("data", "axes fraction"), xytext=(-4, 0), textcoords="offset points", fontsize=8,
                        ha="right", va="top",
                        bbox={"boxstyle": "square,pad=0.2", "facecolor": "white", "edgecolor": "none"})
        ax.set_xlim(0, top)
        low = min([0.0, *ys])
        ax.set_ylim(min(low * 1.3, -8), 100)
        ax.yaxis.set_major_formatter(lambda v, _p: fmt.pct(v / 100, 0))
        ax.set_xlabel(text["peak_load"])
        ax.set_ylabel(text["savings_axis"])
        _grid(ax, "both")
        fig.tight_layout()
    return out["svg"]


def cumulative_cash_chart(scenarios: Sequence[str], cumulative: Sequence[Sequence[float]], text: dict | None = None,
                          fmt: Formatter = ENGLISH) -> str:
    """One small panel per scenario: cumulative discounted cash flow by year (each with its own scale)."""
    text = {**TEXTS, **(text or {})}
    n = max(len(scenarios), 1)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    with _canvas("cumulative-cash", 0.4 + 2.0 * nrows, ncols=ncols, nrows=nrows) as (fig, axes, out):
        for k in range(nrows * ncols):
            ax = axes[k // ncols][k % ncols]
            if k >= len(scenarios):
                ax.set_axis_off()
                continue
            values = list(cumulative[k])
            years = list(range(len(values)))
            ax.bar(years, values, color=[DARK if v < 0 else LIGHT for v in values], edgecolor=INK, linewidth=0.4,
                   width=0.6)
            ax.plot(years, values, color=INK, linewidth=0.9, marker="o", markersize=2.5)
            ax.axhline(0, color=MID, linewidth=0.6)
            ax.set_title(label(scenarios[k], 30), fontsize=8)
            ax.set_xticks(years)
            ax.set_xlabel(text["year"])
            ax.yaxis.set_major_formatter(fmt.usd_axis)
            ax.annotate(fmt.money(values[-1]), (years[-1], values[-1]), xytext=(0, 3 if values[-1] >= 0 else -9),
                        textcoords="offset points", ha="center", fontsize=8)
            lo, hi = min(0.0, *values), max(0.0, *values)
            pad = (hi - lo) * 0.2 or 1.0
            ax.set_ylim(lo - (pad if lo < 0 else 0), hi + pad)
            _grid(ax, "y")
        fig.tight_layout(w_pad=1.2)
    return out["svg"]


def market_chart(names: Sequence[str], savings_usd: Sequence[float], viable: Sequence[bool | None],
                 text: dict | None = None, fmt: Formatter = ENGLISH) -> str:
    """Annual savings of the primary scenario under each market scenario (first row: base case)."""
    text = {**TEXTS, **(text or {})}
    n = len(names)
    with _canvas("market", 0.8 + 0.34 * max(n, 1)) as (fig, axes, out):
        ax = axes[0][0]
        ys = list(range(n))
        colors = [LIGHT if v else DARK for v in viable]
        bars = ax.barh(ys, savings_usd, height=0.55, color=colors, edgecolor=INK, linewidth=0.4)
        texts = [fmt.money(v) + ("" if ok else f"  ({text['not_viable']})")
                 for v, ok in zip(savings_usd, viable, strict=True)]
        _bar_labels(ax, bars, texts)
        ax.set_yticks(ys, [label(s, 36) for s in names])
        ax.invert_yaxis()
        ax.axvline(0, color=MID, linewidth=0.6)
        ax.xaxis.set_major_formatter(fmt.usd_axis)
        lo, hi = min([0.0, *savings_usd]), max([0.0, *savings_usd])
        span = (hi - lo) or 1.0
        ax.set_xlim(lo - (0.3 * span if lo < 0 else 0), hi + 0.22 * span)
        ax.set_xlabel(text["annual_savings"])
        _grid(ax)
        fig.tight_layout()
    return out["svg"]


def latency_chart(task_classes: Sequence[str], pure_ms: Sequence[float], hetero_ms: Sequence[float],
                  improvement: Sequence[float], text: dict | None = None, fmt: Formatter = ENGLISH) -> str:
    """Latency per task class, both options, with the improvement labelled."""
    text = {**TEXTS, **(text or {})}
    n = len(task_classes)
    with _canvas("latency", 0.8 + 0.5 * max(n, 1)) as (fig, axes, out):
        ax = axes[0][0]
        ys = list(range(n))
        b1, b2 = _option_bars(ax, ys, pure_ms, hetero_ms, text)
        ms = text["ms"]
        _bar_labels(ax, b1, [ms.format(value=fmt.smart(v)) for v in pure_ms])
        _bar_labels(ax, b2, [ms.format(value=fmt.smart(v)) + " ("
                             + (text["faster"] if i >= 0 else text["slower"]).format(share=fmt.pct(abs(i))) + ")"
                             for v, i in zip(hetero_ms, improvement, strict=True)])
        ax.set_yticks(ys, [label(s, 24) for s in task_classes])
        ax.invert_yaxis()
        top = max([0.0, *pure_ms, *hetero_ms])
        ax.set_xlim(0, top * 1.45 if top > 0 else 1)
        ax.set_xlabel(text["latency"])
        _grid(ax)
        _legend(ax)
        fig.tight_layout()
    return out["svg"]
