"""vLLM ``vllm bench serve --save-result`` (formerly ``benchmarks/benchmark_serving.py``) JSON.

One object per run; ``--append-result`` writes several objects, one per line. Key sets differ by
version: older files have no E2E latency keys (``e2el`` is only measured when asked for) and spell
``request_goodput:`` with a stray colon; ``vllm bench sweep`` adds its own keys. Unknown keys are
ignored. With ``--save-detailed`` the file also holds per-request arrays; when it has no E2E keys,
mean and p99 E2E are computed from those arrays (TTFT plus the inter-token gaps of each request).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .base import (
    BenchmarkFileError,
    BenchmarkRun,
    Keys,
    ParsedFile,
    number,
    run_totals,
    short_date,
    summary_run,
)

ENGINE = "vllm"
FORMAT = "vLLM --save-result JSON"
_VLLM_ONLY = ("model_id", "tokenizer_id", "burstiness", "mean_e2el_ms", "p99_e2el_ms", "request_goodput:",
              "request_goodput", "total_token_throughput", "max_concurrent_requests")
_SGLANG_ONLY = ("dataset_name", "mean_e2e_latency_ms", "total_output_tokens_retokenized", "server_info",
                "random_input_len", "accept_length")


def looks_like(obj: Mapping[str, Any]) -> bool:
    vllm = sum(key in obj for key in _VLLM_ONLY)
    sglang = sum(key in obj for key in _SGLANG_ONLY)
    return "completed" in obj and vllm > sglang


def _derived_e2e_ms(obj: Mapping[str, Any]) -> tuple[float, float] | None:
    """(mean, p99) E2E in ms from per-request TTFTs and inter-token latencies (seconds), if present."""
    ttfts, itls, errors = obj.get("ttfts"), obj.get("itls"), obj.get("errors")
    if not isinstance(ttfts, list) or not isinstance(itls, list) or len(ttfts) != len(itls) or not ttfts:
        return None
    if not isinstance(errors, list) or len(errors) != len(ttfts):
        errors = [""] * len(ttfts)
    totals = []
    for ttft, gaps, error in zip(ttfts, itls, errors, strict=True):
        if error:
            continue  # a failed request has no latency
        first = number(ttft)
        if first is None or not isinstance(gaps, list):
            return None
        steps = [number(g) for g in gaps]
        if any(s is None for s in steps):
            return None
        totals.append(first + sum(steps))  # type: ignore[arg-type]
    if not totals:
        return None
    ms = np.asarray(totals) * 1000.0
    return float(ms.mean()), float(np.percentile(ms, 99))


def _run(name: str, obj: Any, position: int, count: int) -> BenchmarkRun:
    where = f"run {position} of {count}" if count > 1 else ""
    if not isinstance(obj, Mapping):
        raise BenchmarkFileError(f"{name}: {where or 'the file'} is not a JSON object; expected {FORMAT}")
    keys = Keys(obj)
    totals = run_totals(keys, name, FORMAT, where)
    notes = []
    p99_e2e, mean_e2e = keys.number("p99_e2el_ms"), keys.number("mean_e2el_ms")
    if p99_e2e is None and mean_e2e is None:
        derived = _derived_e2e_ms(obj)
        if derived is not None:
            mean_e2e, p99_e2e = derived
            notes.append("mean and p99 E2E computed from the per-request TTFTs and inter-token latencies")
    return summary_run(
        ENGINE, obj, keys, totals, notes=notes,
        p99_e2e_ms=p99_e2e,
        mean_e2e_ms=mean_e2e,
        run_date=short_date(keys.text("date")),
        model_name=keys.text("model_id", "model"),
        position=position,
    )


def read(name: str, objects: list[Any]) -> ParsedFile:
    runs = tuple(_run(name, obj, i, len(objects)) for i, obj in enumerate(objects, start=1))
    return ParsedFile(FORMAT, runs)
