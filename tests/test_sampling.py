"""Each distribution draws what its definition says, and Iman-Conover imposes the rank correlations asked for.

Sample checks use 200,000 draws and allow four standard errors (a failure by chance: about 1 in 16,000);
quantile checks are exact formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from xlcost.engine.sampling import (
    BetaQuantile,
    LogNormal,
    Normal,
    Pert,
    PointMass,
    Triangular,
    Uniform,
    distribution,
    iman_conover,
    ndtri,
    positive_definite,
    ranks,
    spearman,
)

DRAWS = 200_000


def sample(dist, seed: int = 7) -> np.ndarray:
    return dist.ppf(np.random.default_rng(seed).random(DRAWS))


def assert_moments(dist, draws: np.ndarray) -> None:
    """Sample mean within 4 standard errors of the mean; sample variance within 4 of its own (normal-theory
    standard error 2 var^2 / n, widened by the kurtosis estimated from the draws)."""
    mean, var = draws.mean(), draws.var(ddof=1)
    assert abs(mean - dist.mean) < 4 * math.sqrt(dist.var / DRAWS), (mean, dist.mean)
    fourth = np.mean((draws - mean) ** 4)
    var_error = math.sqrt(max(fourth - var ** 2, 0.0) / DRAWS)
    assert abs(var - dist.var) < 4 * var_error, (var, dist.var)


def standard_normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def test_the_normal_quantile_inverts_the_normal_cdf():
    assert ndtri(0.5) == 0.0
    assert ndtri(0.975) == pytest.approx(1.959963984540054, abs=1e-15)
    assert ndtri(0.05) == pytest.approx(-1.6448536269514722, abs=1e-15)
    for p in (1e-300, 1e-20, 1e-9, 1e-4, 0.02, 0.3):  # each region of the approximation, and its mirror
        z = float(ndtri(p))
        assert standard_normal_cdf(z) == pytest.approx(p, rel=1e-13)
        if p >= 1e-4:  # 1 - p keeps enough digits to mirror
            assert float(ndtri(1 - p)) == pytest.approx(-z, rel=1e-10)
    assert ndtri(0.0) == -np.inf and ndtri(1.0) == np.inf


def test_uniform():
    d = Uniform(2.0, 6.0)
    assert d.ppf(0.25) == 3.0 and d.ppf(0.0) == 2.0
    assert_moments(d, sample(d))


def test_triangular():
    d = Triangular(0.6, 1.0, 1.3)
    assert d.ppf((1.0 - 0.6) / (1.3 - 0.6)) == pytest.approx(1.0)  # F(mode) = (mode - low) / (high - low)
    assert d.ppf(0.0) == 0.6 and d.ppf(1.0) == pytest.approx(1.3)
    # below the mode: F(x) = (x - a)^2 / ((b - a)(c - a))
    x = float(d.ppf(0.1))
    assert (x - 0.6) ** 2 / ((1.3 - 0.6) * (1.0 - 0.6)) == pytest.approx(0.1)
    assert_moments(d, sample(d))


@pytest.mark.parametrize("low, mode, high", [(100, 160, 180), (0, 0.05, 0.30), (0.9, 1.1, 2.0), (15, 20, 22),
                                             (1, 1, 2), (1, 2, 2), (-3, 0, 3)])
def test_pert(low, mode, high):
    d = Pert(low, mode, high)
    assert d.mean == pytest.approx((low + 4 * mode + high) / 6)
    draws = sample(d)
    assert low <= draws.min() and draws.max() <= high
    assert_moments(d, draws)


def test_pert_quantiles_match_the_closed_forms_of_its_beta():
    # mode at low: Beta(1, 5), F(x) = 1 - (1 - x)^5; mode at high: Beta(5, 1), F(x) = x^5
    u = np.linspace(0.0, 1.0, 10_001)
    assert np.allclose(Pert(0, 0, 1).ppf(u), 1 - (1 - u) ** (1 / 5), atol=1e-8)
    assert np.allclose(Pert(0, 1, 1).ppf(u), u ** (1 / 5), atol=1e-8)
    assert Pert(0, 0.5, 1).ppf(0.5) == pytest.approx(0.5, abs=1e-12)  # symmetric: the median is the mode
    assert float(Pert(10, 15, 20).ppf(0.5)) == pytest.approx(15, abs=1e-10)


@pytest.mark.parametrize("alpha, beta", [(1.0, 5.0), (1.2, 4.8), (2.6, 3.4), (4.9, 1.1), (3.0, 3.0)])
def test_the_beta_quantile_is_increasing_and_reaches_both_ends(alpha, beta):
    q = BetaQuantile(alpha, beta)
    x = q.ppf(np.linspace(0.0, 1.0, 100_001))
    assert x[0] == 0.0 and x[-1] == 1.0 and np.all(np.diff(x) >= 0)
    # the interpolated table agrees with the exact inversion everywhere
    u = np.random.default_rng(1).random(5_000)
    assert np.allclose(q.ppf(u), q.invert(u), atol=1e-8)


def test_normal_and_lognormal_from_their_5th_and_95th_percentiles():
    n = Normal.from_percentiles(80.0, 120.0)
    assert n.ppf(0.05) == pytest.approx(80.0, rel=1e-13) and n.ppf(0.95) == pytest.approx(120.0, rel=1e-13)
    assert_moments(n, sample(n))
    lg = LogNormal.from_percentiles(2.0, 8.0)
    assert lg.ppf(0.05) == pytest.approx(2.0, rel=1e-13) and lg.ppf(0.95) == pytest.approx(8.0, rel=1e-13)
    assert lg.ppf(0.5) == pytest.approx(4.0, rel=1e-13)  # the median is the geometric mean of P5 and P95
    draws = sample(lg)
    assert draws.min() > 0
    assert_moments(lg, draws)


@pytest.mark.parametrize("name", ["uniform", "triangular", "pert", "normal", "lognormal"])
def test_a_range_of_zero_width_draws_its_value_exactly(name):
    d = distribution(name, 0.1, 0.1, 0.1)
    assert isinstance(d, PointMass)
    assert np.all(d.ppf(np.random.default_rng(0).random(1000)) == 0.1)


def test_iman_conover_imposes_the_target_and_keeps_each_inputs_values():
    target = np.array([[1.0, 0.7, -0.4], [0.7, 1.0, 0.0], [-0.4, 0.0, 1.0]])
    u = np.random.default_rng(3).random((10_000, 3))
    out = iman_conover(u, target, np.random.default_rng(4))
    for j in range(3):
        assert np.array_equal(np.sort(out[:, j]), np.sort(u[:, j]))  # reordered, not redrawn
    r = [ranks(out[:, j]) for j in range(3)]
    for a, b in ((0, 1), (0, 2), (1, 2)):
        assert spearman(r[a], r[b]) == pytest.approx(target[a, b], abs=0.03)


def test_positive_definite():
    assert positive_definite(np.eye(3))
    assert not positive_definite(np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]]))
    assert not positive_definite(np.array([[1.0, 1.0], [1.0, 1.0]]))  # singular


def test_ranks_average_ties_and_spearman_of_a_constant_is_undefined():
    assert ranks(np.array([3.0, 1.0, 2.0, 2.0])).tolist() == [4.0, 1.0, 2.5, 2.5]
    assert spearman(ranks(np.arange(5.0)), ranks(np.arange(5.0) ** 3)) == pytest.approx(1.0)
    assert spearman(ranks(np.ones(5)), ranks(np.arange(5.0))) is None
