"""Probability distributions of uncertain inputs, and rank correlation between inputs (Iman-Conover).

A draw is ``distribution.ppf(u)`` with ``u`` uniform on (0, 1): the inverse-CDF method. One mapping serves
the simulation (random ``u``), the tornado (``u`` = 0.1 and 0.9) and the tests (known quantiles), and since
``ppf`` is increasing, reordering the uniforms reorders the draws (which is how correlation is imposed).

Parameters are named as statistics texts name them: ``Uniform(low, high)``, ``Triangular(low, mode, high)``,
``Pert(low, mode, high, lam=4)`` (a beta distribution rescaled to [low, high] with mean
``(low + lam x mode + high) / (lam + 2)``), ``Normal(mu, sigma)`` and ``LogNormal(mu, sigma)`` (``mu``,
``sigma``: the mean and standard deviation of the logarithm). Normal and lognormal are usually given by
their 5th and 95th percentiles (``from_percentiles``). A range of zero width is a ``PointMass``: every
draw is exactly that value.

numpy only: the normal quantile is Wichura's algorithm AS 241 (about 1e-16 relative error), the beta
quantile behind PERT inverts a table of the beta CDF built once per distribution (Gauss-Legendre
integration of the density, cubic Hermite interpolation between nodes: about 1e-9 of the range).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

Z95 = 1.6448536269514722  # the standard normal's 95th percentile: P5/P95 are mu -/+ Z95 x sigma


# ---------------------------------------------------------------------------------------------
# The standard normal quantile (Wichura 1988, Applied Statistics algorithm AS 241, PPND16)
# ---------------------------------------------------------------------------------------------

_A = (3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4,
      4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3)
_B = (1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3, 2.1213794301586595867e4,
      3.9307895800092710610e4, 2.8729085735721942674e4, 5.2264952788528545610e3)
_C = (1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0, 3.64784832476320460504e0,
      1.27045825245236838258e0, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4)
_D = (1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
      1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9)
_E = (6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0, 2.96560571828504891230e-1,
      2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F = (1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
      7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15)


def _poly(coefficients: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    """c0 + c1 x + ... (Horner)."""
    out = np.full_like(x, coefficients[-1])
    for c in coefficients[-2::-1]:
        out = out * x + c
    return out


def ndtri(p: np.ndarray | float) -> np.ndarray:
    """The standard normal quantile: z with P(Z <= z) = p, for p in (0, 1) (0 and 1 give -inf and +inf)."""
    p = np.asarray(p, dtype=float)
    q = p - 0.5
    central = np.abs(q) <= 0.425
    r = 0.180625 - q * q
    z_central = q * _poly(_A, r) / _poly(_B, r)
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.sqrt(-np.log(np.where(q < 0, p, 1.0 - p)))
        near = tail - 1.6
        far = tail - 5.0
        z_tail = np.where(tail <= 5.0, _poly(_C, near) / _poly(_D, near), _poly(_E, far) / _poly(_F, far))
    z = np.where(central, z_central, np.where(q < 0, -z_tail, z_tail))
    return np.where(p <= 0.0, -np.inf, np.where(p >= 1.0, np.inf, z))


# ---------------------------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointMass:
    """Every draw is ``value`` (a range of zero width: the input is known)."""

    value: float

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        return np.full(np.shape(u), self.value)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def var(self) -> float:
        return 0.0

    @property
    def support(self) -> tuple[float, float]:
        return self.value, self.value


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        return self.low + np.asarray(u, dtype=float) * (self.high - self.low)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def var(self) -> float:
        return (self.high - self.low) ** 2 / 12

    @property
    def support(self) -> tuple[float, float]:
        return self.low, self.high


@dataclass(frozen=True)
class Triangular:
    low: float
    mode: float
    high: float

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        at_mode = (c - a) / (b - a)  # F(mode)
        rising = a + np.sqrt(u * (b - a) * (c - a))
        falling = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < at_mode, rising, falling)

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def var(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    @property
    def support(self) -> tuple[float, float]:
        return self.low, self.high


@dataclass(frozen=True)
class Pert:
    """PERT(low, mode, high) with shape ``lam``: low + (high - low) x Beta(alpha, beta), with
    alpha = 1 + lam (mode - low) / (high - low) and beta = 1 + lam (high - mode) / (high - low)."""

    low: float
    mode: float
    high: float
    lam: float = 4.0
    _beta: BetaQuantile = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_beta", beta_quantile(self.alpha, self.beta))

    @property
    def alpha(self) -> float:
        return 1.0 + self.lam * (self.mode - self.low) / (self.high - self.low)

    @property
    def beta(self) -> float:
        return 1.0 + self.lam * (self.high - self.mode) / (self.high - self.low)

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        return self.low + (self.high - self.low) * self._beta.ppf(u)

    @property
    def mean(self) -> float:
        return (self.low + self.lam * self.mode + self.high) / (self.lam + 2)

    @property
    def var(self) -> float:
        return (self.mean - self.low) * (self.high - self.mean) / (self.lam + 3)

    @property
    def support(self) -> tuple[float, float]:
        return self.low, self.high


@dataclass(frozen=True)
class Normal:
    mu: float
    sigma: float

    @classmethod
    def from_percentiles(cls, p5: float, p95: float) -> Normal:
        return cls((p5 + p95) / 2, (p95 - p5) / (2 * Z95))

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        return self.mu + self.sigma * ndtri(u)

    @property
    def mean(self) -> float:
        return self.mu

    @property
    def var(self) -> float:
        return self.sigma ** 2

    @property
    def support(self) -> tuple[float, float]:
        return -math.inf, math.inf


@dataclass(frozen=True)
class LogNormal:
    """exp(N(mu, sigma)): ``mu`` and ``sigma`` are the mean and standard deviation of the logarithm."""

    mu: float
    sigma: float

    @classmethod
    def from_percentiles(cls, p5: float, p95: float) -> LogNormal:
        lo, hi = math.log(p5), math.log(p95)
        return cls((lo + hi) / 2, (hi - lo) / (2 * Z95))

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        return np.exp(self.mu + self.sigma * ndtri(u))

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma ** 2 / 2)

    @property
    def var(self) -> float:
        return (math.exp(self.sigma ** 2) - 1) * math.exp(2 * self.mu + self.sigma ** 2)

    @property
    def support(self) -> tuple[float, float]:
        return 0.0, math.inf


Distribution = PointMass | Uniform | Triangular | Pert | Normal | LogNormal
DISTRIBUTIONS = ("uniform", "triangular", "pert", "normal", "lognormal")


def distribution(name: str, low: float, most_likely: float | None, high: float) -> Distribution:
    """The distribution an Uncertainty row describes (valid rows only: low <= most likely <= high, and for a
    lognormal 0 < low). Normal and lognormal read low and high as the 5th and 95th percentiles."""
    if low == high:
        return PointMass(float(low))
    if name == "uniform":
        return Uniform(low, high)
    if name == "triangular":
        return Triangular(low, most_likely, high)
    if name == "pert":
        return Pert(low, most_likely, high)
    if name == "normal":
        return Normal.from_percentiles(low, high)
    if name == "lognormal":
        return LogNormal.from_percentiles(low, high)
    raise ValueError(f"unknown distribution {name!r}")


# ---------------------------------------------------------------------------------------------
# The beta quantile (behind PERT)
# ---------------------------------------------------------------------------------------------

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(8)
_EDGE_CELLS = 8  # cells of the quantile table at each end that are inverted exactly, not interpolated


@lru_cache(maxsize=64)
def beta_quantile(alpha: float, beta: float) -> BetaQuantile:
    """The quantile function of Beta(alpha, beta), built once per shape in a process."""
    return BetaQuantile(alpha, beta)


class BetaQuantile:
    """The quantile function of Beta(alpha, beta), alpha and beta >= 1 (what PERT needs).

    Built once per distribution. First the CDF at ``cells + 1`` evenly spaced points of [0, 1], by 8-point
    Gauss-Legendre integration of the density (normalised by its own total); between them the CDF is the
    cubic Hermite interpolant of its values and slopes (the density), except in the end cell, where the
    density may vanish like x^(alpha - 1) and a two-term power law s^alpha (c0 + c1 s) takes its place.
    The upper half is solved on the mirrored table (the survival function, summed from the right), so
    probabilities near 1 keep their precision. ``invert`` solves these by Newton steps.

    Sampling is faster from a second table, the quantiles at ``quantiles + 1`` evenly spaced probabilities
    (found by ``invert``) with their slopes 1 / density: a draw interpolates it (cubic Hermite) in its cell,
    except near both ends, where it is inverted exactly.
    """

    def __init__(self, alpha: float, beta: float, cells: int = 2048, quantiles: int = 4096) -> None:
        self.alpha, self.beta = float(alpha), float(beta)
        self.quantiles = quantiles
        edges = np.linspace(0.0, 1.0, cells + 1)
        width = 1.0 / cells
        points = edges[:-1, None] + (_NODES[None, :] + 1.0) * (width / 2)
        mass = (self._density(points) @ _WEIGHTS) * (width / 2)
        total = mass.sum()
        density = self._density(edges) / total
        self._lower = _CdfTable(mass / total, density, self.alpha)
        self._upper = _CdfTable(mass[::-1] / total, density[::-1], self.beta)
        probabilities = np.linspace(0.0, 1.0, quantiles + 1)
        self.x_nodes = self.invert(probabilities)
        with np.errstate(divide="ignore"):
            slopes = total / self._density(self.x_nodes)
        slopes[~np.isfinite(slopes)] = 0.0  # the ends, where the density vanishes: inverted exactly anyway
        d = slopes / quantiles  # per unit of the position t within a cell
        step = np.diff(self.x_nodes)
        # x = c0 + t (c1 + t (c2 + t c3)) in each cell: the cubic Hermite curve through both nodes
        self.coefficients = np.stack([self.x_nodes[:-1], d[:-1], 3 * step - 2 * d[:-1] - d[1:],
                                      d[:-1] + d[1:] - 2 * step])

    def _density(self, x: np.ndarray) -> np.ndarray:
        """The unnormalised density x^(alpha - 1) (1 - x)^(beta - 1)."""
        return x ** (self.alpha - 1.0) * (1.0 - x) ** (self.beta - 1.0)

    def invert(self, u: np.ndarray | float) -> np.ndarray:
        """x with F(x) = u, from the CDF tables (about 1e-9 of [0, 1]; slower than ``ppf``)."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        upper = u > 0.5
        return np.where(upper, 1.0 - self._upper.invert(np.where(upper, 1.0 - u, 0.0)),
                        self._lower.invert(np.where(upper, 0.0, u)))

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        shape = np.shape(u)
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0).reshape(-1)
        k = self.quantiles
        t = u * k
        cell = t.astype(np.intp)
        np.minimum(cell, k - 1, out=cell)
        t -= cell
        c0, c1, c2, c3 = self.coefficients
        x = c3[cell]
        x *= t
        x += c2[cell]
        x *= t
        x += c1[cell]
        x *= t
        x += c0[cell]
        edge = np.flatnonzero((cell < _EDGE_CELLS) | (cell >= k - _EDGE_CELLS))
        if edge.size:
            x[edge] = self.invert(u[edge])
        return x.reshape(shape)


