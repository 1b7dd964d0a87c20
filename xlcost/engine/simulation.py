"""How sure are we: the Monte Carlo simulation over the Uncertainty table's ranges, and the tornado.

Each trial draws every uncertain input (``sampling``), puts the draws into the inputs (``uncertainty``)
and re-runs the cost, sizing and cash-flow core (``core.compute_core``: prices, capacity, unit costs,
load, fleets, implementation cost, risk, cash flows; IRR, per-workflow and API figures are not sampled). Trials run as
arrays, a chunk of ``CHUNK_TRIALS`` at a time, never in a Python loop over trials, so memory stays
bounded: a million trials keep about 180 bytes per trial (draws and results) plus one chunk at work.

Random numbers: each chunk has its own numpy ``Generator`` (PCG64), spawned from ``mc_seed`` by the
chunk's position, so the same inputs, seed and number of trials give the same results on every machine
(for a given NumPy), whichever thread computes which chunk. Declared rank correlations are imposed within
each chunk with Iman-Conover, on the inputs that take part in a correlation; the others are drawn
independently.

Results per scenario: mean, standard deviation and percentiles (P5 ... P95, linear interpolation between
order statistics, as Excel's PERCENTILE.INC) of annual savings, savings share, NPV, risk-adjusted NPV and
simple payback; the probability that the risk-adjusted NPV is negative (``prob_loss``), that the NPV is
negative, and that the risk-adjusted payback (the payback the breakeven analysis tests) exceeds
``payback_target_months`` (a case that never pays back counts as exceeding it); standard errors of the
means and probabilities. The tornado moves each input alone to its P10 and its P90 (everything else at
the cells' own values) and re-runs the same core for the primary scenario's risk-adjusted NPV: all
2 x inputs cases in one batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from ..inputs import Inputs, Table
from .capacity import measure
from .core import Core, compute_core
from .sampling import iman_conover, ranks, spearman
from .uncertainty import Target, UncertainInput, apply, correlation_matrix, resolve

OnProgress = Callable[[int, int], None]

CHUNK_TRIALS = 20_000  # trials computed together: sets the memory of a run, and (with the seed) its draws
WORKERS = 2  # chunks computed at once
PERCENTILES = (5, 10, 50, 90, 95)
TORNADO_PROBABILITIES = (0.10, 0.90)
HISTOGRAM_BINS = 30
# Rank correlations (the tornado's and the achieved ones) are computed on at most this many trials: their
# sampling error is then below 0.003, and ranking a million values per input would dominate a large run.
RANK_TRIALS = 200_000
CURVE_POINTS = 101  # the cumulative curve at every whole percentile, 0 to 100
SMALLEST_UNIFORM = 2.0 ** -54  # draws come from (0, 1): a normal's quantile at 0 is -infinity


@dataclass(frozen=True)
class Summary:
    """One result over the trials. None: not defined (a mean or percentile of a payback that never comes)."""

    mean: float | None
    std: float | None
    p5: float | None
    p10: float | None
    p50: float | None
    p90: float | None
    p95: float | None
    standard_error: float | None  # of the mean: std / sqrt(trials)


@dataclass(frozen=True)
class ScenarioOutcome:
    """A deployment scenario's results over the trials."""

    scenario: str  # the Scenarios id
    annual_savings_usd: Summary
    savings_pct: Summary  # a fraction
    npv_usd: Summary
    risk_adjusted_npv_usd: Summary
    simple_payback_months: Summary
    prob_loss: float  # P(risk-adjusted NPV < 0)
    prob_loss_standard_error: float
    prob_npv_negative: float  # P(NPV < 0)
    prob_npv_negative_standard_error: float
    prob_payback_over_target: float  # P(risk-adjusted payback > payback_target_months); never counts as over
    prob_payback_over_target_standard_error: float

    def metric(self, key: str) -> Summary:
        return getattr(self, key)


CONSTANT_RTOL = 1e-12
METRICS = ("annual_savings_usd", "savings_pct", "npv_usd", "risk_adjusted_npv_usd", "simple_payback_months")


@dataclass(frozen=True)
class TornadoBar:
    """One uncertain input moved alone: the primary scenario's risk-adjusted NPV at its P10 and P90."""

    input: str  # the Uncertainty id
    moves: str  # the cells it moves, in words
    unit: str  # of input_at_p10 / input_at_p90 ("ratio" for a multiplier)
    input_at_p10: float
    input_at_p90: float
    output_at_p10: float
    output_at_p90: float
    swing: float  # |output_at_p90 - output_at_p10|
    rank_correlation: float | None  # Spearman, input against the output over the trials; None: either constant
    moves_results: bool  # whether its P10 or P90 changes any simulated result of any scenario


