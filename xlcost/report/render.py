"""The PDF decision report: results -> template context -> HTML (Jinja2) -> PDF (WeasyPrint).

Everything the templates show is computed here from ``Results`` (and re-runs of the engine for
"what would change the answer"); the templates only lay it out and format numbers through the
filters of ``formatting``. Workbook text reaches the HTML only through autoescaped expressions; the
one kind of markup passed through unescaped is the SVG that ``charts`` drew.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.resources
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import contract
from ..contract import Problem
from ..engine.model import Results
from . import charts
from . import formatting as F

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
KEYWORDS = ("xlcost", "LLM serving cost", "Plan/Act", "heterogeneous deployment", "GPU capacity", "NPV",
            "payback", "decision report")
SUBJECT = ("Decision report: serving Plan/Act agent traffic on one large model or on a large planner with a "
           "small executor; cost, capacity, latency, SLA, NPV, risk and breakeven.")
# Bisection steps for the "what would change the answer" thresholds (2^-22 of the searched range).
THRESHOLD_STEPS = 22
HEADER_TITLE_CHARS = 90


# ---------------------------------------------------------------------------------------------
# Environment: templates, version, time
# ---------------------------------------------------------------------------------------------


def default_templates_dir() -> Path:
    """The packaged templates (``xlcost.templates``), else the repository's ``templates/``."""
    try:
        res = importlib.resources.files("xlcost.templates")
        for candidate in getattr(res, "_paths", None) or [res]:
            path = Path(str(candidate))
            if (path / TEMPLATE).is_file():
                return path
    except (ModuleNotFoundError, TypeError, ValueError):
        pass
    return Path(__file__).resolve().parents[2] / "templates"


def template_dirs(templates_dir: Path | None) -> list[Path]:
    """The override folder first (if any), then the packaged templates for whatever it lacks."""
    default = default_templates_dir()
    if templates_dir is None:
        return [default]
    override = Path(templates_dir).resolve()
    if not override.is_dir():
        raise FileNotFoundError(f"templates folder not found: {templates_dir}")
    return [override] if override == default.resolve() else [override, default]


def xlcost_version() -> str:
    try:
        import xlcost

        version = getattr(xlcost, "__version__", None)
        if version:
            return str(version)
    except ImportError:  # pragma: no cover
        pass
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as dist_version

        return dist_version("xlcost")
    except (ImportError, PackageNotFoundError):
        pass
    try:  # a source checkout: read pyproject.toml beside the package
        import tomllib

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]) + "+source"
    except Exception:  # noqa: BLE001 - a version string must never stop a report
        return "unknown"


def resolve_generated_at(generated_at: datetime | None) -> datetime:
    """The given time; else ``SOURCE_DATE_EPOCH`` (reproducible builds); else now. Always UTC."""
    if generated_at is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        generated_at = datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch else datetime.now(timezone.utc)
    if generated_at.tzinfo is None:
        generated_at = generated_at.replace(tzinfo=timezone.utc)
    return generated_at.astimezone(timezone.utc).replace(microsecond=0)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _f(x: Any) -> float | None:
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def _name(inputs, table: str, row_id: str) -> str:
    t = inputs.table(table)
    if "name" in t.columns:
        name = t["name"][t.index(row_id)]
        if name:
            return str(name)
    return str(row_id)


def _short(text: str, limit: int) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _crossing(f, lo: float, hi: float, steps: int = THRESHOLD_STEPS) -> float | None:
    """Where a monotone ``f`` changes sign on [lo, hi] (bisection), or None if it does not."""
    f_lo, f_hi = f(lo), f(hi)
    if not (np.isfinite(f_lo) and np.isfinite(f_hi)) or (f_lo > 0) == (f_hi > 0):
        return None
    for _ in range(steps):
        mid = (lo + hi) / 2
        if (f(mid) > 0) == (f_lo > 0):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# ---------------------------------------------------------------------------------------------
# The decision: recommendation, conditions, what would change it
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """Values of single inputs at which the primary scenario's risk-adjusted NPV reaches zero."""

    gpu_price_multiplier: float | None
    escalation_rate: float | None
    small_qps_multiplier: float | None


