"""Worksheet functions (xlwings UDFs, Windows desktop Excel only) exposing a few engine formulas.

Use them in your own sheets, e.g. ``=XLCOST_INSTANCES(1000*0.2, 20)`` or
``=XLCOST_NPV(0.1, B2:B5)`` with CF0 in B2. To enable: put ``xlcost.udfs`` in the ``UDF Modules``
row of the workbook's ``xlwings.conf`` sheet (or the add-in's ribbon), then "Import Functions" in the
xlwings ribbon (standalone workbook: run the ``ImportPythonUDFs`` macro). macOS Excel has no xlwings
UDFs; the Recalculate button works there regardless.

Each function is the engine's own formula on scalars, so its value ties out with the result sheets.
On Linux (and in tests) xlwings' decorators are no-ops: these are plain Python functions.
"""

from __future__ import annotations

import numpy as np
import xlwings as xw

from .engine import deployment, finance, pricing


def _number(x: object, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"{what} must be a number")
    return float(x)


@xw.func
def xlcost_instances(load_qps: float, capacity_qps_per_instance: float) -> float:
    """Whole instances needed to serve a load: ceil(load / capacity), 0 for no load."""
    load = _number(load_qps, "load_qps")
    capacity = _number(capacity_qps_per_instance, "capacity_qps_per_instance")
    if capacity <= 0:
        raise ValueError("capacity_qps_per_instance must be above 0")
    return float(deployment.whole_instances(np.array(load), np.array(capacity)))


@xw.func
def xlcost_usd_per_1k_requests(usd_per_instance_hour: float, qps_per_instance: float) -> float:
    """Cost of 1,000 requests at full measured throughput: 1000 x hourly cost / (QPS x 3600)."""
    hourly = _number(usd_per_instance_hour, "usd_per_instance_hour")
    qps = _number(qps_per_instance, "qps_per_instance")
    if qps <= 0:
        raise ValueError("qps_per_instance must be above 0")
    return 1000.0 * float(pricing.usd_per_request(np.array(hourly), np.array(qps)))


@xw.func
@xw.arg("cash_flows", ndim=1)
def xlcost_npv(rate: float, cash_flows: list) -> float:
    """NPV with CF0 undiscounted: sum CF_t / (1 + r)^t for t = 0..T.

    The first cell of ``cash_flows`` is CF0 at t = 0. This equals Excel's ``=CF0 + NPV(r, CF1:CFT)``,
    not ``=NPV(r, CF0:CFT)``, which discounts CF0 by a year.
    """
    r = _number(rate, "rate")
    flows = [_number(x, "every cash flow") for x in cash_flows if x is not None]
    if not flows:
        raise ValueError("cash_flows is empty")
    return float(finance.npv(r, np.array(flows)))
