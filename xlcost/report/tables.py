"""The report's tables: results turned into rows of formatted cells, in the report's language.

Each function takes ``Results`` (and the result tables of ``present``) and a ``Lang``, and returns plain
rows for a template to lay out. Money in a row or column shares one scale; per-request costs are per
1K or 1M; codes are words; a column is only there when some row has something in it.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .. import contract
from ..engine.model import Results
from ..labels import OPTION_CODES, OPTION_LETTERS
from .formatting import finite as _f
from .i18n import Lang

Row = dict[str, Any]



# ------------------------------------------------------------------------------------------- summary


def summary_figures(results: Results, t: Lang) -> list[Row]:
    """Key figures by scenario: one row per figure, one cell per scenario, money rows on one scale; with the
    simulation on, the P10–P90 range and the chances under the figure they belong to (``range`` rows)."""
    from . import options as O
    from .uncertainty import ranges

    _, F = t.gettext, t.F
    c = results.core
    d, cash = c.deployment, c.cash
    n = len(c.scenario_ids)
    years = int(results.inputs.param("horizon_years"))
    sim = ranges(results, t)
    costs = [O.annual_costs(results, i) for i in range(n)]
    rows: list[Row] = [{"label": _("Annual cost, {option}").format(option=t.L.option(code)), "key": "money",
                        "cells": O.money_cells([x[code] for x in costs], t)} for code in OPTION_CODES]

    def money(label: str, values, key: str, measure: str | None = None) -> None:
        points = [float(v) for v in values]
        if sim is None or measure is None:
            rows.append({"label": label, "cells": F.money_scaled(points), "key": key})
            return
        # The figure and its range on one scale.
        low, high = [x[measure][0] for x in sim], [x[measure][1] for x in sim]
        cells = F.money_scaled(points + low + high)
        n = len(points)
        rows.append({"label": label, "cells": cells[:n], "key": key})
        rows.append({"label": _("P10–P90"), "range": True, "key": key + "_range",
                     "cells": [(a, b) if _f(lo) is not None and _f(hi) is not None else F.blank
                               for a, b, lo, hi in zip(cells[n:2 * n], cells[2 * n:], low, high, strict=True)]})

    money(_("Annual savings (B against A)"), d.annual_savings_usd, "savings", "savings")
    rows.append({"label": _("Savings share"), "cells": [F.pct(v) for v in d.savings_pct], "key": "share"})
    rows.append({"label": _("GPUs, A → B"), "cells": [f"{F.smart(a)} → {F.smart(b)}"
                                                     for a, b in zip(d.pure_gpus, d.hetero_gpus, strict=True)],
                 "key": "gpus"})
    money(_("NPV over {years} years").format(years=years), cash.npv_usd, "npv", "npv")
    money(_("Risk-adjusted NPV"), cash.risk_adjusted_npv_usd, "ra_npv", "ra_npv")
    if sim is not None:
        rows.append({"label": _("Chance of a loss"), "range": True, "key": "loss",
                     "cells": [F.prob(x["loss"]) for x in sim]})
    rows.append({"label": _("Payback (simple)"), "cells": [F.months_text(v) for v in cash.simple_payback_months],
                 "key": "payback"})
    if sim is not None:
        target = F.smart(results.inputs.param("payback_target_months"))
        rows.append({"label": _("Chance it exceeds {months} months").format(months=target), "range": True,
                     "key": "late", "cells": [F.prob(x["late"]) for x in sim]})
    return rows


# ------------------------------------------------------------------------------------------- prices


def gpu_price(results: Results, t: Lang) -> dict[str, Any]:
    """The offers the GPU-hour price is averaged from (included ones), and the price used."""
    F = t.F
    g = results.inputs.table("gpu_offers")
    c = results.core
    included = [{"offer": f"{g['provider'][i]} {g['instance_type'][i]}", "gpu": g["gpu_model"][i] or "",
                 "gpus": F.smart(g["gpus_per_instance"][i]),
                 "usd_per_instance_hour": F.usd(g["usd_per_instance_hour"][i], 2),
                 "usd_per_gpu_hour": F.usd(c.offer_usd_per_gpu_hour[i], 3)}
                for i in range(len(g)) if bool(g["include"][i])]
    return {"included": included, "excluded": len(g) - len(included),
            "average": F.usd(c.offers_gpu_hour_usd, 3), "used": F.usd(c.gpu_hour_usd, 3),
            "override": results.inputs.param("gpu_hour_price_override") is not None}


# ------------------------------------------------------------------------------------------- latency, SLA


def latency_rows(results: Results, t: Lang) -> list[Row]:
    """Latency per workflow (its calls run one after another), both options."""
    F = t.F
    return [{"workflow": results.inputs.display_name("workflows", x.workflow), "pure": F.smart(x.pure_ms),
             "hetero": F.smart(x.hetero_ms), "saved": F.smart(x.saved_ms), "improvement": F.pct(x.improvement),
             "value": t.L.business_value(x.business_value)} for x in results.workflow_latency]


def impact_rows(results: Results, t: Lang) -> dict[str, Any]:
    """The business impact of the latency change: one row per industry, one column per workflow (the share of
    the value at stake protected, in USD a year where the workbook gives a value)."""
    F = t.F
    inp = results.inputs
    workflows = list(dict.fromkeys(x.workflow for x in results.latency_impact))
    industries: dict[str, Row] = {}
    for x in results.latency_impact:
        row = industries.setdefault(x.industry, {"industry": inp.display_name("industries", x.industry),
                                                 "per_100ms": F.pct(x.impact_per_100ms), "cells": {}})
        usd = f" ({F.usd(x.impact_usd_per_year)})" if x.impact_usd_per_year is not None else ""
        row["cells"][x.workflow] = F.pct(x.impact_share) + usd
    rows = [{**row, "cells": [row["cells"].get(w, F.blank) for w in workflows]} for row in industries.values()]
    return {"workflows": [inp.display_name("workflows", w) for w in workflows], "rows": rows,
            "has_usd": any(x.impact_usd_per_year is not None for x in results.latency_impact)}


def sla_rows(results: Results, t: Lang) -> dict[str, Any]:
    F = t.F
    rows = [{"option": t.L.option(x.option) if x.option in ("pure", "hetero") else (x.name or x.option),
             "availability": F.pct(x.availability), "target": F.pct(x.target), "shortfall": F.pct(x.shortfall, 2),
             "p99": F.smart(x.p99_latency_ms), "penalty": F.pct(x.penalty, 2), "reputation": F.pct(x.reputation, 2),
             "total": F.pct(x.total, 2),
             "usd": F.usd(x.total_usd_per_year) if x.total_usd_per_year is not None else ""} for x in results.sla]
    return {"rows": rows, "has_usd": any(x.total_usd_per_year is not None for x in results.sla)}


# ------------------------------------------------------------------------------------------- finance


def finance_rows(results: Results, t: Lang) -> list[Row]:
    """Returns by scenario (one row per figure); implausible cells flagged."""
    from .decision import IMPLAUSIBLE_IRR, IMPLAUSIBLE_PAYBACK_MONTHS

    _, F = t.gettext, t.F
    c = results.core
    cash = c.cash
    n = len(c.scenario_ids)
    irr_flag = [bool(np.isfinite(v) and v > IMPLAUSIBLE_IRR) for v in cash.irr]
    pay_flag = [bool(0 <= v < IMPLAUSIBLE_PAYBACK_MONTHS) for v in cash.simple_payback_months]
    return [
        {"label": _("One-time investment"), "cells": [F.usd(c.upfront_usd)] * n},
        {"label": _("Annual net benefit"), "cells": [F.usd(v) for v in cash.annual_net_usd]},
        {"label": _("NPV"), "cells": [F.usd(v) for v in cash.npv_usd], "strong": True},
        {"label": _("Risk-adjusted NPV"), "cells": [F.usd(v) for v in cash.risk_adjusted_npv_usd], "strong": True},
        {"label": _("IRR"), "cells": [F.irr(v) for v in cash.irr], "flags": irr_flag},
        {"label": _("ROI over the horizon"), "cells": [F.pct(v) for v in cash.roi], "flags": irr_flag},
        {"label": _("NPV per dollar invested"), "cells": [F.ratio(v, 1) for v in cash.npv_per_upfront]},
        {"label": _("Simple payback (months)"), "cells": [F.months(v) for v in cash.simple_payback_months],
         "flags": pay_flag},
        {"label": _("Discounted payback (months)"), "cells": [F.months(v) for v in cash.discounted_payback_months],
         "flags": pay_flag},
        {"label": _("Risk-adjusted payback (months)"),
         "cells": [F.months(v) for v in cash.risk_adjusted_payback_months]},
    ]


def cash_flows(results: Results, t: Lang) -> Row:
    """One table, years across, whole dollars: the flows every scenario shares, then each scenario's savings, net
    cash flow and cumulative discounted cash flow."""
    _, F = t.gettext, t.F
    c = results.core
    cash = c.cash
    factors = np.broadcast_to(cash.discount_factors, cash.flows.shape)
    years = cash.flows.shape[-1]
    later = years - 1

    def cells(values) -> list[str]:
        return [F.usd(v) for v in values]

    risk = [-float(c.expected_one_time_risk_usd)] + [-float(c.expected_annual_risk_usd)] * later
    groups = [{"title": _("Every scenario"), "lines": [
        {"label": _("Investment"), "cells": cells([-float(c.upfront_usd)] + [0.0] * later)},
        {"label": _("Operating cost"), "cells": cells([0.0] + [-float(c.recurring_usd_per_year)] * later)},
        {"label": _("Expected risk cost"), "cells": cells(risk)}]}]
    for i, sid in enumerate(c.scenario_ids):
        groups.append({"title": results.inputs.display_name("scenarios", sid), "lines": [
            {"label": _("Savings"), "cells": cells([0.0] + [float(c.deployment.annual_savings_usd[i])] * later)},
            {"label": _("Net cash flow"), "cells": cells(cash.flows[i]), "strong": True},
            {"label": _("Cumulative discounted"), "cells": cells(np.cumsum(cash.flows[i] * factors[i])),
             "strong": True}]})
    return {"years": list(range(years)), "groups": groups}


def implementation_rows(results: Results, t: Lang) -> list[Row]:
    _, F = t.gettext, t.F
    c = results.core
    return [
        {"item": _("One-time investment"), "usd": F.usd(c.upfront_usd), "basis": _("Sum of the one-time cost lines.")},
        {"item": _("Recurring operating cost per year"), "usd": F.usd(c.recurring_usd_per_year),
         "basis": _("12 × the monthly lines + the annual lines.")},
        {"item": _("Expected annual risk cost"), "usd": F.usd(c.expected_annual_risk_usd),
         "basis": _("Probability × impact, summed over the annual risks.")},
        {"item": _("Expected one-time risk cost"), "usd": F.usd(c.expected_one_time_risk_usd),
         "basis": _("Probability × impact, summed over the one-time risks; added to the risk-adjusted investment.")},
    ]


# ------------------------------------------------------------------------------------------- risk


def risk_register(results: Results, t: Lang) -> dict[str, Any]:
    F = t.F
    rk = results.inputs.table("risks")
    c = results.core
    rows = [{"risk": rk["name"][i] or rid, "probability": F.pct(rk["probability"][i]),
             "impact": F.usd(rk["impact_usd"][i]), "recurrence": t.L.recurrence(rk["recurrence"][i]),
             "expected": F.usd(c.risk_expected_usd[i]), "mitigation": rk["mitigation"][i] or "",
             "owner": rk["owner"][i] or ""} for i, rid in enumerate(rk.ids)]
    return {"rows": rows, "has_owner": any(r["owner"] for r in rows),
            "has_mitigation": any(r["mitigation"] for r in rows)}


def risk_by_scenario(results: Results, t: Lang) -> list[Row]:
    """The risk sized against each scenario's savings."""
    F = t.F
    c = results.core
    d, cash = c.deployment, c.cash
    out = []
    for i, sid in enumerate(c.scenario_ids):
        savings = float(d.annual_savings_usd[i])
        share = float(c.expected_annual_risk_usd) / savings if savings > 0 else None
        out.append({"scenario": results.inputs.display_name("scenarios", sid), "savings": F.usd(savings),
                    "risk": F.usd(c.expected_annual_risk_usd), "share": F.pct(share) if share is not None else F.blank,
                    "ra_savings": F.usd(cash.risk_adjusted_savings_usd[i]), "npv": F.usd(cash.npv_usd[i]),
                    "ra_npv": F.usd(cash.risk_adjusted_npv_usd[i]),
                    "negative": bool(cash.risk_adjusted_npv_usd[i] <= 0)})
    return out


