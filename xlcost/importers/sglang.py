"""SGLang ``python -m sglang.bench_serving --output-file x.jsonl``: one JSON line appended per run.

The late-2024 key set has no ``request_throughput`` and no p99 keys (only medians and the mean E2E):
request throughput is then completed / duration, and the p99 columns stay blank. Newer files add
``request_throughput``, p99 latencies and, with ``server_info``, the server's own arguments (model path,
tensor/pipeline/data parallel sizes), from which the GPU count is taken. An unlimited request rate is
written as a bare ``Infinity``. SGLang calls E2E ``e2e_latency`` where vLLM says ``e2el``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import BenchmarkFileError, BenchmarkRun, Keys, ParsedFile, lacks, number, positive, rate, whole

ENGINE = "sglang"
FORMAT = "SGLang bench_serving JSONL"
_SGLANG_ONLY = ("dataset_name", "mean_e2e_latency_ms", "median_e2e_latency_ms", "total_output_tokens_retokenized",
                "server_info", "random_input_len", "accept_length", "sharegpt_output_len")


def looks_like(obj: Mapping[str, Any]) -> bool:
    return "completed" in obj and any(key in obj for key in _SGLANG_ONLY)


def _gpus(info: Any) -> int | None:
    """GPUs of the server: TP x PP, times DP unless DP attention shares the TP GPUs."""
    if not isinstance(info, Mapping):
        return None
    sizes = [number(info.get(k)) for k in ("tp_size", "pp_size", "dp_size")]
    tp, pp, dp = (int(s) if s is not None and s >= 1 else 1 for s in sizes)
    if sizes[0] is None:
        return None
    return tp * pp * (1 if info.get("enable_dp_attention") is True else dp)


def _run(name: str, obj: Any, position: int, count: int) -> BenchmarkRun:
    where = f"line {position}" if count > 1 else ""
    if not isinstance(obj, Mapping):
        raise BenchmarkFileError(f"{name}: {where or 'the file'} is not a JSON object; expected {FORMAT}")
    keys = Keys(obj)
    completed = keys.number("completed", required=True)
    total_in = keys.number("total_input_tokens", required=True)
    total_out = keys.number("total_output_tokens", required=True)
    throughput = keys.number("request_throughput")
    notes = []
    if throughput is None:
        duration = keys.number("duration", required=True)
        if duration and completed is not None:
            throughput = completed / duration
            notes.append("request throughput = completed / duration (the file has no request_throughput)")
    if keys.missing:
        raise lacks(name, FORMAT, keys.missing, where)
    if not completed:
        raise BenchmarkFileError(f"{name}: {where or 'the run'} completed no requests; there is nothing to measure")
    info = obj.get("server_info")
    notes.append("mean tokens = total tokens / completed requests")
    return BenchmarkRun(
        engine=ENGINE,
        request_throughput=throughput,  # type: ignore[arg-type]
        mean_input_tokens=total_in / completed,  # type: ignore[operator]
        mean_output_tokens=total_out / completed,  # type: ignore[operator]
        max_concurrency=positive(keys.number("max_concurrency")),
        request_rate=rate(obj.get("request_rate")),
        completed_requests=whole(completed),
        output_throughput=keys.number("output_throughput"),
        p99_ttft_ms=keys.number("p99_ttft_ms"),
        p99_tpot_ms=keys.number("p99_tpot_ms"),
        p99_e2e_ms=keys.number("p99_e2e_latency_ms", "p99_e2el_ms"),
        mean_e2e_ms=keys.number("mean_e2e_latency_ms", "mean_e2el_ms"),
        model_name=Keys(info if isinstance(info, Mapping) else {}).text("served_model_name", "model_path")
        or keys.text("model_id", "model"),
        gpus=_gpus(info),
        position=position,
        notes=tuple(notes),
    )


def read(name: str, objects: list[Any]) -> ParsedFile:
    runs = tuple(_run(name, obj, i, len(objects)) for i, obj in enumerate(objects, start=1))
    return ParsedFile(FORMAT, runs)

