"""The whole model: the core plus latency, SLA, market re-runs, the breakeven sweep and the
recommendation matrix (MODEL §5, 6, 10). ``compute(inputs)`` is the engine's one entry point."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs
from .core import Core, cash_flows, compute_core, model_index
from .market import MarketRow, run_market_scenarios
from .service_quality import business_impact, improvement, sla_exposure, value_label
from .sizing import Deployment, size_deployment
from .workflows import savings_share, workflow_cost

# The breakeven sweep is evaluated on a fine grid so whole-instance steps are located precisely.
BREAKEVEN_RESOLUTION_QPS = 0.1
MAX_SWEEP_POINTS = 200_000
MAX_ACT_STEPS_SEARCHED = 1000


@dataclass(frozen=True)
class LatencyTask:
    task_class: str
    pure_ms: float
    hetero_ms: float
    saved_ms: float
    improvement: float
    business_value: str
    basis: str


@dataclass(frozen=True)
class LatencyImpact:
    industry: str
    task_class: str
    impact_per_100ms: float
    impact_share: float
    impact_usd_per_year: float | None


@dataclass(frozen=True)
class SlaRow:
    option: str
    name: str
    availability: float
    target: float
    shortfall: float
    p99_latency_ms: float
    penalty: float
    reputation: float
    total: float
    total_usd_per_year: float | None


@dataclass(frozen=True)
class Sweep:
    """Savings against load at the primary scenario's mix; arrays over load points."""

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


@dataclass(frozen=True)
class TierResult:
    tier_id: str
    name: str
    min_qps: float
    max_qps: float
    savings_min: float
    savings_max: float
    worst_payback_months: float
    recommendation: str
    stars: int
    seed_claim: str | None


@dataclass(frozen=True)
class Results:
    inputs: Inputs
    core: Core
    latency_tasks: list[LatencyTask]
    latency_impact: list[LatencyImpact]
    sla: list[SlaRow]
    market: list[MarketRow]
    sweep: Sweep
    display_sweep: Sweep
    steps: list[StepBand]
    breakeven: Breakeven
    tiers: list[TierResult]
    primary_scenario: str


def latency(inputs: Inputs, core: Core, primary: int) -> tuple[list[LatencyTask], list[LatencyImpact]]:
    m = inputs.table("models")
    s = inputs.table("scenarios")
    large = core.models.ids.index(s["planner_model"][primary])
    small = core.models.ids.index(s["executor_model"][primary])
    planner_ms, executor_ms = float(m["latency_ms"][large]), float(m["latency_ms"][small])
    routing = float(inputs.param("routing_overhead_ms"))
    complex_pure = float(inputs.param("complex_task_pure_latency_ms"))
    high, moderate = inputs.param("latency_high_value_threshold"), inputs.param("latency_moderate_value_threshold")
    planner_name, executor_name = m["name"][large], m["name"][small]
    classes = [
        ("simple", planner_ms, executor_ms,
         f"Pure: {planner_name} answers; heterogeneous: {executor_name} answers."),
        ("complex", complex_pure, planner_ms + routing,
         f"Pure: complex-task latency parameter; heterogeneous: {planner_name} plan + routing overhead."),
    ]
    tasks = []
    for name, pure, hetero, basis in classes:
        share = float(improvement(pure, hetero))
        tasks.append(LatencyTask(name, pure, hetero, pure - hetero, share, value_label(share, high, moderate), basis))
    ind = inputs.table("industries")
    impacts = []
    for i, industry in enumerate(ind.ids):
        for task in tasks:
            share = float(business_impact(ind["impact_per_100ms"][i], task.saved_ms))
            value = ind["annual_value_usd"][i]
            impacts.append(LatencyImpact(industry, task.task_class, float(ind["impact_per_100ms"][i]), share,
                                         None if np.isnan(value) else share * float(value)))
    return tasks, impacts


def sla(inputs: Inputs) -> list[SlaRow]:
    tiers = inputs.table("sla_tiers")
    target = float(inputs.param("sla_target"))
    matches = np.flatnonzero(np.isclose(tiers["target_availability"], target, rtol=0, atol=1e-9))
    if matches.size == 0:
        raise ValueError(f"SLA target {target} is not one of the SLA tiers")  # the reader reports it first
    tier = int(matches[0])
    contract_value = inputs.param("annual_contract_value_usd")
    opts = inputs.table("sla_options")
    shortfall, penalty, reputation, total = sla_exposure(
        target, opts["availability"], float(tiers["penalty_rate"][tier]), float(tiers["reputation_impact"][tier]))
    return [
        SlaRow(opts["id"][i], opts["name"][i], float(opts["availability"][i]), target, float(shortfall[i]),
               float(opts["p99_latency_ms"][i]), float(penalty[i]), float(reputation[i]), float(total[i]),
               None if contract_value is None else float(total[i]) * float(contract_value))
        for i in range(len(opts))
    ]


