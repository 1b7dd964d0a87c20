"""Result sheets: each holds one or more blocks, a block is a titled table of rows; charts drawn from them;
the named cell styles results are written in. Blocks that feed a chart come first on their sheet so
charts keep a fixed first row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .columns import UNIT_FORMATS


@dataclass(frozen=True)
class ResultColumn:
    key: str
    header: str
    unit: str = ""  # "" for text columns
    width: float = 14

    @property
    def style(self) -> str:
        return result_style(self.unit)


@dataclass(frozen=True)
class ResultTable:
    key: str
    sheet: str
    title: str
    columns: tuple[ResultColumn, ...]
    description: str = ""
    note: str = ""  # shown on the sheet, on a row between the block's title and its header


@dataclass(frozen=True)
class ChartSpec:
    sheet: str
    table: str
    kind: Literal["bar", "line", "step", "scatter"]
    title: str
    category: str
    series: tuple[str, ...]
    y_title: str
    anchor_column: int = 0  # 0 = right of the widest block
    log_scale: bool = False  # values spanning orders of magnitude (a small scenario beside a large one)
    xy: tuple[tuple[str, str], ...] = ()  # scatter: (x column, y column) per series; titled by the x column
    x_title: str = ""


def _r(key: str, header: str, unit: str = "", width: float = 14) -> ResultColumn:
    return ResultColumn(key, header, unit, width)


RESULT_TABLES: tuple[ResultTable, ...] = (
    ResultTable("key_figures", "Key Figures", "Key figures", (
        _r("id", "Id", width=44), _r("label", "Figure", width=52), _r("value", "Value", "value", 16),
        _r("unit", "Unit", width=18),
    ), "Headline numbers with stable ids (the JSON export's key_figures)."),
    ResultTable("gpu_pricing", "Unit Costs", "GPU-hour price", (
        _r("offer", "Offer", width=18), _r("term", "Term", width=11), _r("region", "Region", width=12),
        _r("as_of", "As of", width=11), _r("gpus_per_instance", "GPUs", "gpus", 8),
        _r("usd_per_instance_hour", "USD / instance-hour", "usd_per_instance_hour"),
        _r("usd_per_gpu_hour", "USD / GPU-hour", "usd_per_gpu_hour"), _r("included", "Included", "bool", 9),
    )),
    ResultTable("model_costs", "Unit Costs", "Model unit costs", (
        _r("model", "Model", width=18), _r("gpus_per_instance", "GPUs", "gpus", 8),
        _r("usd_per_instance_hour", "USD / instance-hour", "usd_per_instance_hour"),
        _r("qps_per_instance", "QPS / instance", "qps", 10),
        _r("sizing_qps_per_instance", "Sizing QPS / instance", "qps", 11),
        _r("qps_per_gpu", "QPS / GPU", "qps_per_gpu", 10),
        _r("usd_per_request", "USD / request", "usd_per_request", 13),
        _r("usd_per_1k_requests", "USD / 1K requests", "usd_per_1k_requests", 13),
        _r("seed_usd_per_1k", "Seed's 'per 1K' (hourly / QPS)", "usd_per_1k_requests", 14),
        _r("capacity_source", "Capacity source", width=12),
    )),
    ResultTable("call_costs", "Unit Costs", "Unit cost by model and call type: self-hosted and hosted API", (
        _r("model", "Model", width=18), _r("call_type", "Call type", width=10),
        _r("tokens_per_call", "Tokens per call", "tokens", 10),
        _r("capacity_qps", "Capacity (QPS / instance)", "qps", 12),
        _r("usd_per_call", "Self-hosted USD / call", "usd_per_call", 13),
        _r("usd_per_1m_tokens", "Self-hosted USD / 1M tokens", "usd_per_1m_tokens", 14),
        _r("api_usd_per_call", "API USD / call", "usd_per_call", 13),
        _r("api_usd_per_1m_tokens", "API USD / 1M tokens", "usd_per_1m_tokens", 13),
        _r("api_price_source", "API price source", width=30),
    ), note="Self-hosted costs assume every instance runs at its full capacity; API prices are paid per token "
            "used. Blank API columns: no API price for the model."),
    ResultTable("workflow_costs", "Workflows Out", "Cost per Plan/Act workflow", (
        _r("workflow", "Workflow", width=24), _r("plan_calls", "Plan calls", "count", 9),
        _r("act_steps", "Act steps", "count", 9), _r("planner", "Planner", width=16),
        _r("executor", "Executor", width=12), _r("escalation_rate", "Escalation", "fraction", 10),
        _r("pure_usd", "Pure large (USD)", "usd_per_request", 13),
        _r("hetero_usd", "Heterogeneous (USD)", "usd_per_request", 13),
        _r("cost_ratio", "Cost ratio", "ratio", 9), _r("savings_pct", "Savings", "fraction", 9),
        _r("api_pure_usd", "API large only (USD)", "usd_per_request", 13),
        _r("api_hetero_usd", "API planner + executor (USD)", "usd_per_request", 14),
    )),
    ResultTable("options", "Deployment", "Four options per scenario: annual cost and savings against option A", (
        _r("scenario", "Scenario", width=26), _r("pure_usd_per_year", "A. Pure large (USD/year)", "usd_per_year", 15),
        _r("hetero_usd_per_year", "B. Planner + executor (USD/year)", "usd_per_year", 15),
        _r("api_pure_usd_per_year", "C. API large only (USD/year)", "usd_per_year", 15),
        _r("api_hetero_usd_per_year", "D. API planner + executor (USD/year)", "usd_per_year", 15),
        _r("hetero_savings_pct", "B saves", "fraction", 9), _r("api_pure_savings_pct", "C saves", "fraction", 9),
        _r("api_hetero_savings_pct", "D saves", "fraction", 9), _r("cheapest", "Cheapest", width=24),
    ), note="A and B pay for provisioned GPUs whether used or not; C and D pay per token used. At peak-sized capacity "
            "the comparison flatters the API; at average usage it flatters self-hosting. The load profile decides."),
    ResultTable("deployment", "Deployment", "Capacity and cost by scenario", (
        _r("scenario", "Scenario", width=26), _r("peak_qps", "Peak QPS", "qps", 9),
        _r("plan_qps", "Plan QPS", "qps", 9), _r("act_qps", "Act QPS", "qps", 9),
        _r("pure_large_instances", "Pure: large inst.", "instances", 9),
        _r("pure_gpus", "Pure: GPUs", "gpus", 9),
        _r("pure_usd_per_hour", "Pure: USD/h", "usd_per_hour", 11),
        _r("pure_usd_per_month", "Pure: USD/month", "usd_per_month", 13),
        _r("pure_usd_per_year", "Pure: USD/year", "usd_per_year", 14),
        _r("hetero_large_instances", "Hetero: large inst.", "instances", 9),
        _r("hetero_small_instances", "Hetero: small inst.", "instances", 9),
        _r("hetero_gpus", "Hetero: GPUs", "gpus", 9),
        _r("hetero_usd_per_hour", "Hetero: USD/h", "usd_per_hour", 11),
        _r("hetero_usd_per_month", "Hetero: USD/month", "usd_per_month", 13),
        _r("hetero_usd_per_year", "Hetero: USD/year", "usd_per_year", 14),
        _r("annual_savings_usd", "Annual savings", "usd_per_year", 14),
        _r("savings_pct", "Savings", "fraction", 9),
        _r("pure_gpu_hours_per_year", "Pure: GPU-hours/year", "gpu_hours", 14),
        _r("hetero_gpu_hours_per_year", "Hetero: GPU-hours/year", "gpu_hours", 14),
    )),
    ResultTable("load_hourly", "Load", "GPUs in use by hour of the day", (
        _r("hour", "Hour", "hours", 7),
    ), "Two columns per scenario (pure and heterogeneous GPUs), added from the Scenarios table."),
    ResultTable("load_summary", "Load", "Load over the day, provisioning and pricing terms", (
        _r("scenario", "Scenario", width=26), _r("load_profile", "Load profile", width=14),
        _r("provisioning", "Provisioning", width=12), _r("peak_qps", "Peak QPS", "qps", 9),
        _r("average_qps", "Average QPS", "qps", 10), _r("peak_to_average", "Peak / average", "ratio", 10),
        _r("requests_per_year", "Requests / year", "requests", 16),
        _r("pure_gpu_hours_per_year", "Pure: GPU-hours/year", "gpu_hours", 14),
        _r("hetero_gpu_hours_per_year", "Hetero: GPU-hours/year", "gpu_hours", 14),
        _r("pure_always_on_gpus", "Pure: always-on GPUs", "gpus", 11),
        _r("hetero_always_on_gpus", "Hetero: always-on GPUs", "gpus", 11),
        _r("committed_usd_per_gpu_hour", "Always-on USD / GPU-hour", "usd_per_gpu_hour", 12),
        _r("on_demand_usd_per_gpu_hour", "On-demand USD / GPU-hour", "usd_per_gpu_hour", 12),
    )),
    ResultTable("benchmark_runs", "Capacity", "Benchmark runs against the call types' latency targets", (
        _r("run", "Run", width=24), _r("model", "Model", width=18), _r("call_type", "Call type", width=10),
        _r("request_throughput", "Throughput (req/s)", "qps", 11), _r("p99_ttft_ms", "p99 TTFT (ms)", "ms", 10),
        _r("slo_p99_ttft_ms", "SLO p99 TTFT (ms)", "ms", 11), _r("meets_slo", "Meets SLO", "bool", 9),
        _r("chosen", "Chosen", "bool", 8),
    ), "One row per run and call type it is a candidate for."),
    ResultTable("capacity", "Capacity", "Capacity per model and call type: typed or measured", (
        _r("model", "Model", width=18), _r("call_type", "Call type", width=10), _r("source", "Source", width=24),
        _r("runs_considered", "Runs considered", "count", 10), _r("runs_meeting_slo", "Runs meeting SLO", "count", 10),
        _r("qps", "Capacity (QPS)", "qps", 10), _r("sizing_qps", "Sizing QPS", "qps", 10),
        _r("latency_ms", "Mean latency used (ms)", "ms", 11), _r("p99_ttft_ms", "p99 TTFT (ms)", "ms", 10),
        _r("p99_tpot_ms", "p99 TPOT (ms)", "ms", 10), _r("p99_e2e_ms", "p99 E2E (ms)", "ms", 10),
        _r("note", "Note", width=50),
    )),
    ResultTable("workflow_latency", "Latency Impact", "Latency per workflow", (
        _r("workflow", "Workflow", width=24), _r("pure_ms", "Pure large (ms)", "ms", 11),
        _r("hetero_ms", "Heterogeneous (ms)", "ms", 12), _r("saved_ms", "Saved (ms)", "ms", 10),
        _r("improvement", "Improvement", "fraction", 11), _r("business_value", "Business value", width=13),
    ), note="Calls run one after another: every planning call and act step counts, with the router's overhead on "
            "each routed step and escalated steps redone on the large model."),
    ResultTable("latency_tasks", "Latency Impact", "The published analysis's task classes (for reconciliation)", (
        _r("task_class", "Task class", width=14), _r("pure_ms", "Pure large (ms)", "ms", 11),
        _r("hetero_ms", "Heterogeneous (ms)", "ms", 12), _r("saved_ms", "Saved (ms)", "ms", 10),
        _r("improvement", "Improvement", "fraction", 11), _r("business_value", "Business value", width=13),
        _r("basis", "How it is computed", width=48),
    )),
    ResultTable("latency_impact", "Latency Impact", "Business impact of the latency change", (
        _r("industry", "Industry", width=20), _r("workflow", "Workflow", width=24),
        _r("impact_per_100ms", "Impact / 100 ms", "fraction", 11),
        _r("impact_share", "Impact avoided", "fraction", 11),
        _r("impact_usd_per_year", "USD / year", "usd_per_year", 13),
    )),
    ResultTable("sla_exposure", "SLA Exposure", "SLA exposure by option", (
        _r("option", "Option", width=20), _r("availability", "Availability", "fraction", 11),
        _r("target", "Target", "fraction", 9), _r("violation", "Shortfall", "fraction", 9),
        _r("p99_latency_ms", "p99 (ms)", "ms", 9),
        _r("financial_penalty", "Penalty (share)", "ratio", 11),
        _r("reputation_cost", "Reputation (share)", "ratio", 11),
        _r("total_impact", "Total (share)", "ratio", 11),
        _r("total_usd_per_year", "Total USD / year", "usd_per_year", 13),
    )),
    ResultTable("cumulative_cash", "Cash Flows", "Cumulative discounted cash flow", (
        _r("year", "Year", "years", 8),
    ), "One column per scenario, added from the Scenarios table."),
    ResultTable("implementation", "Cash Flows", "Implementation and operating cost", (
        _r("item", "Item", width=34), _r("usd", "USD", "usd", 14), _r("basis", "Basis", width=60),
    )),
    ResultTable("cash_flows", "Cash Flows", "Cash flows by scenario", (
        _r("scenario", "Scenario", width=26), _r("year", "Year", "years", 6),
        _r("savings_usd", "Savings", "usd", 13), _r("operating_usd", "Operating cost", "usd", 13),
        _r("investment_usd", "Investment", "usd", 13), _r("net_usd", "Net cash flow", "usd", 14),
        _r("discount_factor", "Discount factor", "ratio", 10), _r("discounted_usd", "Discounted", "usd", 14),
        _r("cumulative_discounted_usd", "Cumulative discounted", "usd", 15),
        _r("risk_adjusted_net_usd", "Risk-adjusted net", "usd", 14),
    )),
    ResultTable("finance_summary", "Finance", "NPV, IRR, ROI and payback by scenario", (
        _r("scenario", "Scenario", width=26), _r("upfront_usd", "Investment", "usd", 12),
        _r("annual_net_usd", "Annual net benefit", "usd_per_year", 14), _r("npv_usd", "NPV", "usd", 14),
        _r("irr", "IRR", "fraction", 11), _r("roi", "ROI (horizon)", "fraction", 11),
        _r("npv_per_upfront", "NPV / investment", "ratio", 11),
        _r("simple_payback_months", "Payback (months)", "months", 10),
        _r("discounted_payback_months", "Discounted payback (months)", "months", 11),
        _r("risk_adjusted_npv_usd", "Risk-adjusted NPV", "usd", 14),
        _r("risk_adjusted_payback_months", "Risk-adj. payback (months)", "months", 11),
        _r("excel_tie_out", "Excel tie-out", width=44),
    )),
    ResultTable("risk_register", "Risk", "Risk register", (
        _r("risk", "Risk", width=34), _r("probability", "Probability", "fraction", 10),
        _r("impact_usd", "Impact", "usd", 12), _r("recurrence", "Recurrence", width=10),
        _r("expected_usd", "Expected cost", "usd", 12),
    )),
    ResultTable("risk_adjusted", "Risk", "Risk-adjusted savings by scenario", (
        _r("scenario", "Scenario", width=26), _r("annual_savings_usd", "Annual savings", "usd_per_year", 14),
        _r("expected_annual_risk_usd", "Expected annual risk", "usd_per_year", 14),
        _r("expected_one_time_risk_usd", "Expected one-time risk", "usd", 14),
        _r("risk_adjusted_savings_usd", "Risk-adjusted savings", "usd_per_year", 14),
        _r("npv_usd", "NPV", "usd", 14), _r("risk_adjusted_npv_usd", "Risk-adjusted NPV", "usd", 14),
    )),
    ResultTable("market", "Market Scenarios", "Market scenarios: the whole model re-run", (
        _r("market_scenario", "Market scenario", width=28), _r("scenario", "Scenario", width=24),
        _r("change", "Change", width=30),
        _r("annual_savings_usd", "Annual savings", "usd_per_year", 14), _r("savings_pct", "Savings", "fraction", 9),
        _r("npv_usd", "NPV", "usd", 14), _r("risk_adjusted_npv_usd", "Risk-adjusted NPV", "usd", 14),
        _r("viable", "Viable", "bool", 8), _r("cheapest", "Cheapest option", width=24),
        _r("commentary", "Commentary", width=40),
    )),
    ResultTable("breakeven_sweep", "Breakeven", "Savings against load", (
        _r("qps", "Load (QPS)", "qps", 10), _r("pure_gpus", "Pure GPUs", "gpus", 9),
        _r("hetero_gpus", "Hetero GPUs", "gpus", 9),
        _r("annual_savings_usd", "Annual savings", "usd_per_year", 14), _r("savings_pct", "Savings", "fraction", 9),
        _r("risk_adjusted_net_usd", "Risk-adj. net benefit / year", "usd_per_year", 15),
        _r("payback_months", "Risk-adj. payback (months)", "months", 11),
        _r("pays", "Meets target", "bool", 9),
    )),
    ResultTable("breakeven_summary", "Breakeven", "Breakeven", (
        _r("item", "Item", width=44), _r("value", "Value", "value", 14), _r("unit", "Unit", width=16),
        _r("basis", "Basis", width=60),
    )),
    ResultTable("breakeven_steps", "Breakeven", "Step structure: instance counts by load band", (
        _r("qps_from", "From QPS", "qps", 9), _r("qps_to", "To QPS", "qps", 9),
        _r("pure_large_instances", "Pure: large", "instances", 9),
        _r("hetero_large_instances", "Hetero: large", "instances", 9),
        _r("hetero_small_instances", "Hetero: small", "instances", 9),
        _r("savings_pct_from", "Savings at start", "fraction", 10),
        _r("savings_pct_to", "Savings at end", "fraction", 10),
    )),
    ResultTable("recommendation", "Recommendation", "Recommendation matrix", (
        _r("tier", "Load tier", width=14), _r("min_qps", "From QPS", "qps", 9), _r("max_qps", "To QPS", "qps", 9),
        _r("savings_min", "Savings (min)", "fraction", 10), _r("savings_max", "Savings (max)", "fraction", 10),
        _r("worst_payback_months", "Worst payback (months)", "months", 11),
        _r("recommendation", "Recommendation", width=18), _r("stars", "Stars", width=8),
        _r("mix", "Judged on the mix of", width=30), _r("seed_claim", "Seed's claim", width=11),
    )),
    ResultTable("mc_histogram", "Simulation", "How sure are we: risk-adjusted NPV of the primary scenario over the "
                "trials", (
        _r("bin", "Risk-adjusted NPV", width=14), _r("from_usd", "From", "usd", 14), _r("to_usd", "To", "usd", 14),
        _r("trials", "Trials", "count", 10), _r("share", "Share of trials", "fraction", 10),
    ), note="Equal bins from the lowest to the highest trial."),
    ResultTable("mc_cumulative", "Simulation", "Chance the primary scenario's risk-adjusted NPV is at most a value", (
        _r("probability", "Probability", "fraction", 11), _r("risk_adjusted_npv_usd", "Risk-adjusted NPV", "usd", 16),
    )),
    ResultTable("mc_run", "Simulation", "The simulation", (
        _r("trials", "Trials", "count", 10), _r("seed", "Seed", width=12), _r("scenario", "Primary scenario", width=26),
        _r("mean_risk_adjusted_npv_usd", "Mean risk-adjusted NPV", "usd", 16),
        _r("standard_error_usd", "Standard error of the mean", "usd", 14), _r("statement", "In words", width=90),
    ), note="Trials draw every row of the Uncertainty sheet and re-run costs, sizing and cash flows; the other "
            "sheets use the cells' own values."),
    ResultTable("mc_summary", "Simulation", "Results over the trials, by scenario", (
        _r("scenario", "Scenario", width=26), _r("metric", "Result", width=26), _r("unit", "Unit", width=13),
        _r("mean", "Mean", "value", 14), _r("std", "Std. deviation", "value", 14), _r("p5", "P5", "value", 14),
        _r("p10", "P10", "value", 14), _r("p50", "P50 (median)", "value", 14), _r("p90", "P90", "value", 14),
        _r("p95", "P95", "value", 14), _r("standard_error", "Std. error of the mean", "value", 14),
    ), note="Pn: n% of the trials are at or below this value. Blank payback figures: some trials never pay back."),
    ResultTable("mc_risk", "Simulation", "Chance of a loss and of a late payback, by scenario", (
        _r("scenario", "Scenario", width=26), _r("prob_loss", "P(risk-adjusted NPV < 0)", "fraction", 12),
        _r("prob_loss_standard_error", "Its standard error", "fraction", 11),
        _r("prob_npv_negative", "P(NPV < 0)", "fraction", 10),
        _r("prob_npv_negative_standard_error", "Its standard error", "fraction", 11),
        _r("prob_payback_over_target", "P(risk-adj. payback > target)", "fraction", 13),
        _r("payback_target_months", "Payback target (months)", "months", 11),
    ), note="A trial that never pays back counts as missing the target."),
    ResultTable("tornado", "Simulation", "What moves the primary scenario's risk-adjusted NPV most (tornado)", (
        _r("input", "Input", width=18), _r("moves", "What it moves", width=48), _r("unit", "Unit", width=13),
        _r("input_at_p10", "Input at its P10", "value", 12), _r("input_at_p90", "Input at its P90", "value", 12),
        _r("output_at_p10", "NPV with input at P10", "usd", 16),
        _r("output_at_p90", "NPV with input at P90", "usd", 16),
        _r("swing", "Swing", "usd", 15), _r("rank_correlation", "Rank correlation with NPV", "ratio", 12),
    ), note="Each input alone at its 10th and 90th percentile, every other input at its cell's value; sorted by "
            "swing. Rank correlation: Spearman's, input against the NPV over the trials."),
    ResultTable("mc_correlation_check", "Simulation", "Rank correlations: declared and achieved", (
        _r("input_a", "Input A", width=18), _r("input_b", "Input B", width=18),
        _r("target", "Declared", "ratio", 10), _r("achieved", "Achieved", "ratio", 10),
    )),
    ResultTable("reconciliation", "Reconciliation", "Reconciliation with the published analysis", (
        _r("figure", "Figure", width=44), _r("metric", "Metric id", width=44),
        _r("published", "Published", "value", 14),
        _r("computed", "Computed", "value", 14), _r("difference", "Difference", "value", 14),
        _r("relative_difference", "Relative", "fraction", 10), _r("status", "Status", width=10),
        _r("unit", "Unit", width=16), _r("cause", "Cause", width=70),
    )),
    ResultTable("checks", "Checks", "Model checks", (
        _r("severity", "Severity", width=9), _r("sheet", "Sheet", width=16), _r("cell", "Cell", width=8),
        _r("message", "Message", width=100),
    )),
)
RESULTS: dict[str, ResultTable] = {t.key: t for t in RESULT_TABLES}


def result_sheets() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for t in RESULT_TABLES:
        seen.setdefault(t.sheet, None)
    return tuple(seen)


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("Deployment", "options", "bar", "Annual cost by option and scenario (log scale)", "scenario",
              ("pure_usd_per_year", "hetero_usd_per_year", "api_pure_usd_per_year", "api_hetero_usd_per_year"),
              "USD per year", log_scale=True),
    ChartSpec("Capacity", "benchmark_runs", "scatter", "Measured throughput against p99 TTFT, with the target",
              "p99_ttft_ms", (), "Requests per second", xy=(("p99_ttft_ms", "request_throughput"),
                                                            ("slo_p99_ttft_ms", "request_throughput")),
              x_title="p99 time to first token (ms)"),
    ChartSpec("Load", "load_hourly", "line", "GPUs in use by hour of the day (log scale)", "hour", (), "GPUs",
              log_scale=True),  # one series per scenario column
    ChartSpec("Breakeven", "breakeven_sweep", "step", "Savings against load (whole instances make steps)",
              "qps", ("savings_pct",), "Savings"),
    ChartSpec("Cash Flows", "cumulative_cash", "line", "Cumulative discounted cash flow", "year",
              (), "USD"),  # one series per scenario column
    ChartSpec("Simulation", "mc_histogram", "bar", "Risk-adjusted NPV over the trials (primary scenario)", "bin",
              ("share",), "Share of trials"),
    ChartSpec("Simulation", "mc_cumulative", "step", "Chance the risk-adjusted NPV is at most x (primary scenario)",
              "risk_adjusted_npv_usd", ("probability",), "Probability", x_title="Risk-adjusted NPV (USD)"),
)

# Sheets the generator writes once and recalculation never touches.
COVER_SHEET = "Cover"
METHODOLOGY_SHEET = "Methodology"
XLWINGS_CONF_SHEET = "xlwings.conf"

# Named cell styles (Excel's Cell Styles gallery). The colour convention of the workbook.
INPUT_STYLE = "xlcost Input"
STYLE_PREFIX = "xlcost "


def result_style(unit: str) -> str:
    """Named style of a result cell of this unit; 'value' cells pick their style per row."""
    if unit in ("", "text"):
        return "xlcost Text"
    if unit == "bool":
        return "xlcost Text"
    return f"xlcost {unit}"


RESULT_UNITS = tuple(u for u in UNIT_FORMATS if u not in ("", "text", "bool"))