def thresholds(results: Results) -> Thresholds:
    """Re-run the core engine with one input changed at a time (bisection on each)."""
    from ..engine.core import compute_core
    from ..engine.market import apply_change

    inputs, core = results.inputs, results.core
    p = core.scenario_ids.index(results.primary_scenario)

    def ra_npv(changed) -> float:
        try:
            return float(compute_core(changed).cash.risk_adjusted_npv_usd[p])
        except Exception:  # noqa: BLE001 - an input the engine rejects simply has no threshold
            return float("nan")

    def gpu(k: float) -> float:
        return ra_npv(apply_change(inputs, "gpu_price", k, None, core.gpu_hour_usd))

    gpu_k = _crossing(gpu, 0.0, 1.0)
    if gpu_k is None:
        gpu_k = _crossing(gpu, 1.0, 100.0)

    s = inputs.table("scenarios")

    def escalation(e: float) -> float:
        rates = np.array(s["escalation_rate"], dtype=float)
        rates[p] = e
        return ra_npv(inputs.with_table(s.with_columns(escalation_rate=rates)))

    esc = _crossing(escalation, 0.0, 1.0)

    def small(m: float) -> float:
        return ra_npv(apply_change(inputs, "small_model_qps", m, None, core.gpu_hour_usd))

    small_m = _crossing(small, 1e-6, 1.0)
    if small_m is None:
        small_m = _crossing(small, 1.0, 1000.0)
    return Thresholds(gpu_k, esc, small_m)


def _tier_for(results: Results, load: float):
    for tier in results.tiers:
        if tier.min_qps - 1e-9 <= load <= tier.max_qps + 1e-9:
            return tier
    if not results.tiers:
        return None
    return min(results.tiers, key=lambda t: min(abs(load - t.min_qps), abs(load - t.max_qps)))


