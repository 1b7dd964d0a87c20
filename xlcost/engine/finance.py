"""Discounting, IRR, ROI and payback: one function per concept, numpy-vectorised.

Cash flows are arrays whose last axis is time in years: ``flows[..., 0]`` is CF0 at t = 0
(undiscounted), ``flows[..., t]`` falls at the end of year t. Every function broadcasts over the
leading axes, so one call evaluates one scenario, a sweep or a Monte Carlo sample.
"""

from __future__ import annotations

import numpy as np

MONTHS_PER_YEAR = 12


def discount_factors(rate: np.ndarray | float, years: int) -> np.ndarray:
    """1 / (1 + r)^t for t = 0..years, shape (..., years + 1)."""
    rate = np.asarray(rate, dtype=float)[..., None]
    t = np.arange(years + 1, dtype=float)
    return 1.0 / (1.0 + rate) ** t


def npv(rate: np.ndarray | float, flows: np.ndarray) -> np.ndarray:
    """Net present value, textbook convention: NPV = sum_t CF_t / (1 + r)^t, t = 0..T.

    CF0 is not discounted. Excel tie-out: ``=CF0 + NPV(r, CF1:CFT)`` — Excel's ``NPV()`` discounts
    its first argument by one period, so CF0 must never be passed into it.
    """
    flows = np.asarray(flows, dtype=float)
    return np.sum(flows * discount_factors(rate, flows.shape[-1] - 1), axis=-1)


def sign_changes(flows: np.ndarray) -> np.ndarray:
    """Number of sign changes along time, zeros ignored (Descartes' rule bounds the IRR count)."""
    flows = np.asarray(flows, dtype=float)
    signs = np.sign(flows)
    # Carry the last non-zero sign forward so zeros do not count as changes.
    filled = signs.copy()
    for t in range(1, flows.shape[-1]):
        filled[..., t] = np.where(signs[..., t] == 0, filled[..., t - 1], signs[..., t])
    prev, cur = filled[..., :-1], filled[..., 1:]
    return np.sum((prev != 0) & (cur != 0) & (prev != cur), axis=-1)


def irr(flows: np.ndarray, iterations: int = 64) -> np.ndarray:
    """Internal rate of return where it exists and is unique, else NaN ("not defined").

    With exactly one sign change the NPV polynomial in x = 1 / (1 + r) has exactly one positive root
    (Descartes), so the IRR is unique; it is found by bisection on log(x). With no sign change there
    is no IRR; with several there may be several, and NaN is returned rather than an arbitrary one.
    """
    flows = np.asarray(flows, dtype=float)
    years = np.arange(flows.shape[-1], dtype=float)
    defined = sign_changes(flows) == 1
    # log x from -25 (r ~ 7e10) to +5 (r ~ -99.3%) brackets every IRR a business case can have;
    # 64 halvings of that 30-wide bracket leave an error far below float precision.
    lo = np.full(flows.shape[:-1], -25.0)
    hi = np.full(flows.shape[:-1], 5.0)

    def value(log_x: np.ndarray) -> np.ndarray:
        return np.sum(flows * np.exp(log_x[..., None] * years), axis=-1)

    f_lo = value(lo)
    bracketed = defined & (np.sign(f_lo) != np.sign(value(hi)))
    for _ in range(iterations):
        mid = (lo + hi) / 2
        f_mid = value(mid)
        same = np.sign(f_mid) == np.sign(f_lo)
        lo = np.where(same, mid, lo)
        f_lo = np.where(same, f_mid, f_lo)
        hi = np.where(same, hi, mid)
    root = np.exp(-(lo + hi) / 2) - 1.0
    return np.where(bracketed, root, np.nan)


def roi(upfront: np.ndarray | float, annual_flows: np.ndarray) -> np.ndarray:
    """Return on investment over the horizon, undiscounted: (sum CF1..CFT - upfront) / upfront.

    NaN when there is no investment to return on.
    """
    upfront = np.asarray(upfront, dtype=float)
    total = np.sum(np.asarray(annual_flows, dtype=float), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(upfront > 0, (total - upfront) / np.where(upfront > 0, upfront, 1.0), np.nan)


def simple_payback_months(upfront: np.ndarray | float, annual_net: np.ndarray | float) -> np.ndarray:
    """Months until the undiscounted net benefit repays the investment: upfront / (annual_net / 12).

    +inf ("never") when the net benefit is not positive; 0 when there is nothing to repay.
    """
    upfront = np.asarray(upfront, dtype=float)
    monthly = np.asarray(annual_net, dtype=float) / MONTHS_PER_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        months = np.where(monthly > 0, upfront / np.where(monthly > 0, monthly, 1.0), np.inf)
    return np.where(upfront <= 0, np.where(monthly >= 0, 0.0, np.inf), months)


def discounted_payback_months(
    upfront: np.ndarray | float, annual_net: np.ndarray | float, rate: np.ndarray | float
) -> np.ndarray:
    """Months until the discounted monthly net benefit repays the investment.

    Monthly discounting at m = (1 + r)^(1/12) - 1 with benefits at month end: solve
    net_m * (1 - (1 + m)^-n) / m = upfront for n. +inf ("never") when the benefit is not positive or
    its perpetuity value does not reach the investment.
    """
    upfront = np.asarray(upfront, dtype=float)
    monthly = np.asarray(annual_net, dtype=float) / MONTHS_PER_YEAR
    m = (1.0 + np.asarray(rate, dtype=float)) ** (1.0 / MONTHS_PER_YEAR) - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_monthly = np.where(monthly > 0, monthly, 1.0)
        share = upfront * m / safe_monthly
        discounted = -np.log1p(-np.minimum(share, 1.0)) / np.log1p(m)
        undiscounted = upfront / safe_monthly
        months = np.where(np.abs(m) < 1e-15, undiscounted, discounted)
        months = np.where((monthly > 0) & (share < 1.0), months, np.inf)
    return np.where(upfront <= 0, np.where(monthly >= 0, 0.0, np.inf), months)
