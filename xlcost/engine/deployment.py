"""Deployment sizing with whole instances, and the cost of each option at a load (MODEL §4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .workflows import savings_share

MONTHS_PER_YEAR = 12
# Loads like 100 x 0.3 = 30.000000000000004 must not buy an extra instance through float noise.
_CEIL_TOLERANCE = 1e-9


def whole_instances(load_qps: np.ndarray, capacity_qps: np.ndarray) -> np.ndarray:
    """ceil(load / capacity); zero load needs zero instances, any positive load at least one."""
    load = np.asarray(load_qps, dtype=float)
    ratio = load / np.asarray(capacity_qps, dtype=float)
    return np.where(load > 0, np.maximum(1.0, np.ceil(ratio - _CEIL_TOLERANCE)), 0.0)


@dataclass(frozen=True)
class Deployment:
    """Every array broadcasts to the shape of the inputs (scenarios, sweep points, samples)."""

    plan_qps: np.ndarray
    act_qps: np.ndarray
    pure_large_instances: np.ndarray
    pure_gpus: np.ndarray
    hetero_large_instances: np.ndarray
    hetero_small_instances: np.ndarray
    hetero_gpus: np.ndarray
    pure_usd_per_hour: np.ndarray
    hetero_usd_per_hour: np.ndarray
    pure_usd_per_month: np.ndarray
    hetero_usd_per_month: np.ndarray
    pure_usd_per_year: np.ndarray
    hetero_usd_per_year: np.ndarray
    annual_savings_usd: np.ndarray
    savings_pct: np.ndarray


def size_deployment(
    peak_qps: np.ndarray | float,
    planning_share: np.ndarray | float,
    escalation_rate: np.ndarray | float,
    large_sizing_qps: np.ndarray | float,
    small_sizing_qps: np.ndarray | float,
    large_gpus: np.ndarray | float,
    small_gpus: np.ndarray | float,
    gpu_hour_usd: np.ndarray | float,
    hours_per_month: float,
) -> Deployment:
    """Instances, GPUs and cost of both options at a peak load.

    Pure large: ceil(peak / sizing_L). Heterogeneous: the planner serves planning calls plus escalated
    act steps, ceil((plan + e x act) / sizing_L); the executor serves every act step, ceil(act / sizing_S).
    """
    peak = np.asarray(peak_qps, dtype=float)
    plan = peak * np.asarray(planning_share, dtype=float)
    act = peak - plan
    e = np.asarray(escalation_rate, dtype=float)
    pure_large = whole_instances(peak, large_sizing_qps)
    hetero_large = whole_instances(plan + e * act, large_sizing_qps)
    hetero_small = whole_instances(act, small_sizing_qps)
    pure_gpus = pure_large * large_gpus
    hetero_gpus = hetero_large * large_gpus + hetero_small * small_gpus
    pure_hour = pure_gpus * gpu_hour_usd
    hetero_hour = hetero_gpus * gpu_hour_usd
    pure_year = pure_hour * hours_per_month * MONTHS_PER_YEAR
    hetero_year = hetero_hour * hours_per_month * MONTHS_PER_YEAR
    return Deployment(
        plan_qps=plan,
        act_qps=act,
        pure_large_instances=pure_large,
        pure_gpus=pure_gpus,
        hetero_large_instances=hetero_large,
        hetero_small_instances=hetero_small,
        hetero_gpus=hetero_gpus,
        pure_usd_per_hour=pure_hour,
        hetero_usd_per_hour=hetero_hour,
        pure_usd_per_month=pure_hour * hours_per_month,
        hetero_usd_per_month=hetero_hour * hours_per_month,
        pure_usd_per_year=pure_year,
        hetero_usd_per_year=hetero_year,
        annual_savings_usd=pure_year - hetero_year,
        savings_pct=savings_share(pure_year, hetero_year),
    )