# ------------------------------------------------------------------------------------------- market, breakeven


def market_rows(results: Results, t: Lang) -> list[Row]:
    """Market scenarios grouped, each change in words (“GPU-hour price × 0.7”), with the four options' yearly
    cost under it (each column on one scale) and the cheapest option."""
    from . import options as O

    _, F = t.gettext, t.F
    inp = results.inputs
    ms = inp.table("market_scenarios")
    by_id = {mid: i for i, mid in enumerate(ms.ids)}
    groups: dict[str, Row] = {}
    quantified = [m for m in results.market if m.scenario is not None]
    columns = [F.money_scaled([getattr(m, f"{code}_usd_per_year") for m in quantified]) for code in OPTION_CODES]
    savings = F.money_scaled([m.annual_savings_usd for m in quantified])
    ra_npv = F.money_scaled([m.risk_adjusted_npv_usd for m in quantified])
    k = 0
    for m in results.market:
        i = by_id.get(m.market_id)
        group = groups.setdefault(m.market_id, {"name": m.market_name or m.market_id, "rows": [], "text": "",
                                                "change": ""})
        if i is not None and m.scenario is not None and not group["change"]:
            target = t.L.market_target(ms["target"][i])
            mult, new = _f(ms["multiplier"][i]), _f(ms["new_value"][i])
            group["change"] = f"{target} = {F.smart(new, 4)}" if new is not None else f"{target} × {F.smart(mult, 4)}"
        if m.scenario is None:
            timeline = ms["timeline"][i] if i is not None else None
            group["text"] = (m.commentary or "") + (f" ({timeline})" if timeline and timeline not in (
                m.commentary or "") else "")
            continue
        costs = {code: getattr(m, f"{code}_usd_per_year") for code in OPTION_CODES}
        group["rows"].append({
            "scenario": inp.display_name("scenarios", m.scenario),
            "cells": [cell if _f(costs[code]) is not None else _("no API price")
                      for code, cell in zip(OPTION_CODES, (col[k] for col in columns), strict=True)],
            "savings": savings[k], "ra_npv": ra_npv[k], "viable": F.yes_no(m.viable),
            "cheapest": OPTION_LETTERS[m.cheapest_option or O.cheapest_of(costs)], "loses": not m.viable})
        k += 1
    return list(groups.values())


