"""Results as the contract's result tables: rows of plain values, the same for the workbook, JSON, CSV
and the report. Also the key figures (stable ids), the metric lookup behind the reconciliation, and
the model checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from . import contract, labels, present_serving
from .contract import Problem
from .engine.capacity import CALL_TYPES
from .engine.model import Results, finite_or_none
from .labels import N_
from .present_simulation import check_warning, plausibility_checks, simulation_key_figures, simulation_rows

Row = dict[str, Any]


@dataclass(frozen=True)
class KeyFigure:
    id: str
    label: str
    value: float | None
    unit: str


def _f(x: Any) -> float | None:
    return None if x is None else finite_or_none(x)



def key_figures(r: Results) -> list[KeyFigure]:
    c, d, cash, inp = r.core, r.core.deployment, r.core.cash, r.inputs
    out = [KeyFigure("usd_per_gpu_hour", "GPU-hour price used", c.gpu_hour_usd, "usd_per_gpu_hour")]
    for i, mid in enumerate(c.models.ids):
        out.append(KeyFigure(f"model.{mid}.usd_per_1k_requests",
                             f"{inp.display_name('models', mid)}: cost per 1K requests",
                             _f(c.models.usd_per_1k_requests[i]), "usd_per_1k_requests"))
    for i, wid in enumerate(c.workflows.ids):
        out.append(KeyFigure(f"workflow.{wid}.savings_pct", f"{inp.display_name('workflows', wid)}: savings",
                             _f(c.workflows.savings_pct[i]), "fraction"))
    for i, sid in enumerate(c.scenario_ids):
        n = inp.display_name("scenarios", sid)
        out += [
            KeyFigure(f"deployment.{sid}.pure.gpus", f"{n}: GPUs, pure large", _f(d.pure_gpus[i]), "gpus"),
            KeyFigure(f"deployment.{sid}.hetero.gpus", f"{n}: GPUs, heterogeneous", _f(d.hetero_gpus[i]), "gpus"),
            KeyFigure(f"deployment.{sid}.pure.usd_per_year", f"{n}: annual cost, pure large",
                      _f(d.pure_usd_per_year[i]), "usd_per_year"),
            KeyFigure(f"deployment.{sid}.hetero.usd_per_year", f"{n}: annual cost, heterogeneous",
                      _f(d.hetero_usd_per_year[i]), "usd_per_year"),
            KeyFigure(f"deployment.{sid}.annual_savings_usd", f"{n}: annual savings",
                      _f(d.annual_savings_usd[i]), "usd_per_year"),
            KeyFigure(f"deployment.{sid}.savings_pct", f"{n}: savings", _f(d.savings_pct[i]), "fraction"),
            KeyFigure(f"finance.{sid}.npv", f"{n}: NPV", _f(cash.npv_usd[i]), "usd"),
            KeyFigure(f"finance.{sid}.risk_adjusted_npv", f"{n}: risk-adjusted NPV",
                      _f(cash.risk_adjusted_npv_usd[i]), "usd"),
            KeyFigure(f"finance.{sid}.irr", f"{n}: IRR (empty when not defined)", _f(cash.irr[i]), "fraction"),
            KeyFigure(f"finance.{sid}.roi", f"{n}: ROI over the horizon", _f(cash.roi[i]), "fraction"),
            KeyFigure(f"finance.{sid}.payback_months", f"{n}: simple payback (empty: never)",
                      _f(cash.simple_payback_months[i]), "months"),
            KeyFigure(f"finance.{sid}.discounted_payback_months", f"{n}: discounted payback (empty: never)",
                      _f(cash.discounted_payback_months[i]), "months"),
        ]
    out += serving_key_figures(r)
    out += [
        KeyFigure("implementation.upfront_usd", "One-time investment", c.upfront_usd, "usd"),
        KeyFigure("implementation.recurring_usd_per_year", "Recurring operating cost", c.recurring_usd_per_year,
                  "usd_per_year"),
        KeyFigure("risk.expected_annual_usd", "Expected annual risk cost", c.expected_annual_risk_usd, "usd_per_year"),
        KeyFigure("breakeven.min_qps", "Smallest load that pays (empty: none in the sweep)", r.breakeven.min_qps,
                  "qps"),
    ]
    out += [KeyFigure(i, label, _f(value), unit) for i, label, value, unit in simulation_key_figures(r)]
    # The labels module words every id it knows (the same words as the report); the labels above remain
    # for ids it does not know yet.
    names = labels.namer(inp)
    return [replace(k, label=labels.ENGLISH.metric(k.id, names) or k.label) for k in out]


def serving_key_figures(r: Results) -> list[KeyFigure]:
    """Unit costs per call type and token, the API options, load and capacity, by stable id."""
    c, inp = r.core, r.inputs
    mc, d, api = c.models, c.deployment, c.api
    out = []
    for i, mid in enumerate(mc.ids):
        n = inp.display_name("models", mid)
        for k, call in enumerate(CALL_TYPES):
            out.append(KeyFigure(f"model.{mid}.{call}.usd_per_1m_tokens", f"{n}: self-hosted cost per 1M tokens, "
                                 f"{call} calls", _f(mc.usd_per_1m_tokens[i, k]), "usd_per_1m_tokens"))
            if np.isfinite(mc.api_usd_per_call[i, k]):
                out.append(KeyFigure(f"api.{mid}.{call}.usd_per_call", f"{n}: API cost per {call} call",
                                     _f(mc.api_usd_per_call[i, k]), "usd_per_call"))
            out.append(KeyFigure(f"capacity.{mid}.{call}.qps", f"{n}: capacity per instance, {call} calls",
                                 _f(mc.capacity.qps[i, k]), "qps"))
    for i, wid in enumerate(c.workflows.ids):
        n = inp.display_name("workflows", wid)
        out += [KeyFigure(f"workflow.{wid}.pure.latency_ms", f"{n}: latency, pure large",
                          _f(c.workflows.pure_ms[i]), "ms"),
                KeyFigure(f"workflow.{wid}.hetero.latency_ms", f"{n}: latency, heterogeneous",
                          _f(c.workflows.hetero_ms[i]), "ms")]
    for i, sid in enumerate(c.scenario_ids):
        n = inp.display_name("scenarios", sid)
        out += [
            KeyFigure(f"deployment.{sid}.requests_per_year", f"{n}: requests per year",
                      _f(c.load.requests_per_year[i]), "requests"),
            KeyFigure(f"deployment.{sid}.peak_to_average", f"{n}: peak-to-average load",
                      _f(c.load.peak_to_average[i]), "ratio"),
            KeyFigure(f"deployment.{sid}.pure.gpu_hours_per_year", f"{n}: GPU-hours per year, pure large",
                      _f(d.pure_gpu_hours_per_year[i]), "gpu_hours"),
            KeyFigure(f"deployment.{sid}.hetero.gpu_hours_per_year", f"{n}: GPU-hours per year, heterogeneous",
                      _f(d.hetero_gpu_hours_per_year[i]), "gpu_hours"),
            KeyFigure(f"deployment.{sid}.api_pure.usd_per_year", f"{n}: annual cost, API large model only",
                      _f(api.pure_usd_per_year[i]), "usd_per_year"),
            KeyFigure(f"deployment.{sid}.api_hetero.usd_per_year", f"{n}: annual cost, API planner + executor",
                      _f(api.hetero_usd_per_year[i]), "usd_per_year"),
        ]
    return out


def metrics(r: Results, figures: list[KeyFigure]) -> dict[str, float | None]:
    """Every computed figure a published figure can be reconciled against, by metric id."""
    values = {k.id: k.value for k in figures}
    d = r.core.deployment
    for i, sid in enumerate(r.core.scenario_ids):
        for option in ("pure", "hetero"):
            values[f"deployment.{sid}.{option}.usd_per_hour"] = _f(getattr(d, f"{option}_usd_per_hour")[i])
            values[f"deployment.{sid}.{option}.usd_per_month"] = _f(getattr(d, f"{option}_usd_per_month")[i])
    for m in r.market:
        if m.scenario is not None:
            values[f"market.{m.market_id}.{m.scenario}.annual_savings_usd"] = m.annual_savings_usd
            values[f"market.{m.market_id}.{m.scenario}.risk_adjusted_npv"] = m.risk_adjusted_npv_usd
    for t in r.latency_tasks:
        values[f"latency.{t.task_class}.improvement"] = t.improvement
    for w in r.workflow_latency:
        values[f"workflow.{w.workflow}.latency_improvement"] = w.improvement
    for tier in r.tiers:
        values[f"recommendation.{tier.tier_id}.savings_min"] = tier.savings_min
        values[f"recommendation.{tier.tier_id}.savings_max"] = tier.savings_max
    return values


def rounding_half_unit(published: float, unit: str) -> float:
    """Half a unit of the published figure's last digit as it is shown (shares as percentages: 8.3% -> 0.05
    points): a computed value that rounds to the published figure matches it. Whole numbers other than
    percentages get no such allowance: 1600 GPUs may be exact."""
    scale = 100.0 if unit == "fraction" else 1.0
    text = f"{abs(published) * scale:.12g}"
    if "e" in text:
        return 0.0
    if "." not in text:
        return 0.5 / scale if unit == "fraction" else 0.0
    return 0.5 * 10.0 ** -len(text.split(".")[1]) / scale


def reconciliation(r: Results, figures: list[KeyFigure]) -> list[Row]:
    published = r.inputs.table("published")
    tolerance = float(r.inputs.param("reconcile_tolerance"))
    computed_by_id = metrics(r, figures)
    units = {k.id: k.unit for k in figures}
    names = labels.namer(r.inputs)
    rows = []
    for i, metric in enumerate(published["metric"]):
        figure = labels.ENGLISH.metric(metric, names, short=True) or metric
        value = float(published["published_value"][i])
        cause = published["known_cause"][i]
        unit = published["unit"][i] or units.get(metric, "")
        if metric not in computed_by_id:
            rows.append({"figure": figure, "metric": metric, "published": value, "computed": None, "difference": None,
                         "relative_difference": None, "status": "unknown id", "unit": unit,
                         "cause": "No computed metric has this id (see the README's list of ids)."})
            continue
        computed = computed_by_id[metric]
        if computed is None:
            rows.append({"figure": figure, "metric": metric, "published": value, "computed": None, "difference": None,
                         "relative_difference": None, "status": "differs", "unit": unit,
                         "cause": cause or "Not defined or never reached in the computed model."})
            continue
        diff = computed - value
        rel = diff / abs(value) if value else (0.0 if diff == 0 else None)
        matches = rel is not None and (abs(rel) <= tolerance or abs(diff) <= rounding_half_unit(value, unit))
        rows.append({"figure": figure, "metric": metric, "published": value, "computed": computed, "difference": diff,
                     "relative_difference": rel, "status": "matches" if matches else "differs", "unit": unit,
                     "cause": "" if matches else (cause or "")})
    return rows


def model_checks(r: Results) -> list[Problem]:
    """Plausibility checks on valid inputs: things a reviewer should see, not input errors."""
    inp, c = r.inputs, r.core
    out: list[Problem] = []

    def warn(key: str, sheet: str, msgid: str, **args: str) -> None:
        out.append(check_warning(inp, key, sheet, msgid, **args))

    budget = float(inp.param("implementation_budget_usd"))
    if c.upfront_usd > budget:
        warn("implementation_budget_usd", "Costs", N_("One-time investment {investment} exceeds the implementation "
                                                      "budget {budget} (Parameters: implementation_budget_usd)."),
             investment=f"${c.upfront_usd:,.0f}", budget=f"${budget:,.0f}")
    m = inp.table("models")
    for i, mid in enumerate(m.ids):
        sizing = m["sizing_qps_per_instance"][i]
        if not np.isnan(sizing) and sizing > m["qps_per_instance"][i]:
            warn(f"models.{mid}.sizing_qps_per_instance", "Models", N_(
                "Model {model}: sizing QPS {sizing} is above its measured QPS {measured}; instances would be "
                "overloaded."), model=mid, sizing=f"{sizing:g}", measured=f"{m['qps_per_instance'][i]:g}")
    w = inp.table("workflows")
    ratio = float(inp.param("min_act_steps_per_plan"))
    for i, wid in enumerate(w.ids):
        if w["plan_calls"][i] > 0 and w["act_steps"][i] / w["plan_calls"][i] < ratio:
            warn(f"workflows.{wid}.act_steps", "Workflows", N_(
                "Workflow {workflow} has fewer than {ratio} act steps per plan call, below the policy's minimum "
                "plan:act ratio."), workflow=wid, ratio=f"{ratio:g}")
    for i, sid in enumerate(c.scenario_ids):
        if c.deployment.annual_savings_usd[i] < 0:
            warn(f"scenarios.{sid}.peak_qps", "Scenarios", N_(
                "Scenario {scenario}: the heterogeneous option costs {usd} a year more than the pure large model "
                "(whole instances at low load)."), scenario=sid, usd=f"${-c.deployment.annual_savings_usd[i]:,.0f}")
    override = inp.param("gpu_hour_price_override")
    if override is not None and abs(override / c.offers_gpu_hour_usd - 1) > 0.001:
        warn("gpu_hour_price_override", contract.PARAMETERS_SHEET, N_(
            "GPU-hour price override {override} differs from the offers' average {average}."),
            override=f"${override:g}", average=f"${c.offers_gpu_hour_usd:.4f}")
    return out + plausibility_checks(r)


def _none_if_nan(x: Any) -> Any:
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if isinstance(x, float | np.floating):
        return finite_or_none(x)
    return x


def result_tables(r: Results, problems: list[Problem] | None = None) -> dict[str, list[Row]]:
    """Rows for every result table of the contract, keyed by table key."""
    inp, c = r.inputs, r.core
    d, cash = c.deployment, c.cash
    g = inp.table("gpu_offers")
    m = inp.table("models")
    tables: dict[str, list[Row]] = {}
    figures = key_figures(r)
    tables["key_figures"] = [{"id": k.id, "label": k.label, "value": k.value, "unit": k.unit} for k in figures]
    terms = c.term_usd_per_gpu_hour
    tables["gpu_pricing"] = [
        {"offer": f"{g['provider'][i]} {g['instance_type'][i]}", "term": g["term"][i], "region": g["region"][i] or "",
         "as_of": g["as_of"][i] or "", "gpus_per_instance": g["gpus_per_instance"][i],
         "usd_per_instance_hour": g["usd_per_instance_hour"][i], "usd_per_gpu_hour": c.offer_usd_per_gpu_hour[i],
         "included": bool(g["include"][i])}
        for i in range(len(g))
    ] + [{"offer": "Average of included offers", "term": term, "usd_per_gpu_hour": price}
         for term, price in terms.items() if np.isfinite(price) and term != "on-demand"] + [
        {"offer": "Average of included offers", "term": "on-demand", "usd_per_gpu_hour": c.offers_gpu_hour_usd},
        {"offer": "Price used" + (" (override)" if inp.param("gpu_hour_price_override") is not None else ""),
         "term": "on-demand", "usd_per_gpu_hour": c.gpu_hour_usd},
        {"offer": "Always-on capacity billed at", "term": inp.param("committed_term"),
         "usd_per_gpu_hour": c.committed_gpu_hour_usd}]
    mc = c.models
    tables["model_costs"] = [
        {"model": m["name"][i] or mid, "gpus_per_instance": m["gpus_per_instance"][i],
         "usd_per_instance_hour": mc.usd_per_instance_hour[i], "qps_per_instance": mc.qps_per_instance[i],
         "sizing_qps_per_instance": mc.sizing_qps[i], "qps_per_gpu": mc.qps_per_gpu[i],
         "usd_per_request": mc.usd_per_request[i], "usd_per_1k_requests": mc.usd_per_1k_requests[i],
         "seed_usd_per_1k": mc.seed_usd_per_1k[i], "capacity_source": m["capacity_source"][i]}
        for i, mid in enumerate(mc.ids)
    ]
    tables["call_costs"] = present_serving.call_cost_rows(r)
    w = inp.table("workflows")
    wc = c.workflows
    tables["workflow_costs"] = [
        {"workflow": w["name"][i] or wid, "plan_calls": w["plan_calls"][i], "act_steps": w["act_steps"][i],
         "planner": inp.display_name("models", w["planner_model"][i]),
         "executor": inp.display_name("models", w["executor_model"][i]),
         "escalation_rate": w["escalation_rate"][i], "pure_usd": wc.pure_usd[i], "hetero_usd": wc.hetero_usd[i],
         "cost_ratio": wc.cost_ratio[i], "savings_pct": wc.savings_pct[i], "api_pure_usd": wc.api_pure_usd[i],
         "api_hetero_usd": wc.api_hetero_usd[i]}
        for i, wid in enumerate(wc.ids)
    ]
    tables["options"] = present_serving.option_rows(r)
    s = inp.table("scenarios")
    dep_cols = [col.key for col in contract.RESULTS["deployment"].columns][1:]
    tables["deployment"] = [
        {"scenario": inp.display_name("scenarios", sid), "peak_qps": s["peak_qps"][i],
         **{k: getattr(d, k)[i] for k in dep_cols if k != "peak_qps"}}
        for i, sid in enumerate(c.scenario_ids)
    ]
    tables["load_hourly"] = present_serving.load_hourly_rows(r)
    tables["load_summary"] = present_serving.load_summary_rows(r)
    tables["capacity"] = present_serving.capacity_rows(r)
    tables["benchmark_runs"] = present_serving.benchmark_run_rows(r)
    tables["workflow_latency"] = present_serving.workflow_latency_rows(r)
    tables["latency_tasks"] = [vars(t).copy() for t in r.latency_tasks]
    tables["latency_impact"] = [
        {"industry": inp.display_name("industries", x.industry), "workflow": inp.display_name("workflows", x.workflow),
         "impact_per_100ms": x.impact_per_100ms, "impact_share": x.impact_share,
         "impact_usd_per_year": x.impact_usd_per_year}
        for x in r.latency_impact
    ]
    tables["sla_exposure"] = [
        {"option": x.name or x.option, "availability": x.availability, "target": x.target, "violation": x.shortfall,
         "p99_latency_ms": x.p99_latency_ms, "financial_penalty": x.penalty, "reputation_cost": x.reputation,
         "total_impact": x.total, "total_usd_per_year": x.total_usd_per_year}
        for x in r.sla
    ]
    tables["cumulative_cash"] = [
        {"year": t, **{sid: float(np.sum(cash.flows[i, : t + 1] * cash.discount_factors[..., : t + 1]))
                       for i, sid in enumerate(c.scenario_ids)}}
        for t in range(cash.flows.shape[-1])
    ]
    tables["implementation"] = [
        {"item": "One-time investment (upfront)", "usd": c.upfront_usd, "basis": "Sum of one-time cost lines."},
        {"item": "Recurring operating cost per year", "usd": c.recurring_usd_per_year,
         "basis": "12 × monthly lines + annual lines."},
        {"item": "Expected annual risk cost", "usd": c.expected_annual_risk_usd,
         "basis": "Sum of probability × impact over annual risks."},
        {"item": "Expected one-time risk cost", "usd": c.expected_one_time_risk_usd,
         "basis": "Sum of probability × impact over one-time risks (added to the risk-adjusted investment)."},
    ]
    years = cash.flows.shape[-1] - 1
    factors = np.broadcast_to(cash.discount_factors, cash.flows.shape)
    tables["cash_flows"] = []
    for i, sid in enumerate(c.scenario_ids):
        cumulative = 0.0
        for t in range(years + 1):
            discounted = cash.flows[i, t] * factors[i, t]
            cumulative += discounted
            tables["cash_flows"].append({
                "scenario": inp.display_name("scenarios", sid), "year": t,
                "savings_usd": 0.0 if t == 0 else d.annual_savings_usd[i],
                "operating_usd": 0.0 if t == 0 else -c.recurring_usd_per_year,
                "investment_usd": -c.upfront_usd if t == 0 else 0.0, "net_usd": cash.flows[i, t],
                "discount_factor": factors[i, t], "discounted_usd": discounted,
                "cumulative_discounted_usd": cumulative, "risk_adjusted_net_usd": cash.risk_adjusted_flows[i, t],
            })
    tables["finance_summary"] = [
        {"scenario": inp.display_name("scenarios", sid), "upfront_usd": c.upfront_usd,
         "annual_net_usd": cash.annual_net_usd[i],
         "npv_usd": cash.npv_usd[i], "irr": cash.irr[i], "roi": cash.roi[i], "npv_per_upfront": cash.npv_per_upfront[i],
         "simple_payback_months": cash.simple_payback_months[i],
         "discounted_payback_months": cash.discounted_payback_months[i],
         "risk_adjusted_npv_usd": cash.risk_adjusted_npv_usd[i],
         "risk_adjusted_payback_months": cash.risk_adjusted_payback_months[i],
         "excel_tie_out": f"=CF0 + NPV({float(inp.param('discount_rate')):g}, CF1:CF{years})"}
        for i, sid in enumerate(c.scenario_ids)
    ]
    rk = inp.table("risks")
    tables["risk_register"] = [
        {"risk": rk["name"][i] or rid, "probability": rk["probability"][i], "impact_usd": rk["impact_usd"][i],
         "recurrence": rk["recurrence"][i], "expected_usd": c.risk_expected_usd[i]}
        for i, rid in enumerate(rk.ids)
    ]
    tables["risk_adjusted"] = [
        {"scenario": inp.display_name("scenarios", sid), "annual_savings_usd": d.annual_savings_usd[i],
         "expected_annual_risk_usd": c.expected_annual_risk_usd,
         "expected_one_time_risk_usd": c.expected_one_time_risk_usd,
         "risk_adjusted_savings_usd": cash.risk_adjusted_savings_usd[i], "npv_usd": cash.npv_usd[i],
         "risk_adjusted_npv_usd": cash.risk_adjusted_npv_usd[i]}
        for i, sid in enumerate(c.scenario_ids)
    ]
    tables["market"] = [
        {"market_scenario": x.market_name or x.market_id,
         "scenario": "" if x.scenario is None else inp.display_name("scenarios", x.scenario),
         "change": x.change, "annual_savings_usd": x.annual_savings_usd, "savings_pct": x.savings_pct,
         "npv_usd": x.npv_usd, "risk_adjusted_npv_usd": x.risk_adjusted_npv_usd, "viable": x.viable,
         "cheapest": labels.ENGLISH.option(x.cheapest_option) if x.cheapest_option else "",
         "commentary": x.commentary or ""}
        for x in r.market
    ]
    sw = r.display_sweep
    tables["breakeven_sweep"] = [
        {"qps": sw.qps[i], "pure_gpus": sw.deployment.pure_gpus[i], "hetero_gpus": sw.deployment.hetero_gpus[i],
         "annual_savings_usd": sw.deployment.annual_savings_usd[i], "savings_pct": sw.deployment.savings_pct[i],
         "risk_adjusted_net_usd": sw.risk_adjusted_net_usd[i], "payback_months": sw.payback_months[i],
         "pays": bool(sw.pays[i])}
        for i in range(len(sw.qps))
    ]
    be = r.breakeven
    primary = inp.display_name("scenarios", r.primary_scenario)
    tables["breakeven_summary"] = [
        {"item": "Smallest load that pays", "value": be.min_qps, "unit": "qps",
         "basis": f"Risk-adjusted net benefit > 0 and payback ≤ {be.payback_target_months:g} months, "
                  f"{primary} mix, on a {be.resolution_qps:g} QPS grid."
                  + ("" if be.min_qps else " None in the sweep.")},
        {"item": "Pays at every load from", "value": be.sustained_qps, "unit": "qps",
         "basis": "Above this load no whole-instance step makes the case fail again."},
    ] + [
        {"item": f"Workflow {wid}: act steps per plan for {be.target_workflow_savings:.0%} savings", "value": steps,
         "unit": "count", "basis": "Smallest whole number of act steps (empty: never up to 1,000)."}
        for wid, steps in be.workflow_min_act_steps.items()
    ]
    tables["breakeven_steps"] = [
        {"qps_from": b.qps_from, "qps_to": b.qps_to, "pure_large_instances": b.pure_large,
         "hetero_large_instances": b.hetero_large, "hetero_small_instances": b.hetero_small,
         "savings_pct_from": b.savings_from, "savings_pct_to": b.savings_to}
        for b in r.steps
    ]
    tables["recommendation"] = [
        {"tier": t.name or t.tier_id, "min_qps": t.min_qps, "max_qps": t.max_qps, "savings_min": t.savings_min,
         "savings_max": t.savings_max, "worst_payback_months": t.worst_payback_months,
         "recommendation": t.recommendation, "stars": "★" * t.stars,
         "mix": ", ".join(inp.display_name("scenarios", sid) for sid in t.mix_scenarios)
         + ("" if t.own_mix else " (primary scenario: no scenario in this tier)"), "seed_claim": t.seed_claim or ""}
        for t in r.tiers
    ]
    tables.update(simulation_rows(r))
    tables["reconciliation"] = reconciliation(r, figures)
    tables["checks"] = check_rows(problems or [])
    return {key: [{k: _none_if_nan(v) for k, v in row.items()} for row in rows] for key, rows in tables.items()}


def table_columns(r: Results) -> dict[str, tuple[contract.ResultColumn, ...]]:
    """Columns of every result table; the cumulative cash table gets one column per scenario."""
    columns = {t.key: t.columns for t in contract.RESULT_TABLES}
    columns["cumulative_cash"] = columns["cumulative_cash"] + tuple(
        contract.ResultColumn(sid, r.inputs.display_name("scenarios", sid), "usd", 16) for sid in r.core.scenario_ids)
    columns["load_hourly"] = present_serving.load_hourly_columns(r)
    return columns


def check_rows(problems: list[Problem], *, gettext: labels.Gettext = labels.english,
               ngettext: Callable[[str, str, int], str] = labels.english_n) -> list[Row]:
    """The Checks table: a summary row, then every problem. English unless a report passes its gettext, which
    translates the summary and every message that carries a message id (the others stay as written)."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if errors:
        summary = gettext("FAIL: {errors} and {warnings}. Results were not updated.").format(
            errors=ngettext("{n} input error", "{n} input errors", errors).format(n=errors),
            warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))
    elif warnings:
        summary = ngettext("PASS with {n} warning to review.", "PASS with {n} warnings to review.",
                           warnings).format(n=warnings)
    else:
        summary = gettext("PASS: every input is valid and every model check passes.")
    rows = [{"severity": "summary", "sheet": "", "cell": "", "message": summary}]
    rows += [{"severity": p.severity, "sheet": p.sheet, "cell": p.cell,
              "message": gettext(p.msgid).format(**p.args) if p.msgid else p.message} for p in problems]
    return rows
