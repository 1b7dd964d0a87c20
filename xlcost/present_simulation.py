"""Result rows for "how sure are we": the simulation's tables and key figures, and the plausibility checks.

Rows of plain values, the same for the workbook, JSON, CSV and the report; ``present.result_tables`` and
``present.key_figures`` collect them with the others, ``present.model_checks`` the checks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .contract import Problem
from .engine.model import Results
from .engine.simulation import METRICS, Simulation, Summary
from .inputs import Inputs
from .labels import ENGLISH as LABELS
from .labels import N_
from .report.formatting import ENGLISH as FORMAT

Row = dict[str, Any]
TABLES = ("mc_histogram", "mc_cumulative", "mc_run", "mc_summary", "mc_risk", "tornado", "mc_correlation_check")
# The unit of each simulated measure (its words come from the labels module).
METRIC_UNITS = {"annual_savings_usd": "usd_per_year", "savings_pct": "fraction", "npv_usd": "usd",
                "risk_adjusted_npv_usd": "usd", "simple_payback_months": "months"}
Z_95 = 1.959963984540054  # two-sided 95% normal interval: mean +/- 1.96 standard errors
IRR_PLAUSIBLE = 10.0  # 1,000 %
PAYBACK_PLAUSIBLE_MONTHS = 1.0



def simulation_rows(r: Results) -> dict[str, list[Row]]:
    """Every table of the Simulation sheet (empty tables, and a line saying so, when it is off)."""
    s = r.simulation
    if s is None:
        off = {"trials": 0, "seed": int(r.inputs.param("mc_seed")), "statement":
               "The simulation is off (mc_trials is 0): set mc_trials on the Parameters sheet, or pass --trials."}
        return {**{key: [] for key in TABLES}, "mc_run": [off]}
    inp = r.inputs
    primary = s.primary
    edges, counts = s.histogram_edges_usd, s.histogram_trials
    money = FORMAT.money_short
    histogram = [{"bin": money((edges[i] + edges[i + 1]) / 2), "from_usd": edges[i], "to_usd": edges[i + 1],
                  "trials": int(counts[i]), "share": counts[i] / s.trials} for i in range(len(counts))]
    curve = [{"probability": p, "risk_adjusted_npv_usd": v}
             for p, v in zip(s.curve_probability, s.curve_risk_adjusted_npv_usd, strict=True)]
    summary: list[Row] = []
    for outcome in s.scenarios:
        scenario = inp.display_name("scenarios", outcome.scenario)
        for metric in METRICS:
            summary.append({"scenario": scenario, "metric": LABELS.measure(metric, capital=True),
                            "unit": METRIC_UNITS[metric], **vars(outcome.metric(metric))})
    risk = [{"scenario": inp.display_name("scenarios", o.scenario), "prob_loss": o.prob_loss,
             "prob_loss_standard_error": o.prob_loss_standard_error, "prob_npv_negative": o.prob_npv_negative,
             "prob_npv_negative_standard_error": o.prob_npv_negative_standard_error,
             "prob_payback_over_target": o.prob_payback_over_target, "payback_target_months": s.payback_target_months}
            for o in s.scenarios]
    tornado = [{"input": b.input, "moves": b.moves, "unit": b.unit, "input_at_p10": b.input_at_p10,
                "input_at_p90": b.input_at_p90, "output_at_p10": b.output_at_p10, "output_at_p90": b.output_at_p90,
                "swing": b.swing, "rank_correlation": b.rank_correlation} for b in s.tornado]
    checks = [{"input_a": c.input_a, "input_b": c.input_b, "target": c.target, "achieved": c.achieved}
              for c in s.correlations]
    return {"mc_histogram": histogram, "mc_cumulative": curve, "mc_run": [run_row(r, s, primary.risk_adjusted_npv_usd)],
            "mc_summary": summary, "mc_risk": risk, "tornado": tornado, "mc_correlation_check": checks}


def run_row(r: Results, s: Simulation, npv: Summary) -> Row:
    scenario = r.inputs.display_name("scenarios", s.primary_scenario)
    loss = s.primary.prob_loss
    if loss in (0.0, 1.0):
        chance = f"{'none' if loss == 0 else 'every one'} of the trials made a loss"
    else:
        chance = f"the chance of a loss, {loss:.1%}, to within {Z_95 * s.primary.prob_loss_standard_error:.1%}"
    money = FORMAT.money_short
    statement = (f"{s.trials:,} trials, seed {s.seed}: the mean risk-adjusted NPV of {scenario}, {money(npv.mean)}, "
                 f"is known to within {money(Z_95 * npv.standard_error)} (95%: 1.96 standard errors of the mean); "
                 f"{chance}.")
    return {"trials": s.trials, "seed": s.seed, "scenario": scenario, "mean_risk_adjusted_npv_usd": npv.mean,
            "standard_error_usd": npv.standard_error, "statement": statement}


def simulation_key_figures(r: Results) -> list[tuple[str, str, float | None, str]]:
    """(id, label, value, unit) of the simulation's key figures; none when it is off."""
    s = r.simulation
    if s is None:
        return []
    out = [("mc.trials", "Monte Carlo trials", float(s.trials), "count"),
           ("mc.seed", "Monte Carlo seed", float(s.seed), "count")]
    for o in s.scenarios:
        n = r.inputs.display_name("scenarios", o.scenario)
        ra, npv, savings = o.risk_adjusted_npv_usd, o.npv_usd, o.annual_savings_usd
        out += [(f"mc.{o.scenario}.risk_adjusted_npv.{stat}", f"{n}: risk-adjusted NPV, simulated {words}",
                 getattr(ra, stat), "usd")
                for stat, words in (("mean", "mean"), ("p5", "P5"), ("p10", "P10"), ("p50", "P50 (median)"),
                                    ("p90", "P90"), ("p95", "P95"))]
        out += [(f"mc.{o.scenario}.npv.{stat}", f"{n}: NPV, simulated {stat.upper()}", getattr(npv, stat), "usd")
                for stat in ("p10", "p50", "p90")]
        out += [(f"mc.{o.scenario}.annual_savings_usd.{stat}", f"{n}: annual savings, simulated {stat.upper()}",
                 getattr(savings, stat), "usd_per_year") for stat in ("p10", "p50", "p90")]
        out += [(f"mc.{o.scenario}.prob_loss", f"{n}: chance the risk-adjusted NPV is negative", o.prob_loss,
                 "fraction"),
                (f"mc.{o.scenario}.prob_payback_over_target", f"{n}: chance the risk-adjusted payback misses "
                 f"{s.payback_target_months:g} months", o.prob_payback_over_target, "fraction")]
    return out


