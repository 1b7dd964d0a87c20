"""The Monte Carlo simulation, the tornado and the plausibility checks, as a user meets them.

The vectorised trials are checked against a plain Python loop over the same draws; collapsed ranges must
give the deterministic results exactly; the same seed must give the same bytes.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_uncertainty_rules import build

from xlcost import api, cli, contract, progress
from xlcost.engine.capacity import measure
from xlcost.engine.core import compute_core
from xlcost.engine.model import compute, finite_or_none
from xlcost.engine.simulation import METRICS, run_trials, simulate, trial_inputs
from xlcost.engine.uncertainty import correlation_matrix, resolve
from xlcost.inputs import defaults
from xlcost.present import key_figures, result_tables
from xlcost.present_simulation import TABLES
from xlcost.workbook.package import Package
from xlcost.workbook.read import read_inputs

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"


def xlcost(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlcost", *map(str, args)], capture_output=True, cwd=ROOT,
                          timeout=120)


def deterministic(core, metric: str) -> np.ndarray:
    source = core.deployment if metric in ("annual_savings_usd", "savings_pct") else core.cash
    return getattr(source, metric)


# ---------------------------------------------------------------------------------------------
# The vectorised trials are the model, trial by trial
# ---------------------------------------------------------------------------------------------


def one_trial(inputs, uncertain, draw):
    """The inputs of one trial, set cell by cell: a value replaces, a multiplier multiplies."""
    for x, d in zip(uncertain, draw, strict=True):
        t = x.target
        if not t.table:
            base = inputs.param(t.column)
            inputs = inputs.with_params(**{t.column: float(d) if x.kind == "value" else base * float(d)})
            continue
        table = inputs.table(t.table)
        column = np.array(table[t.column], dtype=float)
        for r in t.rows:
            column[r] = d if x.kind == "value" else column[r] * d
        inputs = inputs.with_table(table.with_columns(**{t.column: column}))
    return inputs


def with_rows(inputs, *rows):
    """The inputs with rows (id, table, row id, column, kind, distribution, low, most likely, high) added to
    the Uncertainty table."""
    u = inputs.table("uncertainty")
    columns = {}
    for i, column in enumerate(contract.UNCERTAINTY.columns):
        added = [row[i] if i < len(row) else None for row in rows]
        if column.kind == "number":
            columns[column.key] = np.concatenate([u[column.key], [np.nan if x is None else x for x in added]])
        else:
            columns[column.key] = tuple(u[column.key]) + tuple(added)
    return inputs.with_table(u.with_columns(**columns))


# Rows beyond the shipped ones, through every path a draw can take: a blank parameter replaced, a varying
# payback target, a load profile's hours under an autoscaled fleet, the month's hours, a risk's probability.
UNUSUAL = (("override", "Parameters", "gpu_hour_price_override", "Value", "value", "pert", 3.0, 3.8, 4.5),
           ("target", "Parameters", "payback_target_months", "Value", "value", "uniform", 0.05, None, 1.0),
           ("day", "LoadProfiles", "business-day", "Share of peak", "multiplier", "uniform", 0.8, None, 1.0),
           ("hours", "Parameters", "hours_per_month", "Value", "value", "uniform", 700, None, 744),
           ("risk", "Risks", "*", "Probability", "value", "triangular", 0.1, 0.3, 0.9))


def unusual_inputs():
    inputs = with_rows(defaults(), *UNUSUAL)
    s = inputs.table("scenarios")
    return inputs.with_table(s.with_columns(load_profile=("business-day", "flat", "business-day"),
                                            provisioning=("autoscaled", "static", "static")))


def test_the_vectorised_trials_equal_a_plain_loop_over_the_same_draws():
    inputs = unusual_inputs().with_params(mc_trials=300, mc_seed=42)
    uncertain = resolve(inputs)
    base, moving = trial_inputs(inputs, uncertain)
    measured = measure(inputs)
    trials = run_trials(base, moving, measured, correlation_matrix(inputs, uncertain), 300, 42)
    looped = {m: [] for m in METRICS}
    late = np.zeros(3, dtype=int)
    for t in range(300):
        trial = one_trial(inputs, uncertain, trials.draws[t])
        core = compute_core(trial)  # every offer, one trial, no batch axis
        for m in METRICS:
            looped[m].append(deterministic(core, m))
        late += core.cash.risk_adjusted_payback_months > trial.param("payback_target_months")
    for m in METRICS:
        np.testing.assert_allclose(trials.results[m], np.array(looped[m]), rtol=1e-12, err_msg=m)
    assert trials.payback_over_target.tolist() == late.tolist() and 0 < late[0] < 300
    # and the summaries are the usual statistics of those trials
    s = simulate(inputs, compute_core(inputs))
    for i, outcome in enumerate(s.scenarios):
        for m in ("annual_savings_usd", "npv_usd", "risk_adjusted_npv_usd", "savings_pct"):
            values = np.array(looped[m])[:, i]
            summary = outcome.metric(m)
            assert summary.mean == pytest.approx(values.mean(), rel=1e-12)
            assert summary.std == pytest.approx(values.std(ddof=1), rel=1e-9)
            got = [summary.p5, summary.p10, summary.p50, summary.p90, summary.p95]
            np.testing.assert_allclose(got, np.percentile(values, [5, 10, 50, 90, 95]), rtol=1e-12)
        assert outcome.prob_loss == np.mean(np.array(looped["risk_adjusted_npv_usd"])[:, i] < 0)
        assert outcome.prob_npv_negative == np.mean(np.array(looped["npv_usd"])[:, i] < 0)


def test_the_tornado_moves_each_input_alone():
    inputs = unusual_inputs().with_params(mc_trials=200)
    base = compute_core(inputs)
    s = simulate(inputs, base)
    primary = base.scenario_ids.index(inputs.param("primary_scenario"))
    uncertain = {x.id: x for x in resolve(inputs)}
    swings = [b.swing for b in s.tornado]
    assert swings == sorted(swings, reverse=True)
    for bar in s.tornado:
        x = uncertain[bar.input]
        for value, output in ((bar.input_at_p10, bar.output_at_p10), (bar.input_at_p90, bar.output_at_p90)):
            alone = compute_core(one_trial(inputs, (x,), [value]))
            assert output == pytest.approx(float(alone.cash.risk_adjusted_npv_usd[primary]), rel=1e-12)
        assert bar.input_at_p10 == pytest.approx(x.distribution.ppf(0.1))
        assert bar.moves_results


def test_collapsed_ranges_give_the_deterministic_results_exactly():
    """Every range shrunk to its cell's own value: every percentile is the deterministic figure, bit for bit."""
    inputs = defaults()
    u = inputs.table("uncertainty")
    at = [float(v) if k == "value" else 1.0 for v, k in zip(
        [160.0, 160.0, 20.0, 0.0, 1.0, 1.0, 0.10], u["kind"], strict=True)]
    assert [x.id for x in resolve(inputs)] == ["gpu-price", "executor-capacity", "planner-capacity", "escalation",
                                               "peak-load", "cost-overrun", "discount-rate"]
    collapsed = inputs.with_table(u.with_columns(low=np.array(at), most_likely=np.array(at), high=np.array(at)))
    r = compute(collapsed.with_params(mc_trials=2_000))
    assert r.simulation.trials == 2_000
    for i, outcome in enumerate(r.simulation.scenarios):
        for m in METRICS:
            exact = finite_or_none(deterministic(r.core, m)[i])
            summary = outcome.metric(m)
            assert [summary.p5, summary.p10, summary.p50, summary.p90, summary.p95] == [exact] * 5, m
            if exact is not None:
                assert (summary.mean, summary.std, summary.standard_error) == (exact, 0.0, 0.0), m
        assert outcome.prob_loss == float(r.core.cash.risk_adjusted_npv_usd[i] < 0)
    assert all(b.swing == 0 for b in r.simulation.tornado)
    assert set(r.simulation.curve_risk_adjusted_npv_usd) == {r.core.cash.risk_adjusted_npv_usd[0]}


