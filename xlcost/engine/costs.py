"""Implementation and operating cost: the one-time investment and the recurring cost of running option B."""

from __future__ import annotations

import numpy as np

from ..inputs import Inputs

MONTHS_PER_YEAR = 12


def implementation_costs(inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """(upfront, recurring per year), each one value per case: the sum of one-time lines;
    12 x monthly lines + annual lines."""
    c = inputs.table("cost_lines")
    amount = np.asarray(c["amount_usd"], dtype=float)
    kind = np.array(c["recurrence"], dtype=object)
    upfront = np.sum(np.where(kind == "one-time", amount, 0.0), axis=-1)
    recurring = (MONTHS_PER_YEAR * np.sum(np.where(kind == "monthly", amount, 0.0), axis=-1)
                 + np.sum(np.where(kind == "annual", amount, 0.0), axis=-1))
    return upfront, recurring
