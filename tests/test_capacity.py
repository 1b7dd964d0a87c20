"""Measured capacity: the goodput run chosen per model and call type, and the fleet sized from it."""

import numpy as np
import pytest

from xlcost import contract
from xlcost.engine.capacity import capacity, measure
from xlcost.engine.core import compute_core
from xlcost.inputs import defaults, table_from_rows

SMALL = "qwen3-4b"  # 2 GPUs per instance; act steps are 8,600 in / 180 out tokens, plan calls 6,000 / 800


def run(run_id, model=SMALL, gpus=2, tokens_in=8600, tokens_out=180, rps=100.0, ttft=500.0, tpot=20.0, e2e=None,
        mean_e2e=900.0):
    """A Benchmarks row, in the table's column order; only the fields the choice depends on vary."""
    return (run_id, model, "vllm", "A100 80GB", gpus, tokens_in, tokens_out, 64, None, 1000, rps, None, ttft, tpot,
            e2e, mean_e2e, None, None, None)


def with_runs(*runs, source="benchmark", model=SMALL):
    inputs = defaults().with_table(table_from_rows(contract.BENCHMARKS, list(runs)))
    m = inputs.table("models")
    sources = tuple(source if mid == model else s for mid, s in zip(m.ids, m["capacity_source"], strict=True))
    return inputs.with_table(m.with_columns(capacity_source=sources))


def choice(inputs, model=SMALL, call="act"):
    return measure(inputs).choices.get((model, call))


def test_the_fastest_run_that_meets_every_target_is_chosen():
    inputs = with_runs(run("c16", rps=60, ttft=300), run("c64", rps=150, ttft=1800, mean_e2e=1500),
                       run("c128", rps=210, ttft=2600))  # breaks p99 TTFT <= 2,000 ms
    chosen = choice(inputs)
    assert chosen.source == "c64" and chosen.qps == 150 and chosen.latency_ms == 1500
    assert (chosen.runs_considered, chosen.runs_meeting_slo) == (3, 2)
    cap = capacity(inputs)
    small = inputs.table("models").index(SMALL)
    assert cap.qps[small, 1] == 150 and cap.sizing_qps[small, 1] == pytest.approx(150 * 0.9)


def test_ties_go_to_the_lower_latency_then_the_run_id():
    inputs = with_runs(run("b", rps=150, mean_e2e=1000), run("a", rps=150, mean_e2e=1200), run("c", rps=150,
                                                                                                  mean_e2e=1000))
    assert choice(inputs).source == "b"


def test_runs_at_other_token_lengths_or_gpu_counts_do_not_count():
    inputs = with_runs(run("long", tokens_in=8600 * 1.3, rps=500), run("eight-gpus", gpus=8, rps=400),
                       run("near", tokens_in=8600 * 1.2, tokens_out=180 * 0.8, rps=90))
    chosen = choice(inputs)
    assert chosen.source == "near" and chosen.runs_considered == 1


def test_a_model_needs_runs_only_for_the_call_types_its_roles_send_it():
    # The small model executes act steps only: no plan-sized run is needed.
    inputs = with_runs(run("act-only"))
    assert measure(inputs).gaps == ()
    assert choice(inputs, call="plan") is None
    # The large model plans and, in the pure option, acts: a plan-sized run alone is not enough.
    large = with_runs(run("plan-only", model="qwen3-235b-a22b", gpus=32, tokens_in=6000, tokens_out=800, rps=25),
                      model="qwen3-235b-a22b")
    gaps = measure(large).gaps
    assert [(g.model, g.call_type) for g in gaps] == [("qwen3-235b-a22b", "act")]
    assert "plan-only" in gaps[0].message and "6,000 / 800" in gaps[0].message


def test_no_run_meeting_the_targets_names_the_nearest_and_the_limit_it_breaks():
    inputs = with_runs(run("slow", ttft=2600, tpot=40), run("slower", ttft=5000, tpot=80))
    (gap,) = measure(inputs).gaps
    assert gap.call_type == "act" and "slow" in gap.message and "p99 TTFT 2,600 ms > 2,000 ms" in gap.message
    assert "slower" not in gap.message


def test_a_missing_metric_under_a_target_does_not_meet_it():
    inputs = with_runs(run("no-ttft", ttft=None))
    (gap,) = measure(inputs).gaps
    assert "no p99 TTFT measured" in gap.message


def test_the_fleet_is_sized_from_the_measured_capacity():
    # 800 act QPS on 90 QPS measured x 0.9 utilisation = 81 QPS per instance: ceil(800 / 81) = 10 instances.
    inputs = with_runs(run("c32", rps=90))
    core = compute_core(inputs, measure(inputs))
    assert core.deployment.hetero_small_instances[0] == 10
    typed = compute_core(defaults())
    assert typed.deployment.hetero_small_instances[0] == 5  # 800 / 160 typed sizing QPS
    assert core.deployment.hetero_usd_per_year[0] == pytest.approx(
        typed.deployment.hetero_usd_per_year[0] + 5 * 2 * 3.805 * 8640)


def test_typed_models_keep_their_columns():
    cap = capacity(defaults())
    assert np.all(cap.qps[:, 0] == cap.qps[:, 1])
    assert [c.source for c in cap.choices] == ["typed"] * len(cap.choices)


def test_a_market_change_in_executor_throughput_moves_measured_capacity_too():
    from xlcost.engine.market import apply_change

    inputs = with_runs(run("c32", rps=90))
    slower = apply_change(inputs, "small_model_qps", 0.5, None, 3.805)
    assert choice(slower).qps == 45
