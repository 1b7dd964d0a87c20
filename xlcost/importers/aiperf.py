"""AIPerf (ai-dynamo/aiperf, GenAI-Perf's successor): ``profile_export_aiperf.json`` and its CSV.

The JSON carries the run's settings (``input_config.loadgen``, ``endpoint.model_names``), its start
time and, with GPU telemetry on, each GPU's name. The CSV carries only the metrics; its older layout has
``Input Sequence Length`` among the per-request rows, the newer one (0.11) does not record input
lengths at all, and neither records the model or the concurrency. Output sequence length counts
reasoning tokens too: what the server generated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from . import profile_export as pe
from .base import BenchmarkRun, Keys, ParsedFile, date_from_ns, lacks, lookup, positive, rate, short_date, whole

ENGINE = "aiperf"
JSON_FORMAT = "AIPerf profile_export_aiperf.json"
CSV_FORMAT = "AIPerf profile_export_aiperf.csv"


def looks_like_json(obj: Mapping[str, Any]) -> bool:
    return pe.has_metric_objects(obj) and not _genai_perf_config(obj)


def _genai_perf_config(obj: Mapping[str, Any]) -> bool:
    from .genai_perf import looks_like_json as genai_perf_json

    return genai_perf_json(obj)


def _gpu_name(obj: Mapping[str, Any]) -> str | None:
    """The GPUs' name when telemetry lists GPUs of one kind (it lists the node's GPUs, not how many served)."""
    endpoints = lookup(obj, "telemetry_data.endpoints")
    names = set()
    if isinstance(endpoints, Mapping):
        for endpoint in endpoints.values():
            gpus = endpoint.get("gpus") if isinstance(endpoint, Mapping) else None
            if isinstance(gpus, Mapping):
                names.update(g.get("gpu_name") for g in gpus.values() if isinstance(g, Mapping))
    names.discard(None)
    if len(names) == 1:
        name = names.pop()
        return name.strip()[:100] if isinstance(name, str) and name.strip() else None
    return None


def read_json(name: str, objects: list[Any]) -> ParsedFile:
    obj = objects[0]
    throughput = pe.metric(obj, "request_throughput", "avg")
    missing = [] if throughput is not None else ["request_throughput.avg"]
    if pe.metric(obj, "output_sequence_length", "avg") is None:
        missing.append("output_sequence_length.avg")
    if missing:
        raise lacks(name, JSON_FORMAT, missing)
    config = Keys(obj.get("input_config") if isinstance(obj.get("input_config"), Mapping) else {})
    count = pe.metric(obj, "request_count", "avg")
    in_tokens = pe.metric(obj, "input_sequence_length", "avg")
    total_isl = pe.metric(obj, "total_isl", "avg")
    notes = ["p99 TPOT is AIPerf's inter-token latency"]
    if in_tokens is None and total_isl is not None and count:
        in_tokens = total_isl / count
        notes.append("mean input tokens = total input tokens / requests")
    started = Keys(obj).text("start_time")
    run = BenchmarkRun(
        engine=ENGINE,
        request_throughput=throughput,
        mean_input_tokens=in_tokens,
        mean_output_tokens=pe.metric(obj, "output_sequence_length", "avg"),
        max_concurrency=positive(config.number("loadgen.concurrency")),
        request_rate=rate(config.number("loadgen.request_rate")),
        completed_requests=whole(count),
        output_throughput=pe.metric(obj, "output_token_throughput", "avg"),
        p99_ttft_ms=pe.metric(obj, "time_to_first_token", "p99"),
        p99_tpot_ms=pe.metric(obj, "inter_token_latency", "p99"),
        p99_e2e_ms=pe.metric(obj, "request_latency", "p99"),
        mean_e2e_ms=pe.metric(obj, "request_latency", "avg"),
        run_date=short_date(started) or date_from_ns(pe.metric(obj, "min_request_timestamp", "avg", limit=math.inf)),
        model_name=config.text("endpoint.model_names", "model_names"),
        gpu_type=_gpu_name(obj),
        notes=tuple(notes),
    )
    return ParsedFile(JSON_FORMAT, (run,))


def looks_like_csv(tables: pe.CsvTables) -> bool:
    """AIPerf writes "Time to First Token", throughput in "requests/sec", and the benchmark's duration."""
    return (tables.units.get("request throughput") == "requests/sec" or "benchmark duration" in tables.values
            or any(label.startswith("Time to First Token") for label in tables.raw_labels))


def read_csv(name: str, tables: pe.CsvTables) -> ParsedFile:
    throughput = tables.value("request throughput")
    missing = [] if throughput is not None else ["the row 'Request Throughput (requests/sec)'"]
    if tables.stat("output sequence length", "avg") is None:
        missing.append("the row 'Output Sequence Length (tokens)'")
    if missing:
        raise lacks(name, CSV_FORMAT, missing)
    count = tables.value("request count")
    in_tokens = tables.stat("input sequence length", "avg")
    notes = ["p99 TPOT is AIPerf's inter-token latency", "the CSV does not record the model or the concurrency"]
    total_isl = tables.value("total input sequence length")
    if in_tokens is None and total_isl is not None and count:
        in_tokens = total_isl / count
        notes.append("mean input tokens = total input tokens / requests")
    run = BenchmarkRun(
        engine=ENGINE,
        request_throughput=throughput,
        mean_input_tokens=in_tokens,
        mean_output_tokens=tables.stat("output sequence length", "avg"),
        completed_requests=whole(count),
        output_throughput=tables.value("output token throughput"),
        p99_ttft_ms=tables.stat("time to first token", "p99"),
        p99_tpot_ms=tables.stat("inter token latency", "p99"),
        p99_e2e_ms=tables.stat("request latency", "p99"),
        mean_e2e_ms=tables.stat("request latency", "avg"),
        run_date=date_from_ns(tables.value("minimum request timestamp")),
        notes=tuple(notes),
        load_recorded=False,
    )
    return ParsedFile(CSV_FORMAT, (run,))