@dataclass(frozen=True)
class CorrelationCheck:
    """A declared rank correlation and the one the trials achieved."""

    input_a: str
    input_b: str
    target: float
    achieved: float | None


@dataclass(frozen=True)
class Simulation:
    """Everything the simulation found; scenarios in the Scenarios table's order, the tornado by swing."""

    trials: int
    seed: int
    primary_scenario: str
    payback_target_months: float
    base_risk_adjusted_npv_usd: float  # the primary scenario's, from the cells' own values
    inputs: tuple[UncertainInput, ...]
    scenarios: tuple[ScenarioOutcome, ...]
    tornado: tuple[TornadoBar, ...]
    correlations: tuple[CorrelationCheck, ...]
    # The primary scenario's risk-adjusted NPV: a histogram (HISTOGRAM_BINS equal bins from the lowest to
    # the highest trial; counts of trials) and its cumulative curve (the value at every whole percentile).
    histogram_edges_usd: np.ndarray
    histogram_trials: np.ndarray
    curve_probability: np.ndarray
    curve_risk_adjusted_npv_usd: np.ndarray

    def scenario(self, scenario_id: str) -> ScenarioOutcome:
        return next(s for s in self.scenarios if s.scenario == scenario_id)

    @property
    def primary(self) -> ScenarioOutcome:
        return self.scenario(self.primary_scenario)


def simulate(inputs: Inputs, core: Core, *, on_progress: OnProgress | None = None) -> Simulation | None:
    """The simulation of ``inputs`` (None when ``mc_trials`` is 0); ``core`` is their deterministic result.
    ``on_progress(done, total)`` is called after every chunk of trials."""
    trials = int(inputs.param("mc_trials"))
    if trials <= 0:
        return None
    seed = int(inputs.param("mc_seed"))
    uncertain = resolve(inputs)
    base, moving = trial_inputs(inputs, uncertain)
    measured = measure(inputs)
    primary = core.scenario_ids.index(inputs.param("primary_scenario"))
    outcome = run_trials(base, moving, measured, correlation_matrix(inputs, uncertain), trials, seed,
                         on_progress=on_progress)
    npv = outcome.results["risk_adjusted_npv_usd"]
    ranked = slice(0, RANK_TRIALS)  # rank correlations from the first trials: plenty, and ranking is a sort
    *draw_ranks, output_ranks = parallel_map(ranks, [*(outcome.draws[ranked, j] for j in range(len(uncertain))),
                                                     npv[ranked, primary]])
    scenarios = tuple(parallel_map(
        lambda s: scenario_outcome(core.scenario_ids[s], {k: v[:, s] for k, v in outcome.results.items()},
                                   outcome.payback_over_target[s], trials), range(len(core.scenario_ids))))
    low, high, moves = tornado(base, moving, measured, primary)
    bars = [TornadoBar(x.id, x.moves, x.unit, x.quantile(TORNADO_PROBABILITIES[0]),
                       x.quantile(TORNADO_PROBABILITIES[1]), float(low[j]), float(high[j]),
                       abs(float(high[j] - low[j])), spearman(draw_ranks[j], output_ranks), bool(moves[j]))
            for j, x in enumerate(uncertain)]
    bars.sort(key=lambda b: -b.swing)  # a stable sort: equal swings keep the Uncertainty table's order
    index = {x.id: j for j, x in enumerate(uncertain)}
    c = inputs.table("correlations")
    checks = [CorrelationCheck(a, b, float(rho), spearman(draw_ranks[index[a]], draw_ranks[index[b]]))
              for a, b, rho in zip(c["input_a"], c["input_b"], c["rank_correlation"], strict=True)]
    primary_npv = np.sort(npv[:, primary])
    counts, edges = np.histogram(primary_npv, bins=HISTOGRAM_BINS)
    curve = np.linspace(0.0, 1.0, CURVE_POINTS)
    return Simulation(
        trials=trials, seed=seed, primary_scenario=core.scenario_ids[primary],
        payback_target_months=float(inputs.param("payback_target_months")),
        base_risk_adjusted_npv_usd=float(core.cash.risk_adjusted_npv_usd[primary]), inputs=uncertain,
        scenarios=scenarios, tornado=tuple(bars), correlations=tuple(checks), histogram_edges_usd=edges,
        histogram_trials=counts, curve_probability=curve, curve_risk_adjusted_npv_usd=quantiles(primary_npv, curve),
    )


