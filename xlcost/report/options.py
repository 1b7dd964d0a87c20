"""The options chapter: the four ways to serve the traffic side by side, capacity and load by scenario, unit
costs per call and per token, and the evidence behind each model's capacity; in the report's language.

Options A and B run on self-hosted GPUs and pay for the capacity provisioned; C and D buy the same models
from a hosted API and pay per token. Where an option has no price (a model without an API price) its
cells read "no API price".
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np

from ..engine.capacity import CALL_TYPES
from ..engine.market import cheapest
from ..engine.model import Results
from ..labels import OPTION_CODES, OPTION_LETTERS
from .formatting import finite as _finite
from .i18n import Lang

Row = dict[str, Any]
SELF_HOSTED = ("pure", "hetero")
FLAT = 1.0 + 1e-9  # a peak-to-average ratio up to this is a flat day



def annual_costs(results: Results, i: int) -> dict[str, float]:
    """The four options' yearly cost in scenario row ``i`` (NaN: no API price)."""
    d, api = results.core.deployment, results.core.api
    return {"pure": float(d.pure_usd_per_year[i]), "hetero": float(d.hetero_usd_per_year[i]),
            "api_pure": float(api.pure_usd_per_year[i]), "api_hetero": float(api.hetero_usd_per_year[i])}


def savings_shares(results: Results, i: int) -> dict[str, float | None]:
    """Each option's saving against A in scenario row ``i``, as a share of A's cost."""
    d, api = results.core.deployment, results.core.api
    return {"pure": None, "hetero": float(d.savings_pct[i]), "api_pure": _finite(api.pure_savings_pct[i]),
            "api_hetero": _finite(api.hetero_savings_pct[i])}


def money_cells(values: list[float], t: Lang) -> list[str]:
    """Amounts on one scale; an amount that does not exist is an option without a price."""
    shown = t.F.money_scaled(values)
    none = t.gettext("no API price")
    return [text if _finite(v) is not None else none for v, text in zip(values, shown, strict=True)]


def cheapest_of(costs: dict[str, float]) -> str:
    return cheapest(*(costs[code] for code in OPTION_CODES))


# ------------------------------------------------------------------------------------------- the options


def options(results: Results, t: Lang) -> list[Row]:
    """The four options, in order: what each one is and how it is paid for."""
    _ = t.gettext
    text = {
        "pure": _("Every call, planning and acting alike, goes to the large model on self-hosted GPUs (the status "
                  "quo)."),
        "hetero": _("The large model plans and a small model executes the act steps, both on self-hosted GPUs; the "
                    "steps the small model fails (escalation) are redone by the large model."),
        "api_pure": _("Every call goes to the large model bought from a hosted API, paid per token."),
        "api_hetero": _("Planning calls go to the large model’s API, act steps to the small model’s, escalated steps "
                        "again to the large model’s; paid per token."),
    }
    return [{"code": code, "letter": OPTION_LETTERS[code], "title": t.L.option(code), "text": text[code]}
            for code in OPTION_CODES]


def primary_rows(results: Results, tables: dict[str, list[Row]], t: Lang) -> list[Row]:
    """The four options side by side at the primary scenario's load; cells in the order of ``options``."""
    _, F = t.gettext, t.F
    p = results.core.scenario_ids.index(results.primary_scenario)
    dep = tables["deployment"][p]
    costs = annual_costs(results, p)
    shares = savings_shares(results, p)
    paid = [_("GPUs provisioned")] * 2 + [_("tokens used")] * 2
    none = [F.blank, F.blank]
    rows: list[Row] = [
        {"label": _("Paid for"), "cells": paid},
        {"label": _("Instances"), "cells": [
            t.ngettext("{n} large", "{n} large", int(dep["pure_large_instances"])).format(
                n=F.smart(dep["pure_large_instances"])),
            _("{large} large + {small} small").format(large=F.smart(dep["hetero_large_instances"]),
                                                     small=F.smart(dep["hetero_small_instances"])), *none]},
        {"label": _("GPUs"), "cells": [F.smart(dep["pure_gpus"]), F.smart(dep["hetero_gpus"]), *none]},
        {"label": _("Annual cost"), "cells": money_cells([costs[c] for c in OPTION_CODES], t), "strong": True},
        {"label": _("Savings against A"), "cells": [F.pct(shares[c]) if shares[c] is not None else F.blank
                                                   for c in OPTION_CODES]},
    ]
    # Latency per workflow, and the SLA in full, follow in the chapter's latency and SLA section.
    sla = {x.option: x for x in results.sla}
    if all(code in sla for code in SELF_HOSTED):
        rows.append({"label": _("Availability (target {target})").format(target=F.pct(sla["pure"].target)),
                     "cells": [F.pct(sla[o].availability) + ("" if sla[o].shortfall <= 0 else " ✗")
                               for o in SELF_HOSTED] + none})
    return rows