def step_bands(results: Results, t: Lang) -> list[Row]:
    """The step table condensed: one row per stretch of load with the same verdict inside one policy tier."""
    F = t.F
    sw = results.sweep
    bounds = sorted({tier.min_qps for tier in results.tiers} | {tier.max_qps for tier in results.tiers})
    bands: list[dict[str, Any]] = []
    for b in results.steps:
        first = int(np.searchsorted(sw.qps, b.qps_from - 1e-9))
        pays = bool(sw.pays[min(first, len(sw.qps) - 1)])
        tier = sum(1 for x in bounds if x < b.qps_from)
        last = bands[-1] if bands else None
        if last is not None and last["pays"] == pays and last["tier"] == tier:
            last["to"] = b.qps_to
            last["steps"].append(b)
        else:
            bands.append({"from": b.qps_from, "to": b.qps_to, "pays": pays, "tier": tier, "steps": [b]})
    out = []
    for band in bands:
        steps = band["steps"]
        lo, hi = min(s.savings_from for s in steps), max(s.savings_from for s in steps)
        pure = sorted({s.pure_large for s in steps})
        large = sorted({s.hetero_large for s in steps})
        small = sorted({s.hetero_small for s in steps})

        def span(values):
            return F.smart(values[0]) if len(values) == 1 else f"{F.smart(values[0])}–{F.smart(values[-1])}"

        out.append({"load": f"{F.qps(band['from'])}–{F.qps(band['to'])}", "pure": span(pure),
                    "hetero": f"{span(large)} + {span(small)}",
                    "savings": F.pct(lo) if lo == hi else f"{F.pct(lo)} – {F.pct(hi)}",
                    "pays": band["pays"], "count": len(steps)})
    return out


