"""Cost of one Plan/Act workflow (MODEL §3)."""

from __future__ import annotations

import numpy as np


def workflow_cost(
    plan_calls: np.ndarray | float,
    act_steps: np.ndarray | float,
    planner_usd: np.ndarray | float,
    executor_usd: np.ndarray | float,
    escalation_rate: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """(pure, heterogeneous) cost of one workflow.

    pure = (plan_calls + act_steps) x C_L
    hetero = plan_calls x C_L + act_steps x (C_S + e x C_L): escalated steps run on the small model
    first and are redone by the planner.
    """
    p, n = np.asarray(plan_calls, dtype=float), np.asarray(act_steps, dtype=float)
    c_large, c_small = np.asarray(planner_usd, dtype=float), np.asarray(executor_usd, dtype=float)
    e = np.asarray(escalation_rate, dtype=float)
    pure = (p + n) * c_large
    hetero = p * c_large + n * (c_small + e * c_large)
    return pure, hetero


def savings_share(pure: np.ndarray, hetero: np.ndarray) -> np.ndarray:
    """1 - hetero / pure; 0 where the pure option costs nothing (nothing to save)."""
    pure = np.asarray(pure, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pure > 0, 1.0 - np.asarray(hetero, dtype=float) / np.where(pure > 0, pure, 1.0), 0.0)