def scenario_costs(results: Results, t: Lang) -> list[Row]:
    """Every option's annual cost in every scenario (each column on one scale), B's savings and the cheapest
    option."""
    F = t.F
    s = results.inputs.table("scenarios")
    n = len(results.core.scenario_ids)
    costs = [annual_costs(results, i) for i in range(n)]
    columns = [money_cells([x[code] for x in costs], t) for code in OPTION_CODES]
    savings = [float(v) for v in results.core.deployment.annual_savings_usd]
    saved = F.money_scaled(savings)
    return [{"scenario": results.inputs.display_name("scenarios", sid), "qps": F.qps(s["peak_qps"][i]),
             "cells": [column[i] for column in columns], "savings": saved[i],
             "share": F.pct(results.core.deployment.savings_pct[i]), "cheapest": OPTION_LETTERS[cheapest_of(costs[i])],
             "loses": savings[i] < 0} for i, sid in enumerate(results.core.scenario_ids)]


def api_caveat(results: Results, t: Lang) -> str:
    """Why provisioned and pay-per-token costs are not the same kind of number, and the load they describe."""
    _ = t.gettext
    text = _("A and B pay for the GPUs provisioned, used or not; C and D pay for the tokens used. Against a fleet "
             "sized for the peak, a comparison flatters the API whenever load runs below the peak; against average "
             "usage it flatters self-hosting.")
    flat = [results.inputs.display_name("scenarios", sid) for i, sid in enumerate(results.core.scenario_ids)
            if float(results.core.load.peak_to_average[i]) <= FLAT]
    if len(flat) == len(results.core.scenario_ids):
        return text + t.gap + _("Here every scenario runs at its peak all day (a flat load profile): both kinds of "
                                "bill cover the same load, hour for hour.")
    s = results.inputs.table("scenarios")
    shapes = [_("{scenario}: “{profile}” profile, peak {ratio} the average, {provisioning}").format(
        scenario=results.inputs.display_name("scenarios", sid), profile=s["load_profile"][i],
        ratio=t.F.ratio(results.core.load.peak_to_average[i], 2), provisioning=t.L.provisioning(s["provisioning"][i]))
        for i, sid in enumerate(results.core.scenario_ids)]
    return text + t.gap + _("The load profiles used: {list}.").format(list=_("; ").join(shapes))


# ------------------------------------------------------------------------------------------- capacity and load


def is_flat_and_static(results: Results) -> bool:
    s = results.inputs.table("scenarios")
    return all(float(r) <= FLAT for r in results.core.load.peak_to_average) and all(
        p == "static" for p in s["provisioning"])