def trial_inputs(inputs: Inputs, uncertain: tuple[UncertainInput, ...]) -> tuple[Inputs, tuple[UncertainInput, ...]]:
    """The inputs the trials start from, and the uncertain inputs pointed at them.

    GPU offers left out of the price (Include = FALSE) cannot move any result, so the trials carry only the
    included ones (a price per term averages included offers only); an uncertain input on a left-out offer
    then moves nothing.
    """
    g = inputs.table("gpu_offers")
    kept = np.flatnonzero(np.asarray(g["include"], dtype=bool))
    if kept.size == len(g):
        return inputs, uncertain
    new_row = {int(old): new for new, old in enumerate(kept)}
    offers = Table(g.key, {k: v[kept] if isinstance(v, np.ndarray) else tuple(v[i] for i in kept)
                           for k, v in g.columns.items()})
    moved = tuple(replace(x, target=Target(x.target.table, x.target.column,
                                           tuple(new_row[r] for r in x.target.rows if r in new_row)))
                  if x.target.table == g.key else x for x in uncertain)
    return inputs.with_table(offers), moved


@dataclass(frozen=True)
class TrialResults:
    """Per trial: the draws (trials, inputs) and each result (trials, scenarios)."""

    draws: np.ndarray
    results: dict[str, np.ndarray]
    payback_over_target: np.ndarray  # trials per scenario whose risk-adjusted payback exceeds the target


def run_trials(base: Inputs, uncertain: tuple[UncertainInput, ...], measured, rank_correlation: np.ndarray,
               trials: int, seed: int, *, on_progress: OnProgress | None = None) -> TrialResults:
    """Draw and compute ``trials`` trials, CHUNK_TRIALS at a time, two chunks at once.

    Each chunk draws from its own generator, spawned from ``mc_seed`` by the chunk's position, so the
    results do not depend on which thread computes which chunk, nor when (numpy releases the interpreter
    lock inside its array operations, so two threads use both cores)."""
    k = len(uncertain)
    correlated = np.flatnonzero(np.any(rank_correlation != np.eye(k), axis=0)) if k else np.array([], dtype=int)
    target = rank_correlation[np.ix_(correlated, correlated)]
    scenarios = len(base.table("scenarios"))
    draws = np.empty((trials, k))
    results = {m: np.empty((trials, scenarios)) for m in METRICS}
    starts = range(0, trials, CHUNK_TRIALS)
    generators = np.random.SeedSequence(seed).spawn(len(starts))

    def one_chunk(chunk_index: int) -> np.ndarray:
        done = starts[chunk_index]
        size = min(CHUNK_TRIALS, trials - done)
        rng = np.random.default_rng(generators[chunk_index])
        u = np.maximum(rng.random((size, k)), SMALLEST_UNIFORM)
        if correlated.size > 1:
            u[:, correlated] = iman_conover(u[:, correlated], target, rng)
        chunk = draws[done:done + size]
        for j, x in enumerate(uncertain):
            chunk[:, j] = x.distribution.ppf(u[:, j])
        batch = apply(base, uncertain, chunk) if k else base
        core = compute_core(batch, measured, with_irr=False, detail=False)
        for m in METRICS:
            results[m][done:done + size] = _metric(core, m)
        return np.sum(np.broadcast_to(late(batch, core), (size, scenarios)), axis=0)

    over = np.zeros(scenarios, dtype=np.int64)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for chunk_index, late_trials in enumerate(pool.map(one_chunk, range(len(starts)))):
            over += late_trials
            if on_progress is not None:
                on_progress(min(trials, starts[chunk_index] + CHUNK_TRIALS), trials)
    return TrialResults(draws, results, over)