def load_range(low: float, high: float, bounded: bool, t: Lang) -> str:
    """A tier's loads in words, without overlap: "50 to under 100", "500 and above (tested up to 1,000)"."""
    _, F = t.gettext, t.F
    if bounded:
        return _("{low} to under {high}").format(low=F.qps(low), high=F.qps(high))
    return _("{low} and above (tested up to {high})").format(low=F.qps(low), high=F.qps(high))


def tier_rows(results: Results, t: Lang) -> dict[str, Any]:
    """The recommendation matrix: each tier's loads, the mix it is judged on, and why a tier reads as it does."""
    _, F = t.gettext, t.F
    inp = results.inputs
    tiers = inp.table("load_tiers")
    primary = inp.display_name("scenarios", results.primary_scenario)
    rows = []
    for i, x in enumerate(results.tiers):
        mix = _(", ").join(inp.display_name("scenarios", sid) for sid in x.mix_scenarios)
        rows.append({"tier": x.name or x.tier_id,
                     "range": load_range(x.min_qps, x.max_qps, not np.isnan(tiers["max_qps"][i]), t),
                     "mix": mix if x.own_mix else _("{scenario} (no scenario in this tier)").format(scenario=mix),
                     "savings": f"{F.pct(x.savings_min)} – {F.pct(x.savings_max)}",
                     "payback": F.months(x.worst_payback_months), "recommendation": x.recommendation,
                     "stars": "★" * x.stars + "☆" * (5 - x.stars), "claim": x.seed_claim or ""})
    notes = [_("Each tier is judged on the mix of the scenarios whose peak load falls in it (their planning share, "
               "escalation, models and load profile), over every load of the tier: the lowest savings and the longest "
               "risk-adjusted payback. A tier without a scenario is judged on {scenario}’s mix.").format(
        scenario=primary)]
    be = results.breakeven
    for x in results.tiers:
        if be.min_qps is not None and x.min_qps < be.min_qps < x.max_qps and x.savings_min < 0:
            notes.append(_("The {tier} tier includes loads below {qps} QPS, where the heterogeneous option costs more "
                           "({worst} savings): its worst case fails the policy although loads from {qps} QPS pay."
                           ).format(tier=x.name or x.tier_id, qps=F.qps(be.min_qps), worst=F.pct(x.savings_min)))
    return {"rows": rows, "notes": notes, "has_claim": any(r["claim"] for r in rows)}


