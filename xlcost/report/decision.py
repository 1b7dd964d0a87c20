"""The decision the report asks for: the recommendation in one sentence, the money asked for, the
go / no-go gates a pilot can measure, what would change the answer, and the warnings a board should
read before signing. All of it is worded here, in the report's language, from ``Results`` (and from
re-runs of the engine for the thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.model import Results
from ..present_simulation import IRR_PLAUSIBLE as IMPLAUSIBLE_IRR  # the model checks' thresholds, shared
from ..present_simulation import PAYBACK_PLAUSIBLE_MONTHS as IMPLAUSIBLE_PAYBACK_MONTHS
from .i18n import Lang

# Bisection steps for the "what would change the answer" thresholds (2^-22 of the searched range).
THRESHOLD_STEPS = 22


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


def tier_of(results: Results, scenario: int):
    """The recommendation tier a scenario's peak load falls in, as the engine assigns scenarios to tiers (from
    Min QPS up to, not including, Max QPS); a load outside every tier gets the nearest one."""
    from ..engine.recommendation import tier_members

    if not results.tiers:
        return None
    members = tier_members(results.inputs, float(results.sweep.qps[-1]))
    for tier, (_lo, _hi, rows) in zip(results.tiers, members, strict=True):
        if scenario in rows:
            return tier
    load = float(results.inputs.table("scenarios")["peak_qps"][scenario])
    return min(results.tiers, key=lambda t: min(abs(load - t.min_qps), abs(load - t.max_qps)))


def _primary(results: Results) -> dict[str, Any]:
    inp, core = results.inputs, results.core
    p = core.scenario_ids.index(results.primary_scenario)
    s = inp.table("scenarios")
    return {
        "p": p, "name": inp.display_name("scenarios", results.primary_scenario), "load": float(s["peak_qps"][p]),
        "years": int(inp.param("horizon_years")), "ra_npv": float(core.cash.risk_adjusted_npv_usd[p]),
        "savings": float(core.deployment.annual_savings_usd[p]), "share": float(core.deployment.savings_pct[p]),
        "upfront": float(core.upfront_usd), "escalation": float(s["escalation_rate"][p]),
        "planner": inp.display_name("models", s["planner_model"][p]),
        "executor": inp.display_name("models", s["executor_model"][p]),
        "executor_id": s["executor_model"][p],
    }


def decision(results: Results, th: Thresholds, t: Lang) -> dict[str, Any]:
    """The recommendation, the money asked for, the gates and what would change the answer."""
    from .uncertainty import ranges, span

    _, F = t.gettext, t.F
    inp, core = results.inputs, results.core
    pr = _primary(results)
    tier = tier_of(results, pr["p"])
    viable = pr["ra_npv"] > 0
    facts = {"scenario": pr["name"], "qps": F.qps(pr["load"]), "savings": F.money(pr["savings"]),
             "share": F.pct(pr["share"]), "ra_npv": F.money(pr["ra_npv"]), "years": pr["years"],
             "upfront": F.money(pr["upfront"])}
    simulated = ranges(results, t)
    if simulated is not None:  # the simulated range next to each point estimate
        x = simulated[pr["p"]]
        facts["savings"] = _("{value} (P10–P90 {range})").format(value=facts["savings"], range=span(*x["savings"], t))
        facts["ra_npv"] = _("{value} (P10–P90 {range}; chance of a loss {p})").format(
            value=facts["ra_npv"], range=span(*x["ra_npv"], t), p=F.prob(x["loss"]))
    if viable:
        label = tier.recommendation if tier is not None else _("Proceed")
        stars = tier.stars if tier is not None else 0
        sentence = _("{label}: move {scenario} ({qps} QPS) to the heterogeneous planner + executor deployment. "
                     "It saves {savings} a year, {share} of the pure large model’s cost, and returns a "
                     "risk-adjusted NPV of {ra_npv} over {years} years for a one-time investment of "
                     "{upfront}.").format(label=label, **facts)
    else:
        label, stars = _("Do not proceed"), 0
        sentence = _("{label}: the heterogeneous deployment for {scenario} ({qps} QPS) has a risk-adjusted NPV of "
                     "{ra_npv} over {years} years, for annual savings of {savings} and a one-time investment of "
                     "{upfront}.").format(label=label, **facts)
    override = None
    if not viable and tier is not None and tier.stars >= 3:
        override = _("The policy for the {tier} load tier (“{rec}”) is overridden because the risk-adjusted NPV "
                     "is not positive.").format(tier=tier.name or tier.tier_id, rec=tier.recommendation)

    budget = float(inp.param("implementation_budget_usd"))
    money = [
        {"label": _("One-time investment"), "value": F.money(core.upfront_usd),
         "note": (_("within the budget of {budget}") if core.upfront_usd <= budget
                  else _("over the budget of {budget}")).format(budget=F.money(budget))},
        {"label": _("Running cost"), "value": F.money(core.recurring_usd_per_year),
         "note": _("a year, monitoring and operations")},
        {"label": _("Expected risk cost"), "value": F.money(core.expected_annual_risk_usd),
         "note": _("a year, probability × impact of the listed risks")},
    ]
    return {
        "label": label, "stars": stars, "sentence": sentence, "override": override, "viable": viable,
        "tier": tier, "scenario_name": pr["name"], "load": pr["load"], "money": money,
        "gates": gates(results, th, t), "changers": changers(results, th, t),
        "changers_short": changers_short(results, th, t),
    }


def gates(results: Results, th: Thresholds, t: Lang) -> list[dict[str, str]]:
    """Go / no-go gates a pilot can measure: what to measure, the go threshold, today's assumption."""
    _, F = t.gettext, t.F
    inp, core = results.inputs, results.core
    pr = _primary(results)
    out = []
    if th.escalation_rate is not None and pr["ra_npv"] > 0:
        out.append({"gate": _("Escalation rate"),
                    "measure": _("Share of act steps {executor} fails and {planner} redoes").format(**pr),
                    "go": "≤ " + F.pct(th.escalation_rate), "today": F.pct(pr["escalation"]),
                    "flag": pr["escalation"] == 0})
    small = core.models.ids.index(pr["executor_id"])
    sizing = float(core.models.sizing_qps[small])
    if th.small_qps_multiplier is not None and pr["ra_npv"] > 0:
        out.append({"gate": _("Executor capacity"),
                    "measure": _("Requests per second one {executor} instance sustains within the latency target"
                                 ).format(**pr),
                    "go": "≥ " + F.qps(sizing * th.small_qps_multiplier) + " " + _("QPS"),
                    "today": F.qps(sizing) + " " + _("QPS"), "flag": False})
    sla = {row.option: row for row in results.sla}
    if "hetero" in sla:
        het = sla["hetero"]
        out.append({"gate": _("Availability"),
                    "measure": _("Availability of the heterogeneous deployment over the pilot"),
                    "go": "≥ " + F.pct(het.target), "today": F.pct(het.availability), "flag": het.shortfall > 0})
    be = results.breakeven
    if be.sustained_qps is not None:
        out.append({"gate": _("Load"), "measure": _("Peak load of {scenario}").format(scenario=pr["name"]),
                    "go": "≥ " + F.qps(be.sustained_qps) + " " + _("QPS"),
                    "today": F.qps(pr["load"]) + " " + _("QPS"), "flag": pr["load"] < be.sustained_qps})
    budget = float(inp.param("implementation_budget_usd"))
    out.append({"gate": _("Budget"), "measure": _("One-time investment, including migration and parallel running"),
                "go": "≤ " + F.money(budget), "today": F.money(core.upfront_usd), "flag": core.upfront_usd > budget})
    return out