def sweep(inputs: Inputs, core: Core, primary: int, qps: np.ndarray) -> Sweep:
    """Re-run sizing and cash flows at every load in ``qps`` for the primary scenario's mix."""
    s = inputs.table("scenarios")
    gpus = inputs.table("models")["gpus_per_instance"]
    large = int(model_index(core.models, (s["planner_model"][primary],))[0])
    small = int(model_index(core.models, (s["executor_model"][primary],))[0])
    dep = size_deployment(
        peak_qps=qps, planning_share=s["planning_share"][primary], escalation_rate=s["escalation_rate"][primary],
        large_sizing_qps=core.models.sizing_qps[large], small_sizing_qps=core.models.sizing_qps[small],
        large_gpus=gpus[large], small_gpus=gpus[small], gpu_hour_usd=core.gpu_hour_usd,
        hours_per_month=inputs.param("hours_per_month"),
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
    count = min(count, 5000)  # keep the sheet and chart readable whatever the step
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
    large = model_index(core.models, w["planner_model"])
    small = model_index(core.models, w["executor_model"])
    steps = np.arange(MAX_ACT_STEPS_SEARCHED + 1, dtype=float)
    result: dict[str, int | None] = {}
    for i, wid in enumerate(w.ids):
        pure, hetero = workflow_cost(w["plan_calls"][i], steps, core.models.usd_per_request[large[i]],
                                     core.models.usd_per_request[small[i]], w["escalation_rate"][i])
        hits = np.flatnonzero(savings_share(pure, hetero) >= target - 1e-12)
        result[wid] = int(steps[hits[0]]) if hits.size else None
    return result


def recommendation(inputs: Inputs, sw: Sweep) -> list[TierResult]:
    tiers, rules = inputs.table("load_tiers"), inputs.table("policy_rules")
    top = float(sw.qps[-1])
    out = []
    for i, tier_id in enumerate(tiers.ids):
        lo = float(tiers["min_qps"][i])
        hi = top if np.isnan(tiers["max_qps"][i]) else float(tiers["max_qps"][i])
        inside = (sw.qps >= lo - 1e-9) & (sw.qps <= hi + 1e-9)
        if not inside.any():  # a tier beyond the sweep is judged at the sweep point nearest to it
            inside = np.arange(len(sw.qps)) == np.argmin(np.abs(sw.qps - np.clip(lo, sw.qps[0], top)))
        savings = sw.deployment.savings_pct[inside]
        worst_payback = float(np.max(sw.payback_months[inside]))
        label, stars = "No rule applies", 0
        for r in range(len(rules)):
            min_savings, max_payback = rules["min_savings"][r], rules["max_payback_months"][r]
            if (np.isnan(min_savings) or savings.min() >= min_savings - 1e-12) and (
                np.isnan(max_payback) or worst_payback <= max_payback
            ):
                label, stars = rules["recommendation"][r], int(rules["stars"][r])
                break
        out.append(TierResult(tier_id, tiers["name"][i], lo, hi, float(savings.min()), float(savings.max()),
                              worst_payback, label, stars, tiers["seed_claim"][i]))
    return out


def compute(inputs: Inputs) -> Results:
    core = compute_core(inputs)
    primary = core.scenario_ids.index(inputs.param("primary_scenario"))
    tasks, impacts = latency(inputs, core, primary)
    max_qps = float(inputs.param("sweep_max_qps"))
    fine = sweep(inputs, core, primary, sweep_grid(max_qps))
    shown = sweep(inputs, core, primary, display_grid(max_qps, float(inputs.param("sweep_step_qps"))))
    pays = fine.pays
    min_qps = float(fine.qps[np.argmax(pays)]) if pays.any() else None
    sustained = None
    if pays[-1]:
        failing = np.flatnonzero(~pays)
        sustained = float(fine.qps[failing[-1] + 1]) if failing.size else float(fine.qps[0])
    target_savings = float(inputs.param("target_workflow_savings"))
    be = Breakeven(min_qps, sustained, float(fine.qps[1] - fine.qps[0]) if len(fine.qps) > 1 else max_qps,
                   float(inputs.param("payback_target_months")),
                   workflow_breakeven(inputs, core, target_savings), target_savings)
    return Results(
        inputs=inputs, core=core, latency_tasks=tasks, latency_impact=impacts, sla=sla(inputs),
        market=run_market_scenarios(inputs, compute_core), sweep=fine, display_sweep=shown,
        steps=step_bands(fine), breakeven=be, tiers=recommendation(inputs, fine),
        primary_scenario=inputs.param("primary_scenario"),
    )


def finite_or_none(x: float) -> float | None:
    """Engine values that are not defined (IRR) or never happen (payback) are NaN / inf: None outside."""
    x = float(x)
    return x if np.isfinite(x) else None