# ------------------------------------------------------------------------------------------- appendix


def entered(value: Any, column: contract.Column, F) -> str:
    """An input value as the workbook shows it ('as entered'): blanks stay blank, shares as %."""
    if value is None or isinstance(value, str):
        return "" if value is None else value
    if column.kind == "bool" or isinstance(value, (bool, np.bool_)):
        return F.yes_no(value)
    number = _f(value)
    if number is None:
        return ""
    if column.kind == "fraction":
        text = f"{number * 100:,.4f}".rstrip("0").rstrip(".")
        return _minus(text) + "%"
    if column.unit.startswith("usd"):
        decimals = 0 if number == int(number) else (3 if column.unit in ("usd_per_gpu_hour",) else 2)
        if 0 < abs(number) < 0.01:
            decimals = 4
        return F.usd(number, decimals)
    return _minus(F.smart(number, 6))


def _minus(text: str) -> str:
    return text.replace("-", "\u2212") if text.startswith("-") else text


NUMERIC_KINDS = ("number", "integer", "fraction")


def assumption_tables(results: Results, t: Lang) -> list[Row]:
    """Every input table as entered, grouped by sheet; only the columns that hold something."""
    _, F = t.gettext, t.F
    inp = results.inputs
    out = []
    for spec in contract.INPUT_TABLES:
        table = inp.table(spec.key)
        n = len(table)
        entry: Row = {"key": spec.key, "sheet": _(spec.sheet), "title": _(spec.title), "count": n,
                      "description": _(spec.description), "pivot": None, "blocks": []}
        if spec.key == "published":
            out.append(entry)
            continue
        if spec.key == "load_profiles" and n:
            entry["pivot"] = _load_profile_grid(table, F)
            out.append(entry)
            continue
        cells = {c.key: [entered(table[c.key][i] if c.key in table.columns else None, c, F) for i in range(n)]
                 for c in spec.columns}
        columns = [c for c in spec.columns if any(cells[c.key])]
        entry["blocks"] = _blocks([{"header": _(c.header), "numeric": c.kind in NUMERIC_KINDS,
                                    "cells": cells[c.key]} for c in columns], n, CHAR_MM[t.code])
        out.append(entry)
    return out