def changers_short(results: Results, th: Thresholds, t: Lang) -> list[str]:
    """One line each: the values at which the answer flips."""
    _, F = t.gettext, t.F
    pr = _primary(results)
    out = []
    be = results.breakeven
    if be.sustained_qps is not None:
        out.append(_("Peak load below {qps} QPS (today {load} QPS).").format(qps=F.qps(be.sustained_qps),
                                                                        load=F.qps(pr["load"])))
    if th.gpu_price_multiplier is not None:
        price = float(results.core.gpu_hour_usd)
        out.append(_("A GPU-hour price below {price} (today {now}).").format(
            price=F.usd(price * th.gpu_price_multiplier, 3), now=F.usd(price, 3)))
    if th.escalation_rate is not None:
        out.append(_("An escalation rate above {rate} (assumed {now}).").format(rate=F.pct(th.escalation_rate),
                                                                             now=F.pct(pr["escalation"])))
    return out


def changers(results: Results, th: Thresholds, t: Lang) -> list[dict[str, str]]:
    """The three things that would change the answer, each with its threshold from the model."""
    _, F = t.gettext, t.F
    inp, core = results.inputs, results.core
    pr = _primary(results)
    be = results.breakeven
    max_qps = float(inp.param("sweep_max_qps"))
    first = results.steps[0] if results.steps else None
    low_load = ""
    if first is not None and first.savings_from < 0:
        low_load = t.gap + _("Up to {qps} QPS the heterogeneous option needs {large} large + {small} small instances "
                           "against {pure} large: it costs {more} more.").format(
            qps=F.qps(first.qps_to), large=first.hetero_large, small=first.hetero_small, pure=first.pure_large,
            more=F.pct(-first.savings_from))
    target = F.smart(be.payback_target_months)
    if be.sustained_qps is not None:
        load_text = _("The case meets the {target}-month payback target at every load from {from_qps} QPS up to the "
                      "{max_qps} QPS tested; {scenario} runs at {load} QPS.").format(
            target=target, from_qps=F.qps(be.sustained_qps), max_qps=F.qps(max_qps), scenario=pr["name"],
            load=F.qps(pr["load"])) + low_load
        if be.min_qps is not None and be.min_qps < be.sustained_qps - 1e-9:
            load_text += t.gap + _("Between {a} and {b} QPS some loads pay and others do not: whole instances make "
                                 "savings a step function of load.").format(a=F.qps(be.min_qps),
                                                                             b=F.qps(be.sustained_qps))
    elif be.min_qps is not None:
        load_text = _("Some loads from {a} QPS pay, but not the highest tested ({b} QPS): whole instances make "
                      "savings a step function of load.").format(a=F.qps(be.min_qps), b=F.qps(max_qps)) + low_load
    else:
        load_text = _("No load up to {b} QPS meets the {target}-month payback target.").format(
            b=F.qps(max_qps), target=target) + low_load
    out = [{"title": _("Load"), "text": load_text}]

    price = float(core.gpu_hour_usd)
    gpu_text = _("Savings are GPU-hours saved times the GPU-hour price ({price}).").format(
        price=F.usd(price, 3)) + t.gap
    if th.gpu_price_multiplier is None:
        gpu_text += _("No GPU-hour price from $0 to 100 times today’s changes the sign of {scenario}’s risk-adjusted "
                      "NPV.").format(scenario=pr["name"])
    elif th.gpu_price_multiplier < 1:
        gpu_text += _("{scenario}’s risk-adjusted NPV stays positive unless the price falls below {p} per GPU-hour "
                      "({d} below today’s).").format(scenario=pr["name"], p=F.usd(price * th.gpu_price_multiplier, 3),
                                                    d=F.pct(1 - th.gpu_price_multiplier))
    else:
        gpu_text += _("{scenario}’s risk-adjusted NPV turns positive only above {p} per GPU-hour.").format(
            scenario=pr["name"], p=F.usd(price * th.gpu_price_multiplier, 3))
    rows = [m for m in results.market if m.scenario == results.primary_scenario]
    if rows:
        parts = [_("{market}: savings {savings}, {verdict}").format(
            market=m.market_name or m.market_id, savings=F.money(m.annual_savings_usd),
            verdict=_("viable") if m.viable else _("not viable")) for m in rows]
        gpu_text += t.gap + _("Market scenarios re-run for it: {list}.").format(list=_("; ").join(parts))
    out.append({"title": _("GPU price and market"), "text": gpu_text})

    small = core.models.ids.index(pr["executor_id"])
    sizing_small = float(core.models.sizing_qps[small])
    quality = _("Act steps the small model ({executor}) fails are redone by the planner ({planner}); today’s "
                "escalation rate is {rate}.").format(rate=F.pct(pr["escalation"]), **pr) + t.gap
    if th.escalation_rate is not None:
        quality += (_("The risk-adjusted NPV reaches zero at an escalation rate of {rate}.") if pr["ra_npv"] > 0 else
                    _("The risk-adjusted NPV reaches zero at an escalation rate of {rate} (it is negative today)."
                      )).format(rate=F.pct(th.escalation_rate))
    else:
        quality += _("No escalation rate from 0% to 100% changes the sign of the risk-adjusted NPV.")
    if th.small_qps_multiplier is not None:
        quality += t.gap + _("It also reaches zero if the small model sustains {qps} QPS per instance instead of the "
                           "{sized} sized for.").format(qps=F.qps(sizing_small * th.small_qps_multiplier),
                                                        sized=F.qps(sizing_small))
    out.append({"title": _("Small-model quality"), "text": quality})
    return out


