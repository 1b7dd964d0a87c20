"""The whole model: the core plus the views built on it (latency, SLA, market re-runs, the breakeven
sweep, the recommendation matrix). ``compute(inputs)`` is the engine's one entry point."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from ..inputs import Inputs
from .breakeven import Breakeven, StepBand, Sweep, breakeven, display_grid, step_bands, sweep, sweep_grid
from .core import Core, compute_core
from .latency import LatencyImpact, LatencyTask, WorkflowLatency, business_impacts, task_classes, workflow_rows
from .market import MarketRow, run_market_scenarios
from .recommendation import TierResult, recommendation
from .simulation import OnProgress, Simulation, simulate
from .sla import SlaRow, sla

# Re-exported: the result types callers name when they read Results.
__all__ = ["Results", "compute", "finite_or_none", "Breakeven", "StepBand", "Sweep", "TierResult", "LatencyTask",
           "LatencyImpact", "WorkflowLatency", "SlaRow", "MarketRow"]


@dataclass(frozen=True)
class Results:
    inputs: Inputs
    core: Core
    workflow_latency: list[WorkflowLatency]
    latency_tasks: list[LatencyTask]
    latency_impact: list[LatencyImpact]
    sla: list[SlaRow]
    market: list[MarketRow]
    sweep: Sweep
    display_sweep: Sweep
    steps: list[StepBand]
    breakeven: Breakeven
    tiers: list[TierResult]
    primary_scenario: str
    simulation: Simulation | None = None  # None when mc_trials is 0


def compute(inputs: Inputs, *, on_progress: OnProgress | None = None) -> Results:
    """Every result of ``inputs``; ``on_progress(done, total)`` follows the simulation's trials."""
    core = compute_core(inputs)
    primary = core.scenario_ids.index(inputs.param("primary_scenario"))
    max_qps = float(inputs.param("sweep_max_qps"))
    grid = sweep_grid(max_qps)

    @cache
    def fine(scenario: int) -> Sweep:
        return sweep(inputs, core, scenario, grid)

    shown = sweep(inputs, core, primary, display_grid(max_qps, float(inputs.param("sweep_step_qps"))))
    workflows = workflow_rows(inputs, core)
    return Results(
        inputs=inputs, core=core, workflow_latency=workflows, latency_tasks=task_classes(inputs, core, primary),
        latency_impact=business_impacts(inputs, workflows), sla=sla(inputs),
        market=run_market_scenarios(inputs, core, compute_core), sweep=fine(primary), display_sweep=shown,
        steps=step_bands(fine(primary)), breakeven=breakeven(inputs, core, fine(primary)),
        tiers=recommendation(inputs, fine, primary), primary_scenario=inputs.param("primary_scenario"),
        simulation=simulate(inputs, core, on_progress=on_progress),
    )


def finite_or_none(x: float) -> float | None:
    """Engine values that are not defined (IRR) or never happen (payback) are NaN / inf: None outside."""
    x = float(x)
    return x if np.isfinite(x) else None