# Landscape text width, and the width of a bold Latin character of the table font at 8 pt: DejaVu Sans
# Condensed in English, Noto Sans CJK SC's wider Latin in Chinese.
PAGE_MM = 262.0
CHAR_MM = {"en": 1.8, "zh": 2.2}
PAD_MM = 3.4
MAX_TEXT_MM = 62.0
CJK_PER_LINE = 4  # a header's Chinese may break anywhere, but not one character a line


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def _words(text: str) -> list[str]:
    """What a line should not break inside: Latin words, and runs of up to CJK_PER_LINE Chinese characters
    (Chinese may break between any two characters, but a header one character a line is unreadable)."""
    out: list[str] = []
    for word in text.split():
        for part in re.split(r"([\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+)", word):
            if part and _is_cjk(part[0]):
                out += [part[i:i + CJK_PER_LINE] for i in range(0, len(part), CJK_PER_LINE)]
            elif part:
                out.append(part)
    return out


def _chars(text: str) -> float:
    """Width of a text in Latin characters: a CJK character is about two."""
    return sum(1.9 if _is_cjk(ch) else 1.0 for ch in text)


def _width_mm(column: Row, char_mm: float) -> tuple[float, float]:
    """(narrowest, preferred) width of a column in mm: never narrower than its header's longest word or a
    number; long text wraps within MAX_TEXT_MM."""
    narrowest = max((_chars(w) for w in _words(column["header"])), default=0) * char_mm + PAD_MM
    values = [v for v in column["cells"] if v]
    longest = max((_chars(v) for v in values), default=0)
    if column["numeric"]:
        narrowest = max(narrowest, longest * char_mm * 0.9 + PAD_MM)
        return narrowest, narrowest
    longest_word = max((_chars(w) for v in values for w in _words(v)), default=0)
    narrowest = max(narrowest, min(longest_word, 20) * char_mm + PAD_MM)
    return narrowest, max(narrowest, min(longest * char_mm * 0.9 + PAD_MM, MAX_TEXT_MM))


def _blocks(columns: list[Row], n: int, char_mm: float) -> list[Row]:
    """The columns in blocks that fit the page (the first column, the row's name, repeated in each)."""
    if not columns:
        return []
    first, rest = columns[0], columns[1:]
    blocks: list[list[Row]] = [[first]]
    used = _width_mm(first, char_mm)[1]
    for column in rest:
        if used + _width_mm(column, char_mm)[0] > PAGE_MM and len(blocks[-1]) > 1:
            blocks.append([first])
            used = _width_mm(first, char_mm)[1]
        blocks[-1].append(column)
        used += _width_mm(column, char_mm)[1]
    out = []
    for block in blocks:
        narrow = [_width_mm(c, char_mm)[0] for c in block]
        want = [_width_mm(c, char_mm)[1] for c in block]
        # Give the room left after the narrowest widths to the columns that want more, in proportion.
        spare, extra = PAGE_MM - sum(narrow), [w - m for w, m in zip(want, narrow, strict=True)]
        share = min(1.0, spare / sum(extra)) if sum(extra) > 0 and spare > 0 else 0.0
        widths = [m + e * share for m, e in zip(narrow, extra, strict=True)]
        out.append({"columns": [{"header": c["header"], "numeric": c["numeric"], "width": round(w, 1)}
                                for c, w in zip(block, widths, strict=True)],
                    "rows": [[c["cells"][i] for c in block] for i in range(n)]})
    return out


def _load_profile_grid(table, F) -> Row:
    """The long-format load profiles as one row per profile, one column per hour."""
    profiles: dict[str, dict[int, str]] = {}
    for i in range(len(table)):
        profiles.setdefault(str(table["profile"][i]), {})[int(table["hour"][i])] = F.smart(
            float(table["share_of_peak"][i]) * 100, 0)
    hours = sorted({h for p in profiles.values() for h in p})
    return {"hours": hours, "rows": [{"profile": name, "cells": [p.get(h, "") for h in hours]}
                                     for name, p in profiles.items()]}


def parameter_groups(results: Results, t: Lang) -> list[Row]:
    _ = t.gettext
    groups: dict[str, list[Row]] = {}
    for prm in contract.PARAMETERS:
        value = results.inputs.params.get(prm.key)
        column = prm.as_column()
        groups.setdefault(prm.group, []).append({
            "key": prm.key, "value": entered(value, column, t.F),
            "numeric": prm.kind in NUMERIC_KINDS and not isinstance(value, str),
            "unit": "" if prm.unit in ("text", "bool") else t.L.unit(prm.unit), "description": _(prm.description),
        })
    return [{"group": _(g), "rows": rows} for g, rows in groups.items()]
