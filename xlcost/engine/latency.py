"""Latency by task class, its business impact, and SLA exposure (MODEL §5-6)."""

from __future__ import annotations

import numpy as np


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


def sla_exposure(
    target: float, availability: np.ndarray, penalty_rate: float, reputation_impact: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(shortfall, penalty, reputation, total) as shares of the contract value.

    shortfall = max(0, target - availability); penalty = shortfall x penalty rate;
    reputation = shortfall x reputation impact; total = penalty + reputation.
    """
    shortfall = np.maximum(0.0, target - np.asarray(availability, dtype=float))
    penalty = shortfall * penalty_rate
    reputation = shortfall * reputation_impact
    return shortfall, penalty, reputation, penalty + reputation
