"""Deployment sizing with whole instances, and the yearly cost of the two self-hosted options.

Option A ("pure large") sends every call to the large model; option B ("heterogeneous") sends planning
calls to the large model and act steps to the small one, which fails a share ``e`` of them (escalation)
for the large model to redo. A model's capacity may differ by call type, so the instances a model needs
are the sum of the instance fractions each call type needs, rounded up once:

- pure: ``ceil(plan / sz_L,plan + act / sz_L,act)``
- heterogeneous planner: ``ceil(plan / sz_L,plan + e x act / sz_L,act)``; executor: ``ceil(act / sz_S,act)``

Zero load needs zero instances and any positive load at least one. With one capacity per model this is
``ceil(load / sizing QPS)``. Fleets are sized at each load point of the day (see ``load``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .load import HOURS_PER_DAY, LoadPoints, fleet_cost
from .workflows import savings_share

# Loads like 100 x 0.3 = 30.000000000000004 must not buy an extra instance through float noise.
_CEIL_TOLERANCE = 1e-9
STATIC = LoadPoints(np.ones(1), np.full(1, float(HOURS_PER_DAY)))  # the peak, all day


def instances_for(load_qps: np.ndarray, instance_fraction: np.ndarray) -> np.ndarray:
    """Whole instances for a load that needs ``instance_fraction`` of an instance: ceil(fraction); zero
    load needs zero instances, any positive load at least one."""
    load = np.asarray(load_qps, dtype=float)
    return np.where(load > 0, np.maximum(1.0, np.ceil(np.asarray(instance_fraction, dtype=float) - _CEIL_TOLERANCE)),
                    0.0)


def whole_instances(load_qps: np.ndarray, capacity_qps: np.ndarray) -> np.ndarray:
    """ceil(load / capacity); zero load needs zero instances, any positive load at least one."""
    load = np.asarray(load_qps, dtype=float)
    return instances_for(load, load / np.asarray(capacity_qps, dtype=float))


@dataclass(frozen=True)
class Deployment:
    """Every array broadcasts to the shape of the inputs: batch + (scenarios,) or (sweep points,)."""

    plan_qps: np.ndarray  # at the peak
    act_qps: np.ndarray
    pure_large_instances: np.ndarray  # at the peak
    pure_gpus: np.ndarray
    hetero_large_instances: np.ndarray
    hetero_small_instances: np.ndarray
    hetero_gpus: np.ndarray
    pure_usd_per_hour: np.ndarray  # a static fleet's hourly bill; an autoscaled fleet's yearly average
    hetero_usd_per_hour: np.ndarray
    pure_usd_per_month: np.ndarray
    hetero_usd_per_month: np.ndarray
    pure_usd_per_year: np.ndarray
    hetero_usd_per_year: np.ndarray
    annual_savings_usd: np.ndarray
    savings_pct: np.ndarray
    pure_gpu_hours_per_year: np.ndarray
    hetero_gpu_hours_per_year: np.ndarray
    pure_always_on_gpus: np.ndarray
    hetero_always_on_gpus: np.ndarray


def fleets(
    load_qps: np.ndarray, planning_share: np.ndarray, escalation_rate: np.ndarray, large_plan_sizing_qps: np.ndarray,
    large_act_sizing_qps: np.ndarray, small_act_sizing_qps: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pure large, heterogeneous large, heterogeneous small) instances at a load."""
    load = np.asarray(load_qps, dtype=float)
    plan = load * planning_share
    act = load - plan
    e = np.asarray(escalation_rate, dtype=float)
    pure_large = instances_for(load, plan / large_plan_sizing_qps + act / large_act_sizing_qps)
    hetero_large = instances_for(plan + e * act, plan / large_plan_sizing_qps + e * act / large_act_sizing_qps)
    hetero_small = instances_for(act, act / small_act_sizing_qps)
    return pure_large, hetero_large, hetero_small


def size_deployment(
    peak_qps: np.ndarray | float,
    planning_share: np.ndarray | float,
    escalation_rate: np.ndarray | float,
    large_sizing_qps: np.ndarray | float,
    small_sizing_qps: np.ndarray | float,
    large_gpus: np.ndarray | float,
    small_gpus: np.ndarray | float,
    gpu_hour_usd: np.ndarray | float,
    hours_per_month: np.ndarray | float,
    *,
    large_plan_sizing_qps: np.ndarray | float | None = None,
    points: LoadPoints = STATIC,
    committed_gpu_hour_usd: np.ndarray | float | None = None,
) -> Deployment:
    """Instances, GPUs and cost of both options for scenarios (or sweep points) at a peak load.

    ``large_sizing_qps`` and ``small_sizing_qps`` are the act-call sizing capacities;
    ``large_plan_sizing_qps`` the large model's for planning calls (default: the same). Every argument
    broadcasts against ``peak_qps``; ``points`` adds the load points of the day as a last axis.
    """
    peak = np.asarray(peak_qps, dtype=float)
    share = np.asarray(planning_share, dtype=float)
    e = np.asarray(escalation_rate, dtype=float)
    large_act = np.asarray(large_sizing_qps, dtype=float)
    large_plan = large_act if large_plan_sizing_qps is None else np.asarray(large_plan_sizing_qps, dtype=float)
    small_act = np.asarray(small_sizing_qps, dtype=float)
    at_points = [x[..., None] for x in (peak, share, e, large_plan, large_act, small_act)]
    load = at_points[0] * points.factor
    pure_large, hetero_large, hetero_small = fleets(load, *at_points[1:])
    committed = gpu_hour_usd if committed_gpu_hour_usd is None else committed_gpu_hour_usd
    pure = fleet_cost([pure_large], [large_gpus], points.hours_per_day, gpu_hour_usd, committed, hours_per_month)
    hetero = fleet_cost([hetero_large, hetero_small], [large_gpus, small_gpus], points.hours_per_day, gpu_hour_usd,
                        committed, hours_per_month)
    plan_peak = peak * share
    return Deployment(
        plan_qps=plan_peak,
        act_qps=peak - plan_peak,
        pure_large_instances=np.max(pure_large, axis=-1),
        pure_gpus=pure.peak_gpus,
        hetero_large_instances=np.max(hetero_large, axis=-1),
        hetero_small_instances=np.max(hetero_small, axis=-1),
        hetero_gpus=hetero.peak_gpus,
        pure_usd_per_hour=pure.usd_per_hour,
        hetero_usd_per_hour=hetero.usd_per_hour,
        pure_usd_per_month=pure.usd_per_month,
        hetero_usd_per_month=hetero.usd_per_month,
        pure_usd_per_year=pure.usd_per_year,
        hetero_usd_per_year=hetero.usd_per_year,
        annual_savings_usd=pure.usd_per_year - hetero.usd_per_year,
        savings_pct=savings_share(pure.usd_per_year, hetero.usd_per_year),
        pure_gpu_hours_per_year=pure.gpu_hours_per_year,
        hetero_gpu_hours_per_year=hetero.gpu_hours_per_year,
        pure_always_on_gpus=pure.always_on_gpus,
        hetero_always_on_gpus=hetero.always_on_gpus,
    )
