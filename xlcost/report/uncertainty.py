"""How sure are we: the Monte Carlo simulation's ranges and probabilities in the report's language.

``ranges`` gives, per scenario, what the executive summary and the decision page quote next to each point
estimate (P10–P90 and the chance of a loss); ``chapter`` the "How sure are we?" chapter (the table of
outcomes, the tornado in words, the convergence and correlation sentences). Both are None when the
simulation is off (``mc_trials`` = 0): the report then shows the point estimates alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import contract
from ..engine.model import Results
from ..engine.uncertainty import ALL_ROWS, MULTIPLIER, UncertainInput
from ..labels import namer
from .formatting import finite as _finite
from .i18n import Lang

Row = dict[str, Any]
Z_95 = 1.959963984540054  # a two-sided 95% interval: 1.96 standard errors


def span(lo: Any, hi: Any, t: Lang, *, money: bool = True) -> str:
    """"$65.11M – $111.12M" (one scale for both ends), or a dash when either end is undefined."""
    F = t.F
    if _finite(lo) is None or _finite(hi) is None:
        return F.blank
    a, b = F.money_scaled([lo, hi]) if money else (F.pct(lo), F.pct(hi))
    return f"{a} – {b}"


def ranges(results: Results, t: Lang) -> list[Row] | None:
    """Per scenario (in the Scenarios order): P10–P90 of annual savings, NPV and risk-adjusted NPV, the chance
    of a loss and of missing the payback target; None without a simulation."""
    s = results.simulation
    if s is None:
        return None
    out = []
    for o in s.scenarios:
        out.append({
            "savings": (o.annual_savings_usd.p10, o.annual_savings_usd.p90),
            "npv": (o.npv_usd.p10, o.npv_usd.p90),
            "ra_npv": (o.risk_adjusted_npv_usd.p10, o.risk_adjusted_npv_usd.p90),
            "loss": o.prob_loss, "late": o.prob_payback_over_target,
        })
    return out


def moves(x: UncertainInput, results: Results, t: Lang) -> str:
    """What an uncertain input moves, in words: "Peak QPS, every scenario", "discount rate"."""
    target = x.target
    if not target.table:
        words = t.L.parameter(target.column)
        return words[:1].upper() + words[1:] if words != target.column else x.id
    spec = contract.TABLES[target.table]
    header = next((c.header for c in spec.columns if c.key == target.column), x.column)
    rows = t.L.every_row(target.table) if x.row_id == ALL_ROWS else namer(results.inputs)(target.table, x.row_id)
    return t.gettext("{column}, {rows}").format(column=t.gettext(header), rows=rows)


def input_value(x: UncertainInput, value: float, t: Lang) -> str:
    """A draw as the reader knows the cell: ×0.77 for a multiplier, 2.3% for a share, 17.7 QPS."""
    F = t.F
    if x.kind == MULTIPLIER:
        return "×" + F.number(value, 2)
    if x.unit == "fraction":
        return F.pct(value)
    unit = t.L.unit(x.unit)
    text = F.fmt(value, x.unit)
    return f"{text} {unit}" if unit and not x.unit.startswith("usd") else text


def chapter(results: Results, t: Lang) -> Row | None:
    """The "How sure are we?" chapter's rows and sentences; None without a simulation."""
    s = results.simulation
    if s is None:
        return None
    _, F = t.gettext, t.F
    names = namer(results.inputs)
    core = results.core
    rows = []
    stats = [[float(core.cash.risk_adjusted_npv_usd[core.scenario_ids.index(o.scenario)]),
              *(getattr(o.risk_adjusted_npv_usd, k) for k in ("p10", "p50", "p90", "mean"))] for o in s.scenarios]
    flat = F.money_scaled([v for row in stats for v in row])  # the whole table on one scale
    for k, o in enumerate(s.scenarios):
        cells = flat[5 * k: 5 * k + 5]
        rows.append({"scenario": names("scenarios", o.scenario), "point": cells[0], "p10": cells[1],
                     "p50": cells[2], "p90": cells[3], "mean": cells[4], "loss": F.prob(o.prob_loss),
                     "late": F.prob(o.prob_payback_over_target), "primary": o.scenario == s.primary_scenario,
                     "loses": o.prob_loss >= 0.5})
    by_id = {x.id: x for x in s.inputs}
    bars = []
    for b in s.tornado:
        x = by_id[b.input]
        lo, hi = F.money_scaled([b.output_at_p10, b.output_at_p90])
        bars.append({"label": moves(x, results, t), "id": b.input, "at_p10": input_value(x, b.input_at_p10, t),
                     "at_p90": input_value(x, b.input_at_p90, t), "out_p10": lo, "out_p90": hi,
                     "swing": F.money(b.swing),
                     "rho": F.number(b.rank_correlation, 2) if b.rank_correlation is not None else F.blank})
    primary = s.primary
    npv = primary.risk_adjusted_npv_usd
    scenario = names("scenarios", s.primary_scenario)
    convergence = _("The mean risk-adjusted NPV of {scenario}, {mean}, is known to within ±{error} (95%: 1.96 "
                    "standard errors of the mean over {trials} trials).").format(
        scenario=scenario, mean=F.money(npv.mean), error=F.money(Z_95 * (npv.standard_error or 0.0)),
        trials=F.smart(s.trials))
    if primary.prob_loss in (0.0, 1.0):
        convergence += t.gap + (_("No trial made a loss.") if primary.prob_loss == 0 else
                                _("Every trial made a loss."))
    else:
        convergence += t.gap + _("The chance of a loss, {p}, is known to within ±{e} points.").format(
            p=F.prob(primary.prob_loss), e=F.number(Z_95 * primary.prob_loss_standard_error * 100, 1))
    base = float(s.base_risk_adjusted_npv_usd)
    below = float(np.interp(base, s.curve_risk_adjusted_npv_usd, s.curve_probability))
    placement = _("The single-point estimate, {point}, is above {pct} of the simulated outcomes: "
                  "{lean}").format(point=F.money(base), pct=F.pct(below, 0),
                                   lean=_("the ranges entered lean towards worse outcomes than the cells’ own values."
                                          ) if below > 0.6 else _("the ranges entered lean towards better outcomes "
                                                                  "than the cells’ own values.") if below < 0.4
                                   else _("near the middle of the ranges entered."))
    pairs = [_("{a} and {b}: {target} declared, {achieved} achieved").format(
        a=moves(by_id[c.input_a], results, t), b=moves(by_id[c.input_b], results, t),
        target=F.number(c.target, 2), achieved=F.number(c.achieved, 2) if c.achieved is not None else F.blank)
        for c in s.correlations]
    correlations = (_("Rank correlations imposed on the draws: {list}.").format(list=_("; ").join(pairs))
                    if pairs else "")
    intro = t.ngettext(
        "{trials} trials (seed {seed}) drew the {n} uncertain input of the workbook’s Uncertainty sheet and re-ran "
        "prices, capacity, fleets, costs, risk and cash flows for each one; every other sheet uses the cells’ own "
        "values.",
        "{trials} trials (seed {seed}) drew the {n} uncertain inputs of the workbook’s Uncertainty sheet together "
        "and re-ran prices, capacity, fleets, costs, risk and cash flows for each one; every other sheet uses the "
        "cells’ own values.", len(s.inputs)).format(trials=F.smart(s.trials), seed=s.seed, n=len(s.inputs))
    return {"intro": intro, "rows": rows, "bars": bars, "convergence": convergence, "placement": placement,
            "correlations": correlations, "scenario": scenario, "target": F.smart(s.payback_target_months),
            "trials": F.smart(s.trials)}
