"""The seed's figures, reproduced at its rounded GPU-hour price of 3.81 (MODEL.md §1-9)."""

import numpy as np
import pytest

from xlcost.engine import finance
from xlcost.engine.model import compute
from xlcost.inputs import defaults
from xlcost.present import key_figures


@pytest.fixture(scope="module")
def seed():
    return compute(defaults().with_params(gpu_hour_price_override=3.81))


def by_scenario(results, array):
    return dict(zip(results.core.scenario_ids, np.asarray(array).tolist(), strict=False))


def test_gpu_hour_price_is_derived_from_offers_unless_overridden():
    assert compute(defaults()).core.gpu_hour_usd == pytest.approx(30.44 / 8, abs=5e-4)
    assert compute(defaults()).core.gpu_hour_usd == pytest.approx(3.805)


def test_corrected_cost_per_1k_requests(seed):
    per_1k = dict(zip(seed.core.models.ids, seed.core.models.usd_per_1k_requests, strict=False))
    assert per_1k["qwen3-4b"] == pytest.approx(0.01176, rel=1e-3)
    assert per_1k["glm4-9b"] == pytest.approx(0.01764, rel=1e-3)
    assert per_1k["qwen3-235b-a22b"] == pytest.approx(1.539, rel=1e-3)
    assert per_1k["deepseek-r1"] == pytest.approx(16.93, rel=1e-3)
    # What the seed printed is hourly / QPS: 3.6 times the true cost of 1K requests.
    seed_figures = dict(zip(seed.core.models.ids, seed.core.models.seed_usd_per_1k, strict=False))
    assert seed_figures["qwen3-235b-a22b"] == pytest.approx(5.54, abs=0.005)
    assert seed_figures["deepseek-r1"] == pytest.approx(60.96)


def test_workflow_savings_follow_the_seeds_own_formula(seed):
    savings = dict(zip(seed.core.workflows.ids, seed.core.workflows.savings_pct, strict=False))
    assert savings["simple"] == pytest.approx(0.744, abs=5e-4)
    assert savings["medium"] == pytest.approx(0.882, abs=5e-4)
    assert savings["complex"] == pytest.approx(0.930, abs=5e-4)


def test_enterprise_sizing_and_cost(seed):
    d = seed.core.deployment
    i = seed.core.scenario_ids.index("enterprise")
    assert d.pure_large_instances[i] == 50
    assert d.pure_gpus[i] == 1600
    assert d.pure_usd_per_hour[i] == pytest.approx(6096)
    assert d.pure_usd_per_month[i] == pytest.approx(4_389_120)
    assert d.pure_usd_per_year[i] == pytest.approx(52_669_440)
    assert (d.hetero_large_instances[i], d.hetero_small_instances[i]) == (10, 5)
    assert d.hetero_gpus[i] == 330
    assert d.hetero_usd_per_hour[i] == pytest.approx(1257.30)
    assert d.hetero_usd_per_month[i] == pytest.approx(905_256)  # the seed prints 904,320
    assert d.hetero_usd_per_year[i] / 1e6 == pytest.approx(10.86, abs=0.005)
    assert d.savings_pct[i] == pytest.approx(0.794, abs=5e-4)


def test_sme_sizing(seed):
    d = seed.core.deployment
    i = seed.core.scenario_ids.index("sme")
    assert (d.pure_gpus[i], d.hetero_gpus[i]) == (160, 66)
    assert d.savings_pct[i] == pytest.approx(1 - 66 / 160)  # 58.75 %, "58.8 %" in MODEL.md


def test_ten_qps_costs_more_with_whole_instances(seed):
    d = seed.core.deployment
    i = seed.core.scenario_ids.index("small")
    assert (d.pure_gpus[i], d.hetero_gpus[i]) == (32, 34)
    assert d.annual_savings_usd[i] < 0
    assert d.savings_pct[i] == pytest.approx(-0.0625)


def test_implementation_costs_are_not_the_seeds_285k(seed):
    assert seed.core.upfront_usd == 225_000
    assert seed.core.recurring_usd_per_year == 60_000
    assert seed.core.expected_annual_risk_usd == 100_000


@pytest.mark.parametrize("scenario, expected_musd", [("enterprise", 103.5), ("sme", 7.23)])
def test_seed_convention_npv(seed, scenario, expected_musd):
    """The seed's own convention: investment 285K at t0, CFt = savings - 70K, 3 years at 10%."""
    savings = by_scenario(seed, seed.core.deployment.annual_savings_usd)[scenario]
    flows = np.array([-285_000] + [savings - 70_000] * 3)
    assert finance.npv(0.10, flows) / 1e6 == pytest.approx(expected_musd, abs=0.01)


def test_seed_convention_npv_of_its_linear_small_savings():
    flows = np.array([-285_000] + [309_000 - 70_000] * 3)
    assert finance.npv(0.10, flows) / 1e6 == pytest.approx(0.31, abs=0.005)


def test_market_scenarios_rerun_the_model(seed):
    rows = {(m.market_id, m.scenario): m for m in seed.market}
    assert rows[("gpu-price-drop-30", "enterprise")].annual_savings_usd / 1e6 == pytest.approx(29.26, abs=0.01)
    assert rows[("inference-cost-halved", "enterprise")].annual_savings_usd / 1e6 == pytest.approx(20.90, abs=0.01)
    assert rows[("new-efficient-hardware", None)].viable is None


def test_latency_improvements(seed):
    tasks = {t.task_class: t for t in seed.latency_tasks}
    assert tasks["simple"].improvement == pytest.approx(0.737, abs=5e-4)
    assert tasks["complex"].improvement == pytest.approx(0.083, abs=5e-4)
    assert (tasks["simple"].business_value, tasks["complex"].business_value) == ("high", "moderate")


def test_sla_exposure(seed):
    rows = {s.option: s for s in seed.sla}
    assert rows["pure"].shortfall == pytest.approx(0.007)
    assert rows["pure"].total == pytest.approx(0.007 * 0.15)
    assert rows["hetero"].total == pytest.approx(0.002 * 0.15)


def test_breakeven_comes_from_whole_instance_steps(seed):
    # Below 20 QPS one large instance serves the pure option and the hybrid needs one of each.
    assert seed.breakeven.min_qps == pytest.approx(20.1)
    first = seed.steps[0]
    assert (first.pure_large, first.hetero_large, first.hetero_small) == (1, 1, 1)
    assert first.savings_from < 0


def test_key_figures_carry_every_documented_id(seed):
    ids = {k.id for k in key_figures(seed)}
    required = {"usd_per_gpu_hour", "risk.expected_annual_usd", "breakeven.min_qps"}
    required |= {f"model.{m}.usd_per_1k_requests" for m in ("qwen3-4b", "glm4-9b", "qwen3-235b-a22b", "deepseek-r1")}
    required |= {f"workflow.{w}.savings_pct" for w in ("simple", "medium", "complex")}
    for s in ("enterprise", "sme", "small"):
        required |= {f"deployment.{s}.{o}.{f}" for o in ("pure", "hetero") for f in ("gpus", "usd_per_year")}
        required |= {f"deployment.{s}.savings_pct"}
        required |= {f"finance.{s}.{f}" for f in ("npv", "risk_adjusted_npv", "irr", "roi", "payback_months")}
    assert required <= ids
    figures = {k.id: k.value for k in key_figures(seed)}
    assert figures["finance.small.irr"] is None  # never positive: no sign change
    assert figures["finance.small.payback_months"] is None  # never