def test_the_declared_rank_correlation_is_achieved():
    s = compute(defaults()).simulation  # 10,000 trials, as shipped
    assert s.trials == 10_000
    (check,) = s.correlations
    assert (check.input_a, check.input_b, check.target) == ("executor-capacity", "planner-capacity", 0.5)
    assert check.achieved == pytest.approx(0.5, abs=0.03)


def test_an_empty_uncertainty_table_gives_the_deterministic_results():
    inputs = defaults()
    empty = inputs.with_table(inputs.table("uncertainty").with_columns(
        **{c.key: (np.array([]) if c.kind in ("number",) else ()) for c in contract.UNCERTAINTY.columns}))
    empty = empty.with_table(inputs.table("correlations").with_columns(
        **{c.key: (np.array([]) if c.kind in ("number",) else ()) for c in contract.CORRELATIONS.columns}))
    r = compute(empty.with_params(mc_trials=100))
    assert r.simulation.tornado == () and r.simulation.primary.risk_adjusted_npv_usd.p50 == pytest.approx(
        float(r.core.cash.risk_adjusted_npv_usd[0]))


# ---------------------------------------------------------------------------------------------
# Reproducible, switchable, and nothing else changes
# ---------------------------------------------------------------------------------------------


def test_the_same_seed_gives_byte_identical_json():
    first = xlcost("export", SHIPPED, "--trials", 3000, "--seed", 11)
    second = xlcost("export", SHIPPED, "--trials", 3000, "--seed", 11)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    a = {k["id"]: k["value"] for k in json.loads(first.stdout)["key_figures"]}
    b = {k.id: k.value for k in key_figures(api.check(SHIPPED, trials=3000, seed=12).results)}
    assert a["mc.seed"] == 11 and b["mc.seed"] == 12 and a["mc.trials"] == 3000
    assert a["mc.enterprise.risk_adjusted_npv.p50"] != b["mc.enterprise.risk_adjusted_npv.p50"]
    assert {k: v for k, v in a.items() if not k.startswith("mc.")} == {
        k: v for k, v in b.items() if not k.startswith("mc.")}