def decision(results: Results, th: Thresholds) -> dict[str, Any]:
    """The recommendation in one sentence, its conditions, and the three things that would change it."""
    inp, core = results.inputs, results.core
    d, cash = core.deployment, core.cash
    p = core.scenario_ids.index(results.primary_scenario)
    s = inp.table("scenarios")
    name = _name(inp, "scenarios", results.primary_scenario)
    load = float(s["peak_qps"][p])
    years = int(inp.param("horizon_years"))
    ra_npv = float(cash.risk_adjusted_npv_usd[p])
    savings = float(d.annual_savings_usd[p])
    tier = _tier_for(results, load)
    viable = ra_npv > 0
    if viable:
        label = tier.recommendation if tier is not None else "Proceed"
        stars = tier.stars if tier is not None else 0
        sentence = (
            f"{label} — the heterogeneous planner + executor deployment for {name} ({F.qps(load)} QPS): it saves "
            f"{F.money(savings)} a year ({F.pct(d.savings_pct[p])} of the pure large model's cost) and its "
            f"risk-adjusted NPV over {years} years is {F.money(ra_npv)} for a one-time investment of "
            f"{F.money(core.upfront_usd)}."
        )
    else:
        label, stars = "Do not proceed", 0
        sentence = (
            f"{label} — the heterogeneous deployment for {name} ({F.qps(load)} QPS) has a risk-adjusted NPV over "
            f"{years} years of {F.money(ra_npv)} (annual savings {F.money(savings)}, one-time investment "
            f"{F.money(core.upfront_usd)})."
        )
        if tier is not None and tier.stars >= 3:
            sentence += (f" The policy for the {tier.name} load tier ('{tier.recommendation}') is overridden because "
                         "the risk-adjusted NPV is not positive.")

    # --- the three things that would change the answer -------------------------------------
    be = results.breakeven
    max_qps = float(inp.param("sweep_max_qps"))
    first = results.steps[0] if results.steps else None
    low_load = ""
    if first is not None and first.savings_from < 0:
        low_load = (
            f" Up to {F.qps(first.qps_to)} QPS the heterogeneous option needs {first.hetero_large} large + "
            f"{first.hetero_small} small instance(s) against {first.pure_large} large: it costs "
            f"{F.pct(-first.savings_from)} more."
        )
    if be.sustained_qps is not None:
        load_text = (
            f"The case meets the {F.smart(be.payback_target_months)}-month payback target at every load from "
            f"{F.qps(be.sustained_qps)} QPS up to the {F.qps(max_qps)} QPS tested; {name} runs at "
            f"{F.qps(load)} QPS." + low_load
        )
        if be.min_qps is not None and be.min_qps < be.sustained_qps - 1e-9:
            load_text += (f" Between {F.qps(be.min_qps)} and {F.qps(be.sustained_qps)} QPS some loads pay and "
                          "others do not: whole instances make savings a step function of load.")
    elif be.min_qps is not None:
        load_text = (f"Some loads from {F.qps(be.min_qps)} QPS pay, but not the highest tested "
                     f"({F.qps(max_qps)} QPS): whole instances make savings a step function of load." + low_load)
    else:
        load_text = (f"No load up to {F.qps(max_qps)} QPS meets the {F.smart(be.payback_target_months)}-month "
                     "payback target." + low_load)
    changers = [{"title": "Load", "text": load_text}]

    price = core.gpu_hour_usd
    gpu_text = (f"Savings are GPU-hours saved times the GPU-hour price ({F.usd(price, 3)}). ")
    if th.gpu_price_multiplier is None:
        gpu_text += f"No GPU-hour price from $0 to 100 times today's changes the sign of {name}'s risk-adjusted NPV."
    elif th.gpu_price_multiplier < 1:
        gpu_text += (f"{name}'s risk-adjusted NPV stays positive unless the price falls below "
                     f"{F.usd(price * th.gpu_price_multiplier, 3)} per GPU-hour "
                     f"({F.pct(1 - th.gpu_price_multiplier)} below today's).")
    else:
        gpu_text += (f"{name}'s risk-adjusted NPV turns positive only above "
                     f"{F.usd(price * th.gpu_price_multiplier, 3)} per GPU-hour.")
    rows = [m for m in results.market if m.scenario == results.primary_scenario]
    if rows:
        parts = [f"{m.market_name or m.market_id}: savings {F.money(m.annual_savings_usd)}, "
                 f"{'viable' if m.viable else 'not viable'}" for m in rows]
        gpu_text += " Market scenarios re-run for it: " + "; ".join(parts) + "."
    changers.append({"title": "GPU price and market", "text": gpu_text})

    small = core.models.ids.index(s["executor_model"][p])
    small_name = _name(inp, "models", s["executor_model"][p])
    sizing_small = float(core.models.sizing_qps[small])
    esc_now = float(s["escalation_rate"][p])
    quality = (f"Act steps the small model ({small_name}) fails are redone by the planner "
               f"({_name(inp, 'models', s['planner_model'][p])}); today's escalation rate is {F.pct(esc_now)}. ")
    if th.escalation_rate is not None:
        quality += (f"The risk-adjusted NPV reaches zero at an escalation rate of {F.pct(th.escalation_rate)}"
                    + (" (it is negative today)." if not viable else "."))
    else:
        quality += "No escalation rate from 0% to 100% changes the sign of the risk-adjusted NPV."
    if th.small_qps_multiplier is not None:
        quality += (f" It also reaches zero if the small model sustains {F.qps(sizing_small * th.small_qps_multiplier)}"
                    f" QPS per instance instead of the {F.qps(sizing_small)} sized for.")
    changers.append({"title": "Small-model quality", "text": quality})

    # --- conditions ------------------------------------------------------------------------
    conditions = []
    if be.sustained_qps is not None:
        conditions.append(f"Peak load stays above {F.qps(be.sustained_qps)} QPS (today {F.qps(load)} QPS).")
    if th.escalation_rate is not None and viable:
        conditions.append(f"A pilot measures the small model's escalation rate (assumed {F.pct(esc_now)}); the case "
                          f"holds up to {F.pct(th.escalation_rate)} of act steps escalated.")
    budget = float(inp.param("implementation_budget_usd"))
    if core.upfront_usd <= budget:
        conditions.append(f"The one-time investment of {F.money(core.upfront_usd)} stays within the budget of "
                          f"{F.money(budget)}.")
    else:
        conditions.append(f"The one-time investment of {F.money(core.upfront_usd)} exceeds the budget of "
                          f"{F.money(budget)}: approve the overrun or cut scope.")
    sla = {row.option: row for row in results.sla}
    if "pure" in sla and "hetero" in sla:
        pure, het = sla["pure"], sla["hetero"]
        if het.shortfall > 0:
            conditions.append(
                f"SLA: the heterogeneous option's availability ({F.pct(het.availability)}) is short of the "
                f"{F.pct(het.target)} target (the pure option's: {F.pct(pure.availability)}); "
                "agree the exposure or invest in redundancy.")
        else:
            conditions.append(f"SLA: the heterogeneous option meets the {F.pct(het.target)} availability target.")
    return {
        "label": label, "stars": stars, "sentence": sentence, "viable": viable, "tier": tier,
        "scenario_name": name, "load": load, "changers": changers, "conditions": conditions,
    }