class _CdfTable:
    """The CDF of a distribution on [0, 1] from the probability mass of evenly spaced cells and the density
    at their edges, for probabilities up to one half; near 0 it grows like x^power."""

    def __init__(self, mass: np.ndarray, density: np.ndarray, power: float) -> None:
        self.cdf = np.concatenate(([0.0], np.cumsum(mass)))
        self.density, self.power, self.cells = density, power, mass.size

    def invert(self, u: np.ndarray) -> np.ndarray:
        F, n = self.cdf, self.cells
        h = 1.0 / n
        cell = np.clip(np.searchsorted(F, u, side="right") - 1, 0, n - 1)
        x = (cell + _hermite_root(u, F[cell], F[cell + 1], self.density[cell] * h,
                                  self.density[cell + 1] * h)) * h
        first = cell == 0
        if first.any():
            x[first] = h * _power_root(u[first], F[1], self.density[1] * h, self.power)
        return x


def _hermite_root(u: np.ndarray, f0: np.ndarray, f1: np.ndarray, d0: np.ndarray, d1: np.ndarray) -> np.ndarray:
    """t in [0, 1] where the cubic Hermite curve through (0, f0) and (1, f1) with slopes d0, d1 reaches u."""
    span = f1 - f0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip(np.where(span > 0, (u - f0) / span, 0.0), 0.0, 1.0)
        for _ in range(3):
            t2 = t * t
            t3 = t2 * t
            value = f0 + span * (3 * t2 - 2 * t3) + d0 * (t3 - 2 * t2 + t) + d1 * (t3 - t2)
            slope = span * (6 * t - 6 * t2) + d0 * (3 * t2 - 4 * t + 1) + d1 * (3 * t2 - 2 * t)
            t = np.clip(t - np.where(slope > 0, (value - u) / slope, 0.0), 0.0, 1.0)
    return t