def warnings(results: Results, t: Lang) -> list[dict[str, str]]:
    """Plausibility warnings in plain words, computed from the results (the report's own wording of what
    the model checks flag), most serious first."""
    _, F = t.gettext, t.F
    inp, core = results.inputs, results.core
    cash, d = core.cash, core.deployment
    names = [inp.display_name("scenarios", sid) for sid in core.scenario_ids]
    out: list[dict[str, str]] = []
    flagged = []
    for i, name in enumerate(names):
        irr, payback = float(cash.irr[i]), float(cash.simple_payback_months[i])
        if (np.isfinite(irr) and irr > IMPLAUSIBLE_IRR) or (0 <= payback < IMPLAUSIBLE_PAYBACK_MONTHS):
            flagged.append(_("{scenario}: IRR {irr}, payback {payback}").format(
                scenario=name, irr=F.irr(irr), payback=F.months_text(payback)))
    if flagged:
        out.append({"title": _("The returns look too good to be true"),
                    "text": _("{list}. The investment ({upfront}) looks small for the savings: does it include "
                              "migration, parallel running, and the team?").format(
                        list=_("; ").join(flagged), upfront=F.money(core.upfront_usd))})
    s = inp.table("scenarios")
    w = inp.table("workflows")
    zero = [names[i] for i in range(len(names)) if float(s["escalation_rate"][i]) == 0]
    zero += [inp.display_name("workflows", wid) for i, wid in enumerate(w.ids) if float(w["escalation_rate"][i]) == 0]
    if zero:
        out.append({"title": _("The small model is assumed never to fail"),
                    "text": _("The escalation rate is exactly 0% in {list}: no act step would ever go back to the "
                              "large model. Measure it in a pilot before committing.").format(list=_(", ").join(zero))})
    sla = {row.option: row for row in results.sla}
    if "pure" in sla and "hetero" in sla:
        pure, het = sla["pure"], sla["hetero"]
        if pure.shortfall > 0 and het.shortfall > 0:
            out.append({"title": _("Neither option meets the SLA"),
                        "text": _("The availability target is {target}; the pure large model delivers {a} and the "
                                  "heterogeneous deployment {b}. Agree the exposure or fund redundancy.").format(
                            target=F.pct(pure.target), a=F.pct(pure.availability), b=F.pct(het.availability))})
        elif het.shortfall > 0:
            out.append({"title": _("The heterogeneous option misses the SLA"),
                        "text": _("Its availability ({b}) is below the {target} target.").format(
                            b=F.pct(het.availability), target=F.pct(het.target))})
    for i, name in enumerate(names):
        if float(d.annual_savings_usd[i]) < 0:
            out.append({"title": _("{scenario} loses money").format(scenario=name),
                        "text": _("At {qps} QPS the heterogeneous option costs {more} a year more than the pure large "
                                  "model: at low load a whole small instance is added to a large one that is still "
                                  "needed.").format(qps=F.qps(s["peak_qps"][i]),
                                                    more=F.money(-float(d.annual_savings_usd[i])))})
    api = api_warning(results, t)
    if api is not None:
        out.append(api)
    budget = float(inp.param("implementation_budget_usd"))
    if core.upfront_usd > budget:
        out.append({"title": _("Over budget"),
                    "text": _("The one-time investment of {upfront} exceeds the budget of {budget}.").format(
                        upfront=F.money(core.upfront_usd), budget=F.money(budget))})
    return out