# ---------------------------------------------------------------------------------------------
# Tables the templates print
# ---------------------------------------------------------------------------------------------

SUMMARY_FIGURES = (
    ("Annual cost, pure large model", "deployment.{sid}.pure.usd_per_year"),
    ("Annual cost, heterogeneous", "deployment.{sid}.hetero.usd_per_year"),
    ("Annual savings", "deployment.{sid}.annual_savings_usd"),
    ("Savings share", "deployment.{sid}.savings_pct"),
    ("GPUs, pure large model", "deployment.{sid}.pure.gpus"),
    ("GPUs, heterogeneous", "deployment.{sid}.hetero.gpus"),
    ("NPV ({years} years)", "finance.{sid}.npv"),
    ("Payback (simple)", "finance.{sid}.payback_months"),
    ("Risk-adjusted NPV", "finance.{sid}.risk_adjusted_npv"),
)


def summary_figures(results: Results) -> list[dict[str, Any]]:
    """The executive summary's key figures: one row per figure, one cell per scenario."""
    from ..present import key_figures

    by_id = {k.id: k for k in key_figures(results)}
    years = int(results.inputs.param("horizon_years"))
    rows = []
    for label, pattern in SUMMARY_FIGURES:
        cells = []
        for sid in results.core.scenario_ids:
            kf = by_id.get(pattern.format(sid=sid))
            cells.append(F.headline(kf.value, kf.unit) if kf is not None else F.BLANK)
        rows.append({"label": label.format(years=years), "cells": cells})
    return rows


DEPLOYMENT_ROWS = (
    ("Load", None),
    ("Peak load (QPS)", "peak_qps"), ("Planning calls (QPS)", "plan_qps"), ("Act steps (QPS)", "act_qps"),
    ("Pure large model", None),
    ("Large-model instances", "pure_large_instances"), ("GPUs", "pure_gpus"),
    ("Cost per hour", "pure_usd_per_hour"), ("Cost per month", "pure_usd_per_month"),
    ("Cost per year", "pure_usd_per_year"),
    ("Heterogeneous (planner + executor)", None),
    ("Large-model instances", "hetero_large_instances"), ("Small-model instances", "hetero_small_instances"),
    ("GPUs", "hetero_gpus"), ("Cost per hour", "hetero_usd_per_hour"), ("Cost per month", "hetero_usd_per_month"),
    ("Cost per year", "hetero_usd_per_year"),
    ("Difference", None),
    ("Annual savings", "annual_savings_usd"), ("Savings share", "savings_pct"),
)

FINANCE_ROWS = (
    ("One-time investment", "upfront_usd"), ("Annual net benefit", "annual_net_usd"), ("NPV", "npv_usd"),
    ("IRR", "irr"), ("ROI over the horizon", "roi"), ("NPV / investment", "npv_per_upfront"),
    ("Simple payback (months)", "simple_payback_months"),
    ("Discounted payback (months)", "discounted_payback_months"),
    ("Risk-adjusted NPV", "risk_adjusted_npv_usd"),
    ("Risk-adjusted payback (months)", "risk_adjusted_payback_months"),
)


