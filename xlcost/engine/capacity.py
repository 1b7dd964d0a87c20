"""What one instance of a model can serve, per call type: typed in, or measured by load tests.

A model's capacity source is ``typed`` (its QPS, sizing QPS and latency columns, the same for every
call type) or ``benchmark``: for each call type, the candidate runs are the model's runs on its own GPU
count whose mean input and output tokens are each within ``benchmark_length_tolerance`` (relative) of
the call type's; a run meets the call type's SLO when each of its p99 TTFT, TPOT and E2E is at or below
the limit (a blank limit is no limit); capacity is the highest request throughput among runs that meet
it (the goodput point) and latency that run's mean end-to-end latency. Equal throughputs are broken by
the lower mean latency, then by run id, so the choice never depends on row order. Sizing capacity is
capacity x target utilisation, as for a typed QPS without a sizing QPS.

Shapes: capacity arrays are ``batch + (models, call types)``; call types in the order of ``CALL_TYPES``.
The run selection itself is made once, on the base case (benchmark rows never vary within a batch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs
from ..labels import count
from . import pricing

CALL_TYPES = ("plan", "act")
PLAN, ACT = 0, 1
SLO_METRICS = (("p99_ttft_ms", "slo_p99_ttft_ms", "p99 TTFT"), ("p99_tpot_ms", "slo_p99_tpot_ms", "p99 TPOT"),
               ("p99_e2e_ms", "slo_p99_e2e_ms", "p99 E2E"))


@dataclass(frozen=True)
class RunChoice:
    """How one model's capacity for one call type was found (the Capacity sheet's evidence)."""

    model: str
    call_type: str
    source: str  # "typed", or the id of the chosen run
    runs_considered: int
    runs_meeting_slo: int
    qps: float
    latency_ms: float
    p99_ttft_ms: float | None = None
    p99_tpot_ms: float | None = None
    p99_e2e_ms: float | None = None
    note: str = ""


@dataclass(frozen=True)
class CapacityGap:
    """A model measured by benchmarks that cannot serve a call type its roles need: an input error."""

    model: str
    call_type: str
    message: str


@dataclass(frozen=True)
class Candidate:
    """A run that counts for a call type (right model, GPU count and token lengths), and whether it meets
    the call type's latency targets."""

    run: str
    model: str
    call_type: str
    meets_slo: bool


@dataclass(frozen=True)
class Measured:
    """The run chosen for each (benchmark model, call type), every candidate, and the gaps; made once per
    workbook."""

    choices: dict[tuple[str, str], RunChoice]
    candidates: tuple[Candidate, ...]
    gaps: tuple[CapacityGap, ...]


@dataclass(frozen=True)
class Capacity:
    qps: np.ndarray  # batch + (models, call types): one instance's capacity before utilisation
    sizing_qps: np.ndarray  # batch + (models, call types): what sizing may load one instance with
    latency_ms: np.ndarray  # batch + (models, call types): mean latency of one call
    choices: tuple[RunChoice, ...]  # one per model and call type, base case
    candidates: tuple[Candidate, ...]


def call_index(inputs: Inputs) -> np.ndarray:
    """Rows of the CallTypes table in ``CALL_TYPES`` order."""
    ids = inputs.table("call_types").ids
    return np.array([ids.index(c) for c in CALL_TYPES], dtype=int)


def roles(inputs: Inputs) -> dict[str, set[str]]:
    """Call types each model must serve: a planner plans and, in the pure option and on escalation, acts;
    an executor acts."""
    needed: dict[str, set[str]] = {}
    for table in ("scenarios", "workflows"):
        t = inputs.table(table)
        for planner in t["planner_model"]:
            needed.setdefault(planner, set()).update(("plan", "act"))
        for executor in t["executor_model"]:
            needed.setdefault(executor, set()).add("act")
    return needed