def capacity_rows(results: Results, t: Lang) -> list[Row]:
    """Load, instances, GPUs and GPU-hours by scenario: one row per figure, one column per scenario."""
    _, F = t.gettext, t.F
    c = results.core
    d, load = c.deployment, c.load
    s = results.inputs.table("scenarios")
    full = not is_flat_and_static(results)

    def row(label, values, strong=False):
        return {"label": label, "cells": [F.smart(v, 1) for v in values], "strong": strong}

    peak = np.asarray(s["peak_qps"], dtype=float)
    plan = peak * np.asarray(s["planning_share"], dtype=float)
    rows = [{"group": _("Load")}, row(_("Peak load (QPS)"), peak), row(_("Planning calls (QPS)"), plan),
            row(_("Act steps (QPS)"), peak - plan), row(_("Requests per year"), load.requests_per_year)]
    if full:
        rows += [row(_("Average load (QPS)"), peak / load.peak_to_average),
                 {"label": _("Peak-to-average"), "cells": [F.ratio(v, 2) for v in load.peak_to_average]}]
    rows += [{"group": t.L.option("pure")}, row(_("Large-model instances"), d.pure_large_instances),
             row(_("GPUs"), d.pure_gpus)]
    if full:
        rows.append(row(_("Always-on GPUs"), d.pure_always_on_gpus))
    rows += [row(_("GPU-hours per year"), d.pure_gpu_hours_per_year),
             {"group": t.L.option("hetero")}, row(_("Large-model instances"), d.hetero_large_instances),
             row(_("Small-model instances"), d.hetero_small_instances), row(_("GPUs"), d.hetero_gpus)]
    if full:
        rows.append(row(_("Always-on GPUs"), d.hetero_always_on_gpus))
    rows.append(row(_("GPU-hours per year"), d.hetero_gpu_hours_per_year))
    return rows


def billing(results: Results, t: Lang) -> str:
    """How the GPU-hours are billed: on demand, or always-on GPUs at the committed term's price."""
    _, F = t.gettext, t.F
    c = results.core
    term = results.inputs.param("committed_term")
    on_demand = F.usd(c.gpu_hour_usd, 3)
    if term in (None, "none"):
        return _("every GPU-hour is billed on demand at {price}").format(price=on_demand)
    return _("always-on GPUs are billed at the {term} price of {price} per GPU-hour, the GPU-hours above them on "
             "demand at {on_demand}").format(term=t.L.term(term), price=F.usd(c.committed_gpu_hour_usd, 3),
                                             on_demand=on_demand)


def load(results: Results, t: Lang) -> Row:
    """Load over the day: one sentence when every scenario is flat and static, else a table per scenario (and
    the hourly fleets are charted)."""
    _, F = t.gettext, t.F
    c = results.core
    if is_flat_and_static(results):
        return {"full": False, "rows": [], "text": _(
            "Load over the day: every scenario runs at its peak all day (peak-to-average 1.0) on a fleet sized for "
            "the peak, and {billing}.").format(billing=billing(results, t))}
    s = results.inputs.table("scenarios")
    d = c.deployment
    rows = [{"scenario": results.inputs.display_name("scenarios", sid), "profile": s["load_profile"][i],
             "provisioning": _("autoscaled, {headroom} headroom").format(
                 headroom=F.pct(s["autoscale_headroom"][i], 0)) if s["provisioning"][i] == "autoscaled"
             else t.L.provisioning(s["provisioning"][i]),
             "average": F.qps(float(s["peak_qps"][i]) / float(c.load.peak_to_average[i])),
             "ratio": F.ratio(c.load.peak_to_average[i], 2),
             "pure_hours": F.smart(d.pure_gpu_hours_per_year[i], 0),
             "hetero_hours": F.smart(d.hetero_gpu_hours_per_year[i], 0),
             "pure_always": F.smart(d.pure_always_on_gpus[i]), "hetero_always": F.smart(d.hetero_always_on_gpus[i])}
            for i, sid in enumerate(c.scenario_ids)]
    text = _("A static fleet is sized for the peak and runs every hour; an autoscaled one runs, each hour, the "
             "instances that hour’s load plus the headroom needs. Always-on GPUs are the fewest the fleet runs in "
             "any hour; {billing}.").format(billing=billing(results, t))
    return {"full": True, "rows": rows, "text": text}


# ------------------------------------------------------------------------------------------- unit costs


