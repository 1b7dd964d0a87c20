"""Load over the day, static or autoscaled fleets, and what a fleet costs on each pricing term.

A scenario's load in hour h is ``peak_qps x share(h)`` of its load profile. A static fleet is sized for
the peak and runs every hour. An autoscaled fleet runs, in each hour, the whole instances that the hour's
load plus a headroom needs (capacity kept for scale-up lag). Always-on instances (the minimum over the
hours; all of a static fleet) may be billed at a committed term's price, the rest on demand.

Hours with the same load need the same fleet, so the fleet is evaluated at the day's distinct load
levels, each weighted by the hours it lasts ("load points"): a static fleet is one point (the peak, 24
hours); an autoscaled fleet on the flat profile one point too. The result equals an hour-by-hour sum.

Shapes: ``batch + (scenarios,)`` per scenario; ``batch + (scenarios, points)`` at load points; the
weights are ``(scenarios, points)`` (profiles and provisioning never vary within a batch; shares may).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs
from .batch import lift

HOURS_PER_DAY = 24
MONTHS_PER_YEAR = 12
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class LoadPoints:
    factor: np.ndarray  # batch + (scenarios, points): load as a multiple of the peak, headroom included
    hours_per_day: np.ndarray  # (scenarios, points): hours each point lasts; 0 pads a short row


@dataclass(frozen=True)
class LoadShape:
    shares: np.ndarray  # batch + (scenarios, 24): share of peak by hour
    requests_per_year: np.ndarray  # batch + (scenarios,)
    peak_to_average: np.ndarray  # batch + (scenarios,)
    points: LoadPoints


def days_per_year(hours_per_month: float | np.ndarray) -> np.ndarray:
    """A year is 12 months of ``hours_per_month`` hours: 360 days at the default 720."""
    return np.asarray(hours_per_month, dtype=float) * MONTHS_PER_YEAR / HOURS_PER_DAY


def profile_rows(inputs: Inputs, profile_ids: tuple[str, ...]) -> np.ndarray:
    """(len(profile_ids), 24) row numbers of the LoadProfiles table, hour 0 to 23 (the reader checks that
    every profile has each hour exactly once)."""
    lp = inputs.table("load_profiles")
    at = {(p, int(h)): r for r, (p, h) in enumerate(zip(lp["profile"], np.asarray(lp["hour"]), strict=True))}
    return np.array([[at[(p, h)] for h in range(HOURS_PER_DAY)] for p in profile_ids], dtype=int)


def load_points(shares: np.ndarray, autoscaled: np.ndarray, headroom: np.ndarray | float) -> LoadPoints:
    """The load levels a fleet must serve over the day and the hours each lasts.

    Static scenarios: the peak, all day. Autoscaled: each hour's share x (1 + headroom); distinct shares are
    merged when the shares do not vary within the batch.
    """
    shares = np.asarray(shares, dtype=float)
    autoscaled = np.asarray(autoscaled, dtype=bool)
    scenarios = autoscaled.shape[-1]
    if shares.ndim > 2:  # shares vary by trial: every hour is its own point
        levels = [np.arange(HOURS_PER_DAY) if autoscaled[s] else np.array([0]) for s in range(scenarios)]
        hours = [np.ones(HOURS_PER_DAY) if autoscaled[s] else np.array([24.0]) for s in range(scenarios)]
        width = max(len(x) for x in levels)
        index = np.array([np.pad(x, (0, width - len(x)), mode="edge") for x in levels])
        base = np.take_along_axis(shares, np.broadcast_to(index, shares.shape[:-1] + (width,)), axis=-1)
        base = np.where(autoscaled[:, None], base, 1.0)
    else:
        levels, hours = [], []
        for s in range(scenarios):
            if autoscaled[s]:
                values, counts = np.unique(shares[s], return_counts=True)
                levels.append(values)
                hours.append(counts.astype(float))
            else:
                levels.append(np.array([1.0]))
                hours.append(np.array([float(HOURS_PER_DAY)]))
        width = max(len(x) for x in levels)
        base = np.array([np.pad(x, (0, width - len(x)), mode="edge") for x in levels])
    weight = np.array([np.pad(h, (0, width - len(h))) for h in hours])
    factor = base * np.where(autoscaled[:, None], 1.0 + np.asarray(headroom, dtype=float)[..., None], 1.0)
    return LoadPoints(factor, weight)


def load_shape(inputs: Inputs) -> LoadShape:
    """Each scenario's hourly shares, requests per year, peak-to-average ratio and load points."""
    s = inputs.table("scenarios")
    rows = profile_rows(inputs, s["load_profile"])
    shares = np.asarray(inputs.table("load_profiles")["share_of_peak"], dtype=float)[..., rows]
    mean_share = np.mean(shares, axis=-1)
    peak = np.asarray(s["peak_qps"], dtype=float)
    requests = peak * mean_share * HOURS_PER_DAY * SECONDS_PER_HOUR * lift(days_per_year(
        inputs.param("hours_per_month")), 1)
    autoscaled = np.array([p == "autoscaled" for p in s["provisioning"]], dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        peak_to_average = 1.0 / mean_share
    return LoadShape(shares, requests, peak_to_average,
                     load_points(shares, autoscaled, s["autoscale_headroom"]))


@dataclass(frozen=True)
class FleetCost:
    """One option's fleet over the year; every array is batch + (scenarios,)."""

    peak_gpus: np.ndarray
    always_on_gpus: np.ndarray
    gpu_hours_per_year: np.ndarray
    usd_per_hour: np.ndarray  # average over the year; a static fleet's hourly bill
    usd_per_month: np.ndarray
    usd_per_year: np.ndarray


def fleet_cost(
    instances: list[np.ndarray],
    gpus_per_instance: list[np.ndarray | float],
    hours_per_day: np.ndarray,
    on_demand_usd_per_gpu_hour: np.ndarray | float,
    committed_usd_per_gpu_hour: np.ndarray | float,
    hours_per_month: np.ndarray | float,
) -> FleetCost:
    """What an option's fleet (one entry per model role: instances at each load point) costs a year.

    Always-on GPUs (minimum over the points in use, per role) are billed every hour at the committed
    price; the GPU-hours above them at the on-demand price. month = always-on USD/h x hours_per_month +
    variable USD per year / 12; year = month x 12.
    """
    in_use = np.asarray(hours_per_day) > 0
    one_point = in_use.shape[-1] == 1  # the peak all day: always-on is the whole fleet, nothing varies
    always_gpus = peak_gpus = variable_gpu_hours_per_day = 0.0
    for count, gpus in zip(instances, gpus_per_instance, strict=True):
        count = np.asarray(count, dtype=float)
        if one_point:
            always = peak = count[..., 0]
        else:
            always = np.min(np.where(in_use, count, np.inf), axis=-1)
            peak = np.max(count, axis=-1)
            variable_gpu_hours_per_day = variable_gpu_hours_per_day + np.sum(
                (count - always[..., None]) * hours_per_day, axis=-1) * gpus
        always_gpus = always_gpus + always * gpus
        peak_gpus = peak_gpus + peak * gpus
    hpm = lift(hours_per_month, 1)
    variable_gpu_hours = variable_gpu_hours_per_day * lift(days_per_year(hours_per_month), 1)
    variable_usd_per_year = variable_gpu_hours * lift(on_demand_usd_per_gpu_hour, 1)
    always_usd_per_hour = always_gpus * lift(committed_usd_per_gpu_hour, 1)
    month = always_usd_per_hour * hpm + variable_usd_per_year / MONTHS_PER_YEAR
    return FleetCost(
        peak_gpus=peak_gpus,
        always_on_gpus=always_gpus,
        gpu_hours_per_year=always_gpus * hpm * MONTHS_PER_YEAR + variable_gpu_hours,
        usd_per_hour=always_usd_per_hour + variable_usd_per_year / (hpm * MONTHS_PER_YEAR),
        usd_per_month=month,
        usd_per_year=month * MONTHS_PER_YEAR,
    )
