"""Result rows for how the traffic is served: unit costs by call type, the four options, load over the
day, and capacity (typed or measured). Rows of plain values, the same for the workbook, JSON, CSV and
the report; ``present.result_tables`` collects them with the others."""

from __future__ import annotations

from typing import Any

from . import contract, labels
from .engine.capacity import CALL_TYPES
from .engine.core import hourly_fleet
from .engine.market import cheapest
from .engine.model import Results
from .engine.pricing import ON_DEMAND

Row = dict[str, Any]



def call_cost_rows(r: Results) -> list[Row]:
    inp, mc = r.inputs, r.core.models
    m, ct = inp.table("models"), inp.table("call_types")
    rows = []
    for i, mid in enumerate(mc.ids):
        for c, call in enumerate(CALL_TYPES):
            k = ct.index(call)
            rows.append({
                "model": inp.display_name("models", mid), "call_type": call,
                "tokens_per_call": ct["input_tokens"][k] + ct["output_tokens"][k],
                "capacity_qps": mc.capacity.qps[i, c], "usd_per_call": mc.usd_per_call[i, c],
                "usd_per_1m_tokens": mc.usd_per_1m_tokens[i, c], "api_usd_per_call": mc.api_usd_per_call[i, c],
                "api_usd_per_1m_tokens": mc.api_usd_per_1m_tokens[i, c],
                "api_price_source": m["api_price_source"][i] or "",
            })
    return rows


def option_rows(r: Results) -> list[Row]:
    c = r.core
    d, api = c.deployment, c.api
    rows = []
    for i, sid in enumerate(c.scenario_ids):
        costs = {"pure": d.pure_usd_per_year[i], "hetero": d.hetero_usd_per_year[i],
                 "api_pure": api.pure_usd_per_year[i], "api_hetero": api.hetero_usd_per_year[i]}
        best = cheapest(*costs.values())
        rows.append({
            "scenario": r.inputs.display_name("scenarios", sid), "pure_usd_per_year": costs["pure"],
            "hetero_usd_per_year": costs["hetero"], "api_pure_usd_per_year": costs["api_pure"],
            "api_hetero_usd_per_year": costs["api_hetero"], "hetero_savings_pct": d.savings_pct[i],
            "api_pure_savings_pct": api.pure_savings_pct[i], "api_hetero_savings_pct": api.hetero_savings_pct[i],
            "cheapest": labels.ENGLISH.option(best),
        })
    return rows


def load_summary_rows(r: Results) -> list[Row]:
    inp, c = r.inputs, r.core
    s, d = inp.table("scenarios"), c.deployment
    return [{
        "scenario": inp.display_name("scenarios", sid), "load_profile": s["load_profile"][i],
        "provisioning": s["provisioning"][i], "peak_qps": s["peak_qps"][i],
        "average_qps": s["peak_qps"][i] / c.load.peak_to_average[i],
        "peak_to_average": c.load.peak_to_average[i], "requests_per_year": c.load.requests_per_year[i],
        "pure_gpu_hours_per_year": d.pure_gpu_hours_per_year[i],
        "hetero_gpu_hours_per_year": d.hetero_gpu_hours_per_year[i],
        "pure_always_on_gpus": d.pure_always_on_gpus[i], "hetero_always_on_gpus": d.hetero_always_on_gpus[i],
        "committed_usd_per_gpu_hour": c.committed_gpu_hour_usd,
        "on_demand_usd_per_gpu_hour": c.term_usd_per_gpu_hour[ON_DEMAND],
    } for i, sid in enumerate(c.scenario_ids)]


def load_hourly_columns(r: Results) -> tuple[contract.ResultColumn, ...]:
    columns = []
    for sid in r.core.scenario_ids:
        name = r.inputs.display_name("scenarios", sid)
        columns += [contract.ResultColumn(f"{sid}.pure", f"{name}: pure GPUs", "gpus", 14),
                    contract.ResultColumn(f"{sid}.hetero", f"{name}: hetero GPUs", "gpus", 14)]
    return contract.RESULTS["load_hourly"].columns + tuple(columns)


def load_hourly_rows(r: Results) -> list[Row]:
    fleet = hourly_fleet(r.inputs, r.core)
    rows = []
    for hour in range(fleet.pure_gpus.shape[-1]):
        row: Row = {"hour": hour}
        for i, sid in enumerate(r.core.scenario_ids):
            row[f"{sid}.pure"] = fleet.pure_gpus[i, hour]
            row[f"{sid}.hetero"] = fleet.hetero_gpus[i, hour]
        rows.append(row)
    return rows


def capacity_rows(r: Results) -> list[Row]:
    inp, cap = r.inputs, r.core.models.capacity
    ids = r.core.models.ids
    return [{
        "model": inp.display_name("models", x.model), "call_type": x.call_type, "source": x.source,
        "runs_considered": x.runs_considered, "runs_meeting_slo": x.runs_meeting_slo, "qps": x.qps,
        "sizing_qps": cap.sizing_qps[ids.index(x.model), CALL_TYPES.index(x.call_type)],
        "latency_ms": x.latency_ms, "p99_ttft_ms": x.p99_ttft_ms, "p99_tpot_ms": x.p99_tpot_ms,
        "p99_e2e_ms": x.p99_e2e_ms, "note": x.note,
    } for x in cap.choices]


def benchmark_run_rows(r: Results) -> list[Row]:
    """Each run of a benchmark-sized model against each call type it is a candidate for."""
    inp = r.inputs
    b, ct = inp.table("benchmarks"), inp.table("call_types")
    cap = r.core.models.capacity
    chosen = {(x.model, x.call_type): x.source for x in cap.choices}
    return [{"run": x.run, "model": inp.display_name("models", x.model), "call_type": x.call_type,
             "request_throughput": b["request_throughput"][b.index(x.run)],
             "p99_ttft_ms": b["p99_ttft_ms"][b.index(x.run)],
             "slo_p99_ttft_ms": ct["slo_p99_ttft_ms"][ct.index(x.call_type)], "meets_slo": x.meets_slo,
             "chosen": chosen.get((x.model, x.call_type)) == x.run}
            for x in cap.candidates]


def workflow_latency_rows(r: Results) -> list[Row]:
    return [{"workflow": r.inputs.display_name("workflows", x.workflow), "pure_ms": x.pure_ms, "hetero_ms": x.hetero_ms,
             "saved_ms": x.saved_ms, "improvement": x.improvement, "business_value": x.business_value}
            for x in r.workflow_latency]