def unit_costs(results: Results, t: Lang) -> Row:
    """Per model and call type: capacity, cost per call and per token self-hosted and through the API."""
    _, F = t.gettext, t.F
    mc = results.core.models
    m = results.inputs.table("models")
    ct = results.inputs.table("call_types")
    evidence = {(x.model, x.call_type): x for x in mc.capacity.choices}
    rows = []
    for i, mid in enumerate(mc.ids):
        for k, call in enumerate(CALL_TYPES):
            tokens = float(ct["input_tokens"][ct.index(call)] + ct["output_tokens"][ct.index(call)])
            api_call, api_tokens = _finite(mc.api_usd_per_call[i, k]), _finite(mc.api_usd_per_1m_tokens[i, k])
            choice = evidence.get((mid, call))
            rows.append({
                "model": results.inputs.display_name("models", mid) if k == 0 else "", "first": k == 0,
                "span": len(CALL_TYPES),
                "call": t.L.call_type(call), "tokens": F.smart(tokens, 0),
                "qps": F.qps(mc.capacity.qps[i, k]), "sizing": F.qps(mc.capacity.sizing_qps[i, k]),
                "call_usd": F.unit_cost(mc.usd_per_call[i, k] * 1e6, "usd_per_1m_calls"),
                "token_usd": F.unit_cost(mc.usd_per_1m_tokens[i, k], "usd_per_1m_tokens"),
                "api": api_call is not None,
                "api_call_usd": F.unit_cost(api_call * 1e6, "usd_per_1m_calls") if api_call is not None else "",
                "api_token_usd": F.unit_cost(api_tokens, "usd_per_1m_tokens") if api_tokens is not None else "",
                "source": t.L.capacity_source("typed" if choice is None or choice.source == "typed" else "benchmark"),
            })
    sources = []
    for i, mid in enumerate(mc.ids):
        source = m["api_price_source"][i] or ""
        if np.isnan(m["api_usd_per_1m_input"][i]):
            source = _("no API price") + (f" ({source})" if source else "")
        sources.append(_("{model}: {source}").format(model=results.inputs.display_name("models", mid),
                                                     source=source or t.F.blank))
    return {"rows": rows, "sources": sources}


def workflow_costs(results: Results, t: Lang) -> list[Row]:
    """Cost per 1K workflows of every option (a workflow costs a fraction of a cent)."""
    F = t.F
    w, wc = results.inputs.table("workflows"), results.core.workflows

    def per_1k(x: float) -> str:
        return F.usd(x * 1e3, 2) if _finite(x) is not None else t.gettext("no API price")

    return [{"workflow": results.inputs.display_name("workflows", wid), "plan_calls": F.smart(w["plan_calls"][i]),
             "act_steps": F.smart(w["act_steps"][i]), "escalation": F.pct(w["escalation_rate"][i]),
             "cells": [per_1k(wc.pure_usd[i]), per_1k(wc.hetero_usd[i]), per_1k(wc.api_pure_usd[i]),
                       per_1k(wc.api_hetero_usd[i])], "savings": F.pct(wc.savings_pct[i])}
            for i, wid in enumerate(wc.ids)]


# ------------------------------------------------------------------------------------------- capacity evidence


def _run_date(text: str, t: Lang) -> str:
    """A run's date as the locale writes it when it is an ISO date (the importers write one), else as typed."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text or "")
    if m:
        try:
            return t.F.date(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            pass
    return text


def _limit(ms: float, t: Lang) -> str:
    """A latency target: whole seconds as seconds (2 s), else milliseconds."""
    _ = t.gettext
    if ms >= 1000 and ms % 100 == 0:
        return _("{n} s").format(n=t.F.smart(ms / 1000, 1))
    return _("{n} ms").format(n=t.F.smart(ms, 0))


SLO_WORDS = (("slo_p99_ttft_ms", "p99 TTFT"), ("slo_p99_tpot_ms", "p99 TPOT"), ("slo_p99_e2e_ms", "p99 E2E"))


def slo_text(results: Results, call: str, t: Lang) -> str:
    """A call type's latency targets: "p99 TTFT ≤ 2 s and p99 TPOT ≤ 50 ms"."""
    ct = results.inputs.table("call_types")
    k = ct.index(call)
    parts = [f"{words} ≤ {_limit(float(ct[key][k]), t)}" for key, words in SLO_WORDS if not np.isnan(ct[key][k])]
    return t.gettext(" and ").join(parts) if parts else t.gettext("no latency target")


