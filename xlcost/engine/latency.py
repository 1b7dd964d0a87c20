"""Latency per workflow and its business impact; the published analysis's two task classes.

A workflow's calls run one after another, so its latency follows the cost model's call counts
(``workflows.workflow_latency``): the pure option pays for every call on the large model, the
heterogeneous option for the planning calls on the large model and each act step on the small one plus
the router's overhead, and for escalated steps once more on the large model. The business impact of a
latency change is ``impact per 100 ms x (pure - heterogeneous) / 100``, in USD where a value at stake is
given. The task classes ("simple": one call on either model; "complex": a typed pure latency against a
plan call plus routing) are the published analysis's view, kept for the reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs
from .capacity import ACT, PLAN


def improvement(pure_ms: np.ndarray | float, hetero_ms: np.ndarray | float) -> np.ndarray:
    """Share of latency removed: (pure - hetero) / pure."""
    pure = np.asarray(pure_ms, dtype=float)
    return (pure - np.asarray(hetero_ms, dtype=float)) / pure


def business_impact(impact_per_100ms: np.ndarray, saved_ms: np.ndarray | float) -> np.ndarray:
    """Share of business value protected: impact per 100 ms x (pure - hetero) / 100."""
    return np.asarray(impact_per_100ms, dtype=float) * np.asarray(saved_ms, dtype=float) / 100.0


def value_label(share: float, high: float, moderate: float) -> str:
    if share >= high:
        return "high"
    if share >= moderate:
        return "moderate"
    return "low"


@dataclass(frozen=True)
class WorkflowLatency:
    workflow: str
    pure_ms: float
    hetero_ms: float
    saved_ms: float
    improvement: float
    business_value: str


@dataclass(frozen=True)
class LatencyImpact:
    industry: str
    workflow: str
    impact_per_100ms: float
    impact_share: float
    impact_usd_per_year: float | None


@dataclass(frozen=True)
class LatencyTask:
    task_class: str
    pure_ms: float
    hetero_ms: float
    saved_ms: float
    improvement: float
    business_value: str
    basis: str


def _thresholds(inputs: Inputs) -> tuple[float, float]:
    return (float(inputs.param("latency_high_value_threshold")),
            float(inputs.param("latency_moderate_value_threshold")))


def workflow_rows(inputs: Inputs, core) -> list[WorkflowLatency]:
    """Each workflow's latency on both options (computed in the core with its costs)."""
    w, high_moderate = core.workflows, _thresholds(inputs)
    return [WorkflowLatency(wid, float(w.pure_ms[i]), float(w.hetero_ms[i]), float(w.saved_ms[i]),
                            float(w.latency_improvement[i]), value_label(float(w.latency_improvement[i]),
                                                                         *high_moderate))
            for i, wid in enumerate(w.ids)]


def business_impacts(inputs: Inputs, rows: list[WorkflowLatency]) -> list[LatencyImpact]:
    ind = inputs.table("industries")
    out = []
    for i, industry in enumerate(ind.ids):
        per_100ms = float(ind["impact_per_100ms"][i])
        value = ind["annual_value_usd"][i]
        for row in rows:
            share = float(business_impact(per_100ms, row.saved_ms))
            out.append(LatencyImpact(industry, row.workflow, per_100ms, share,
                                     None if np.isnan(value) else share * float(value)))
    return out


def task_classes(inputs: Inputs, core, primary: int) -> list[LatencyTask]:
    """The published analysis's two task classes, for the primary scenario's models."""
    s, m = inputs.table("scenarios"), inputs.table("models")
    large = core.models.ids.index(s["planner_model"][primary])
    small = core.models.ids.index(s["executor_model"][primary])
    latency = core.models.capacity.latency_ms
    planner_ms, planner_plan_ms = float(latency[large, ACT]), float(latency[large, PLAN])
    executor_ms = float(latency[small, ACT])
    routing = float(inputs.param("routing_overhead_ms"))
    complex_pure = float(inputs.param("complex_task_pure_latency_ms"))
    planner_name, executor_name = m["name"][large], m["name"][small]
    classes = [
        ("simple", planner_ms, executor_ms,
         f"Pure: {planner_name} answers; heterogeneous: {executor_name} answers (no planning call counted)."),
        ("complex", complex_pure, planner_plan_ms + routing,
         f"Pure: complex-task latency parameter; heterogeneous: {planner_name} plan + routing overhead."),
    ]
    high_moderate = _thresholds(inputs)
    tasks = []
    for name, pure, hetero, basis in classes:
        share = float(improvement(pure, hetero))
        tasks.append(LatencyTask(name, pure, hetero, pure - hetero, share, value_label(share, *high_moderate),
                                 basis))
    return tasks