def parallel_map(function: Callable, items: Iterable) -> list:
    """``map`` on WORKERS threads, results in the items' order. numpy releases the interpreter lock inside
    its array operations, so the threads share the cores."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(function, items))


def tornado(base: Inputs, uncertain: tuple[UncertainInput, ...], measured,
            scenario: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scenario's risk-adjusted NPV with each input alone at its P10, and alone at its P90 (one batch of
    2 x inputs cases), and whether each input changes any simulated result of any scenario there."""
    k = len(uncertain)
    if not k:
        return np.empty(0), np.empty(0), np.empty(0, dtype=bool)
    draws = np.zeros((2 * k, k))
    active = np.zeros((2 * k, k), dtype=bool)
    for j, x in enumerate(uncertain):
        for case, probability in ((2 * j, TORNADO_PROBABILITIES[0]), (2 * j + 1, TORNADO_PROBABILITIES[1])):
            draws[case, j] = x.quantile(probability)
            active[case, j] = True
    cases = apply(base, uncertain, draws, active)
    moved = compute_core(cases, measured, with_irr=False, detail=False)
    still = compute_core(base, measured, with_irr=False, detail=False)
    changed = np.any(np.broadcast_to(late(cases, moved), (2 * k, len(still.scenario_ids))) != late(base, still),
                     axis=-1)
    for m in METRICS:
        value, own = _metric(moved, m), _metric(still, m)
        per_case = np.broadcast_to(value, (2 * k,) + np.shape(value)[-1:])
        changed |= np.any((per_case != own) & ~(np.isnan(per_case) & np.isnan(own)), axis=-1)
    npv = np.broadcast_to(moved.cash.risk_adjusted_npv_usd, (2 * k,) + np.shape(still.scenario_ids))[:, scenario]
    return npv[0::2], npv[1::2], changed[0::2] | changed[1::2]


def late(inputs: Inputs, core: Core) -> np.ndarray:
    """Whether each scenario's risk-adjusted payback exceeds payback_target_months (the target may vary by
    case); a payback that never comes is late."""
    target = np.asarray(inputs.param("payback_target_months"), dtype=float)
    return core.cash.risk_adjusted_payback_months > target[..., None]


def _metric(core: Core, key: str) -> np.ndarray:
    if key in ("annual_savings_usd", "savings_pct"):
        return getattr(core.deployment, key)
    return getattr(core.cash, key)


def scenario_outcome(scenario: str, values: dict[str, np.ndarray], payback_over_target: int,
                     trials: int) -> ScenarioOutcome:
    """Summaries and probabilities of one scenario's trials."""
    risk_npv, npv = values["risk_adjusted_npv_usd"], values["npv_usd"]
    loss = float(np.mean(risk_npv < 0))
    negative = float(np.mean(npv < 0))
    over = payback_over_target / trials
    return ScenarioOutcome(
        scenario, *(summary(values[m]) for m in METRICS),
        prob_loss=loss, prob_loss_standard_error=proportion_error(loss, trials),
        prob_npv_negative=negative, prob_npv_negative_standard_error=proportion_error(negative, trials),
        prob_payback_over_target=over, prob_payback_over_target_standard_error=proportion_error(over, trials),
    )


def summary(values: np.ndarray) -> Summary:
    n = values.size
    finite = bool(np.all(np.isfinite(values)))
    # A result the uncertain inputs do not move (a ratio of whole instances, say) differs between trials by
    # rounding alone (cancellation makes that more than the last place): below a relative 1e-12 of its size,
    # far finer than any input's precision, report it as the constant it is, not as a 1e-16 spread.
    constant = finite and n > 0 and np.ptp(values) <= CONSTANT_RTOL * np.max(np.abs(values))
    mean = float(np.median(values)) if constant else float(np.mean(values)) if finite else None
    std = 0.0 if constant or (finite and n <= 1) else float(np.std(values, ddof=1)) if finite else None
    points = quantiles(values, np.array(PERCENTILES) / 100.0)
    return Summary(mean, std, *(_defined(p) for p in points),
                   standard_error=None if std is None else std / math.sqrt(n))


def quantiles(values: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Quantiles of the values, interpolating linearly between order statistics (Excel's PERCENTILE.INC);
    an infinite value (a payback that never comes) stays infinite. Only the order statistics needed are
    put in place (a partial sort), so a few quantiles of a million values cost far less than a sort."""
    n = values.size
    position = (n - 1) * np.asarray(probabilities, dtype=float)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    fraction = position - below
    ordered = np.partition(values, np.unique(np.concatenate([below, above])))
    a, b = ordered[below], ordered[above]
    with np.errstate(invalid="ignore"):
        return np.where((fraction == 0) | (a == b), a, a + fraction * (b - a))


def proportion_error(p: float, trials: int) -> float:
    """The standard error of a probability estimated from ``trials`` trials: sqrt(p (1 - p) / trials)."""
    return math.sqrt(p * (1.0 - p) / trials)


def _defined(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None
