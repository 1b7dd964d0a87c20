"""The cost model proper: pricing -> unit costs -> workflows -> sizing -> cash flows (MODEL §1-4, 7-9).

``compute_core`` is what market scenarios re-run with one input changed, so everything that a market
change can move lives here; the views built on top of it (latency, SLA, sweeps) live in ``model``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs
from . import finance, pricing
from .sizing import Deployment, size_deployment
from .workflows import savings_share, workflow_cost


@dataclass(frozen=True)
class ModelCosts:
    ids: tuple[str, ...]
    usd_per_instance_hour: np.ndarray
    usd_per_request: np.ndarray
    usd_per_1k_requests: np.ndarray
    sizing_qps: np.ndarray
    qps_per_gpu: np.ndarray
    seed_usd_per_1k: np.ndarray  # hourly / QPS, what the seed calls "per 1K requests"


@dataclass(frozen=True)
class WorkflowCosts:
    ids: tuple[str, ...]
    pure_usd: np.ndarray
    hetero_usd: np.ndarray
    cost_ratio: np.ndarray
    savings_pct: np.ndarray


@dataclass(frozen=True)
class CashFlows:
    """Per deployment scenario; flows have shape (scenarios, horizon + 1)."""

    flows: np.ndarray
    risk_adjusted_flows: np.ndarray
    discount_factors: np.ndarray
    annual_net_usd: np.ndarray
    npv_usd: np.ndarray
    irr: np.ndarray
    roi: np.ndarray
    npv_per_upfront: np.ndarray
    simple_payback_months: np.ndarray
    discounted_payback_months: np.ndarray
    risk_adjusted_savings_usd: np.ndarray
    risk_adjusted_npv_usd: np.ndarray
    risk_adjusted_payback_months: np.ndarray


@dataclass(frozen=True)
class Core:
    gpu_hour_usd: float
    offers_gpu_hour_usd: float  # the offers' average, even when overridden
    offer_usd_per_gpu_hour: np.ndarray
    models: ModelCosts
    workflows: WorkflowCosts
    scenario_ids: tuple[str, ...]
    deployment: Deployment
    upfront_usd: float
    recurring_usd_per_year: float
    risk_expected_usd: np.ndarray
    expected_annual_risk_usd: float
    expected_one_time_risk_usd: float
    cash: CashFlows


def model_costs(inputs: Inputs, gpu_hour_usd: float) -> ModelCosts:
    m = inputs.table("models")
    hourly = pricing.usd_per_instance_hour(m["gpus_per_instance"], gpu_hour_usd)
    per_request = pricing.usd_per_request(hourly, m["qps_per_instance"])
    return ModelCosts(
        ids=m.ids,
        usd_per_instance_hour=hourly,
        usd_per_request=per_request,
        usd_per_1k_requests=1000.0 * per_request,
        sizing_qps=pricing.sizing_qps(m["qps_per_instance"], m["sizing_qps_per_instance"],
                                      inputs.param("target_utilization")),
        qps_per_gpu=m["qps_per_instance"] / m["gpus_per_instance"],
        seed_usd_per_1k=hourly / m["qps_per_instance"],
    )


def model_index(models: ModelCosts, ids: tuple[str, ...]) -> np.ndarray:
    return np.array([models.ids.index(i) for i in ids], dtype=int)


def workflow_costs(inputs: Inputs, models: ModelCosts) -> WorkflowCosts:
    w = inputs.table("workflows")
    large = model_index(models, w["planner_model"])
    small = model_index(models, w["executor_model"])
    pure, hetero = workflow_cost(w["plan_calls"], w["act_steps"], models.usd_per_request[large],
                                 models.usd_per_request[small], w["escalation_rate"])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pure > 0, hetero / np.where(pure > 0, pure, 1.0), 1.0)
    return WorkflowCosts(w.ids, pure, hetero, ratio, savings_share(pure, hetero))


def deployment(inputs: Inputs, models: ModelCosts, gpu_hour_usd: float) -> Deployment:
    s = inputs.table("scenarios")
    gpus = inputs.table("models")["gpus_per_instance"]
    large = model_index(models, s["planner_model"])
    small = model_index(models, s["executor_model"])
    return size_deployment(
        peak_qps=s["peak_qps"], planning_share=s["planning_share"], escalation_rate=s["escalation_rate"],
        large_sizing_qps=models.sizing_qps[large], small_sizing_qps=models.sizing_qps[small],
        large_gpus=gpus[large], small_gpus=gpus[small], gpu_hour_usd=gpu_hour_usd,
        hours_per_month=inputs.param("hours_per_month"),
    )


def implementation_costs(inputs: Inputs) -> tuple[float, float]:
    """(upfront, recurring per year): one-time lines; 12 x monthly + annual lines."""
    c = inputs.table("cost_lines")
    amount, kind = c["amount_usd"], np.array(c["recurrence"], dtype=object)
    upfront = float(np.sum(amount[kind == "one-time"]))
    recurring = float(12.0 * np.sum(amount[kind == "monthly"]) + np.sum(amount[kind == "annual"]))
    return upfront, recurring


def risk_costs(inputs: Inputs) -> tuple[np.ndarray, float, float]:
    """(expected cost per risk, expected annual, expected one-time); expected = probability x impact."""
    r = inputs.table("risks")
    expected = r["probability"] * r["impact_usd"]
    kind = np.array(r["recurrence"], dtype=object)
    return expected, float(np.sum(expected[kind == "annual"])), float(np.sum(expected[kind == "one-time"]))


def cash_flows(
    annual_savings_usd: np.ndarray,
    upfront_usd: float,
    recurring_usd_per_year: float,
    expected_annual_risk_usd: float,
    expected_one_time_risk_usd: float,
    horizon_years: int,
    discount_rate: np.ndarray | float,
    *,
    with_irr: bool = True,
) -> CashFlows:
    """CF0 = -upfront; CFt = savings - recurring (t = 1..T). Risk-adjusted: annual expected risk comes
    off every year and one-time expected risk is added to the investment. Sweeps that never show the
    IRR skip its root search (``with_irr=False``)."""
    savings = np.asarray(annual_savings_usd, dtype=float)
    years = int(horizon_years)
    net = savings - recurring_usd_per_year
    flows = np.empty(savings.shape + (years + 1,))
    flows[..., 0] = -upfront_usd
    flows[..., 1:] = net[..., None]
    risk_net = net - expected_annual_risk_usd
    risk_upfront = upfront_usd + expected_one_time_risk_usd
    risk_flows = np.empty_like(flows)
    risk_flows[..., 0] = -risk_upfront
    risk_flows[..., 1:] = risk_net[..., None]
    npv = finance.npv(discount_rate, flows)
    with np.errstate(divide="ignore", invalid="ignore"):
        npv_per_upfront = np.where(upfront_usd > 0, npv / (upfront_usd or 1.0), np.nan)
    return CashFlows(
        flows=flows,
        risk_adjusted_flows=risk_flows,
        discount_factors=finance.discount_factors(discount_rate, years),
        annual_net_usd=net,
        npv_usd=npv,
        irr=finance.irr(flows) if with_irr else np.full(savings.shape, np.nan),
        roi=finance.roi(upfront_usd, flows[..., 1:]),
        npv_per_upfront=npv_per_upfront,
        simple_payback_months=finance.simple_payback_months(upfront_usd, net),
        discounted_payback_months=finance.discounted_payback_months(upfront_usd, net, discount_rate),
        risk_adjusted_savings_usd=savings - expected_annual_risk_usd,
        risk_adjusted_npv_usd=finance.npv(discount_rate, risk_flows),
        risk_adjusted_payback_months=finance.simple_payback_months(risk_upfront, risk_net),
    )


def gpu_hour_price(inputs: Inputs) -> tuple[float, float, np.ndarray]:
    """(price used, offers' average, per-offer price per GPU-hour)."""
    g = inputs.table("gpu_offers")
    per_gpu = g["usd_per_instance_hour"] / g["gpus_per_instance"]
    average = float(pricing.usd_per_gpu_hour(g["usd_per_instance_hour"], g["gpus_per_instance"], g["include"]))
    override = inputs.param("gpu_hour_price_override")
    used = average if override is None else float(override)
    return used, average, per_gpu


def compute_core(inputs: Inputs) -> Core:
    gpu_hour_usd, average, per_offer = gpu_hour_price(inputs)
    models = model_costs(inputs, gpu_hour_usd)
    dep = deployment(inputs, models, gpu_hour_usd)
    upfront, recurring = implementation_costs(inputs)
    expected, annual_risk, one_time_risk = risk_costs(inputs)
    cash = cash_flows(dep.annual_savings_usd, upfront, recurring, annual_risk, one_time_risk,
                      inputs.param("horizon_years"), inputs.param("discount_rate"))
    return Core(
        gpu_hour_usd=gpu_hour_usd,
        offers_gpu_hour_usd=average,
        offer_usd_per_gpu_hour=per_offer,
        models=models,
        workflows=workflow_costs(inputs, models),
        scenario_ids=inputs.table("scenarios").ids,
        deployment=dep,
        upfront_usd=upfront,
        recurring_usd_per_year=recurring,
        risk_expected_usd=expected,
        expected_annual_risk_usd=annual_risk,
        expected_one_time_risk_usd=one_time_risk,
        cash=cash,
    )
