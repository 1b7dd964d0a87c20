"""The cost model proper: prices -> capacity -> unit costs -> workflows -> load -> fleets -> API options ->
cash flows.

``compute_core`` is what market scenarios, sweeps and the Monte Carlo simulation re-run, so everything a
changed input can move lives here; the views built on top of it (latency by task class, SLA, sweeps,
recommendation) live in ``model``. Every input may carry a batch axis (see ``xlcost.inputs``): one call
computes one case or a whole batch of trials with the same formulas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs
from . import finance, pricing
from .batch import lift
from .capacity import ACT, PLAN, Capacity, Measured, call_index
from .capacity import capacity as model_capacity
from .costs import implementation_costs
from .deployment import Deployment, fleets, size_deployment
from .hosted_api import ApiOptions, api_options, api_usd_per_call
from .load import LoadShape, load_shape
from .risk import risk_costs
from .workflows import savings_share, workflow_cost, workflow_latency


@dataclass(frozen=True)
class ModelCosts:
    """Per model (batch + (models,)) and per model and call type (batch + (models, call types))."""

    ids: tuple[str, ...]
    capacity: Capacity
    usd_per_instance_hour: np.ndarray
    usd_per_call: np.ndarray  # (models, call types): self-hosted, at full measured capacity
    usd_per_1m_tokens: np.ndarray  # (models, call types)
    api_usd_per_call: np.ndarray  # (models, call types); NaN: no API price
    api_usd_per_1m_tokens: np.ndarray  # (models, call types)
    # The per-model view shown in Unit Costs: act calls (every call, for a model with one capacity).
    usd_per_request: np.ndarray
    usd_per_1k_requests: np.ndarray
    qps_per_instance: np.ndarray
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
    api_pure_usd: np.ndarray
    api_hetero_usd: np.ndarray
    pure_ms: np.ndarray
    hetero_ms: np.ndarray
    saved_ms: np.ndarray
    latency_improvement: np.ndarray


@dataclass(frozen=True)
class CashFlows:
    """Per deployment scenario: batch + (scenarios,); the per-year flows batch + (scenarios, horizon + 1).

    Every year after the first has the same net flow, so the NPV is CF0 + net x (the sum of the discount
    factors of years 1..T); the per-year arrays are built only when something shows them."""

    upfront_usd: np.ndarray  # batch + (1,): lifted to broadcast against scenarios
    risk_adjusted_upfront_usd: np.ndarray
    discount_factors: np.ndarray  # batch + (1, horizon + 1)
    annual_net_usd: np.ndarray
    risk_adjusted_net_usd: np.ndarray
    npv_usd: np.ndarray
    irr: np.ndarray
    roi: np.ndarray
    npv_per_upfront: np.ndarray
    simple_payback_months: np.ndarray
    discounted_payback_months: np.ndarray
    risk_adjusted_savings_usd: np.ndarray
    risk_adjusted_npv_usd: np.ndarray
    risk_adjusted_payback_months: np.ndarray

    @property
    def flows(self) -> np.ndarray:
        """CF0 = -upfront, CFt = net (t = 1..T)."""
        return level_flows(self.upfront_usd, self.annual_net_usd, self.discount_factors.shape[-1] - 1)

    @property
    def risk_adjusted_flows(self) -> np.ndarray:
        return level_flows(self.risk_adjusted_upfront_usd, self.risk_adjusted_net_usd,
                           self.discount_factors.shape[-1] - 1)


def level_flows(upfront: np.ndarray, net: np.ndarray, years: int) -> np.ndarray:
    """Cash flows with an investment at t = 0 and the same net benefit every year after."""
    flows = np.empty(np.broadcast_shapes(np.shape(net), np.shape(upfront)) + (years + 1,))
    flows[..., 0] = -upfront
    flows[..., 1:] = np.asarray(net)[..., None]
    return flows


@dataclass(frozen=True)
class Core:
    gpu_hour_usd: np.ndarray  # the on-demand price used: the offers' average or the override
    offers_gpu_hour_usd: np.ndarray  # the included on-demand offers' average, even when overridden
    offer_usd_per_gpu_hour: np.ndarray
    term_usd_per_gpu_hour: dict[str, np.ndarray]  # every term's average; NaN: no included offer
    committed_gpu_hour_usd: np.ndarray  # what always-on capacity is billed at
    models: ModelCosts
    workflows: WorkflowCosts | None  # None in a lean batch run (``detail=False``)
    scenario_ids: tuple[str, ...]
    load: LoadShape
    deployment: Deployment
    api: ApiOptions | None  # None in a lean batch run
    upfront_usd: np.ndarray
    recurring_usd_per_year: np.ndarray
    risk_expected_usd: np.ndarray
    expected_annual_risk_usd: np.ndarray
    expected_one_time_risk_usd: np.ndarray
    cash: CashFlows


def model_index(ids: tuple[str, ...], wanted: tuple[str, ...]) -> np.ndarray:
    return np.array([ids.index(i) for i in wanted], dtype=int)


def gpu_hour_prices(inputs: Inputs) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """(price per term with the override applied, the offers' own on-demand average, per-offer price)."""
    g = inputs.table("gpu_offers")
    terms = tuple(g["term"])
    per_offer = np.asarray(g["usd_per_instance_hour"], dtype=float) / g["gpus_per_instance"]
    offers = pricing.term_prices(g["usd_per_instance_hour"], g["gpus_per_instance"], g["include"], terms, None)
    used = pricing.term_prices(g["usd_per_instance_hour"], g["gpus_per_instance"], g["include"], terms,
                               inputs.param("gpu_hour_price_override"))
    return used, offers[pricing.ON_DEMAND], per_offer


def model_costs(inputs: Inputs, gpu_hour_usd: np.ndarray, measured: Measured | None, *,
                detail: bool = True) -> ModelCosts:
    """Unit costs per model and call type. ``detail=False`` leaves the per-token and API figures out (NaN)."""
    m, ct = inputs.table("models"), inputs.table("call_types")
    calls = call_index(inputs)
    cap = model_capacity(inputs, measured)
    hourly = pricing.usd_per_instance_hour(m["gpus_per_instance"], lift(gpu_hour_usd, 1))
    per_call = pricing.usd_per_request(hourly[..., None], cap.qps)
    input_tokens = np.asarray(ct["input_tokens"], dtype=float)[..., calls]
    output_tokens = np.asarray(ct["output_tokens"], dtype=float)[..., calls]
    tokens = (input_tokens + output_tokens)[..., None, :]
    per_request = per_call[..., ACT]
    if detail:
        api = api_usd_per_call(input_tokens, output_tokens, m["api_usd_per_1m_input"], m["api_usd_per_1m_output"])
        per_token, api_per_token = pricing.usd_per_1m_tokens(per_call, tokens), pricing.usd_per_1m_tokens(api, tokens)
    else:
        api = per_token = api_per_token = np.full(np.shape(per_call), np.nan)
    return ModelCosts(
        ids=m.ids,
        capacity=cap,
        usd_per_instance_hour=hourly,
        usd_per_call=per_call,
        usd_per_1m_tokens=per_token,
        api_usd_per_call=api,
        api_usd_per_1m_tokens=api_per_token,
        usd_per_request=per_request,
        usd_per_1k_requests=1000.0 * per_request,
        qps_per_instance=cap.qps[..., ACT],
        sizing_qps=cap.sizing_qps[..., ACT],
        qps_per_gpu=cap.qps[..., ACT] / m["gpus_per_instance"],
        seed_usd_per_1k=hourly / cap.qps[..., ACT],
    )


def workflow_costs(inputs: Inputs, models: ModelCosts) -> WorkflowCosts:
    w = inputs.table("workflows")
    large = model_index(models.ids, w["planner_model"])
    small = model_index(models.ids, w["executor_model"])
    e = w["escalation_rate"]

    def by_role(per_call: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return per_call[..., large, PLAN], per_call[..., small, ACT], per_call[..., large, ACT]

    plan_usd, small_usd, act_usd = by_role(models.usd_per_call)
    pure, hetero = workflow_cost(w["plan_calls"], w["act_steps"], plan_usd, small_usd, e, planner_act_usd=act_usd)
    api_plan, api_small, api_act = by_role(models.api_usd_per_call)
    api_pure, api_hetero = workflow_cost(w["plan_calls"], w["act_steps"], api_plan, api_small, e,
                                         planner_act_usd=api_act)
    plan_ms, small_ms, act_ms = by_role(models.capacity.latency_ms)
    pure_ms, hetero_ms = workflow_latency(w["plan_calls"], w["act_steps"], plan_ms, act_ms, small_ms,
                                          lift(inputs.param("routing_overhead_ms"), 1), e)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pure > 0, hetero / np.where(pure > 0, pure, 1.0), 1.0)
    return WorkflowCosts(w.ids, pure, hetero, ratio, savings_share(pure, hetero), api_pure, api_hetero,
                         pure_ms, hetero_ms, pure_ms - hetero_ms, savings_share(pure_ms, hetero_ms))


def deployment(inputs: Inputs, models: ModelCosts, load: LoadShape, gpu_hour_usd: np.ndarray,
               committed_gpu_hour_usd: np.ndarray) -> Deployment:
    s = inputs.table("scenarios")
    gpus = inputs.table("models")["gpus_per_instance"]
    large = model_index(models.ids, s["planner_model"])
    small = model_index(models.ids, s["executor_model"])
    sizing = models.capacity.sizing_qps
    return size_deployment(
        peak_qps=s["peak_qps"], planning_share=s["planning_share"], escalation_rate=s["escalation_rate"],
        large_sizing_qps=sizing[..., large, ACT], small_sizing_qps=sizing[..., small, ACT],
        large_gpus=gpus[..., large], small_gpus=gpus[..., small], gpu_hour_usd=gpu_hour_usd,
        hours_per_month=inputs.param("hours_per_month"), large_plan_sizing_qps=sizing[..., large, PLAN],
        points=load.points, committed_gpu_hour_usd=committed_gpu_hour_usd,
    )


def scenario_api_options(inputs: Inputs, models: ModelCosts, load: LoadShape, dep: Deployment) -> ApiOptions:
    s = inputs.table("scenarios")
    large = model_index(models.ids, s["planner_model"])
    small = model_index(models.ids, s["executor_model"])
    api = models.api_usd_per_call
    return api_options(load.requests_per_year, s["planning_share"], s["escalation_rate"], api[..., large, PLAN],
                       api[..., large, ACT], api[..., small, ACT], dep.pure_usd_per_year)


def cash_flows(
    annual_savings_usd: np.ndarray,
    upfront_usd: np.ndarray | float,
    recurring_usd_per_year: np.ndarray | float,
    expected_annual_risk_usd: np.ndarray | float,
    expected_one_time_risk_usd: np.ndarray | float,
    horizon_years: int,
    discount_rate: np.ndarray | float,
    *,
    with_irr: bool = True,
    detail: bool = True,
) -> CashFlows:
    """CF0 = -upfront; CFt = savings - recurring (t = 1..T). Risk-adjusted: annual expected risk comes
    off every year and one-time expected risk is added to the investment.

    ``annual_savings_usd`` is per scenario (batch + (scenarios,)); the other amounts and the rate are one
    value per case. Sweeps that never show the IRR skip its root search (``with_irr=False``); batch runs
    that report only NPVs and simple paybacks skip ROI and the discounted payback (``detail=False``: NaN).
    """
    savings = np.asarray(annual_savings_usd, dtype=float)
    years = int(horizon_years)
    upfront, recurring = lift(upfront_usd, 1), lift(recurring_usd_per_year, 1)
    annual_risk = lift(expected_annual_risk_usd, 1)
    risk_upfront = upfront + lift(expected_one_time_risk_usd, 1)
    rate = lift(discount_rate, 1)
    net = savings - recurring
    risk_net = net - annual_risk
    factors = finance.discount_factors(rate, years)
    annuity = np.sum(factors[..., 1:], axis=-1)  # present value of 1 a year for T years
    npv = -upfront + net * annuity
    with np.errstate(divide="ignore", invalid="ignore"):
        npv_per_upfront = np.where(upfront > 0, npv / np.where(upfront > 0, upfront, 1.0), np.nan)
    skipped = np.full(np.shape(npv), np.nan)
    flows = level_flows(upfront, net, years) if with_irr or detail else None
    return CashFlows(
        upfront_usd=upfront,
        risk_adjusted_upfront_usd=risk_upfront,
        discount_factors=factors,
        annual_net_usd=net,
        risk_adjusted_net_usd=risk_net,
        npv_usd=npv,
        irr=finance.irr(flows) if with_irr else skipped,
        roi=finance.roi(upfront, flows[..., 1:]) if detail else skipped,
        npv_per_upfront=npv_per_upfront,
        simple_payback_months=finance.simple_payback_months(upfront, net),
        discounted_payback_months=finance.discounted_payback_months(upfront, net, rate) if detail else skipped,
        risk_adjusted_savings_usd=savings - annual_risk,
        risk_adjusted_npv_usd=-risk_upfront + risk_net * annuity,
        risk_adjusted_payback_months=finance.simple_payback_months(risk_upfront, risk_net),
    )


def compute_core(inputs: Inputs, measured: Measured | None = None, *, with_irr: bool = True,
                 detail: bool = True) -> Core:
    """The whole cost model for one case or a batch. ``measured``: the base case's benchmark run choice
    (required when ``inputs`` carries a batch; computed from ``inputs`` otherwise). ``detail=False``, for
    batch runs that report only savings, NPVs and paybacks, leaves out the per-workflow figures, the API
    options, ROI and the discounted payback (the same formulas, fewer of them)."""
    prices, offers_average, per_offer = gpu_hour_prices(inputs)
    on_demand = prices[pricing.ON_DEMAND]
    term = inputs.param("committed_term")
    committed = on_demand if term in (None, "none") else prices.get(term, np.float64(np.nan))
    models = model_costs(inputs, on_demand, measured, detail=detail)
    load = load_shape(inputs)
    dep = deployment(inputs, models, load, on_demand, committed)
    upfront, recurring = implementation_costs(inputs)
    expected, annual_risk, one_time_risk = risk_costs(inputs)
    cash = cash_flows(dep.annual_savings_usd, upfront, recurring, annual_risk, one_time_risk,
                      inputs.param("horizon_years"), inputs.param("discount_rate"), with_irr=with_irr, detail=detail)
    return Core(
        gpu_hour_usd=on_demand,
        offers_gpu_hour_usd=offers_average,
        offer_usd_per_gpu_hour=per_offer,
        term_usd_per_gpu_hour=prices,
        committed_gpu_hour_usd=committed,
        models=models,
        workflows=workflow_costs(inputs, models) if detail else None,
        scenario_ids=inputs.table("scenarios").ids,
        load=load,
        deployment=dep,
        api=scenario_api_options(inputs, models, load, dep) if detail else None,
        upfront_usd=upfront,
        recurring_usd_per_year=recurring,
        risk_expected_usd=expected,
        expected_annual_risk_usd=annual_risk,
        expected_one_time_risk_usd=one_time_risk,
        cash=cash,
    )


@dataclass(frozen=True)
class HourlyFleet:
    """Hour by hour (scenarios, 24): the load and the GPUs each self-hosted option runs."""

    load_qps: np.ndarray
    pure_gpus: np.ndarray
    hetero_gpus: np.ndarray


def hourly_fleet(inputs: Inputs, core: Core) -> HourlyFleet:
    """The fleets of one case hour by hour: a static fleet is its peak size every hour; an autoscaled one
    follows the hour's load plus headroom (the same formulas as the yearly cost, at each hour)."""
    s = inputs.table("scenarios")
    gpus = np.asarray(inputs.table("models")["gpus_per_instance"], dtype=float)
    large = model_index(core.models.ids, s["planner_model"])
    small = model_index(core.models.ids, s["executor_model"])
    sizing = core.models.capacity.sizing_qps
    autoscaled = np.array([p == "autoscaled" for p in s["provisioning"]], dtype=bool)[:, None]
    factor = np.where(autoscaled, core.load.shares * (1.0 + np.asarray(s["autoscale_headroom"])[:, None]), 1.0)
    peak = np.asarray(s["peak_qps"], dtype=float)[:, None]
    pure_large, hetero_large, hetero_small = fleets(
        peak * factor, np.asarray(s["planning_share"])[:, None], np.asarray(s["escalation_rate"])[:, None],
        sizing[large, PLAN][:, None], sizing[large, ACT][:, None], sizing[small, ACT][:, None])
    return HourlyFleet(peak * core.load.shares, pure_large * gpus[large][:, None],
                       hetero_large * gpus[large][:, None] + hetero_small * gpus[small][:, None])
