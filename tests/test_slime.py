"""slime launch scripts -> the Models table's descriptive SLIME columns (xlcost.importers.slime).

The two scripts under tests/fixtures/slime/ are written for these tests in the style slime's own
scripts use (flag arrays, a backslash-continued launcher, comments, expansions); they are not copies.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from xlcost.importers import BenchmarkFileError, SlimeScript, parse, parse_path

FIXTURES = Path(__file__).parent / "fixtures" / "slime"


def script(text: str) -> SlimeScript:
    parsed = parse("run-x.sh", text.encode())
    assert isinstance(parsed, SlimeScript)
    return parsed


def test_colocated_script():
    s = parse_path(FIXTURES / "run-colocated.sh")
    assert isinstance(s, SlimeScript) and s.format == "slime launch script"
    assert s.parallelism == "2/1/1/1"  # TP from ${TP_SIZE:-2}
    assert s.max_tokens_per_gpu == 6144  # PERF_ARGS+=( ... ) comes later: the last occurrence wins
    assert (s.mem_fraction_static, s.global_batch_size) == (0.5, "32")
    assert (s.rollout_batch_size, s.samples_per_prompt) == (16, 4)
    assert s.gpus == 8 and "colocated" in s.gpus_detail  # $(nvidia-smi ...) unknown, then the script's fallback 8
    assert s.entry_point == "train.py"
    assert s.flags["sglang-cuda-graph-bs"] == ["1", "2", "4", "8", "16", "24", "32", "40", "48", "56", "64"]
    assert s.flags["update-weight-buffer-size"] == [str(512 * 1024 * 1024)]
    assert s.flags["hf-checkpoint"] == ["/data/tiny-model"]  # the commented-out line is not read
    assert s.flags["balance-data"] == [] and s.flags["rollout-batch-size"] == ["16"]  # trailing comment dropped


def test_split_script_counts_actor_and_rollout_gpus_and_derives_the_global_batch():
    s = parse_path(FIXTURES / "run-split.sh")
    assert s.parallelism == "4/2/2/8" and s.max_tokens_per_gpu == 8192 and s.mem_fraction_static is None
    assert s.gpus == 2 * 8 + 16  # 2 actor nodes x 8, plus $((ACTOR_NODES * 8)) rollout GPUs
    assert s.global_batch_size == "256" and any("steps per rollout" in n for n in s.notes)
    assert s.entry_point == "train_async.py"


def test_flags_on_the_launcher_and_defaults():
    s = script("PERF_ARGS=(\n  --max-tokens-per-gpu 1024\n)\n"
               "python3 train.py --actor-num-gpus-per-node 4 ${PERF_ARGS[@]} --max-tokens-per-gpu=2048 --colocate\n")
    assert s.max_tokens_per_gpu == 2048  # --flag=value, after the array: last wins
    assert s.parallelism == "1/1/1/1" and s.samples_per_prompt == 1  # slime's defaults
    assert s.gpus == 4


def test_values_known_only_at_run_time_stay_blank_with_a_note():
    s = script("PERF_ARGS=(\n --tensor-model-parallel-size ${TP}\n --max-tokens-per-gpu 100\n)\n"
               "python3 train.py --actor-num-nodes ${NODES} --colocate ${PERF_ARGS[@]}\n")
    assert s.parallelism is None and s.gpus is None and s.max_tokens_per_gpu == 100
    assert any("--tensor-model-parallel-size is ${TP}" in n for n in s.notes)


def test_an_ordinary_shell_script_is_not_a_slime_script():
    with pytest.raises(BenchmarkFileError, match="not a result file xlcost recognises"):
        parse("deploy.sh", b"#!/bin/bash\nset -e\nkubectl apply -f x.yaml\n")
    with pytest.raises(BenchmarkFileError, match="sets none of slime's training flags"):
        parse("run.sh", b"MY_ARGS=(\n --verbose\n)\npython3 train.py ${MY_ARGS[@]}\n")


@pytest.mark.parametrize("body", [
    "X_ARGS=( --max-tokens-per-gpu 1 --cuda-graph-bs $(seq 1 1 1000000000) )\n",  # a seq bomb is not expanded
    "X_ARGS=( --max-tokens-per-gpu 1 --buffer $(( 2**2**2**2**2**2 )) )\n",  # nor an arithmetic one
    "A=xxxxxxxxxx\n" + "A=$A$A\n" * 60 + "X_ARGS=( --max-tokens-per-gpu 1 --v $A )\n",
    "X_ARGS=( --max-tokens-per-gpu 1 )\n" + "X_ARGS+=( ${X_ARGS[@]} ${X_ARGS[@]} )\n" * 40,
    "X_ARGS=( --max-tokens-per-gpu ${A:-" * 20_000 + "1" + "} " * 20_000 + ")\n",
    "X_ARGS=( --max-tokens-per-gpu 1 " + "$(" * 200_000 + ")\n",
    "X_ARGS=( --max-tokens-per-gpu 1 \"unterminated )\n",
])
def test_hostile_scripts_end_quickly(body):
    started = time.monotonic()
    try:
        parse("run-x.sh", body.encode())
    except BenchmarkFileError as e:
        assert "\n" not in str(e) and str(e).startswith("run-x.sh")
    assert time.monotonic() - started < 30  # generous: a hang, not speed, is what this catches


def test_a_huge_script_is_refused():
    with pytest.raises(BenchmarkFileError, match="larger than a slime launch script"):
        parse("run-x.sh", b"X_ARGS=(\n" + b"  --max-tokens-per-gpu 1\n" * 100_000 + b")\n")