def transpose(table_key: str, rows: list[dict], spec: tuple[tuple[str, str | None], ...]) -> list[dict]:
    """Result rows (one per scenario) as printed rows (one per figure, one cell per scenario)."""
    units = {c.key: c.unit for c in contract.RESULTS[table_key].columns}
    out = []
    for label, key in spec:
        if key is None:
            out.append({"label": label, "group": True, "cells": []})
            continue
        unit = units[key]
        if key == "irr":
            cells = [F.irr(r.get(key)) for r in rows]
        elif unit == "months":
            cells = [F.months(r.get(key)) for r in rows]
        else:
            cells = [F.fmt(r.get(key), unit) for r in rows]
        out.append({"label": label, "group": False, "cells": cells, "key": key})
    return out


CASH_ROWS = (("Savings", "savings_usd"), ("Operating cost", "operating_usd"), ("Investment", "investment_usd"),
             ("Net cash flow", "net_usd"), ("Discount factor", "discount_factor"), ("Discounted", "discounted_usd"),
             ("Cumulative discounted", "cumulative_discounted_usd"),
             ("Risk-adjusted net cash flow", "risk_adjusted_net_usd"))
YEARS_PER_TABLE = 6


def cash_flow_tables(rows: list[dict]) -> list[dict]:
    """Per scenario, years across (in blocks of ``YEARS_PER_TABLE``), items down."""
    by_scenario: dict[str, list[dict]] = {}
    for r in rows:
        by_scenario.setdefault(r["scenario"], []).append(r)
    out = []
    for scenario, flows in by_scenario.items():
        blocks = []
        for start in range(0, len(flows), YEARS_PER_TABLE):
            part = flows[start:start + YEARS_PER_TABLE]
            lines = []
            for label, key in CASH_ROWS:
                cells = [F.number(r[key], 4) if key == "discount_factor" else F.usd(r[key]) for r in part]
                strong = key in ("net_usd", "cumulative_discounted_usd")
                lines.append({"label": label, "cells": cells, "strong": strong})
            blocks.append({"years": [int(r["year"]) for r in part], "lines": lines})
        out.append({"scenario": scenario, "blocks": blocks})
    return out


def step_rows(results: Results, rows: list[dict]) -> list[dict]:
    """The step table's rows, each with whether its load band meets the breakeven test."""
    sw = results.sweep
    out = []
    for row in rows:
        first = int(np.searchsorted(sw.qps, row["qps_from"] - 1e-9))
        out.append({**row, "pays": bool(sw.pays[min(first, len(sw.qps) - 1)])})
    return out


def entered(value: Any, kind: str, unit: str) -> str:
    """An input value as the workbook shows it ('as entered'): blanks stay blank, shares as %."""
    if value is None or isinstance(value, str):
        return "" if value is None else value
    if kind == "bool" or isinstance(value, (bool, np.bool_)):
        return F.yes_no(value)
    number = _f(value)
    if number is None:
        return ""
    if kind == "fraction":
        text = f"{number * 100:,.4f}".rstrip("0")
        return (text + "0" if text.endswith(".") else text) + "%"
    if unit.startswith("usd"):
        return F.usd(number, 0 if number == int(number) else (3 if unit == "usd_per_gpu_hour" else 2)) \
            if abs(number) >= 0.01 or number == 0 else F.usd(number, 8)
    return F.smart(number, 6)


COLUMNS_PER_TABLE = 11


def assumption_tables(results: Results) -> list[dict[str, Any]]:
    """Every input table as entered, grouped by workbook sheet, wide tables split into column blocks."""
    inp = results.inputs
    out = []
    for spec in contract.INPUT_TABLES:
        table = inp.table(spec.key)
        n = len(table)
        cols = list(spec.columns)
        first, rest = cols[0], cols[1:]
        per = COLUMNS_PER_TABLE - 1
        chunks = [[first, *rest[i:i + per]] for i in range(0, len(rest), per)] or [[first]]
        blocks = []
        for chunk in chunks:
            numeric = [c.kind in ("number", "integer", "fraction") for c in chunk]
            rows = [[entered(table[c.key][i] if c.key in table.columns else None, c.kind, c.unit) for c in chunk]
                    for i in range(n)]
            blocks.append({"headers": [c.header for c in chunk], "numeric": numeric, "rows": rows,
                           "widths": [max(c.width, 7) for c in chunk]})
        out.append({"key": spec.key, "sheet": spec.sheet, "title": spec.title, "name": spec.name,
                    "description": spec.description, "blocks": blocks, "count": n})
    return out


