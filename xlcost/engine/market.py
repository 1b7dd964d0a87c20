"""Market scenarios: re-run the whole core model with one input changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs
from .core import Core


@dataclass(frozen=True)
class MarketRow:
    market_id: str
    market_name: str
    scenario: str | None  # None for a qualitative row
    change: str
    annual_savings_usd: float | None
    savings_pct: float | None
    npv_usd: float | None
    risk_adjusted_npv_usd: float | None
    viable: bool | None
    commentary: str | None
    # The four options' yearly cost under the change (None for a qualitative row; NaN: no API price).
    pure_usd_per_year: float | None = None
    hetero_usd_per_year: float | None = None
    api_pure_usd_per_year: float | None = None
    api_hetero_usd_per_year: float | None = None
    cheapest_option: str | None = None  # pure, hetero, api_pure or api_hetero


def _scale(values: np.ndarray, multiplier: float | None, new_value: float | None) -> np.ndarray:
    if new_value is not None:
        return np.full_like(np.asarray(values, dtype=float), new_value)
    return np.asarray(values, dtype=float) * multiplier


def apply_change(inputs: Inputs, target: str, multiplier: float | None, new_value: float | None,
                 gpu_hour_usd: float) -> Inputs:
    """The inputs with one market change applied (multiplier, or a new value where given).

    A GPU price change moves every term's price in proportion (a new value sets the on-demand price the
    model uses, ``gpu_hour_usd`` today). "Inference cost" is every serving cost: GPU-hour prices and API
    token prices alike.
    """
    if target in ("gpu_price", "inference_cost"):
        factor = float(_scale(gpu_hour_usd, multiplier, new_value)) / gpu_hour_usd if gpu_hour_usd else 0.0
        g = inputs.table("gpu_offers")
        changed = inputs.with_table(g.with_columns(usd_per_instance_hour=g["usd_per_instance_hour"] * factor))
        override = inputs.param("gpu_hour_price_override")
        if override is not None:
            changed = changed.with_params(gpu_hour_price_override=override * factor)
        if target == "inference_cost":
            changed = apply_change(changed, "api_price", factor, None, gpu_hour_usd)
        return changed
    if target == "api_price":
        m = inputs.table("models")
        priced = ~np.isnan(m["api_usd_per_1m_input"])  # a model without an API price stays without one
        return inputs.with_table(m.with_columns(**{
            column: np.where(priced, _scale(m[column], multiplier, new_value), np.nan)
            for column in ("api_usd_per_1m_input", "api_usd_per_1m_output")}))
    if target == "discount_rate":
        return inputs.with_params(discount_rate=float(_scale(inputs.param("discount_rate"), multiplier, new_value)))
    if target in ("load", "planning_share", "escalation_rate"):
        column = {"load": "peak_qps"}.get(target, target)
        s = inputs.table("scenarios")
        changed = _scale(s[column], multiplier, new_value)
        if target != "load":
            changed = np.clip(changed, 0.0, 1.0)
        return inputs.with_table(s.with_columns(**{column: changed}))
    if target in ("large_model_qps", "small_model_qps"):
        role = "planner_model" if target == "large_model_qps" else "executor_model"
        ids = set(inputs.table("scenarios")[role]) | set(inputs.table("workflows")[role])
        m, b = inputs.table("models"), inputs.table("benchmarks")
        hit = np.array([i in ids for i in m.ids])
        changed = inputs.with_table(m.with_columns(
            qps_per_instance=np.where(hit, _scale(m["qps_per_instance"], multiplier, new_value), m["qps_per_instance"]),
            sizing_qps_per_instance=np.where(
                hit, _scale(m["sizing_qps_per_instance"], multiplier, new_value), m["sizing_qps_per_instance"]),
        ))
        if multiplier is None:  # a new QPS value replaces typed capacities only: runs measure what they measure
            return changed
        # A measured model's capacity is its runs' throughput: scaling the runs moves it the same way.
        runs = np.array([model in ids for model in b["model"]], dtype=bool)
        return changed.with_table(b.with_columns(
            request_throughput=np.where(runs, b["request_throughput"] * multiplier, b["request_throughput"])))
    if target in ("implementation_cost", "operating_cost"):
        c = inputs.table("cost_lines")
        kinds = np.array(c["recurrence"], dtype=object)
        hit = kinds == "one-time" if target == "implementation_cost" else kinds != "one-time"
        return inputs.with_table(c.with_columns(
            amount_usd=np.where(hit, _scale(c["amount_usd"], multiplier, new_value), c["amount_usd"])))
    if target == "risk_cost":
        r = inputs.table("risks")
        return inputs.with_table(r.with_columns(impact_usd=_scale(r["impact_usd"], multiplier, new_value)))
    raise ValueError(f"unknown market target {target!r}")


def describe(target: str, multiplier: float | None, new_value: float | None) -> str:
    if target == "none":
        return "qualitative"
    if new_value is not None:
        return f"{target} = {new_value:g}"
    return f"{target} x {multiplier:g}"


def cheapest(pure: float, hetero: float, api_pure: float, api_hetero: float) -> str:
    """The option with the lowest yearly cost (options without a price are left out)."""
    costs = {"pure": pure, "hetero": hetero, "api_pure": api_pure, "api_hetero": api_hetero}
    return min((k for k, v in costs.items() if not np.isnan(v)), key=lambda k: costs[k])


def run_market_scenarios(inputs: Inputs, base: Core, compute_core: Callable[..., Core]) -> list[MarketRow]:
    """Every market scenario: the whole core model re-run with its change (IRR is not shown, not computed)."""
    m = inputs.table("market_scenarios")
    rows: list[MarketRow] = []
    for i, mid in enumerate(m.ids):
        target = m["target"][i]
        mult = None if np.isnan(m["multiplier"][i]) else float(m["multiplier"][i])
        new = None if np.isnan(m["new_value"][i]) else float(m["new_value"][i])
        commentary = m["commentary"][i]
        if m["timeline"][i]:
            commentary = f"{m['timeline'][i]}: {commentary}" if commentary else m["timeline"][i]
        if target == "none":
            rows.append(MarketRow(mid, m["name"][i], None, "qualitative", None, None, None, None, None, commentary))
            continue
        core = compute_core(apply_change(inputs, target, mult, new, float(base.gpu_hour_usd)), with_irr=False)
        d, api = core.deployment, core.api
        for s, sid in enumerate(core.scenario_ids):
            risk_npv = float(core.cash.risk_adjusted_npv_usd[s])
            costs = [float(x[s]) for x in (d.pure_usd_per_year, d.hetero_usd_per_year, api.pure_usd_per_year,
                                           api.hetero_usd_per_year)]
            rows.append(MarketRow(
                mid, m["name"][i], sid, describe(target, mult, new),
                float(d.annual_savings_usd[s]), float(d.savings_pct[s]),
                float(core.cash.npv_usd[s]), risk_npv, risk_npv > 0, commentary, *costs, cheapest(*costs)))
    return rows
