"""NVIDIA GenAI-Perf: ``profile_export_genai_perf.json`` and ``profile_export_genai_perf.csv``.

Two JSON layouts exist: the 2024 one with a flat ``input_config`` (``concurrency``, ``model`` list) and
the 2025 one with a nested config (``perf_analyzer.stimulus.concurrency``, ``model_names``) and GPU
telemetry. GenAI-Perf's inter-token latency is (request latency - TTFT) / (output tokens - 1) per
request, what vLLM and SGLang call TPOT, so it fills the TPOT column. The CSV does not record the run's
settings (model, concurrency).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import profile_export as pe
from .base import BenchmarkRun, Keys, ParsedFile, lacks, positive, rate, whole

ENGINE = "genai-perf"
JSON_FORMAT = "GenAI-Perf profile_export_genai_perf.json"
CSV_FORMAT = "GenAI-Perf profile_export_genai_perf.csv"


def looks_like_json(obj: Mapping[str, Any]) -> bool:
    """Metric objects, and none of the keys only AIPerf writes."""
    aiperf_only = ("benchmark_duration", "was_cancelled", "error_summary", "telemetry_data", "total_isl")
    config = obj.get("input_config")
    aiperf_config = isinstance(config, Mapping) and ("loadgen" in config or "cli_command" in config)
    return pe.has_metric_objects(obj) and not aiperf_config and not any(k in obj for k in aiperf_only)


def read_json(name: str, objects: list[Any]) -> ParsedFile:
    obj = objects[0]
    missing = [k for k in ("request_throughput", "input_sequence_length", "output_sequence_length")
               if not isinstance(obj.get(k), Mapping)]
    throughput = pe.metric(obj, "request_throughput", "avg")
    if throughput is None and "request_throughput" not in missing:
        missing.append("request_throughput.avg")
    if missing:
        raise lacks(name, JSON_FORMAT, missing)
    config = Keys(obj.get("input_config") if isinstance(obj.get("input_config"), Mapping) else {})
    run = BenchmarkRun(
        engine=ENGINE,
        request_throughput=throughput,
        mean_input_tokens=pe.metric(obj, "input_sequence_length", "avg"),
        mean_output_tokens=pe.metric(obj, "output_sequence_length", "avg"),
        max_concurrency=positive(config.number("concurrency", "perf_analyzer.stimulus.concurrency")),
        request_rate=rate(config.number("request_rate", "perf_analyzer.stimulus.request_rate")),
        completed_requests=whole(pe.metric(obj, "request_count", "avg")),
        output_throughput=pe.metric(obj, "output_token_throughput", "avg"),
        p99_ttft_ms=pe.metric(obj, "time_to_first_token", "p99"),
        p99_tpot_ms=pe.metric(obj, "inter_token_latency", "p99"),
        p99_e2e_ms=pe.metric(obj, "request_latency", "p99"),
        mean_e2e_ms=pe.metric(obj, "request_latency", "avg"),
        model_name=config.text("model", "model_names", "formatted_model_name"),
        notes=("p99 TPOT is GenAI-Perf's inter-token latency",),
    )
    return ParsedFile(JSON_FORMAT, (run,))


def looks_like_csv(tables: pe.CsvTables) -> bool:
    """GenAI-Perf title-cases every word ("Time To First Token") and counts throughput "per sec"."""
    return tables.units.get("request throughput") == "per sec" or any(
        label.startswith(("Time To First Token", "Time To Second Token")) for label in tables.raw_labels)


def read_csv(name: str, tables: pe.CsvTables) -> ParsedFile:
    throughput = tables.value("request throughput")
    missing = [] if throughput is not None else ["the row 'Request Throughput (per sec)'"]
    for label in ("input sequence length", "output sequence length"):
        if tables.stat(label, "avg") is None:
            missing.append(f"the row '{label.title()}'")
    if missing:
        raise lacks(name, CSV_FORMAT, missing)
    run = BenchmarkRun(
        engine=ENGINE,
        request_throughput=throughput,
        mean_input_tokens=tables.stat("input sequence length", "avg"),
        mean_output_tokens=tables.stat("output sequence length", "avg"),
        output_throughput=tables.value("output token throughput"),
        completed_requests=whole(tables.value("request count")),
        p99_ttft_ms=tables.stat("time to first token", "p99"),
        p99_tpot_ms=tables.stat("inter token latency", "p99"),
        p99_e2e_ms=tables.stat("request latency", "p99"),
        mean_e2e_ms=tables.stat("request latency", "avg"),
        notes=("p99 TPOT is GenAI-Perf's inter-token latency",
               "the CSV does not record the model or the concurrency"),
        load_recorded=False,
    )
    return ParsedFile(CSV_FORMAT, (run,))