def parameter_groups(results: Results) -> list[dict[str, Any]]:
    groups: dict[str, list[dict]] = {}
    for prm in contract.PARAMETERS:
        value = results.inputs.params.get(prm.key)
        groups.setdefault(prm.group, []).append({
            "key": prm.key, "value": entered(value, prm.kind, prm.unit),
            "numeric": prm.kind in ("number", "integer", "fraction") and not isinstance(value, str),
            "unit": "" if prm.unit in ("text", "bool") else prm.unit, "description": prm.description,
        })
    return [{"group": g, "rows": rows} for g, rows in groups.items()]


def reconciliation_rows(results: Results, tables: dict[str, list[dict]]) -> list[dict[str, Any]]:
    """The reconciliation table (already computed in ``tables``), formatted for the report."""
    labels = {k["id"]: k["label"] for k in tables["key_figures"]}
    published = results.inputs.table("published")
    out = []
    for i, row in enumerate(tables["reconciliation"]):
        unit = published["unit"][i] or ""
        diff = row["difference"]
        out.append({
            "metric": row["metric"], "label": labels.get(row["metric"], ""),
            "published": F.fmt(row["published"], unit), "computed": F.fmt(row["computed"], unit),
            "difference": F.points(diff) if unit == "fraction" else F.fmt(diff, unit),
            "relative": F.pct(row["relative_difference"]), "status": row["status"], "cause": row["cause"] or "",
            "source": published["source"][i] or "",
        })
    return out


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


def build_charts(results: Results) -> dict[str, Any]:
    inp, core = results.inputs, results.core
    d = core.deployment
    names = [_name(inp, "scenarios", sid) for sid in core.scenario_ids]
    p = core.scenario_ids.index(results.primary_scenario)
    out = {}
    out["annual_cost"] = charts.annual_cost_chart(names, [float(x) for x in d.pure_usd_per_year],
                                                  [float(x) for x in d.hetero_usd_per_year])
    steps = results.steps
    out["savings_load"] = charts.savings_load_chart(
        [b.qps_from for b in steps], [b.qps_to for b in steps], [b.savings_from for b in steps],
        results.breakeven.resolution_qps, results.breakeven.sustained_qps or results.breakeven.min_qps,
        float(inp.table("scenarios")["peak_qps"][p]), f"{names[p]}: {F.qps(inp.table('scenarios')['peak_qps'][p])} QPS")
    factors = np.broadcast_to(core.cash.discount_factors, core.cash.flows.shape)
    cumulative = np.cumsum(core.cash.flows * factors, axis=-1)
    out["cumulative_cash"] = charts.cumulative_cash_chart(names, [[float(v) for v in row] for row in cumulative])
    market = [m for m in results.market if m.scenario == results.primary_scenario]
    out["market"] = charts.market_chart(
        ["Base case", *[m.market_name or m.market_id for m in market]],
        [float(d.annual_savings_usd[p]), *[float(m.annual_savings_usd) for m in market]],
        [bool(core.cash.risk_adjusted_npv_usd[p] > 0), *[bool(m.viable) for m in market]])
    tasks = results.latency_tasks
    out["latency"] = charts.latency_chart([t.task_class.capitalize() + " task" for t in tasks],
                                          [t.pure_ms for t in tasks], [t.hetero_ms for t in tasks],
                                          [t.improvement for t in tasks])
    return {k: {"src": svg_data_url(v), "alt": CHART_ALT[k]} for k, v in out.items()}


CHART_ALT = {
    "annual_cost": "Bar chart: annual cost of each option by scenario.",
    "savings_load": "Step chart: savings share against peak load, breakeven marked.",
    "cumulative_cash": "Bar and line charts: cumulative discounted cash flow by year, one panel per scenario.",
    "market": "Bar chart: annual savings under each market scenario.",
    "latency": "Bar chart: latency per task class for both options.",
}


