"""Call sizes, the hosted-API options, load over the day, autoscaling, committed prices and workflow latency,
each checked against figures computed by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcost import contract
from xlcost.engine.core import compute_core, hourly_fleet
from xlcost.engine.model import compute
from xlcost.inputs import defaults, table_from_rows

SECONDS_PER_YEAR = 3600 * 24 * 360  # a year is 12 months of 720 hours
ENTERPRISE = 0


def scenarios(inputs, **columns):
    """The inputs with the given Scenarios columns set on every row (values, or one per row)."""
    s = inputs.table("scenarios")
    changed = {k: (tuple(v) if isinstance(v, (tuple, list)) and isinstance(v[0], str) else
                   (v if isinstance(v, (tuple, list)) else (v,) * len(s)) if isinstance(v, str) else
                   np.broadcast_to(np.asarray(v, dtype=float), (len(s),)).copy())
               for k, v in columns.items()}
    return inputs.with_table(s.with_columns(**changed))


def business_day(inputs, headroom=0.2):
    return scenarios(inputs, load_profile="business-day", provisioning="autoscaled", autoscale_headroom=headroom)


def test_api_cost_of_the_enterprise_scenario_by_hand():
    core = compute_core(defaults())
    requests = 1000 * SECONDS_PER_YEAR
    plan, act = 0.2 * requests, 0.8 * requests
    large_plan = (6000 * 0.13 + 800 * 0.60) / 1e6  # Qwen3-235B-A22B, a plan call
    large_act = (8600 * 0.13 + 180 * 0.60) / 1e6
    small_act = (8600 * 0.01 + 180 * 0.03) / 1e6  # Qwen3-4B, an act step
    assert core.load.requests_per_year[ENTERPRISE] == pytest.approx(requests)
    assert core.api.pure_usd_per_year[ENTERPRISE] == pytest.approx(plan * large_plan + act * large_act)
    assert core.api.hetero_usd_per_year[ENTERPRISE] == pytest.approx(plan * large_plan + act * small_act)
    assert core.api.pure_usd_per_year[ENTERPRISE] == pytest.approx(38_345_011.2)
    # With escalation, failed act steps are bought again from the large model's API.
    escalated = compute_core(scenarios(defaults(), escalation_rate=0.1))
    assert escalated.api.hetero_usd_per_year[ENTERPRISE] == pytest.approx(
        plan * large_plan + act * (small_act + 0.1 * large_act))
    savings = core.deployment.pure_usd_per_year[ENTERPRISE] - core.api.pure_usd_per_year[ENTERPRISE]
    assert core.api.pure_savings_usd[ENTERPRISE] == pytest.approx(savings)


def test_a_model_without_api_prices_has_no_api_option():
    inputs = defaults()
    m = inputs.table("models")
    small = m.index("qwen3-4b")
    no_price = m["api_usd_per_1m_input"].copy()
    no_price[small] = np.nan
    inputs = inputs.with_table(m.with_columns(api_usd_per_1m_input=no_price,
                                              api_usd_per_1m_output=np.where(np.isnan(no_price), np.nan,
                                                                             m["api_usd_per_1m_output"])))
    core = compute_core(inputs)
    assert np.isfinite(core.api.pure_usd_per_year).all()  # option C needs only the large model's API
    assert np.isnan(core.api.hetero_usd_per_year).all()


def test_cost_per_million_tokens_by_hand():
    core = compute_core(defaults())
    m = core.models
    small = m.ids.index("qwen3-4b")
    per_request = 2 * 3.805 / (180 * 3600)  # 2 GPUs at $3.805 an hour, 180 requests a second
    assert m.usd_per_1m_tokens[small, 1] == pytest.approx(per_request / (8600 + 180) * 1e6)
    assert m.api_usd_per_1m_tokens[small, 0] == pytest.approx((6000 * 0.01 + 800 * 0.03) / 6800)


def test_autoscaled_fleet_over_the_business_day_hour_by_hour():
    inputs = business_day(defaults(), headroom=0.2)
    core = compute_core(inputs)
    fleet = hourly_fleet(inputs, core)
    shares = np.array(contract.BUSINESS_DAY_SHARES)
    load = 1000 * shares * 1.2  # the hour's load plus 20% headroom
    pure = np.maximum(1, np.ceil(load / 20 - 1e-9)) * 32
    hetero = np.ceil(0.2 * load / 20 - 1e-9) * 32 + np.ceil(0.8 * load / 160 - 1e-9) * 2
    assert fleet.pure_gpus[ENTERPRISE].tolist() == pure.tolist()
    assert fleet.hetero_gpus[ENTERPRISE].tolist() == hetero.tolist()
    assert fleet.pure_gpus[ENTERPRISE, 0] == 9 * 32 and fleet.pure_gpus[ENTERPRISE, 10] == 60 * 32
    assert core.deployment.pure_gpu_hours_per_year[ENTERPRISE] == pytest.approx(pure.sum() * 360)
    assert core.deployment.hetero_gpu_hours_per_year[ENTERPRISE] == pytest.approx(hetero.sum() * 360)
    assert core.deployment.pure_usd_per_year[ENTERPRISE] == pytest.approx(pure.sum() * 360 * 3.805)
    assert core.load.peak_to_average[ENTERPRISE] == pytest.approx(1 / shares.mean())
    assert core.load.requests_per_year[ENTERPRISE] == pytest.approx(1000 * shares.sum() * 3600 * 360)


def with_committed_offer(inputs, usd_per_instance_hour=20.0, term="1-year"):
    g = inputs.table("gpu_offers")
    rows = [tuple(g[c.key][i] if c.kind not in ("number", "integer", "fraction") else float(g[c.key][i])
                  for c in contract.GPU_OFFERS.columns) for i in range(len(g))]
    rows.append(("committed", "Cloud", "x8", "A100 80GB", 8, usd_per_instance_hour, True, term, None, None, None))
    return inputs.with_table(table_from_rows(contract.GPU_OFFERS, rows)).with_params(committed_term=term)


def test_committed_term_bills_a_static_fleet_at_its_price():
    core = compute_core(with_committed_offer(defaults(), 20.0))
    committed = 20.0 / 8
    assert core.committed_gpu_hour_usd == pytest.approx(committed)
    assert core.gpu_hour_usd == pytest.approx(3.805)  # the on-demand average: the committed offer is not in it
    assert core.deployment.hetero_usd_per_year[ENTERPRISE] == pytest.approx(330 * committed * 720 * 12)


def test_committed_term_bills_only_the_always_on_part_of_an_autoscaled_fleet():
    inputs = business_day(with_committed_offer(defaults(), 20.0), headroom=0.0)
    core = compute_core(inputs)
    fleet = hourly_fleet(inputs, core)
    pure = fleet.pure_gpus[ENTERPRISE]
    always = pure.min()  # 150 QPS at 15% of the peak: 8 instances of 20 QPS
    assert always == 8 * 32
    expected = always * 2.5 * 8640 + (pure - always).sum() * 360 * 3.805
    assert core.deployment.pure_usd_per_year[ENTERPRISE] == pytest.approx(expected)
    assert core.deployment.pure_always_on_gpus[ENTERPRISE] == always


def test_workflow_latency_with_escalation_by_hand():
    w = defaults().table("workflows")
    inputs = defaults().with_table(w.with_columns(escalation_rate=np.full(len(w), 0.1)))
    core = compute_core(inputs)
    simple = core.workflows.ids.index("simple")
    assert core.workflows.pure_ms[simple] == pytest.approx(4 * 95)
    assert core.workflows.hetero_ms[simple] == pytest.approx(95 + 3 * (25 + 15 + 0.1 * 95))
    r = compute(inputs)
    figures = {x.workflow: x for x in r.workflow_latency}
    assert figures["simple"].saved_ms == pytest.approx(380 - 243.5)


def test_the_seed_inputs_keep_the_seed_figures():
    """Flat load, static fleets, on-demand prices and typed capacity leave sections 1-11 as they were."""
    core = compute_core(defaults().with_params(gpu_hour_price_override=3.81))
    assert core.deployment.hetero_usd_per_month[ENTERPRISE] == 905_256
    assert core.deployment.pure_usd_per_year[ENTERPRISE] == 52_669_440
    assert core.load.peak_to_average.tolist() == [1.0, 1.0, 1.0]


def test_market_gpu_price_moves_the_api_comparison():
    r = compute(defaults())
    rows = {(m.market_id, m.scenario): m for m in r.market}
    cheaper_gpus = rows[("gpu-price-drop-30", "enterprise")]
    assert cheaper_gpus.hetero_usd_per_year == pytest.approx(0.7 * r.core.deployment.hetero_usd_per_year[0])
    assert cheaper_gpus.api_hetero_usd_per_year == pytest.approx(r.core.api.hetero_usd_per_year[0])
    assert cheaper_gpus.cheapest_option == "hetero"  # 30% off the GPUs makes self-hosting B the cheapest
    halved = rows[("inference-cost-halved", "enterprise")]
    assert halved.api_hetero_usd_per_year == pytest.approx(0.5 * r.core.api.hetero_usd_per_year[0])


def test_each_tier_is_judged_on_its_own_scenarios_mix_and_bounds_do_not_overlap():
    r = compute(defaults())
    tiers = {t.tier_id: t for t in r.tiers}
    assert tiers["100-500"].mix_scenarios == ("sme",) and tiers["100-500"].own_mix
    assert tiers["over-500"].mix_scenarios == ("enterprise",)
    assert tiers["50-100"].mix_scenarios == ("enterprise",) and not tiers["50-100"].own_mix
    assert tiers["under-50"].mix_scenarios == ("small",)
    # SME (100 QPS) belongs to 100-500 only: the 50-100 tier stops below 100.
    assert tiers["50-100"].max_qps == 100


# --- properties -------------------------------------------------------------------------------------

headrooms = st.floats(min_value=0, max_value=1, allow_nan=False)
peaks = st.floats(min_value=0, max_value=3000, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(peaks, headrooms)
def test_autoscaled_gpu_hours_never_exceed_a_static_fleet_with_the_same_headroom(peak, headroom):
    base = scenarios(defaults(), peak_qps=peak)
    auto = compute_core(business_day(base, headroom=headroom)).deployment
    static = compute_core(scenarios(defaults(), peak_qps=peak * (1 + headroom))).deployment
    assert np.all(auto.pure_gpu_hours_per_year <= static.pure_gpu_hours_per_year + 1e-6)
    assert np.all(auto.hetero_gpu_hours_per_year <= static.hetero_gpu_hours_per_year + 1e-6)


@settings(max_examples=25, deadline=None)
@given(peaks)
def test_a_flat_profile_with_no_headroom_autoscales_to_the_static_fleet(peak):
    static = compute_core(scenarios(defaults(), peak_qps=peak))
    auto = compute_core(scenarios(defaults(), peak_qps=peak, provisioning="autoscaled", autoscale_headroom=0.0))
    for field in ("pure_gpus", "hetero_gpus", "pure_usd_per_year", "hetero_usd_per_year", "pure_gpu_hours_per_year",
                  "hetero_gpu_hours_per_year", "annual_savings_usd"):
        assert getattr(auto.deployment, field).tolist() == pytest.approx(getattr(static.deployment, field).tolist())


factors = st.floats(min_value=0.1, max_value=10, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(factors, factors)
def test_costs_are_monotone_in_token_counts_and_prices(a, b):
    lo, hi = sorted((a, b))

    def api_costs(tokens: float, price: float):
        inputs = defaults()
        ct, m = inputs.table("call_types"), inputs.table("models")
        inputs = inputs.with_table(ct.with_columns(input_tokens=ct["input_tokens"] * tokens,
                                                   output_tokens=ct["output_tokens"] * tokens))
        inputs = inputs.with_table(m.with_columns(api_usd_per_1m_input=m["api_usd_per_1m_input"] * price,
                                                  api_usd_per_1m_output=m["api_usd_per_1m_output"] * price))
        core = compute_core(inputs)
        return core.api.pure_usd_per_year, core.api.hetero_usd_per_year, core.workflows.api_hetero_usd

    for cheaper, dearer in ((api_costs(lo, 1), api_costs(hi, 1)), (api_costs(1, lo), api_costs(1, hi))):
        for x, y in zip(cheaper, dearer, strict=True):
            assert np.all(x <= y * (1 + 1e-12))
