"""One Plan/Act workflow: its cost and its latency on each option.

A workflow makes ``plan_calls`` planning calls and ``act_steps`` act steps. On the pure option the large
model serves both; on the heterogeneous option the small model serves the act steps and the large model
redoes the share ``e`` it fails (escalation). The same algebra gives cost (USD per call) and latency
(milliseconds per call, with the router's overhead on every routed step).
"""

from __future__ import annotations

import numpy as np


def workflow_cost(
    plan_calls: np.ndarray | float,
    act_steps: np.ndarray | float,
    planner_usd: np.ndarray | float,
    executor_usd: np.ndarray | float,
    escalation_rate: np.ndarray | float,
    planner_act_usd: np.ndarray | float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(pure, heterogeneous) cost of one workflow.

    pure = plan_calls x C_L,plan + act_steps x C_L,act
    hetero = plan_calls x C_L,plan + act_steps x (C_S + e x C_L,act): escalated steps run on the small
    model first and are redone by the planner. ``planner_act_usd`` (C_L,act) defaults to ``planner_usd``
    (one cost per call for the large model, as in the seed).
    """
    p, n = np.asarray(plan_calls, dtype=float), np.asarray(act_steps, dtype=float)
    c_plan = np.asarray(planner_usd, dtype=float)
    c_act = c_plan if planner_act_usd is None else np.asarray(planner_act_usd, dtype=float)
    c_small = np.asarray(executor_usd, dtype=float)
    e = np.asarray(escalation_rate, dtype=float)
    # (p + n) x C_L is the seed's form: kept where the large model has one cost, so its figures reproduce
    # to the last digit.
    pure = np.where(c_act == c_plan, (p + n) * c_plan, p * c_plan + n * c_act)
    hetero = p * c_plan + n * (c_small + e * c_act)
    return pure, hetero


def workflow_latency(
    plan_calls: np.ndarray | float,
    act_steps: np.ndarray | float,
    planner_plan_ms: np.ndarray | float,
    planner_act_ms: np.ndarray | float,
    executor_ms: np.ndarray | float,
    routing_ms: np.ndarray | float,
    escalation_rate: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """(pure, heterogeneous) latency of one workflow whose calls run one after another.

    pure_ms = plan_calls x L_L,plan + act_steps x L_L,act
    hetero_ms = plan_calls x L_L,plan + act_steps x (L_S + r + e x L_L,act)
    """
    executor_and_router = np.asarray(executor_ms, dtype=float) + np.asarray(routing_ms, dtype=float)
    return workflow_cost(plan_calls, act_steps, planner_plan_ms, executor_and_router, escalation_rate,
                         planner_act_usd=planner_act_ms)


def savings_share(pure: np.ndarray, hetero: np.ndarray) -> np.ndarray:
    """1 - hetero / pure; 0 where the pure option costs nothing (nothing to save)."""
    pure = np.asarray(pure, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pure > 0, 1.0 - np.asarray(hetero, dtype=float) / np.where(pure > 0, pure, 1.0), 0.0)