def capacity_evidence(results: Results, t: Lang) -> Row:
    """What stands behind each model's capacity: typed in, or the load-test run it was measured with."""
    _, F = t.gettext, t.F
    b = results.inputs.table("benchmarks")
    typed: list[str] = []
    measured: list[str] = []
    for mid in results.core.models.ids:
        choices = [x for x in results.core.models.capacity.choices if x.model == mid and x.source != "typed"]
        if not choices:
            typed.append(results.inputs.display_name("models", mid))
            continue
        for x in choices:
            r = b.index(x.source)
            gpu_type = b["gpu_type"][r] or ""
            facts = {"model": results.inputs.display_name("models", mid), "call": t.L.call_type(x.call_type),
                     "engine": t.L.engine(b["engine"][r]), "date": _run_date(b["run_date"][r] or "", t),
                     "hardware": f"{F.smart(b['gpus'][r])} × {gpu_type}" if gpu_type else F.smart(b["gpus"][r]),
                     "run": x.source, "qps": F.qps(x.qps), "meeting": x.runs_meeting_slo,
                     "considered": x.runs_considered, "slo": slo_text(results, x.call_type, t),
                     "ttft": _ms(x.p99_ttft_ms, t), "tpot": _ms(x.p99_tpot_ms, t), "e2e": _ms(x.p99_e2e_ms, t)}
            head = (_("{model}, {call}: capacity measured on {date} with {engine}, meeting {slo}.") if facts["date"]
                    else _("{model}, {call}: capacity measured with {engine} (date not recorded), meeting {slo}.")
                    ).format(**facts)
            detail = _("Run {run} on {hardware} GPUs: {qps} requests per second, the highest of the {meeting} of "
                       "{considered} comparable runs that meet the targets (p99 TTFT {ttft}, TPOT {tpot}, E2E "
                       "{e2e}).").format(**facts)
            source = b["source_file"][r]
            measured.append(head + t.gap + detail + (t.gap + _("Source file: {file}.").format(file=source)
                                                     if source else ""))
    if not measured:
        text = _("Capacity is typed in for every model: no load test stands behind the QPS figures. The executor’s "
                 "capacity is a gate of the pilot (first page).")
    elif typed:
        text = _("Typed in (no load test): {models}.").format(models=_(", ").join(typed))
    else:
        text = ""
    return {"measured": measured, "text": text}


def _ms(value: float | None, t: Lang) -> str:
    return t.gettext("{n} ms").format(n=t.F.smart(value, 0)) if value is not None else t.F.blank


def capacity_chart_data(results: Results, t: Lang) -> list[Row]:
    """Per measured model: every comparable run (request throughput, p99 TTFT), whether it meets the call
    type's targets, the run chosen, and the TTFT target line of each call type."""
    b, ct = results.inputs.table("benchmarks"), results.inputs.table("call_types")
    cap = results.core.models.capacity
    chosen = {x.source for x in cap.choices if x.source != "typed"}
    panels: dict[str, Row] = {}
    for x in cap.candidates:
        r = b.index(x.run)
        latency = _finite(b["p99_ttft_ms"][r])
        if latency is None:
            continue
        panel = panels.setdefault(x.model, {"model": results.inputs.display_name("models", x.model), "points": [],
                                            "limits": []})
        panel["points"].append({"qps": float(b["request_throughput"][r]), "ms": latency, "meets": x.meets_slo,
                                "chosen": x.run in chosen, "call": t.L.call_type(x.call_type)})
        limit = _finite(ct["slo_p99_ttft_ms"][ct.index(x.call_type)])
        entry = (limit, t.L.call_type(x.call_type))
        if limit is not None and entry not in panel["limits"]:
            panel["limits"].append(entry)
    return list(panels.values())
