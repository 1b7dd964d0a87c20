"""Shapes for batches of cases (Monte Carlo trials, sweep points).

Every engine array has the shape ``batch + core``: ``batch`` is whatever leading axes the inputs carry
(none for one case, ``(trials,)`` in a simulation), ``core`` the axes of the quantity itself (models,
scenarios, hours, years...). A value that is one number per case (a parameter, a sum over rows) has the
shape ``batch``; before it meets an array with ``k`` core axes it is lifted to ``batch + (1,) * k``.
"""

from __future__ import annotations

import numpy as np


def lift(value: float | np.ndarray, core_ndim: int) -> np.ndarray:
    """A per-case value shaped to broadcast against arrays with ``core_ndim`` core axes."""
    array = np.asarray(value, dtype=float)
    return array.reshape(array.shape + (1,) * core_ndim)
