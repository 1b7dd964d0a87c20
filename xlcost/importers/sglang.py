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

from .base import BenchmarkFileError, BenchmarkRun, Keys, ParsedFile, number, run_totals, summary_run

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
    info = obj.get("server_info")
    return summary_run(
        ENGINE, obj, keys, run_totals(keys, name, FORMAT, where),
        p99_e2e_ms=keys.number("p99_e2e_latency_ms", "p99_e2el_ms"),
        mean_e2e_ms=keys.number("mean_e2e_latency_ms", "mean_e2el_ms"),
        model_name=Keys(info if isinstance(info, Mapping) else {}).text("served_model_name", "model_path")
        or keys.text("model_id", "model"),
        gpus=_gpus(info),
        position=position,
    )


def read(name: str, objects: list[Any]) -> ParsedFile:
    runs = tuple(_run(name, obj, i, len(objects)) for i, obj in enumerate(objects, start=1))
    return ParsedFile(FORMAT, runs)