def _power_root(u: np.ndarray, at_one: float, slope_at_one: float, power: float) -> np.ndarray:
    """s in [0, 1] with s^power (c0 + c1 s) = u, the curve that is ``at_one`` with slope ``slope_at_one`` at
    s = 1: the CDF near an end of the beta's support, where it grows like s^power."""
    c1 = slope_at_one - power * at_one
    c0 = at_one - c1
    s = (u / at_one) ** (1.0 / power)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(3):
            base = s ** (power - 1.0)
            value = base * s * (c0 + c1 * s) - u
            slope = base * (power * c0 + (power + 1.0) * c1 * s)
            s = np.clip(s - np.where(slope > 0, value / slope, 0.0), 0.0, 1.0)
    return s


# ---------------------------------------------------------------------------------------------
# Rank correlation
# ---------------------------------------------------------------------------------------------


def positive_definite(matrix: np.ndarray) -> bool:
    """Whether a symmetric matrix is positive definite (its Cholesky factor exists)."""
    try:
        np.linalg.cholesky(np.asarray(matrix, dtype=float))
    except np.linalg.LinAlgError:
        return False
    return True


def normal_score_correlation(rank_correlation: np.ndarray) -> np.ndarray:
    """The Pearson correlation normal scores need for a target Spearman rank correlation: 2 sin(pi rho / 6)."""
    out = 2.0 * np.sin(np.pi * np.asarray(rank_correlation, dtype=float) / 6.0)
    np.fill_diagonal(out, 1.0)
    return out