def api_warning(results: Results, t: Lang) -> dict[str, str] | None:
    """A hosted-API option that costs less than B at the primary scenario: a board should see it before
    approving a fleet."""
    from .options import annual_costs, cheapest_of

    _, F = t.gettext, t.F
    pr = _primary(results)
    costs = annual_costs(results, pr["p"])
    api = [code for code in ("api_pure", "api_hetero") if np.isfinite(costs[code]) and costs[code] < costs["hetero"]]
    if not api:
        return None
    best = min(api, key=lambda code: costs[code])
    n = len(results.core.scenario_ids)
    cheapest = sum(cheapest_of(annual_costs(results, i)) == best for i in range(n))
    everywhere = (_("It is the cheapest option in every scenario.") if cheapest == n else
                  t.ngettext("It is the cheapest option in {k} of {n} scenarios.",
                             "It is the cheapest option in {k} of {n} scenarios.", cheapest).format(k=cheapest, n=n)
                  if cheapest else "")
    text = _("At {scenario} ({qps} QPS), {option} would cost {api} a year, {less} less than B ({b}). It pays per "
             "token used where B pays for GPUs provisioned, and its latency and availability are the provider’s, "
             "which the model does not estimate.").format(
        scenario=pr["name"], qps=F.qps(pr["load"]), option=t.L.option(best), api=F.money(costs[best]),
        less=F.money(costs["hetero"] - costs[best]), b=F.money(costs["hetero"]))
    text += (t.gap + everywhere if everywhere else "") + t.gap + _("Price it against B before committing to a fleet.")
    return {"title": _("A hosted API would cost less"), "text": text}
