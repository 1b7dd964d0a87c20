"""Finance conventions against reference values (Excel / numpy-financial conventions)."""

import numpy as np
import pytest

from xlcost.engine import finance


def test_npv_discounts_from_t1_and_keeps_cf0_undiscounted():
    flows = np.array([-250, 90, 110, 120, 130, 130])
    assert finance.npv(0.10, flows) == pytest.approx(182.40, abs=0.005)
    # Excel NPV() over all six cells would give 165.82 = 182.40 / 1.1: the tie-out adds CF0 outside.
    assert finance.npv(0.10, flows) / 1.1 == pytest.approx(165.82, abs=0.005)


def test_irr_matches_reference_and_is_vectorised():
    flows = np.array([[-100.0, 39, 59, 55, 20], [-1000.0, 300, 400, 500, 0]])
    result = finance.irr(flows)
    assert result[0] == pytest.approx(0.2809484, abs=1e-6)  # numpy-financial's documented example
    assert finance.npv(result[1], flows[1]) == pytest.approx(0, abs=1e-6)


def test_irr_not_defined_without_or_with_several_sign_changes():
    assert np.isnan(finance.irr(np.array([100.0, 10, 10])))
    assert np.isnan(finance.irr(np.array([-100.0, 230, -132])))  # IRRs 10% and 20%
    assert np.isnan(finance.irr(np.zeros(4)))


def test_payback_conventions():
    assert finance.simple_payback_months(10_000, 3_000) == pytest.approx(40.0)
    assert finance.simple_payback_months(10_000, 0) == np.inf
    assert finance.simple_payback_months(0, 100) == 0
    discounted = finance.discounted_payback_months(10_000, 3_000, 0.10)
    assert discounted > 40
    monthly = 3_000 / 12
    m = 1.1 ** (1 / 12) - 1
    pv = sum(monthly / (1 + m) ** k for k in range(1, int(np.ceil(discounted)) + 1))
    assert pv >= 10_000 - 1e-6
    assert finance.discounted_payback_months(10_000, 100, 0.10) == np.inf  # the perpetuity never repays it


def test_roi_definition():
    assert finance.roi(100.0, np.array([50.0, 50, 50])) == pytest.approx(0.5)
    assert np.isnan(finance.roi(0.0, np.array([50.0])))