def charts_in_background(results: Results) -> Callable[[], dict[str, Any]]:
    """Start drawing the charts in a forked child; call the returned function to collect them.

    matplotlib's import and the drawing take about 0.6 s, as long as importing WeasyPrint: on two
    cores a forked child overlaps them. Where fork is unavailable or unsafe (threads running), or the
    child fails, the charts are drawn here, so the result never depends on the route taken.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1:
        drawn = build_charts(results)
        return lambda: drawn
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: draw, send JSON, leave without running the parent's exit handlers
        status = 1
        try:
            os.close(read_fd)
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(json.dumps(build_charts(results)).encode("utf-8"))
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)

    def collect() -> dict[str, Any]:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return build_charts(results)
        return json.loads(data)

    return collect


def svg_data_url(svg: str) -> str:
    """The chart as a ``data:`` URL: the HTML carries it as one attribute, nothing is left unescaped, and
    WeasyPrint parses the SVG with its own (fast) XML parser instead of the HTML cascade."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# ---------------------------------------------------------------------------------------------
# Context, HTML, PDF
# ---------------------------------------------------------------------------------------------


def build_context(results: Results, *, workbook_name: str, workbook_sha256: str, problems: list[Problem],
                  command_line: str, generated_at: datetime, charts: dict[str, Any] | None = None) -> dict[str, Any]:
    from ..present import check_rows, model_checks, result_tables

    inp, core = results.inputs, results.core
    tables = result_tables(results, problems)
    th = thresholds(results)
    dec = decision(results, th)
    title = str(inp.param("report_title") or "xlcost decision report")
    names = [_name(inp, "scenarios", sid) for sid in core.scenario_ids]
    p = core.scenario_ids.index(results.primary_scenario)
    risks = inp.table("risks")
    risk_rows = [
        {**row, "mitigation": risks["mitigation"][i] or "", "owner": risks["owner"][i] or ""}
        for i, row in enumerate(tables["risk_register"])
    ]
    market_groups: dict[str, list[dict]] = {}
    for row in tables["market"]:
        market_groups.setdefault(row["market_scenario"], []).append(row)
    # Callers usually pass problems that already hold the model checks (api.evaluate adds them).
    checks = check_rows(list(problems) + [c for c in model_checks(results) if c not in problems])
    recon = reconciliation_rows(results, tables)
    return {
        "title": title,
        "header_title": _short(title, HEADER_TITLE_CHARS),
        "author": str(inp.param("report_author") or ""),
        "decision_requested": str(inp.param("decision_requested") or ""),
        "subject": SUBJECT,
        "keywords": ", ".join(KEYWORDS),
        "generated_at": generated_at,
        "generated_iso": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generated_date": f"{generated_at.day} {generated_at:%B %Y}",
        "generated_text": generated_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "workbook_name": workbook_name,
        "workbook_short": _short(workbook_name, 60),
        "workbook_sha256": workbook_sha256,
        "version": xlcost_version(),
        "command_line": command_line,
        "decision": dec,
        "thresholds": th,
        "scenario_names": names,
        "primary_index": p,
        "primary_name": names[p],
        "summary_figures": summary_figures(results),
        "deployment_rows": transpose("deployment", tables["deployment"], DEPLOYMENT_ROWS),
        "finance_rows": transpose("finance_summary", tables["finance_summary"], FINANCE_ROWS),
        "cash_tables": cash_flow_tables(tables["cash_flows"]),
        "tables": tables,
        "step_rows": step_rows(results, tables["breakeven_steps"]),
        "results_spec": contract.RESULTS,
        "risk_rows": risk_rows,
        "sla": {"pure": None, "hetero": None,
                **{x.option: tables["sla_exposure"][i] for i, x in enumerate(results.sla)}},
        "market_groups": market_groups,
        "recon_rows": recon,
        "recon_matches": sum(r["status"] == "matches" for r in recon),
        "checks": checks,
        "problem_count": len(problems),
        "assumptions": assumption_tables(results),
        "parameter_groups": parameter_groups(results),
        "params": inp.params,
        "upfront": core.upfront_usd,
        "recurring": core.recurring_usd_per_year,
        "annual_risk": core.expected_annual_risk_usd,
        "one_time_risk": core.expected_one_time_risk_usd,
        "gpu_hour_usd": core.gpu_hour_usd,
        "offers_gpu_hour_usd": core.offers_gpu_hour_usd,
        "horizon": int(inp.param("horizon_years")),
        "discount_rate": float(inp.param("discount_rate")),
        "breakeven": results.breakeven,
        "conventions": F.CONVENTIONS,
        "market_targets": contract.MARKET_TARGETS,
        "charts": charts if charts is not None else build_charts(results),
    }


