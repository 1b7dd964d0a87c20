"""Market scenarios: re-run the whole core model with one input changed (MODEL §10)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs


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


def _scale(values: np.ndarray, multiplier: float | None, new_value: float | None) -> np.ndarray:
    if new_value is not None:
        return np.full_like(np.asarray(values, dtype=float), new_value)
    return np.asarray(values, dtype=float) * multiplier


def apply_change(inputs: Inputs, target: str, multiplier: float | None, new_value: float | None,
                 gpu_hour_usd: float) -> Inputs:
    """The inputs with one market change applied (multiplier, or a new value where given)."""
    if target in ("gpu_price", "inference_cost"):
        # Every serving cost is GPU-hours x price, so scaling the price scales all of them.
        return inputs.with_params(gpu_hour_price_override=float(_scale(gpu_hour_usd, multiplier, new_value)))
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
        m = inputs.table("models")
        hit = np.array([i in ids for i in m.ids])
        return inputs.with_table(m.with_columns(
            qps_per_instance=np.where(hit, _scale(m["qps_per_instance"], multiplier, new_value), m["qps_per_instance"]),
            sizing_qps_per_instance=np.where(
                hit, _scale(m["sizing_qps_per_instance"], multiplier, new_value), m["sizing_qps_per_instance"]),
        ))
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


def run_market_scenarios(inputs: Inputs, compute_core: Callable) -> list[MarketRow]:
    base = compute_core(inputs)
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
        core = compute_core(apply_change(inputs, target, mult, new, base.gpu_hour_usd))
        for s, sid in enumerate(core.scenario_ids):
            risk_npv = float(core.cash.risk_adjusted_npv_usd[s])
            rows.append(MarketRow(
                mid, m["name"][i], sid, describe(target, mult, new),
                float(core.deployment.annual_savings_usd[s]), float(core.deployment.savings_pct[s]),
                float(core.cash.npv_usd[s]), risk_npv, risk_npv > 0, commentary))
    return rows