def _value(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def measure(inputs: Inputs) -> Measured:
    """Choose the goodput run for every call type of every model whose capacity source is 'benchmark'."""
    m, b, ct = inputs.table("models"), inputs.table("benchmarks"), inputs.table("call_types")
    tolerance = float(inputs.param("benchmark_length_tolerance"))
    needed = roles(inputs)
    choices: dict[tuple[str, str], RunChoice] = {}
    considered: list[Candidate] = []
    gaps: list[CapacityGap] = []
    run_ids = np.array(b.ids, dtype=object)
    run_model = np.array(b["model"], dtype=object)
    for i, mid in enumerate(m.ids):
        if m["capacity_source"][i] != "benchmark":
            continue
        own = (run_model == mid) & (b["gpus"] == m["gpus_per_instance"][i])
        for call in CALL_TYPES:
            c = ct.index(call)
            want_in, want_out = float(ct["input_tokens"][c]), float(ct["output_tokens"][c])
            near = (np.abs(b["mean_input_tokens"] - want_in) <= tolerance * want_in) & (
                np.abs(b["mean_output_tokens"] - want_out) <= tolerance * want_out)
            candidates = np.flatnonzero(own & near)
            limits = [(metric, float(ct[slo][c]), label) for metric, slo, label in SLO_METRICS
                      if not np.isnan(ct[slo][c])]
            meeting = [r for r in candidates if all(not np.isnan(b[metric][r]) and b[metric][r] <= limit
                                                    for metric, limit, _ in limits)]
            considered += [Candidate(str(run_ids[r]), mid, call, r in meeting) for r in candidates]
            if not meeting:
                if call in needed.get(mid, ()):
                    gaps.append(CapacityGap(mid, call, _gap_message(inputs, i, c, candidates, limits, tolerance)))
                continue
            best = min(meeting, key=lambda r: (-b["request_throughput"][r], np.nan_to_num(b["mean_e2e_ms"][r],
                                                                                          nan=np.inf), run_ids[r]))
            latency = b["mean_e2e_ms"][best]
            note = ""
            if np.isnan(latency):
                latency = m["latency_ms"][i]
                note = "The chosen run has no mean E2E latency: the typed latency is used."
            choices[(mid, call)] = RunChoice(
                mid, call, str(run_ids[best]), int(candidates.size), len(meeting),
                float(b["request_throughput"][best]), float(latency), _value(b["p99_ttft_ms"][best]),
                _value(b["p99_tpot_ms"][best]), _value(b["p99_e2e_ms"][best]), note)
    return Measured(choices, tuple(considered), tuple(gaps))


def _gap_message(inputs: Inputs, model: int, call: int, candidates: np.ndarray, limits: list, tolerance: float) -> str:
    """Why no run serves this call type, naming the nearest run and what it breaks."""
    m, b, ct = inputs.table("models"), inputs.table("benchmarks"), inputs.table("call_types")
    mid, call_id = m.ids[model], ct.ids[call]
    gpus = int(m["gpus_per_instance"][model])
    want_in, want_out = float(ct["input_tokens"][call]), float(ct["output_tokens"][call])
    wanted = (f"runs on {gpus} GPUs with mean input and output tokens within {tolerance:.0%} of the {call_id} call "
              f"type's {want_in:,.0f} / {want_out:,.0f}")
    if candidates.size == 0:
        own = np.flatnonzero(np.array(b["model"], dtype=object) == mid)
        if own.size == 0:
            return (f"model {mid} takes its capacity from benchmarks, but the Benchmarks table has no run of it; "
                    f"expected {wanted} (import them with `xlcost import`), or Capacity source 'typed'")

        def distance(r: int) -> float:
            return (abs(np.log(max(b["mean_input_tokens"][r], 1) / max(want_in, 1)))
                    + abs(np.log(max(b["mean_output_tokens"][r], 1) / max(want_out, 1)))
                    + (0.0 if b["gpus"][r] == gpus else 10.0))

        r = min(own, key=distance)
        return (f"model {mid} has no benchmark run for {call_id} calls: the nearest, {b.ids[r]}, ran on "
                f"{int(b['gpus'][r])} GPUs with {b['mean_input_tokens'][r]:,.0f} / {b['mean_output_tokens'][r]:,.0f} "
                f"tokens; expected {wanted}")

    def excess(r: int) -> float:
        ratios = [b[metric][r] / limit if not np.isnan(b[metric][r]) else np.inf for metric, limit, _ in limits]
        return max(ratios)

    r = min(candidates, key=excess)
    broken = [f"{label} {b[metric][r]:,.0f} ms > {limit:,.0f} ms" if not np.isnan(b[metric][r])
              else f"no {label} measured (limit {limit:,.0f} ms)"
              for metric, limit, label in limits if np.isnan(b[metric][r]) or b[metric][r] > limit]
    runs = count(candidates.size, "benchmark run")
    return (f"model {mid}: none of its {runs} for {call_id} calls meets the call type's "
            f"latency targets; the nearest, {b.ids[r]}, breaks them: {'; '.join(broken)}; expected a run that meets "
            "every target (measure at a lower load or concurrency), looser targets, or Capacity source 'typed'")


def capacity(inputs: Inputs, measured: Measured | None = None) -> Capacity:
    """Capacity, sizing capacity and latency per model and call type.

    ``measured`` is the base case's run choice; pass it when ``inputs`` carries a batch (the candidate
    runs depend on call type sizes, which a simulation may vary: the choice stays the base case's).
    """
    m = inputs.table("models")
    measured = measured if measured is not None else measure(inputs)
    utilization = inputs.param("target_utilization")
    typed_qps = np.asarray(m["qps_per_instance"], dtype=float)
    typed_sizing = pricing.sizing_qps(typed_qps, m["sizing_qps_per_instance"], utilization)
    calls = len(CALL_TYPES)
    qps = np.repeat(typed_qps[..., None], calls, axis=-1)
    sizing = np.repeat(typed_sizing[..., None], calls, axis=-1)
    latency = np.repeat(np.asarray(m["latency_ms"], dtype=float)[..., None], calls, axis=-1)
    choices = []
    for i, mid in enumerate(m.ids):
        for c, call in enumerate(CALL_TYPES):
            chosen = measured.choices.get((mid, call))
            if chosen is None:
                note = ("Not measured for this call type, which no scenario or workflow sends to this model: "
                        "the typed capacity stands in." if m["capacity_source"][i] == "benchmark" else "")
                choices.append(RunChoice(mid, call, "typed", 0, 0, float(np.ravel(typed_qps[..., i])[0]),
                                         float(np.ravel(latency[..., i, c])[0]), note=note))
                continue
            qps[..., i, c] = chosen.qps
            sizing[..., i, c] = chosen.qps * np.asarray(utilization, dtype=float)
            latency[..., i, c] = chosen.latency_ms
            choices.append(chosen)
    return Capacity(qps, sizing, latency, tuple(choices), measured.candidates)