def test_no_trials_no_simulation_and_nothing_else_changes():
    on = api.check(SHIPPED)
    off = api.check(SHIPPED, trials=0)
    assert on.results.simulation is not None and off.results.simulation is None
    on_figures = {k.id: k.value for k in key_figures(on.results)}
    off_figures = {k.id: k.value for k in key_figures(off.results)}
    assert not any(k.startswith("mc.") for k in off_figures)
    assert {k: v for k, v in on_figures.items() if not k.startswith("mc.")} == off_figures
    on_tables, off_tables = result_tables(on.results, on.problems), result_tables(off.results, off.problems)
    for key in set(on_tables) - set(TABLES) - {"key_figures"}:
        assert on_tables[key] == off_tables[key], key
    assert all(off_tables[key] == [] for key in TABLES if key != "mc_run")
    assert "off" in off_tables["mc_run"][0]["statement"]


def test_trials_and_seed_on_the_command_line_leave_the_workbook_alone(tmp_path):
    book = tmp_path / "model.xlsx"
    shutil.copy(SHIPPED, book)
    result = xlcost("recalc", book, "--trials", 400, "--seed", 9)
    assert result.returncode == 0, result.stderr
    saved, _ = read_inputs(Package.open(book))  # the overrides were this run's, not the file's
    assert (saved.param("mc_trials"), saved.param("mc_seed")) == (10_000, 20251201)
    cells = Package.open(book).cells("Simulation")
    values = {cell.value for cell in cells.values()}
    assert 400 in values and 9 in values  # the run line: trials and seed
    bad = xlcost("export", book, "--trials", "lots")
    assert bad.returncode == 2 and b"--trials" in bad.stderr and b"Traceback" not in bad.stderr
    too_many = xlcost("check", book, "--trials", 2_000_000)
    assert too_many.returncode == 2 and b"1,000,000" in too_many.stderr