def iman_conover(u: np.ndarray, rank_correlation: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reorder each column of ``u`` (draws x inputs) so that the columns' rank correlations approach
    ``rank_correlation`` (Iman and Conover 1982); each column keeps exactly its values.

    Scores: van der Waerden normal scores, randomly permuted per column. Their sample correlation E is
    turned into the target by T = S (L_E^-1)' L_C' (L: Cholesky factors), where C is the Pearson correlation
    that normal scores need for the target rank correlation. Each column of ``u`` is then sorted into the
    rank order of the matching column of T. The target must be positive definite. Sums are numpy's own,
    not a BLAS library's, so every machine gets the same bits.
    """
    u = np.asarray(u, dtype=float)
    n, k = u.shape
    if k < 2 or n <= k + 1:  # too few draws to correlate: leave them independent
        return u
    target = normal_score_correlation(rank_correlation)
    if not positive_definite(target):  # the sine adjustment can break a borderline matrix: use it unadjusted
        target = np.asarray(rank_correlation, dtype=float)
    scores = rng.permuted(np.broadcast_to(_normal_scores(n), (k, n)), axis=1)  # one row per input
    sample = np.array([[np.sum(scores[a] * scores[b]) for b in range(k)] for a in range(k)])
    sample /= np.sqrt(np.outer(np.diag(sample), np.diag(sample)))
    try:
        mix = np.linalg.solve(np.linalg.cholesky(sample), np.linalg.cholesky(target).T)  # T = S mix
    except np.linalg.LinAlgError:
        return u
    out = np.empty_like(u)
    for j in range(k):
        t = scores[0] * mix[0, j]
        for i in range(1, k):
            t += scores[i] * mix[i, j]
        out[np.argsort(t), j] = np.sort(u[:, j])
    return out


@lru_cache(maxsize=4)
def _normal_scores(n: int) -> np.ndarray:
    """Van der Waerden scores: the standard normal's quantiles at i / (n + 1), i = 1..n."""
    scores = ndtri(np.arange(1, n + 1) / (n + 1.0))
    scores.flags.writeable = False
    return scores


def sort_order(x: np.ndarray) -> np.ndarray:
    """The permutation that sorts ``x`` (as ``np.argsort``; equal values in index order), about twice as fast
    on long vectors: one sort of 64-bit keys holding a value's leading bits and its index, then the rare runs
    whose leading bits agree are put in order by their full values."""
    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 65_536:
        return np.argsort(x, kind="stable")
    index_bits = (n - 1).bit_length()
    raw = x.view(np.uint64)
    sign = np.uint64(1 << 63)
    key = np.where(raw & sign, ~raw, raw | sign)  # unsigned order = numeric order, negatives included
    low = np.uint64((1 << index_bits) - 1)
    key &= ~low
    key |= np.arange(n, dtype=np.uint64)
    key.sort()
    order = (key & low).astype(np.intp)
    lead = key >> np.uint64(index_bits)
    changes = np.flatnonzero(lead[1:] != lead[:-1]) + 1
    starts = np.concatenate(([0], changes))
    stops = np.append(changes, n)
    long = np.flatnonzero(stops - starts > 1)
    if long.size > 1_000:  # many near-equal values: a plain stable sort is as quick
        return np.argsort(x, kind="stable")
    for start, stop in zip(starts[long], stops[long], strict=True):
        run = order[start:stop]
        order[start:stop] = run[np.argsort(x[run], kind="stable")]
    return order


def ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of a vector; tied values share their average rank."""
    x = np.asarray(x, dtype=float)
    order = sort_order(x)
    ordered = x[order]
    positions = np.arange(1.0, x.size + 1)
    tied = ordered[1:] == ordered[:-1]
    if tied.any():  # each run of equal values gets the mean of its positions
        starts = np.flatnonzero(np.concatenate(([True], ~tied)))
        ends = np.append(starts[1:], x.size)
        run = np.repeat(np.arange(starts.size), ends - starts)
        positions = ((starts + 1 + ends) / 2.0)[run]
    out = np.empty(x.size)
    out[order] = positions
    return out


def spearman(x_ranks: np.ndarray, y_ranks: np.ndarray) -> float | None:
    """Spearman's rank correlation from two rank vectors (the Pearson correlation of the ranks); None when
    either side does not vary."""
    x = x_ranks - x_ranks.mean()
    y = y_ranks - y_ranks.mean()
    # np.sum, not a BLAS dot product: the same bits on every machine, whatever its BLAS and threads
    denominator = math.sqrt(float(np.sum(x * x)) * float(np.sum(y * y)))
    return float(np.sum(x * y)) / denominator if denominator > 0 else None
