"""The report's charts: matplotlib drawn straight to inline SVG with real, selectable text.

One style for all of them: DejaVu Sans (the report's font), greys that stay distinct when printed
in black and white (dark = option A, light = option B, hatched = the pay-per-token options C and D),
thin black edges, no background. Every function takes plain data (lists of labels and numbers) and returns the SVG as a
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
HALF_WIDTH_IN = 3.9  # a chart beside its text
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
    "no_price": "no API price",
    "input_p10": "input at its P10",
    "input_p90": "input at its P90",
    "ra_npv": "Risk-adjusted NPV (USD)",
    "point": "point estimate",
    "chance_at_most": "Chance the outcome is at most this",
    "loss": "loss",
    "throughput": "Request throughput (requests per second)",
    "ttft": "p99 time to first token (ms)",
    "meets": "meets the targets",
    "misses": "misses them",
    "chosen": "capacity used",
    "target": "target, {call}",
    "hour": "Hour of the day",
    "gpus": "GPUs running",
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
def _canvas(salt: str, height_in: float, ncols: int = 1, nrows: int = 1, width_in: float = WIDTH_IN):
    """A figure in the report's style; on leaving the block, ``out["svg"]`` holds its SVG."""
    import matplotlib

    _use_agg(matplotlib)
    _quiet_font_warnings()
    from matplotlib.figure import Figure

    out: dict[str, str] = {}
    with matplotlib.rc_context(_style(salt)):
        fig = Figure(figsize=(width_in, height_in))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        yield fig, axes, out
        out["svg"] = _svg(fig)


@contextmanager
def _small_multiples(salt: str, count: int, most_columns: int, row_height_in: float, extra_in: float):
    """A grid of ``count`` panels, at most ``most_columns`` a row, the empty cells hidden: yields the figure,
    the panels' axes in reading order, the columns per row and the output (as ``_canvas``)."""
    ncols = min(max(count, 1), most_columns)
    nrows = math.ceil(max(count, 1) / ncols)
    with _canvas(salt, extra_in + row_height_in * nrows, ncols=ncols, nrows=nrows) as (fig, grid, out):
        cells = [ax for row in grid for ax in row]
        for ax in cells[count:]:
            ax.set_axis_off()
        yield fig, cells[:count], ncols, out


def _svg(fig) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buf = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    return text[text.find("<svg"):].strip()  # no XML prolog or DOCTYPE


def _legend(ax) -> None:
    """Above the plot, left-aligned, in one row: never on top of the data."""
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=2, borderaxespad=0.2, handlelength=1.2)


