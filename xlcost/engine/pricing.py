"""GPU-hour prices by pricing term, and what an instance, a request and a million tokens cost.

Shapes: offer columns are ``(..., offers)``; a price per term is ``(...)`` (one value per trial, or a
plain number). Model arrays are ``(..., models)`` or ``(..., models, call types)``.
"""

from __future__ import annotations

import numpy as np

from .batch import lift

SECONDS_PER_HOUR = 3600.0
TOKENS_PER_MILLION = 1e6
ON_DEMAND = "on-demand"


def usd_per_gpu_hour(
    usd_per_instance_hour: np.ndarray,
    gpus_per_instance: np.ndarray,
    include: np.ndarray,
    override: float | np.ndarray | None = None,
) -> np.ndarray:
    """Mean over included offers of (instance price / GPUs per instance), unless overridden.

    The mean is over offers, not GPUs: each provider's quote counts once, as in the seed. NaN when no
    offer is included (the reader refuses such a workbook before the engine runs).
    """
    if override is not None:
        return np.asarray(override, dtype=float)[()]  # [()]: a plain number stays a number, not a 0-d array
    per_gpu = np.asarray(usd_per_instance_hour, dtype=float) / np.asarray(gpus_per_instance, dtype=float)
    include = np.asarray(include, dtype=bool)
    count = np.sum(include, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(np.where(include, per_gpu, 0.0), axis=-1) / count


def term_prices(
    usd_per_instance_hour: np.ndarray,
    gpus_per_instance: np.ndarray,
    include: np.ndarray,
    terms: tuple[str, ...],
    on_demand_override: float | np.ndarray | None,
) -> dict[str, np.ndarray]:
    """USD per GPU-hour for each pricing term: the mean over included offers of that term.

    The override replaces the on-demand price only; committed and spot prices always come from offers.
    A term without an included offer has no price (NaN).
    """
    kinds = np.array(terms, dtype=object)
    prices = {}
    for term in dict.fromkeys(terms) | {ON_DEMAND: None}:
        chosen = np.asarray(include, dtype=bool) & (kinds == term)
        override = on_demand_override if term == ON_DEMAND else None
        prices[term] = usd_per_gpu_hour(usd_per_instance_hour, gpus_per_instance, chosen, override)
    return prices


def usd_per_instance_hour(gpus_per_instance: np.ndarray, gpu_hour_usd: np.ndarray | float) -> np.ndarray:
    return np.asarray(gpus_per_instance, dtype=float) * np.asarray(gpu_hour_usd, dtype=float)


def usd_per_request(instance_hour_usd: np.ndarray, qps_per_instance: np.ndarray) -> np.ndarray:
    """Cost of one request at full measured throughput: hourly cost / (QPS x 3600).

    The seed's "per 1K requests" figure is hourly cost / QPS, the cost of 3,600 requests.
    """
    return np.asarray(instance_hour_usd, dtype=float) / (np.asarray(qps_per_instance, dtype=float) * SECONDS_PER_HOUR)


def usd_per_1m_tokens(usd_per_call: np.ndarray, tokens_per_call: np.ndarray) -> np.ndarray:
    """Cost of a million tokens (input and output together) of calls of this size: per call / tokens x 1e6."""
    return np.asarray(usd_per_call, dtype=float) / np.asarray(tokens_per_call, dtype=float) * TOKENS_PER_MILLION


def sizing_qps(qps_per_instance: np.ndarray, sizing: np.ndarray, target_utilization: float | np.ndarray) -> np.ndarray:
    """What capacity planning may load one instance with: the given sizing QPS, else QPS x utilisation.

    ``qps_per_instance`` and ``sizing`` are per model (one core axis); ``target_utilization`` per case.
    """
    qps = np.asarray(qps_per_instance, dtype=float)
    sizing = np.asarray(sizing, dtype=float)
    return np.where(np.isnan(sizing), qps * lift(target_utilization, 1), sizing)