def environment(dirs: list[Path]):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in dirs]),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(F.FILTERS)
    return env


def _html(results: Results, *, workbook_name: str, workbook_sha256: str, problems: list[Problem],
          command_line: str, templates_dir: Path | None, generated_at: datetime | None,
          charts: dict[str, Any] | None = None) -> tuple[str, list[Path]]:
    dirs = template_dirs(templates_dir)
    when = resolve_generated_at(generated_at)
    context = build_context(results, workbook_name=workbook_name, workbook_sha256=workbook_sha256,
                            problems=list(problems or []), command_line=command_line, generated_at=when,
                            charts=charts)
    context["stylesheet"] = STYLESHEET
    html = environment(dirs).get_template(TEMPLATE).render(context)
    return html, dirs


def render_html(results: Results, *, workbook_name: str, workbook_sha256: str, problems: list[Problem],
                command_line: str, templates_dir: Path | None = None, generated_at: datetime | None = None) -> str:
    """The report as one HTML document (stylesheet linked relative to the templates folder)."""
    html, _dirs = _html(results, workbook_name=workbook_name, workbook_sha256=workbook_sha256, problems=problems,
                        command_line=command_line, templates_dir=templates_dir, generated_at=generated_at)
    return html


def base_url(dirs: list[Path]) -> str:
    return dirs[0].as_uri() + "/"


def render_pdf(results: Results, *, workbook_name: str, workbook_bytes: bytes | None, workbook_sha256: str,
               problems: list[Problem], command_line: str, templates_dir: Path | None = None,
               generated_at: datetime | None = None, fetcher=None) -> bytes:
    """The report as PDF/A-3b bytes, with the workbook embedded as its Source attachment."""
    when = resolve_generated_at(generated_at)
    pending_charts = charts_in_background(results)
    import weasyprint  # noqa: F401  - imported while the charts are drawn on the other core

    html, dirs = _html(results, workbook_name=workbook_name, workbook_sha256=workbook_sha256, problems=problems,
                       command_line=command_line, templates_dir=templates_dir, generated_at=when,
                       charts=pending_charts())
    return html_to_pdf(html, dirs, workbook_name=workbook_name, workbook_bytes=workbook_bytes, generated_at=when,
                       fetcher=fetcher)


def html_to_pdf(html: str, dirs: list[Path], *, workbook_name: str, workbook_bytes: bytes | None,
                generated_at: datetime, fetcher=None) -> bytes:
    from weasyprint import HTML, Attachment

    from .fetcher import TemplateFetcher

    fetcher = fetcher if fetcher is not None else TemplateFetcher(dirs)
    attachments = []
    if workbook_bytes is not None:
        naive = generated_at.astimezone(timezone.utc).replace(tzinfo=None)
        attachments.append(Attachment(
            string=bytes(workbook_bytes), name=Path(workbook_name).name or "workbook.xlsx",
            description="Source workbook: the exact inputs this report was computed from",
            relationship="Source", url_fetcher=fetcher, created=naive, modified=naive))
    identifier = hashlib.sha256(html.encode("utf-8") + (workbook_bytes or b"")).hexdigest()[:32].encode("ascii")
    return HTML(string=html, base_url=base_url(dirs), url_fetcher=fetcher).write_pdf(
        attachments=attachments, pdf_variant="pdf/a-3b", pdf_identifier=identifier)