def _money_ticks(axis, most: int, fmt: Formatter) -> None:
    """At most ``most`` round amounts on a money axis (Chinese amounts are wide: ``US$8,000万``)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=most, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(fmt.usd_axis)


def _grid(ax, axis: str = "x") -> None:
    ax.grid(True, axis=axis, color=GRID, linewidth=0.5)


# Options A to D: self-hosted options solid, pay-per-token options hatched (distinct in black and white).
OPTION_SHADES = ((DARK, ""), (LIGHT, ""), (MID, "////"), ("#e4e4e4", "////"))


def option_cost_panels(scenarios: Sequence[str], loads: Sequence[str], option_names: Sequence[str],
                       costs: Sequence[Sequence[float]], savings_share: Sequence[float], text: dict | None = None,
                       fmt: Formatter = ENGLISH) -> str:
    """One panel per scenario, each on its own scale: the annual cost of every option (``costs[option]
    [scenario]``; the first two options are A and B; NaN: the option has no price). A scenario where B loses
    money is as visible as one where it saves 80%."""
    text = {**TEXTS, **(text or {})}
    n = max(len(scenarios), 1)
    with _canvas("option-costs", 0.75 + 0.42 * len(costs), ncols=n) as (fig, axes, out):
        for k in range(n):
            ax = axes[0][k]
            values = [float(c[k]) for c in costs]
            ys = list(range(len(values)))
            shown = [0.0 if math.isnan(v) else v for v in values]
            shades = OPTION_SHADES[:len(values)]
            bars = ax.barh(ys, shown, height=0.62, color=[c for c, _h in shades], hatch=[h for _c, h in shades],
                           edgecolor=INK, linewidth=0.4)
            for bar, v in zip(bars, values, strict=True):
                ax.annotate(text["no_price"] if math.isnan(v) else fmt.money(v),
                            (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                            textcoords="offset points", va="center", ha="left", fontsize=8)
            ax.set_yticks(ys, [label(x, 22) for x in option_names] if k == 0 else [])
            ax.invert_yaxis()
            top = max([0.0, *shown])
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
    with _canvas("savings-load", 2.4) as (fig, axes, out):
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
    with _small_multiples("cumulative-cash", len(scenarios), 3, 2.0, 0.4) as (fig, cells, _ncols, out):
        for k, ax in enumerate(cells):
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


def tornado_chart(inputs: Sequence[str], base: float, at_p10: Sequence[float], at_p90: Sequence[float],
                  text: dict | None = None, fmt: Formatter = ENGLISH) -> str:
    """Each uncertain input alone at its P10 (light) and its P90 (dark): the output's swing around the point
    estimate, the widest first (the table beside it gives the inputs' values)."""
    text = {**TEXTS, **(text or {})}
    n = len(inputs)
    with _canvas("tornado", 0.7 + 0.3 * max(n, 1)) as (fig, axes, out):
        ax = axes[0][0]
        ys = list(range(n))
        for y, lo, hi in zip(ys, at_p10, at_p90, strict=True):
            # Both ends may lie on one side of the point estimate: the longer bar first, the shorter on top.
            ends = sorted(((lo, LIGHT, text["input_p10"]), (hi, DARK, text["input_p90"])),
                          key=lambda end: -abs(end[0] - base))
            for value, color, name in ends:
                ax.barh(y, value - base, left=base, height=0.6, color=color, edgecolor=INK, linewidth=0.4,
                        label=name if y == 0 else None)
        ax.axvline(base, color=INK, linewidth=0.8)
        ax.set_yticks(ys, [label(s, 44) for s in inputs])
        ax.invert_yaxis()
        ends = [base, *at_p10, *at_p90]
        spread = (max(ends) - min(ends)) or abs(base) or 1.0
        ax.set_xlim(min(ends) - 0.06 * spread, max(ends) + 0.06 * spread)
        _money_ticks(ax.xaxis, 6, fmt)
        ax.set_xlabel(text["ra_npv"])
        _grid(ax)
        _legend(ax)
        fig.tight_layout()
    return out["svg"]


def s_curve_chart(values: Sequence[float], probabilities: Sequence[float], point: float, marks: Sequence[float],
                  mark_names: Sequence[str], text: dict | None = None, fmt: Formatter = ENGLISH) -> str:
    """The cumulative distribution of an outcome over the trials (the chance it is at most x), its P10 / P50 /
    P90 marked, the single-point estimate and, when in range, zero (a loss to its left)."""
    text = {**TEXTS, **(text or {})}
    with _canvas("s-curve", 2.6, width_in=HALF_WIDTH_IN) as (fig, axes, out):
        ax = axes[0][0]
        ax.plot(values, [p * 100 for p in probabilities], color=INK, linewidth=1.4)
        for value, name in zip(marks, mark_names, strict=True):
            ax.axvline(value, color=MID, linestyle=(0, (1, 1.5)), linewidth=0.8)
            ax.annotate(f"{name} {fmt.money(value)}", (value, 0.02), xycoords=("data", "axes fraction"),
                        xytext=(3, 0), textcoords="offset points", fontsize=8, rotation=90, va="bottom")
        ax.axvline(point, color=INK, linestyle=(0, (4, 2)), linewidth=0.9)
        ax.annotate(f"{text['point']}\n{fmt.money(point)}", (point, 0.5), xycoords=("data", "axes fraction"),
                    xytext=(4, 0), textcoords="offset points", fontsize=8, ha="left", va="center",
                    bbox={"boxstyle": "square,pad=0.2", "facecolor": "white", "edgecolor": "none"})
        lo, hi = min(values), max(values)
        if lo < 0 < hi:
            ax.axvspan(lo, 0, color="#ececec", zorder=0)
            ax.annotate(text["loss"], (lo, 0.5), xycoords=("data", "axes fraction"), xytext=(4, 0),
                        textcoords="offset points", fontsize=8)
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(lambda v, _p: fmt.pct(v / 100, 0))
        _money_ticks(ax.xaxis, 4, fmt)
        ax.set_xlabel(text["ra_npv"])
        ax.set_ylabel(text["chance_at_most"])
        _grid(ax, "both")
        fig.tight_layout()
    return out["svg"]


def capacity_chart(panels: Sequence[dict], text: dict | None = None, fmt: Formatter = ENGLISH) -> str:
    """One panel per measured model: each comparable load-test run's request throughput against its p99 time to
    first token, filled where the run meets the call type's targets, the run whose capacity is used ringed,
    and each call type's target drawn as a line."""
    text = {**TEXTS, **(text or {})}
    with _small_multiples("capacity", len(panels), 2, 2.3, 0.5) as (fig, cells, _ncols, out):
        for k, ax in enumerate(cells):
            panel = panels[k]
            points = sorted(panel["points"], key=lambda p: p["qps"])
            ax.plot([p["qps"] for p in points], [p["ms"] for p in points], color=MID, linewidth=0.6, zorder=1)
            for meets in (True, False):
                chosen = [p for p in points if p["meets"] == meets]
                if chosen:
                    ax.scatter([p["qps"] for p in chosen], [p["ms"] for p in chosen], s=18, zorder=3,
                               color=DARK if meets else "white", edgecolors=INK, linewidths=0.6,
                               label=text["meets"] if meets else text["misses"])
            used = [p for p in points if p["chosen"]]
            if used:
                ax.scatter([p["qps"] for p in used], [p["ms"] for p in used], s=90, facecolors="none",
                           edgecolors=INK, linewidths=1.0, zorder=4, label=text["chosen"])
                for p in used:
                    ax.annotate(fmt.qps(p["qps"]), (p["qps"], p["ms"]), xytext=(6, -10), textcoords="offset points",
                                fontsize=8)
            for limit, call in panel["limits"]:
                ax.axhline(limit, color=INK, linestyle=(0, (4, 2)), linewidth=0.8)
                ax.annotate(text["target"].format(call=call), (0.02, limit), xycoords=("axes fraction", "data"),
                            xytext=(0, 2), textcoords="offset points", fontsize=8, va="bottom",
                            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
            ax.set_title(label(panel["model"], 34), fontsize=8.5)
            ax.set_xlabel(text["throughput"])
            ax.set_ylabel(text["ttft"])
            ax.set_xlim(left=0)
            ax.set_ylim(bottom=0)
            _grid(ax, "both")
            if k == 0:
                ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
    return out["svg"]


def hourly_fleet_chart(scenarios: Sequence[str], pure_gpus: Sequence[Sequence[float]],
                       hetero_gpus: Sequence[Sequence[float]], text: dict | None = None,
                       fmt: Formatter = ENGLISH) -> str:
    """One small panel per scenario: the GPUs each self-hosted option runs in each hour of the day."""
    text = {**TEXTS, **(text or {})}
    with _small_multiples("hourly-fleet", len(scenarios), 3, 1.9, 0.6) as (fig, cells, ncols, out):
        for k, ax in enumerate(cells):
            hours = list(range(len(pure_gpus[k]) + 1))
            ax.stairs(pure_gpus[k], hours, color=DARK, linewidth=1.3, label=text["pure"])
            ax.stairs(hetero_gpus[k], hours, color=MID, linewidth=1.3, linestyle=(0, (3, 1.5)), label=text["hetero"])
            ax.set_title(label(scenarios[k], 30), fontsize=8)
            ax.set_xticks([0, 6, 12, 18, 24])
            ax.set_xlim(0, 24)
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(lambda v, _p: fmt.smart(v, 0))
            ax.set_xlabel(text["hour"])
            if k % ncols == 0:
                ax.set_ylabel(text["gpus"])
            _grid(ax, "y")
        handles, names = cells[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="upper left", ncols=2, fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0, 1, 0.9))
    return out["svg"]
