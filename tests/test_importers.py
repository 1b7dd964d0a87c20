"""Result-file readers (xlcost.importers): every format and key set, content sniffing, missing keys, hostile files.

The fixtures are written here, in each tool's shape, with numbers small enough to check by hand. The real
files the tools wrote live outside the repository (../shared/bench-samples/); the tests that read them
skip when that folder is absent.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import pytest

from xlcost.importers import BenchmarkFileError, ParsedFile, parse, parse_path
from xlcost.importers.base import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "bench-samples"
FIXTURES = Path(__file__).parent / "fixtures"


def runs(name: str, content: str | bytes) -> ParsedFile:
    parsed = parse(name, content.encode() if isinstance(content, str) else content)
    assert isinstance(parsed, ParsedFile)
    return parsed


def refused(name: str, content: str | bytes) -> str:
    with pytest.raises(BenchmarkFileError) as err:
        parse(name, content.encode() if isinstance(content, str) else content)
    message = str(err.value)
    assert "\n" not in message and message.startswith(name)
    return message


# ---------------------------------------------------------------------------------------------
# Fixtures in each tool's shape
# ---------------------------------------------------------------------------------------------


def vllm_old() -> dict:
    """vLLM 0.8-era: no e2el keys, the 'request_goodput:' typo, per-request arrays (--save-detailed)."""
    return {
        "date": "20250414-141621", "backend": "vllm", "model_id": "Qwen/Qwen3-4B", "tokenizer_id": "Qwen/Qwen3-4B",
        "num_prompts": 4, "request_rate": 4.0, "burstiness": 1.0, "max_concurrency": None, "duration": 2.0,
        "completed": 3, "total_input_tokens": 300, "total_output_tokens": 60, "request_throughput": 1.5,
        "request_goodput:": None, "output_throughput": 30.0, "total_token_throughput": 180.0,
        "input_lens": [100, 100, 100, 100], "output_lens": [20, 20, 20, 0],
        "ttfts": [0.1, 0.2, 0.3, 0.0], "itls": [[0.01] * 19, [0.02] * 19, [0.03] * 19, []],
        "generated_texts": ["a", "b", "c", ""], "errors": ["", "", "", "Timeout"],
        "mean_ttft_ms": 200.0, "median_ttft_ms": 200.0, "std_ttft_ms": 81.6, "p99_ttft_ms": 298.0,
        "mean_tpot_ms": 20.0, "median_tpot_ms": 20.0, "std_tpot_ms": 8.2, "p99_tpot_ms": 29.8,
        "mean_itl_ms": 20.0, "median_itl_ms": 20.0, "std_itl_ms": 8.2, "p99_itl_ms": 30.0,
    }


def vllm_new(concurrency: int = 8, throughput: float = 6.25) -> dict:
    """vllm bench serve (2025-26): endpoint_type, failed, e2el, "inf" rate, keys xlcost never heard of."""
    return {
        "date": "20260818-021333", "endpoint_type": "openai", "backend": "openai", "label": None,
        "model_id": "Qwen/Qwen3-4B", "tokenizer_id": "Qwen/Qwen3-4B", "num_prompts": 100, "request_rate": "inf",
        "burstiness": 1.0, "max_concurrency": concurrency, "duration": 16.0, "completed": 100, "failed": 0,
        "total_input_tokens": 51200, "total_output_tokens": 12800, "request_throughput": throughput,
        "request_goodput": None, "output_throughput": 800.0, "total_token_throughput": 4000.0,
        "max_output_tokens_per_s": 900.0, "max_concurrent_requests": concurrency, "rtfx": 0.0,
        "mean_ttft_ms": 40.0, "p99_ttft_ms": 95.5, "mean_tpot_ms": 9.0, "p99_tpot_ms": 12.25,
        "mean_itl_ms": 9.0, "p99_itl_ms": 30.0, "mean_e2el_ms": 1200.0, "p99_e2el_ms": 1800.0,
        "spec_decode_acceptance_rate": 0.5, "a_key_from_2027": {"nested": [1, 2, 3]},
    }


def sglang_old(rate: float = math.inf) -> dict:
    """SGLang late 2024: no request_throughput, no p99 keys."""
    return {"backend": "sglang", "dataset_name": "random", "request_rate": rate, "max_concurrency": None,
            "total_input_tokens": 102400, "total_output_tokens": 51200, "total_output_tokens_retokenized": 51100,
            "mean_e2e_latency_ms": 9000.0, "median_e2e_latency_ms": 8800.0, "median_ttft_ms": 80.0,
            "median_itl_ms": 14.0, "output_throughput": 1280.0, "sharegpt_output_len": None,
            "random_input_len": 1024, "random_output_len": 512, "random_range_ratio": 0.0, "duration": 40.0,
            "completed": 100}


def sglang_new(**server: object) -> dict:
    return {"tag": "c32", "backend": "sglang", "dataset_name": "random", "request_rate": math.inf,
            "max_concurrency": 32, "server_info": {"model_path": "Qwen/Qwen3-4B", "tp_size": 2, "dp_size": 2,
                                                   "version": "0.5.5", **server},
            "duration": 2.0, "completed": 100, "total_input_tokens": 25600, "total_output_tokens": 6400,
            "request_throughput": 50.0, "output_throughput": 3200.0, "mean_e2e_latency_ms": 550.0,
            "p99_e2e_latency_ms": 1180.0, "mean_ttft_ms": 42.0, "p99_ttft_ms": 64.5, "mean_tpot_ms": 8.5,
            "p99_tpot_ms": 10.5, "p99_itl_ms": 40.0, "concurrency": 28.4, "accept_length": None}


def metric(avg: float, p99: float | None = None, unit: str = "ms") -> dict:
    out = {"unit": unit, "avg": avg}
    if p99 is not None:
        out.update({"p99": p99, "p50": avg, "min": avg / 2, "max": p99 * 1.01, "std": 1.0})
    return out


def genai_perf_json(layout: int) -> dict:
    config = ({"model": ["Qwen/Qwen3-4B"], "backend": "vllm", "concurrency": 16, "request_rate": None,
               "synthetic_input_tokens_mean": 200} if layout == 2024 else
              {"model_names": ["Qwen/Qwen3-4B"], "endpoint": {"type": "chat"},
               "perf_analyzer": {"stimulus": {"request_rate": 5}, "measurement": {"mode": "request_count"}}})
    out = {"request_throughput": metric(12.5, unit="requests/sec"), "request_latency": metric(1500.0, 2100.0),
           "time_to_first_token": metric(300.0, 650.0), "inter_token_latency": metric(20.0, 26.5),
           "output_token_throughput": metric(1000.0, unit="tokens/sec"),
           "output_sequence_length": metric(80.0, 96.0, "tokens"),
           "input_sequence_length": metric(200.0, 201.0, "tokens"), "input_config": config}
    if layout == 2025:
        out["request_count"] = metric(250.0, unit="count")
        out["time_to_second_token"] = metric(20.0, 22.0)
        out["telemetry_stats"] = {"gpu_power_usage": {"unit": "W", "0": {"avg": 200.0}}}
    return out


GENAI_PERF_CSV = (
    "Metric,avg,min,max,p99,p95,p90,p75,p50,p25\r\n"
    "Time To First Token (ms),300.00,100.00,700.00,650.00,600.00,500.00,400.00,300.00,200.00\r\n"
    "Inter Token Latency (ms),20.00,15.00,30.00,26.50,25.00,24.00,22.00,20.00,18.00\r\n"
    'Request Latency (ms),"1,500.00","1,000.00","2,200.00","2,100.00","2,000.00","1,900.00","1,700.00",'
    '"1,500.00","1,300.00"\r\n'
    "Output Sequence Length,80.00,60.00,100.00,96.00,94.00,92.00,88.00,80.00,72.00\r\n"
    "Input Sequence Length,200.00,200.00,202.00,201.00,200.00,200.00,200.00,200.00,200.00\r\n"
    "\r\n"
    "Metric,Value\r\n"
    'Output Token Throughput (per sec),"1,000.00"\r\n'
    "Request Throughput (per sec),12.50\r\n"
)


def aiperf_json() -> dict:
    return {"request_throughput": metric(0.5, unit="requests/sec"), "request_latency": metric(4000.0, 5000.0),
            "request_count": metric(100.0, unit="requests"), "time_to_first_token": metric(80.0, 99.5),
            "inter_token_latency": metric(18.0, 19.25), "output_token_throughput": metric(150.0, unit="tokens/sec"),
            "output_sequence_length": metric(300.0, 350.0, "tokens"),
            "input_sequence_length": metric(200.0, 260.0, "tokens"), "goodput": None,
            "benchmark_duration": metric(200.0, unit="sec"),
            "telemetry_data": {"endpoints": {"dcgm:9400": {"gpus": {
                "gpu_0": {"gpu_index": 0, "gpu_name": "NVIDIA H100 80GB HBM3"},
                "gpu_1": {"gpu_index": 1, "gpu_name": "NVIDIA H100 80GB HBM3"}}}}},
            "input_config": {"endpoint": {"model_names": ["Qwen/Qwen3-4B"], "type": "chat"},
                             "loadgen": {"concurrency": 4, "request_count": 100}},
            "was_cancelled": False, "error_summary": [], "start_time": "2026-01-15T06:27:34.166021"}


AIPERF_CSV_OLD = (
    "Metric,avg,min,max,p1,p5,p25,p50,p75,p90,p95,p99,std\r\n"
    "Input Sequence Length (tokens),550.00,550.00,550.00,550.00,"
    "550.00,550.00,550.00,550.00,550.00,550.00,550.00,0.00\r\n"
    "Inter Token Latency (ms),27.00,22.00,35.00,22.00,22.00,24.00,27.00,31.00,33.00,33.00,33.75,3.70\r\n"
    "Output Sequence Length (tokens),243.00,193.00,247.00,193.00,"
    "228.00,241.00,247.00,247.00,247.00,247.00,247.00,9.40\r\n"
    "Request Latency (ms),9000.00,7900.00,9300.00,8100.00,8800.00,"
    "8900.00,9100.00,9200.00,9270.00,9280.00,9290.00,220.00\r\n"
    "Time to First Token (ms),2300.00,460.00,3850.00,580.00,720.00,"
    "1400.00,2360.00,3330.00,3790.00,3820.00,3833.00,1049.00\r\n"
    "\r\n"
    "Metric,Value\r\n"
    "Benchmark Duration (sec),9.32\r\n"
    "Error Request Count,11.00\r\n"
    "Minimum Request Timestamp (ns),1759522419154568960.00\r\n"
    "Output Token Throughput (tokens/sec),2320.72\r\n"
    "Request Count,89.00\r\n"
    "Request Throughput (requests/sec),9.55\r\n"
)

AIPERF_CSV_NEW = (
    "Metric,avg,min,max,sum,p1,p5,p10,p25,p50,p75,p90,p95,p99,std\r\n"
    "HTTP Waiting (TTFB) (ms),51.00,33.00,251.00,250000.00,38.00,"
    "39.00,40.00,42.00,46.00,52.00,61.00,73.00,117.00,19.00\r\n"
    "Inter Token Latency (ms),14.50,9.50,41.80,71000.00,12.40,13.20,13.40,13.90,14.40,15.00,15.70,16.10,17.00,1.00\r\n"
    "Output Sequence Length (tokens),262.00,1.00,1237.00,1284000.00,10.00,31.00,57.00,121.00,239.00,356.00,"
    "508.00,629.00,779.00,179.00\r\n"
    "Request Latency (ms),3850.00,47.00,18420.00,18862742.65,187.00,495.00,848.00,1807.00,3491.00,5215.00,"
    "7504.00,9266.00,11493.00,2638.00\r\n"
    "Time to First Token (ms),51.40,33.60,261.00,251784.97,38.20,"
    "39.80,40.90,43.00,47.00,52.90,61.20,73.60,117.90,20.30\r\n"
    "\r\n"
    "Metric,Value\r\n"
    "Benchmark Duration (sec),299.83\r\n"
    "Goodput (requests/sec),16.32\r\n"
    "Request Count,4895.00\r\n"
    "Request Throughput (requests/sec),16.33\r\n"
    "\r\n"
    "\r\n"
    "Endpoint,GPU_Index,GPU_Name,GPU_UUID,Metric,avg,min,max,sum,p1,p5,p10,p25,p50,p75,p90,p95,p99,std\r\n"
)


# ---------------------------------------------------------------------------------------------
# vLLM
# ---------------------------------------------------------------------------------------------


def test_vllm_old_key_set_derives_tokens_and_e2e_from_the_file():
    parsed = runs("results.json", json.dumps(vllm_old()))
    assert parsed.format == "vLLM --save-result JSON"
    (run,) = parsed.runs
    assert (run.engine, run.model_name, run.request_rate, run.max_concurrency) == ("vllm", "Qwen/Qwen3-4B", 4.0, None)
    assert (run.mean_input_tokens, run.mean_output_tokens) == (100.0, 20.0)  # totals / completed (3, not 4 sent)
    assert (run.request_throughput, run.completed_requests, run.output_throughput) == (1.5, 3, 30.0)
    assert (run.p99_ttft_ms, run.p99_tpot_ms) == (298.0, 29.8)
    # E2E from the arrays, the failed request left out: 0.1+19x0.01, 0.2+19x0.02, 0.3+19x0.03 s
    assert run.mean_e2e_ms == pytest.approx(580.0)
    assert run.p99_e2e_ms == pytest.approx(580.0 + 0.98 * 290.0)  # linear interpolation, as numpy and vLLM
    assert run.run_date == "2025-04-14 14:16"


def test_vllm_without_e2e_or_arrays_leaves_e2e_blank():
    data = {k: v for k, v in vllm_old().items() if k not in ("ttfts", "itls", "errors")}
    (run,) = runs("results.json", json.dumps(data)).runs
    assert run.p99_e2e_ms is None and run.mean_e2e_ms is None and run.p99_ttft_ms == 298.0


def test_vllm_new_key_set_ignores_unknown_keys():
    (run,) = runs("run=0.json", json.dumps(vllm_new(), indent=4)).runs
    assert (run.request_rate, run.max_concurrency, run.request_throughput) == (None, 8.0, 6.25)
    assert (run.mean_input_tokens, run.mean_output_tokens) == (512.0, 128.0)
    assert (run.p99_ttft_ms, run.p99_tpot_ms, run.p99_e2e_ms, run.mean_e2e_ms) == (95.5, 12.25, 1800.0, 1200.0)


def test_vllm_append_result_reads_every_object():
    text = "\n".join(json.dumps(vllm_new(c, t)) for c, t in ((10, 5.5), (30, 10.25), (50, 12.5)))  # no final \n
    parsed = runs("vllm-tp4.json", text)
    assert [(r.position, r.max_concurrency, r.request_throughput) for r in parsed.runs] == [
        (1, 10.0, 5.5), (2, 30.0, 10.25), (3, 50.0, 12.5)]
    # written back to back without a newline, too
    assert len(runs("x.json", "".join(json.dumps(vllm_new(c)) for c in (1, 2))).runs) == 2


# ---------------------------------------------------------------------------------------------
# SGLang
# ---------------------------------------------------------------------------------------------


def test_sglang_old_jsonl_derives_request_throughput_and_reads_bare_infinity():
    text = "\n".join(json.dumps(sglang_old(rate)) for rate in (math.inf, 2.0)) + "\n"
    assert "Infinity" in text  # what Python's json writes, and what SGLang's files hold
    parsed = runs("sglang.jsonl", text)
    assert parsed.format == "SGLang bench_serving JSONL"
    first, second = parsed.runs
    assert first.request_throughput == 100 / 40.0 and first.request_rate is None and second.request_rate == 2.0
    assert (first.mean_input_tokens, first.mean_output_tokens, first.mean_e2e_ms) == (1024.0, 512.0, 9000.0)
    assert first.p99_ttft_ms is None and first.p99_e2e_ms is None  # the old key set has no p99
    assert first.model_name is None and any("completed / duration" in n for n in first.notes)


def test_sglang_new_key_set_reads_p99_model_and_gpus_from_server_info():
    (run,) = runs("agg.jsonl", json.dumps(sglang_new()) + "\n").runs
    assert (run.request_throughput, run.p99_ttft_ms, run.p99_tpot_ms, run.p99_e2e_ms) == (50.0, 64.5, 10.5, 1180.0)
    assert (run.model_name, run.gpus, run.max_concurrency) == ("Qwen/Qwen3-4B", 4, 32.0)  # TP 2 x DP 2
    (run,) = runs("agg.jsonl", json.dumps(sglang_new(enable_dp_attention=True))).runs
    assert run.gpus == 2  # DP attention shares the TP GPUs


# ---------------------------------------------------------------------------------------------
# GenAI-Perf and AIPerf
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", [2024, 2025])
def test_genai_perf_json_both_layouts(layout):
    parsed = runs("profile_export_genai_perf.json", json.dumps(genai_perf_json(layout), indent=2))
    assert parsed.format == "GenAI-Perf profile_export_genai_perf.json"
    (run,) = parsed.runs
    assert (run.request_throughput, run.mean_input_tokens, run.mean_output_tokens) == (12.5, 200.0, 80.0)
    assert (run.p99_ttft_ms, run.p99_tpot_ms, run.p99_e2e_ms, run.mean_e2e_ms) == (650.0, 26.5, 2100.0, 1500.0)
    assert run.model_name == "Qwen/Qwen3-4B"
    if layout == 2024:
        assert (run.max_concurrency, run.request_rate, run.completed_requests) == (16.0, None, None)
    else:
        assert (run.max_concurrency, run.request_rate, run.completed_requests) == (None, 5.0, 250)


def test_genai_perf_latencies_in_seconds_are_converted():
    data = genai_perf_json(2024)
    data["time_to_first_token"] = metric(0.3, 0.65, unit="s")
    (run,) = runs("p.json", json.dumps(data)).runs
    assert run.p99_ttft_ms == pytest.approx(650.0)


def test_genai_perf_csv_with_thousands_separators_and_crlf():
    parsed = runs("profile_export_genai_perf.csv", GENAI_PERF_CSV)
    assert parsed.format == "GenAI-Perf profile_export_genai_perf.csv"
    (run,) = parsed.runs
    assert (run.request_throughput, run.output_throughput) == (12.5, 1000.0)
    assert (run.p99_e2e_ms, run.mean_e2e_ms, run.p99_ttft_ms, run.p99_tpot_ms) == (2100.0, 1500.0, 650.0, 26.5)
    assert (run.mean_input_tokens, run.mean_output_tokens, run.model_name) == (200.0, 80.0, None)
    assert not run.load_recorded


def test_aiperf_json():
    parsed = runs("profile_export_aiperf.json", json.dumps(aiperf_json()))
    assert parsed.format == "AIPerf profile_export_aiperf.json"
    (run,) = parsed.runs
    assert (run.request_throughput, run.completed_requests, run.max_concurrency) == (0.5, 100, 4.0)
    assert (run.p99_ttft_ms, run.p99_tpot_ms, run.p99_e2e_ms, run.mean_e2e_ms) == (99.5, 19.25, 5000.0, 4000.0)
    assert (run.gpu_type, run.run_date) == ("NVIDIA H100 80GB HBM3", "2026-01-15 06:27")
    assert run.model_name == "Qwen/Qwen3-4B"


def test_aiperf_csv_both_layouts():
    (old,) = runs("profile_export_aiperf.csv", AIPERF_CSV_OLD).runs
    assert (old.request_throughput, old.completed_requests, old.mean_input_tokens) == (9.55, 89, 550.0)
    assert (old.p99_ttft_ms, old.p99_tpot_ms, old.p99_e2e_ms) == (3833.0, 33.75, 9290.0)
    assert old.run_date == "2025-10-03 20:13 UTC"  # from the first request's timestamp
    (new,) = runs("profile_export_aiperf.csv", AIPERF_CSV_NEW).runs
    assert (new.request_throughput, new.completed_requests, new.mean_output_tokens) == (16.33, 4895, 262.0)
    assert new.mean_input_tokens is None  # 0.11 does not record input lengths: the import asks for them
    assert (new.p99_ttft_ms, new.p99_tpot_ms) == (117.9, 17.0)


def test_formats_are_recognised_by_content_not_by_name():
    assert runs("notes.txt", json.dumps(vllm_new())).format.startswith("vLLM")
    assert runs("data.json", json.dumps(sglang_new())).format.startswith("SGLang")
    assert runs("export.txt", GENAI_PERF_CSV).format.startswith("GenAI-Perf")
    assert runs("profile_export_genai_perf.csv", AIPERF_CSV_OLD).format.startswith("AIPerf")
    assert runs("profile_export_genai_perf.json", json.dumps(aiperf_json())).format.startswith("AIPerf")
    assert runs("x", "\ufeff" + json.dumps(vllm_new())).runs  # a BOM is fine


# ---------------------------------------------------------------------------------------------
# Missing keys: one line naming the file, the format it looked like and what it lacks
# ---------------------------------------------------------------------------------------------


def test_missing_required_keys_are_named():
    data = {k: v for k, v in vllm_new().items() if k not in ("completed", "total_input_tokens")}
    data["burstiness"] = 1.0
    assert re.fullmatch(r"r\.json looks like a vLLM --save-result JSON file but lacks completed, total_input_tokens; "
                        r"expected the file exactly as the tool wrote it", refused("r.json", json.dumps(data)))
    second = {k: v for k, v in sglang_old().items() if k != "total_output_tokens"}
    message = refused("s.jsonl", json.dumps(sglang_old()) + "\n" + json.dumps(second))
    assert "SGLang bench_serving JSONL" in message and "total_output_tokens (line 2)" in message
    message = refused("g.json", json.dumps({k: v for k, v in genai_perf_json(2024).items()
                                            if k not in ("request_throughput", "input_sequence_length")}))
    assert "GenAI-Perf profile_export_genai_perf.json file but lacks request_throughput, input_sequence_length" \
        in message
    message = refused("a.csv", AIPERF_CSV_OLD.replace("Request Throughput (requests/sec),9.55\r\n", ""))
    assert "AIPerf profile_export_aiperf.csv file but lacks the row 'Request Throughput (requests/sec)'" in message


def test_a_run_that_completed_nothing_is_refused():
    data = {**vllm_new(), "completed": 0}
    assert "completed no requests" in refused("r.json", json.dumps(data))


def test_unrecognised_files_say_what_is_expected():
    for name, content in [("a.json", '{"hello": 1}'), ("b.txt", "just some notes\n"), ("c.json", "[1, 2]"),
                          ("d.csv", "Metric,Value\r\nSomething,1\r\n")]:
        assert "expected a vLLM --save-result JSON" in refused(name, content)


# ---------------------------------------------------------------------------------------------
# Hostile files: a clear refusal, quickly, in bounded memory
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "is empty"),
    (b"   \n", "is empty"),
    (bytes(range(256)) * 64, "binary data"),
    (b"PK\x03\x04" + b"\0" * 100, "zip archive (an Excel workbook?)"),
    (b"%PDF-1.7\n", "a PDF"),
    (b"\x1f\x8b\x08\x00", "gzip"),
    (b'{"completed": 1, "x": "\xff\xfe\xfa"}', "not UTF-8 text"),
    (b"[" * 100_000, "nests too deeply"),
    (b'{"a":' * 50_000, "nests too deeply"),
    (b'{"completed": 1' + b"0" * 1_000_000 + b"}", "more than 40 digits"),
    (b'{"completed": 1.' + b"0" * 1_000_000 + b"}", "more than 40 digits"),
    (b'{"completed": "' + b"a" * 5_000_000, "not valid JSON"),
    (b'{"completed": 3}\n{"completed": 3, ', "not valid JSON (line 2"),
    (b"Metric,avg\r\n" + b"x" * 200_000 + b",1\r\n", "not a readable CSV"),
])
def test_hostile_content_is_refused_in_one_line(content, fragment):
    assert fragment in refused("evil.json", content)


def test_huge_values_are_not_taken_as_measurements():
    data = {**vllm_new(), "request_throughput": 1e300, "p99_ttft_ms": float("nan"), "duration": 16.0}
    (run,) = runs("r.json", json.dumps(data)).runs
    assert run.request_throughput == 100 / 16.0 and run.p99_ttft_ms is None


def test_oversized_and_special_files_are_refused_before_reading(tmp_path):
    big = tmp_path / "huge.json"
    with open(big, "wb") as f:
        f.truncate(1 << 30)  # a sparse 1 GB file: nothing is written to disk
    with pytest.raises(BenchmarkFileError, match=r"huge\.json is 1,024 MB; xlcost reads result files up to 64 MB"):
        parse_path(big)
    with pytest.raises(BenchmarkFileError, match="is a folder"):
        parse_path(tmp_path)
    with pytest.raises(BenchmarkFileError, match="does not exist"):
        parse_path(tmp_path / "missing.json")
    assert MAX_FILE_BYTES == 64 * 1024 * 1024


def test_a_1_gb_file_through_the_cli_exits_2_in_bounded_memory(tmp_path):
    from test_hostile_files import xlcost

    book = tmp_path / "model.xlsx"
    book.write_bytes((ROOT / "workbooks" / "llm_cost_model.xlsx").read_bytes())
    big = tmp_path / "results.json"
    with open(big, "wb") as f:
        f.write(b'{"completed": 1, "data": "')
        f.truncate(1 << 30)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    run = xlcost("import", book, big, "--model", "qwen3-4b")
    assert run.code == 2 and "Traceback" not in run.stderr
    assert "results.json is 1,024 MB" in run.stderr
    assert run.peak_rss < 300 * 1024 * 1024
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before


# ---------------------------------------------------------------------------------------------
# The real files the tools wrote (outside the repository; skipped when absent)
# ---------------------------------------------------------------------------------------------

# file -> (format, runs, request throughput of the first run, its p99 TTFT or None)
REAL = {
    "vllm-0.8.3_llama3.3-70b_tp8_a100_qps04.json": ("vLLM", 1, 3.1752, 67.564),
    "vllm-0.9.2_llama3.3-70b-fp8_4xh200_c10-70_append-result.json": ("vLLM", 4, 5.6203, 489.28),
    "vllm-0.25.1_opt-125m_sweep-serve_maxseqs4_c2_run0.json": ("vLLM", 1, 5.8592, 762.49),
    "sglang-2024-12_llama3.3-70b_4xh200_online.jsonl": ("SGLang", 7, 300 / 298.3675805060193, None),
    "sglang-2024-12_llama3.3-70b_4xh200_offline_inf.jsonl": ("SGLang", 7, 3000 / 341.72106836596504, None),
    "sglang-2025-12_qwen2.5-3b_gh200_c32.jsonl": ("SGLang", 1, 50.994, 64.621),
    "genai-perf-2024_llama3-8b-nim_c50_profile_export_genai_perf.json": ("GenAI-Perf", 1, 26.097, 837.05),
    "genai-perf-2024_llama3-8b-nim_c50_profile_export_genai_perf.csv": ("GenAI-Perf", 1, 26.10, 837.05),
    "genai-perf-2025-09_gpt-oss-20b_a100_c1_profile_export_genai_perf.json": ("GenAI-Perf", 1, 0.47010, 2342.05),
    "aiperf-2026-01_gpt-oss-20b_a100_c1_profile_export_aiperf.json": ("AIPerf", 1, 0.19246, 99.649),
    "aiperf-2025-10_gpt-oss-20b_c100_cancel10_profile_export_aiperf.csv": ("AIPerf", 1, 9.55, 3833.39),
    "aiperf-0.11_qwen3-4b-fp8_rtxpro4500_c64_profile_export_aiperf.csv": ("AIPerf", 1, 16.33, 117.90),
}
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/bench-samples is not here")


def _listed_sha256() -> dict[str, str]:
    text = (SAMPLES / "SOURCES.md").read_text(encoding="utf-8")
    return {name: digest for digest, name in re.findall(r"^([0-9a-f]{64})\s+(\S+)$", text, re.M)}


@needs_samples
@pytest.mark.parametrize("name", sorted(REAL))
def test_every_real_result_file_imports(name):
    path = SAMPLES / name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == _listed_sha256()[name], "the sample was edited"
    fmt, count, throughput, ttft = REAL[name]
    parsed = parse_path(path)
    assert parsed.format.startswith(fmt) and len(parsed.runs) == count
    first = parsed.runs[0]
    assert first.request_throughput == pytest.approx(throughput, rel=1e-4)
    assert first.p99_ttft_ms == (None if ttft is None else pytest.approx(ttft, rel=1e-4))
    for run in parsed.runs:
        assert run.request_throughput > 0 and run.mean_output_tokens > 0
        assert run.mean_input_tokens is None or run.mean_input_tokens > 0


@needs_samples
def test_real_genai_perf_json_and_csv_of_one_run_agree():
    (a,) = parse_path(SAMPLES / "genai-perf-2024_llama3-8b-nim_c50_profile_export_genai_perf.json").runs
    (b,) = parse_path(SAMPLES / "genai-perf-2024_llama3-8b-nim_c50_profile_export_genai_perf.csv").runs
    for key in ("request_throughput", "p99_ttft_ms", "p99_tpot_ms", "p99_e2e_ms", "mean_e2e_ms", "mean_input_tokens",
                "mean_output_tokens", "output_throughput"):
        assert getattr(a, key) == pytest.approx(getattr(b, key), abs=0.01), key
