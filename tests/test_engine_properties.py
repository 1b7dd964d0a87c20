"""Properties of the engine over random inputs (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcost.engine.deployment import size_deployment
from xlcost.engine.model import compute
from xlcost.inputs import defaults

loads = st.floats(min_value=0, max_value=5000, allow_nan=False)
shares = st.floats(min_value=0, max_value=1, allow_nan=False)
prices = st.floats(min_value=0.01, max_value=50, allow_nan=False)
capacities = st.floats(min_value=0.5, max_value=500, allow_nan=False)


def deploy(peak, share, escalation, price, large_cap=20.0, small_cap=160.0):
    return size_deployment(peak, share, escalation, large_cap, small_cap, 32, 2, price, 720)


@given(loads, shares, shares, prices, capacities, capacities)
def test_costs_are_finite_non_negative_whole_and_savings_below_one(peak, share, e, price, large_cap, small_cap):
    d = deploy(peak, share, e, price, large_cap, small_cap)
    for value in (d.pure_usd_per_year, d.hetero_usd_per_year, d.pure_gpus, d.hetero_gpus):
        assert np.isfinite(value) and value >= 0
    for count in (d.pure_large_instances, d.hetero_large_instances, d.hetero_small_instances):
        assert float(count).is_integer()
    assert d.savings_pct < 1


@given(loads, shares, prices, prices)
def test_cost_is_monotone_in_gpu_price(peak, share, p1, p2):
    lo, hi = sorted((p1, p2))
    a, b = deploy(peak, share, 0.0, lo), deploy(peak, share, 0.0, hi)
    assert a.pure_usd_per_year <= b.pure_usd_per_year
    assert a.hetero_usd_per_year <= b.hetero_usd_per_year


@given(shares, prices)
def test_zero_load_costs_nothing(share, price):
    d = deploy(0.0, share, 0.0, price)
    assert d.pure_usd_per_year == 0 and d.hetero_usd_per_year == 0 and d.savings_pct == 0


@given(st.lists(loads, min_size=1, max_size=50), shares, prices)
def test_a_sweep_equals_one_scenario_at_a_time(peaks, share, price):
    swept = deploy(np.array(peaks), share, 0.0, price)
    for i, peak in enumerate(peaks):
        assert swept.hetero_usd_per_year[i] == deploy(peak, share, 0.0, price).hetero_usd_per_year


@settings(max_examples=25, deadline=None)
@given(prices, st.floats(min_value=0, max_value=3000, allow_nan=False))
def test_whole_model_results_are_finite_where_defined(price, peak):
    base = defaults()
    s = base.table("scenarios")
    # 200 trials, not the workbook's 10,000: the simulation runs on every example, quickly
    inputs = base.with_params(gpu_hour_price_override=price, mc_trials=200).with_table(
        s.with_columns(peak_qps=np.full(len(s), peak)))
    r = compute(inputs)
    c = r.core
    for arr in (c.deployment.pure_usd_per_year, c.deployment.hetero_usd_per_year, c.cash.npv_usd,
                c.cash.risk_adjusted_npv_usd, c.cash.roi):
        assert np.all(np.isfinite(arr))
    # IRR and payback may be undefined, but never negative infinity or garbage.
    assert np.all(np.isnan(c.cash.irr) | np.isfinite(c.cash.irr))
    assert np.all(c.cash.simple_payback_months >= 0)


def test_any_positive_load_needs_an_instance():
    """Found by hypothesis: the float-noise tolerance once rounded a tiny load down to no instance."""
    d = deploy(1.192092896e-07, 0.0, 0.0, 1.0, large_cap=1.0, small_cap=120.0)
    assert d.hetero_small_instances == 1 and d.savings_pct < 1
