"""Each result's formula in words, and the model's conventions. One text for the workbook's
Methodology sheet and the report's appendix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    section: str
    result: str
    formula: str
    note: str = ""


CONVENTIONS: tuple[str, ...] = (
    "Money is USD. A month is hours_per_month hours (default 720 = 24 x 30); a year is 12 months.",
    "QPS = requests per second. Shares and rates are fractions, shown as percentages.",
    "Cash flows: CF0 = -upfront investment at t = 0, not discounted; CF1..CFT at the end of each year.",
    "NPV = sum of CFt / (1 + r)^t for t = 0..T. Excel tie-out: =CF0 + NPV(r, CF1:CFT). Excel's NPV() "
    "discounts its first argument by one period, so never pass CF0 into it.",
    "IRR is reported only where it exists and is unique (exactly one sign change in the cash flows); "
    "otherwise 'not defined'.",
    "ROI over the horizon = (sum of CF1..CFT - upfront) / upfront, undiscounted; NPV / upfront is also shown.",
    "Simple payback (months) = upfront / (annual net benefit / 12). Discounted payback discounts the monthly "
    "benefit at (1 + r)^(1/12) - 1. 'Never' when the net benefit is not positive.",
    "Whole instances: an option needs ceil(load / sizing QPS) instances of a model; zero load needs none. "
    "Savings are therefore a step function of load.",
    "Every number that is not a physical constant is an input on an input sheet.",
    "In SLIME, --max-tokens-per-gpu and --global-batch-size are RL-training settings (micro-batch packing, "
    "samples per step), not serving capacity. QPS and latency are measured inputs, not derived from them.",
)

METHODS: tuple[Method, ...] = (
    Method("1 GPU pricing", "USD per GPU-hour",
           "Mean over included offers of (USD per instance-hour / GPUs per instance), unless "
           "gpu_hour_price_override is set.",
           "The seed averages to 3.805 and rounds to 3.81; set the override to 3.81 to reproduce its dollars."),
    Method("2 Unit costs", "USD per instance-hour", "GPUs per instance x USD per GPU-hour."),
    Method("2 Unit costs", "USD per request", "USD per instance-hour / (QPS per instance x 3600).",
           "The seed's 'per 1K requests' is hourly cost / QPS, the cost of 3,600 requests."),
    Method("2 Unit costs", "Sizing QPS", "The model's sizing QPS, or QPS x target_utilization when blank."),
    Method("3 Workflows", "Cost per workflow",
           "Pure = (plan calls + act steps) x C_L. Heterogeneous = plan calls x C_L + act steps x "
           "(C_S + escalation x C_L). Savings = 1 - heterogeneous / pure.",
           "C_L, C_S: per-request cost of planner and executor. 'Plan complexity' has no effect (as in the seed)."),
    Method("4 Deployment", "Instances and GPUs",
           "Plan QPS = peak x planning share; act QPS = peak - plan QPS. Pure: ceil(peak / sizing_L) large "
           "instances. Heterogeneous: ceil((plan + escalation x act) / sizing_L) large and ceil(act / sizing_S) "
           "small instances. GPUs = instances x GPUs per instance."),
    Method("4 Deployment", "Cost", "USD/h = GPUs x USD per GPU-hour; month = hour x hours_per_month; "
           "year = month x 12; savings = pure - heterogeneous."),
    Method("5 Latency", "Task classes",
           "Simple: pure = planner latency, heterogeneous = executor latency. Complex: pure = "
           "complex_task_pure_latency_ms, heterogeneous = planner latency + routing_overhead_ms. "
           "Improvement = (pure - heterogeneous) / pure, labelled by the latency value thresholds."),
    Method("5 Latency", "Business impact",
           "Impact per 100 ms x (pure - heterogeneous) / 100, times the annual value at stake where given."),
    Method("6 SLA", "Exposure",
           "Shortfall = max(0, target - availability); penalty = shortfall x penalty rate; reputation = "
           "shortfall x reputation impact; total = penalty + reputation; in USD when a contract value is given.",
           "The target must be one of the SLA tiers."),
    Method("7 Costs", "Investment and operations",
           "Upfront = sum of one-time lines; recurring per year = 12 x monthly lines + annual lines.",
           "The seed's $285K 'first year' adds a year of operations to the investment; its $70K annual "
           "overhead charges one-time training every year."),
    Method("8 Finance", "Cash flows and NPV", "CF0 = -upfront; CFt = annual savings - recurring; NPV at the "
           "discount rate over horizon_years (see conventions)."),
    Method("9 Risk", "Expected risk cost",
           "Expected = probability x impact. Annual risks come off every year's cash flow (risk-adjusted "
           "savings); one-time risks are added to the investment. Risk-adjusted NPV uses both."),
    Method("10 Market", "Market scenarios",
           "Each row re-runs the whole model with one input multiplied or replaced; viable = risk-adjusted NPV > 0."),
    Method("10 Breakeven", "Breakeven load",
           "The model is re-run on a 0.1 QPS grid at the primary scenario's mix; the smallest load whose "
           "risk-adjusted annual net benefit is positive and whose risk-adjusted payback is within "
           "payback_target_months. The step table lists the load bands of equal instance counts."),
    Method("10 Breakeven", "Workflow breakeven",
           "Smallest whole number of act steps per workflow at which it saves target_workflow_savings."),
    Method("10 Recommendation", "Recommendation matrix",
           "For each load tier: the lowest and highest savings and the worst risk-adjusted payback over the "
           "sweep points inside it; the first policy rule it meets gives the recommendation."),
    Method("11 Reconciliation", "Published figures",
           "Computed value of the same metric id; difference = computed - published; 'matches' when the "
           "relative difference is within reconcile_tolerance."),
)
