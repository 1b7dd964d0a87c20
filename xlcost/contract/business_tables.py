"""Input tables of the business case: latency impact, SLA, implementation cost, risks, market scenarios and
the recommendation policy."""

from __future__ import annotations

from .columns import NONNEG, POSITIVE, InputTable, _c

INDUSTRIES = InputTable(
    key="industries", name="Industries", sheet="Latency", title="Latency business impact",
    description="Business loss per 100 ms of added latency, by industry; optional annual value at stake (USD).",
    columns=(
        _c("id", "Industry id", "id", width=18),
        _c("name", "Industry", "text", width=20),
        _c("impact_per_100ms", "Impact per 100 ms", "fraction", "fraction_per_100ms", width=12),
        _c("impact_metric", "What is lost", "text", required=False, width=24),
        _c("annual_value_usd", "Annual value at stake (USD)", "number", "usd", required=False, **NONNEG,
           width=14),
    ),
    rows=(
        ("e-commerce", "E-commerce", 0.01, "conversion", None),
        ("financial-trading", "Financial trading", 0.15, "transaction value", None),
        ("customer-service", "Customer service", 0.025, "satisfaction", None),
        ("content-generation", "Content generation", 0.005, "user engagement", None),
    ),
)

SLA_TIERS = InputTable(
    key="sla_tiers", name="SLATiers", sheet="SLA", title="SLA tiers",
    description="Penalty and reputation rates per contracted availability target.",
    columns=(
        _c("target_availability", "Target availability", "fraction", width=12),
        _c("penalty_rate", "Penalty rate", "number", "ratio", **NONNEG, width=10),
        _c("reputation_impact", "Reputation impact", "number", "ratio", **NONNEG, width=10),
    ),
    rows=((0.999, 0.10, 0.05), (0.995, 0.05, 0.02), (0.99, 0.02, 0.01)),
)

SLA_OPTIONS = InputTable(
    key="sla_options", name="SLAOptions", sheet="SLA", title="Availability per option",
    description="Availability and p99 latency each architecture delivers. Option ids must be 'pure' and 'hetero'.",
    columns=(
        _c("id", "Option", "choice", choices=("pure", "hetero"), width=10),
        _c("name", "Name", "text", width=22),
        _c("availability", "Availability", "fraction", width=12),
        _c("p99_latency_ms", "p99 latency (ms)", "number", "ms", **POSITIVE, width=10),
    ),
    rows=(("pure", "Pure large model", 0.992, 180), ("hetero", "Heterogeneous", 0.997, 140)),
    min_rows=2,
)

COST_LINES = InputTable(
    key="cost_lines", name="CostLines", sheet="Costs", title="Implementation and operating cost",
    description="One-time lines are the upfront investment; monthly and annual lines recur every year.",
    columns=(
        _c("id", "Line id", "id", width=16),
        _c("name", "Cost line", "text", width=36),
        _c("amount_usd", "Amount (USD)", "number", "usd", **NONNEG, width=12),
        _c("recurrence", "Recurrence", "choice", choices=("one-time", "monthly", "annual"), width=11),
        _c("note", "Note", "text", required=False, width=40),
    ),
    rows=(
        ("engineering", "Engineering: 2 engineers x $15,000/month x 3 months", 90000, "one-time", None),
        ("infrastructure", "Infrastructure setup", 25000, "one-time", None),
        ("monitoring", "Monitoring tools", 5000, "monthly", None),
        ("training", "Team training", 10000, "one-time",
         "The seed charges this every year in its 'annual overhead'; it is one-time."),
        ("fallback", "Fallback system", 50000, "one-time", None),
        ("testing", "Extended testing", 30000, "one-time", None),
        ("contingency", "Contingency", 20000, "one-time", None),
    ),
)

RISKS = InputTable(
    key="risks", name="Risks", sheet="Risks", title="Risk register",
    description=(
        "Expected cost = probability x impact. Annual risks reduce every year's cash flow; one-time risks "
        "add to the investment. The seed treats all three of its risks as annual."
    ),
    columns=(
        _c("id", "Risk id", "id", width=22),
        _c("name", "Risk", "text", width=28),
        _c("probability", "Probability", "fraction", width=10),
        _c("impact_usd", "Impact (USD)", "number", "usd", **NONNEG, width=12),
        _c("recurrence", "Recurrence", "choice", choices=("one-time", "annual"), width=10),
        _c("mitigation", "Mitigation", "text", required=False, width=32),
        _c("owner", "Owner", "text", required=False, width=12),
    ),
    rows=(
        ("integration-complexity", "Integration complexity", 0.30, 100000, "annual", "Phased rollout", None),
        ("performance-degradation", "Performance degradation (revenue loss)", 0.15, 200000, "annual",
         "Fallback to the large model", None),
        ("operational-overhead", "Operational overhead", 0.80, 50000, "annual", "Monitoring, runbooks", None),
    ),
)