# ---------------------------------------------------------------------------------------------
# Plausibility checks
# ---------------------------------------------------------------------------------------------


def check_warning(inputs: Inputs, key: str, sheet: str, msgid: str, **args: str) -> Problem:
    """A model check's warning at the cell of input ``key``; ``msgid`` (marked N_) is translated in reports."""
    return Problem("warning", *inputs.location(key, sheet), msgid.format(**args), msgid=msgid, args=args)


# A quick return, told by which of its two signs shows.
TOO_GOOD = {
    (True, True): N_("Scenario {scenario}: IRR {irr}, payback {payback} months for a one-time investment of "
                     "{investment}: the investment looks small for the savings: does it include migration, "
                     "parallel running, and the team?"),
    (True, False): N_("Scenario {scenario}: IRR {irr} for a one-time investment of {investment}: the investment "
                      "looks small for the savings: does it include migration, parallel running, and the team?"),
    (False, True): N_("Scenario {scenario}: payback {payback} months for a one-time investment of {investment}: "
                      "the investment looks small for the savings: does it include migration, parallel running, "
                      "and the team?"),
}
ZERO_ESCALATION = {
    "scenarios": N_("Scenarios {ids}: an escalation rate of exactly 0 assumes the small model never fails; "
                    "measure it in a pilot."),
    "workflows": N_("Workflows {ids}: an escalation rate of exactly 0 assumes the small model never fails; "
                    "measure it in a pilot."),
}
TYPED_BUT_MEASURED = (
    N_("Model {model}: its capacity is typed ({qps} QPS), although the Benchmarks table holds 1 run of it: set "
       "Capacity source to 'benchmark' to size it from the measurements, or say where the typed figure comes from."),
    N_("Model {model}: its capacity is typed ({qps} QPS), although the Benchmarks table holds {runs} runs of it: "
       "set Capacity source to 'benchmark' to size it from the measurements, or say where the typed figure comes "
       "from."),
)