def test_progress_counts_trials_only_for_runs_longer_than_a_second(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setenv(progress.ENV_VAR, "1")
    monkeypatch.setattr(sys, "stderr", stream)
    clock = iter([0.0, 0.2, 0.4])  # a quick run: no counter
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    args = cli._parser().parse_args(["export", str(SHIPPED)])
    with cli._simulation(args) as simulation:
        simulation["on_progress"](20_000, 100_000)
        simulation["on_progress"](100_000, 100_000)
    assert stream.getvalue() == ""
    ticks = iter(float(t) for t in range(100))  # each call a second later
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(ticks))
    with cli._simulation(args) as simulation:
        simulation["on_progress"](20_000, 100_000)
        simulation["on_progress"](100_000, 100_000)
    shown = stream.getvalue()
    assert "Monte Carlo trials 20,000/100,000 (20%)" in shown and "100,000/100,000 (100%)" in shown
    assert shown.endswith("\n")


# ---------------------------------------------------------------------------------------------
# The Simulation sheet and the plausibility checks
# ---------------------------------------------------------------------------------------------


def test_the_simulation_tables_of_the_shipped_workbook():
    outcome = api.check(SHIPPED)
    tables = result_tables(outcome.results, outcome.problems)
    histogram = tables["mc_histogram"]
    assert sum(row["trials"] for row in histogram) == 10_000
    assert sum(row["share"] for row in histogram) == pytest.approx(1.0)
    curve = [row["risk_adjusted_npv_usd"] for row in tables["mc_cumulative"]]
    assert curve == sorted(curve) and len(curve) == 101
    summary = {(row["scenario"], row["metric"]): row for row in tables["mc_summary"]}
    npv = summary[("Enterprise agent platform", "Risk-adjusted NPV")]
    assert npv["p10"] < npv["p50"] < npv["p90"] and npv["unit"] == "usd"
    assert {row["input"] for row in tables["tornado"]} == {x.id for x in resolve(outcome.inputs)}
    (run,) = tables["mc_run"]
    assert run["trials"] == 10_000 and run["seed"] == 20251201 and "10,000 trials, seed 20251201" in run["statement"]
    risk = {row["scenario"]: row for row in tables["mc_risk"]}
    assert risk["Small deployment"]["prob_loss"] == 1.0 and risk["Enterprise agent platform"]["prob_loss"] == 0.0


def _param_cell(name: str) -> str:
    cells = Package.open(SHIPPED).cells(contract.PARAMETERS_SHEET)
    return next(f"C{row}" for (row, col), cell in cells.items() if col == 2 and cell.value == name)


def test_plausibility_checks_of_the_shipped_workbook_name_their_cells():
    warnings = [str(p) for p in api.check(SHIPPED).problems if p.severity == "warning"]

    def has(where: str, phrase: str) -> bool:
        return any(w.startswith(where + ":") and phrase in w for w in warnings)

    assert has("Costs!C5", "Scenario enterprise: IRR 18,530%, payback 0.1 months")
    assert has("Costs!C5", "does it include migration, parallel running, and the team?")
    assert has("Scenarios!G5", "assumes the small model never fails; measure it in a pilot")
    assert has("Workflows!G5", "assumes the small model never fails")
    assert has(f"Parameters!{_param_cell('sla_target')}", "Both options fall short of the SLA target")
    assert not any("benchmark" in w.lower() for w in warnings)


def test_typed_capacity_is_questioned_when_benchmarks_of_the_model_exist(tmp_path):
    run = {"A5": "run-1", "B5": "qwen3-4b", "C5": "vllm", "E5": 2, "F5": 8600, "G5": 180, "K5": 150}
    path = tmp_path / "book.xlsx"
    path.write_bytes(build(cells={("Benchmarks", ref): value for ref, value in run.items()}))
    outcome = api.check(path)
    assert outcome.ok, [str(p) for p in outcome.errors]
    assert any(str(p).startswith("Models!K5:") and "Benchmarks table holds 1 run of it" in p.message
               for p in outcome.problems)


def test_a_result_that_differs_only_by_rounding_has_no_spread():
    from xlcost.engine.simulation import summary

    share = summary(np.array([-0.0625, -0.0625 + 2.2e-16, -0.0625 - 2.2e-16] * 100))  # 1 - 15/16, rounded
    assert (share.mean, share.std, share.standard_error) == (-0.0625, 0.0, 0.0)
    spread = summary(np.array([-0.0625, -0.0626] * 100))
    assert spread.std > 0 and spread.mean == pytest.approx(-0.06255)