MARKET_TARGETS: dict[str, str] = {
    "gpu_price": "USD per GPU-hour of every offer and term (both self-hosted options)",
    "inference_cost": "every serving cost: GPU-hour prices and API token prices",
    "api_price": "API prices per token of every model",
    "load": "peak QPS of every scenario",
    "planning_share": "planning share of every scenario",
    "escalation_rate": "escalation rate of every scenario",
    "large_model_qps": "QPS and sizing QPS of every planner model",
    "small_model_qps": "QPS and sizing QPS of every executor model",
    "implementation_cost": "every one-time cost line",
    "operating_cost": "every monthly and annual cost line",
    "risk_cost": "every risk's impact",
    "discount_rate": "the discount rate",
    "none": "nothing (a qualitative scenario carried as text)",
}

MARKET_SCENARIOS = InputTable(
    key="market_scenarios", name="MarketScenarios", sheet="Market", title="Market scenarios",
    description=(
        "Each row re-runs the whole model with one input changed: multiplied by 'Multiplier' or replaced by "
        "'New value'. Target 'none' carries a qualitative scenario as text."
    ),
    columns=(
        _c("id", "Scenario id", "id", width=22),
        _c("name", "Market scenario", "text", width=30),
        _c("target", "Input to change", "choice", choices=tuple(MARKET_TARGETS), width=18),
        _c("multiplier", "Multiplier", "number", "ratio", required=False, **NONNEG, width=10),
        _c("new_value", "New value", "number", required=False, **NONNEG, width=10),
        _c("timeline", "Timeline", "text", required=False, width=12),
        _c("commentary", "Commentary", "text", required=False, width=40),
    ),
    rows=(
        ("gpu-price-drop-30", "GPU price drops 30%", "gpu_price", 0.7, None, None, None),
        ("inference-cost-halved", "AI inference costs halved", "inference_cost", 0.5, None, None, None),
        ("new-efficient-hardware", "New efficient hardware", "none", None, None, "2-3 years",
         "Reduces the advantage but does not eliminate it: proceed with monitoring."),
    ),
    min_rows=0,
)

LOAD_TIERS = InputTable(
    key="load_tiers", name="LoadTiers", sheet="Policy", title="Recommendation load tiers",
    description="Load bands of the recommendation matrix. Blank 'Max QPS' means the sweep's maximum.",
    columns=(
        _c("id", "Tier id", "id", width=12),
        _c("name", "Tier", "text", width=14),
        _c("min_qps", "Min QPS", "number", "qps", **NONNEG, width=9),
        _c("max_qps", "Max QPS", "number", "qps", required=False, **POSITIVE, width=9),
        _c("seed_claim", "Seed's claimed savings", "text", required=False, width=14),
    ),
    rows=(
        ("over-500", "> 500 QPS", 500, None, "70-80%"),
        ("100-500", "100-500 QPS", 100, 500, "60-70%"),
        ("50-100", "50-100 QPS", 50, 100, "50-60%"),
        ("under-50", "< 50 QPS", 1, 50, "30-50%"),
    ),
)

POLICY_RULES = InputTable(
    key="policy_rules", name="PolicyRules", sheet="Policy", title="Recommendation policy",
    description=(
        "Read top to bottom; the first rule whose conditions a tier meets gives its recommendation. A tier "
        "meets a rule when its worst-case savings are at least 'Min savings' and its worst-case risk-adjusted "
        "payback is at most 'Max payback'. Leave a condition blank to ignore it."
    ),
    columns=(
        _c("recommendation", "Recommendation", "text", width=20),
        _c("stars", "Stars", "integer", "count", min=0, max=5, width=7),
        _c("min_savings", "Min savings", "fraction", required=False, width=10),
        _c("max_payback_months", "Max payback (months)", "number", "months", required=False, **NONNEG,
           width=11),
    ),
    rows=(
        ("Implement now", 5, 0.70, 3),
        ("Phased rollout", 4, 0.50, 6),
        ("Small pilot", 3, 0.20, 12),
        ("Wait and watch", 2, None, None),
    ),
)
