"""The risk register's expected costs: probability x impact, yearly or once."""

from __future__ import annotations

import numpy as np

from ..inputs import Inputs


def risk_costs(inputs: Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(expected cost per risk, expected annual total, expected one-time total); expected = probability x
    impact. Per risk: batch + (risks,); totals one value per case."""
    r = inputs.table("risks")
    expected = np.asarray(r["probability"], dtype=float) * np.asarray(r["impact_usd"], dtype=float)
    kind = np.array(r["recurrence"], dtype=object)
    annual = np.sum(np.where(kind == "annual", expected, 0.0), axis=-1)
    one_time = np.sum(np.where(kind == "one-time", expected, 0.0), axis=-1)
    return expected, annual, one_time
