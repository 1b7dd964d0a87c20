"""Breakeven: savings against load, the step structure whole instances give it, and the smallest load
and the fewest act steps per plan at which the heterogeneous option pays.

The sweep re-runs sizing and cash flows of one scenario's mix (planning share, escalation, models, load
profile, provisioning, pricing term) at every load of a grid, through the same formulas as the
scenarios themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs
from .capacity import ACT, PLAN
from .core import Core, cash_flows, model_index
from .deployment import Deployment, size_deployment
from .load import LoadPoints
from .workflows import savings_share, workflow_cost

# The breakeven sweep is evaluated on a fine grid so whole-instance steps are located precisely.
BREAKEVEN_RESOLUTION_QPS = 0.1
MAX_SWEEP_POINTS = 200_000
MAX_ACT_STEPS_SEARCHED = 1000
MAX_DISPLAY_POINTS = 5000


@dataclass(frozen=True)
class Sweep:
    """Savings against load at one scenario's mix; arrays over load points."""

    qps: np.ndarray
    deployment: Deployment
    risk_adjusted_net_usd: np.ndarray
    payback_months: np.ndarray
    pays: np.ndarray


@dataclass(frozen=True)
class Breakeven:
    min_qps: float | None  # smallest load that pays
    sustained_qps: float | None  # from here on every higher load pays
    resolution_qps: float
    payback_target_months: float
    workflow_min_act_steps: dict[str, int | None]
    target_workflow_savings: float


@dataclass(frozen=True)
class StepBand:
    qps_from: float
    qps_to: float
    pure_large: int
    hetero_large: int
    hetero_small: int
    savings_from: float
    savings_to: float


def sweep(inputs: Inputs, core: Core, scenario: int, qps: np.ndarray) -> Sweep:
    """Re-run sizing and cash flows at every load in ``qps`` for one scenario's mix."""
    s = inputs.table("scenarios")
    gpus = inputs.table("models")["gpus_per_instance"]
    large = core.models.ids.index(s["planner_model"][scenario])
    small = core.models.ids.index(s["executor_model"][scenario])
    sizing = core.models.capacity.sizing_qps
    points = core.load.points
    dep = size_deployment(
        peak_qps=qps, planning_share=s["planning_share"][scenario], escalation_rate=s["escalation_rate"][scenario],
        large_sizing_qps=sizing[large, ACT], small_sizing_qps=sizing[small, ACT], large_gpus=gpus[large],
        small_gpus=gpus[small], gpu_hour_usd=core.gpu_hour_usd, hours_per_month=inputs.param("hours_per_month"),
        large_plan_sizing_qps=sizing[large, PLAN],
        points=LoadPoints(points.factor[scenario], points.hours_per_day[scenario]),
        committed_gpu_hour_usd=core.committed_gpu_hour_usd,
    )
    cash = cash_flows(dep.annual_savings_usd, core.upfront_usd, core.recurring_usd_per_year,
                      core.expected_annual_risk_usd, core.expected_one_time_risk_usd,
                      inputs.param("horizon_years"), inputs.param("discount_rate"), with_irr=False)
    net = cash.annual_net_usd - core.expected_annual_risk_usd
    payback = cash.risk_adjusted_payback_months
    pays = (net > 0) & (payback <= float(inputs.param("payback_target_months")))
    return Sweep(qps, dep, net, payback, pays)


def sweep_grid(max_qps: float) -> np.ndarray:
    step = max(BREAKEVEN_RESOLUTION_QPS, max_qps / MAX_SWEEP_POINTS)
    count = max(1, int(np.floor(max_qps / step + 1e-9)))  # at least one load point, whatever the maximum
    return np.round(np.arange(1, count + 1) * step, 6)


def display_grid(max_qps: float, step_qps: float) -> np.ndarray:
    count = int(np.floor(max_qps / step_qps + 1e-9))
    count = min(count, MAX_DISPLAY_POINTS)  # keep the sheet and chart readable whatever the step
    return np.round(np.arange(1, count + 1) * (max_qps / count if count else step_qps), 6)


def step_bands(sw: Sweep) -> list[StepBand]:
    d = sw.deployment
    key = np.stack([d.pure_large_instances, d.hetero_large_instances, d.hetero_small_instances], axis=-1)
    changes = np.flatnonzero(np.any(key[1:] != key[:-1], axis=-1)) + 1
    starts = np.concatenate([[0], changes])
    ends = np.concatenate([changes - 1, [len(sw.qps) - 1]])
    return [
        StepBand(float(sw.qps[a]), float(sw.qps[b]), int(key[a, 0]), int(key[a, 1]), int(key[a, 2]),
                 float(d.savings_pct[a]), float(d.savings_pct[b]))
        for a, b in zip(starts, ends, strict=False)
    ]


def workflow_breakeven(inputs: Inputs, core: Core, target: float) -> dict[str, int | None]:
    """Smallest whole number of act steps per workflow at which it saves at least ``target``."""
    w = inputs.table("workflows")
    large = model_index(core.models.ids, w["planner_model"])
    small = model_index(core.models.ids, w["executor_model"])
    per_call = core.models.usd_per_call
    steps = np.arange(MAX_ACT_STEPS_SEARCHED + 1, dtype=float)
    result: dict[str, int | None] = {}
    for i, wid in enumerate(w.ids):
        pure, hetero = workflow_cost(w["plan_calls"][i], steps, per_call[large[i], PLAN], per_call[small[i], ACT],
                                     w["escalation_rate"][i], planner_act_usd=per_call[large[i], ACT])
        hits = np.flatnonzero(savings_share(pure, hetero) >= target - 1e-12)
        result[wid] = int(steps[hits[0]]) if hits.size else None
    return result


def breakeven(inputs: Inputs, core: Core, fine: Sweep) -> Breakeven:
    """The smallest load that pays, the load from which every load pays, and the workflow breakevens."""
    pays = fine.pays
    min_qps = float(fine.qps[np.argmax(pays)]) if pays.any() else None
    sustained = None
    if pays[-1]:
        failing = np.flatnonzero(~pays)
        sustained = float(fine.qps[failing[-1] + 1]) if failing.size else float(fine.qps[0])
    target_savings = float(inputs.param("target_workflow_savings"))
    resolution = float(fine.qps[1] - fine.qps[0]) if len(fine.qps) > 1 else float(fine.qps[0])
    return Breakeven(min_qps, sustained, resolution, float(inputs.param("payback_target_months")),
                     workflow_breakeven(inputs, core, target_savings), target_savings)