def plausibility_checks(r: Results) -> list[Problem]:
    """Results that are valid but implausible, each pointing at the cell a reviewer should question."""
    inp, c = r.inputs, r.core
    out: list[Problem] = []

    def warn(key: str, sheet: str, msgid: str, **args: str) -> None:
        out.append(check_warning(inp, key, sheet, msgid, **args))

    lines = inp.table("cost_lines")
    one_time = [lid for lid, kind in zip(lines.ids, lines["recurrence"], strict=True) if kind == "one-time"]
    investment = f"cost_lines.{(one_time or list(lines.ids))[0]}.amount_usd" if len(lines) else ""
    for i, sid in enumerate(c.scenario_ids):
        irr, payback = float(c.cash.irr[i]), float(c.cash.simple_payback_months[i])
        high_irr = math.isfinite(irr) and irr > IRR_PLAUSIBLE
        quick = math.isfinite(payback) and payback < PAYBACK_PLAUSIBLE_MONTHS
        if high_irr or quick:
            warn(investment, "Costs", TOO_GOOD[high_irr, quick], scenario=sid, irr=f"{irr:,.0%}",
                 payback=f"{payback:.1f}", investment=f"${c.upfront_usd:,.0f}")
    for table, sheet in (("scenarios", "Scenarios"), ("workflows", "Workflows")):
        t = inp.table(table)
        zero = [rid for rid, e in zip(t.ids, np.asarray(t["escalation_rate"], dtype=float), strict=True) if e == 0]
        if zero:
            warn(f"{table}.{zero[0]}.escalation_rate", sheet, ZERO_ESCALATION[table], ids=", ".join(zero))
    options = {x.option: x for x in r.sla}
    if options and all(x.shortfall > 0 for x in options.values()):
        shown = ", ".join(f"{x.name or x.option} {x.availability:.2%}" for x in options.values())
        warn("sla_target", "Parameters", N_("Both options fall short of the SLA target {target} ({shown}): neither "
                                            "meets the contract, so the comparison is between two shortfalls."),
             target=f"{float(inp.param('sla_target')):.2%}", shown=shown)
    for bar in r.simulation.tornado if r.simulation is not None else ():
        if not bar.moves_results and bar.input_at_p10 != bar.input_at_p90:
            warn(f"uncertainty.{bar.input}", "Uncertainty", N_(
                "Uncertain input {input} ({moves}) changes none of the simulated results at its P10 or P90: the "
                "column feeds no cost, sizing or cash flow (only latency or the API options), the rows it names are "
                "left out, or whole instances absorb the change."), input=bar.input, moves=bar.moves)
    m, b = inp.table("models"), inp.table("benchmarks")
    runs = list(b["model"])
    for i, mid in enumerate(m.ids):
        if m["capacity_source"][i] == "typed" and mid in runs:
            n = runs.count(mid)
            warn(f"models.{mid}.capacity_source", "Models", TYPED_BUT_MEASURED[n != 1], model=mid,
                 qps=f"{m['qps_per_instance'][i]:g}", runs=f"{n:,}")
    return out
