"""GPU-hour price and per-model unit costs (MODEL §1-2)."""

from __future__ import annotations

import numpy as np

SECONDS_PER_HOUR = 3600.0


def usd_per_gpu_hour(
    usd_per_instance_hour: np.ndarray,
    gpus_per_instance: np.ndarray,
    include: np.ndarray,
    override: float | np.ndarray | None = None,
) -> np.ndarray:
    """Mean over included offers of (instance price / GPUs per instance), unless overridden.

    The mean is over offers, not GPUs: each provider's quote counts once, as in the seed.
    """
    if override is not None:
        return np.asarray(override, dtype=float)
    per_gpu = np.asarray(usd_per_instance_hour, dtype=float) / np.asarray(gpus_per_instance, dtype=float)
    include = np.asarray(include, dtype=bool)
    return np.sum(np.where(include, per_gpu, 0.0), axis=-1) / np.sum(include, axis=-1)


def usd_per_instance_hour(gpus_per_instance: np.ndarray, gpu_hour_usd: np.ndarray | float) -> np.ndarray:
    return np.asarray(gpus_per_instance, dtype=float) * np.asarray(gpu_hour_usd, dtype=float)


def usd_per_request(instance_hour_usd: np.ndarray, qps_per_instance: np.ndarray) -> np.ndarray:
    """Cost of one request at full measured throughput: hourly cost / (QPS x 3600).

    The seed's "per 1K requests" figure is hourly cost / QPS, the cost of 3,600 requests.
    """
    return np.asarray(instance_hour_usd, dtype=float) / (np.asarray(qps_per_instance, dtype=float) * SECONDS_PER_HOUR)


def sizing_qps(qps_per_instance: np.ndarray, sizing: np.ndarray, target_utilization: float) -> np.ndarray:
    """What capacity planning may load one instance with: the given sizing QPS, else QPS x utilisation."""
    qps = np.asarray(qps_per_instance, dtype=float)
    sizing = np.asarray(sizing, dtype=float)
    return np.where(np.isnan(sizing), qps * target_utilization, sizing)
