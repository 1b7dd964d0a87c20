"""Scalar inputs: the rows of the Parameters table, found by the text in its Name column."""

from __future__ import annotations

from .columns import NONNEG, POSITIVE, Parameter
from .serving_tables import COMMITTED_TERMS
from .uncertainty_tables import MAX_TRIALS

PARAMETERS_SHEET = "Parameters"
PARAMETERS_TABLE = "Parameters"
PARAMETER_HEADERS = ("Name", "Value", "Unit", "Description")

PARAMETERS: tuple[Parameter, ...] = (
    Parameter("report_title", "Plan/Act LLM serving: one large model or planner + executor?", "text",
              "Title of the PDF decision report.", kind="text", group="Report"),
    Parameter("report_author", "FP&A and Platform Engineering", "text",
              "Author shown in the report and its PDF metadata.", kind="text", group="Report"),
    Parameter("decision_requested", "Approve migrating agent traffic to a heterogeneous planner + executor "
              "deployment, subject to the conditions below.", "text",
              "The decision the report asks for (cover page).", kind="text", group="Report"),
    Parameter("build_pdf_after_recalc", False, "bool",
              "Build PDF after recalculation (the Excel button writes output/<workbook>.pdf).", kind="bool",
              group="Report"),
    Parameter("hours_per_month", 720, "hours", "Hours in a month (24 x 30); a year is 12 months.",
              min=1, max=744, group="Conventions"),
    Parameter("gpu_hour_price_override", None, "usd_per_gpu_hour",
              "Leave blank to average the GPU offers; 3.81 reproduces the seed's dollar figures.",
              required=False, **POSITIVE, group="GPU pricing"),
    Parameter("target_utilization", 0.9, "fraction",
              "Sizing QPS = QPS x this, for models whose sizing QPS is blank.", kind="fraction",
              min=0.0, max=1.0, min_exclusive=True, group="Capacity"),
    Parameter("primary_scenario", "enterprise", "text",
              "Scenario the recommendation, latency and breakeven analysis are built on.", kind="ref",
              ref="scenarios", group="Capacity"),
    Parameter("routing_overhead_ms", 15, "ms", "Latency the router adds to each call it routes to the executor.",
              **NONNEG, group="Latency"),
    Parameter("complex_task_pure_latency_ms", 120, "ms",
              "Latency of a complex task on the pure large model (seed: 120 ms, not explained in the seed).",
              **POSITIVE, group="Latency"),
    Parameter("latency_high_value_threshold", 0.5, "fraction",
              "Latency improvement at or above which the business value is labelled 'high'.", kind="fraction",
              group="Latency"),
    Parameter("latency_moderate_value_threshold", 0.05, "fraction",
              "Latency improvement at or above which the business value is labelled 'moderate' (else 'low').",
              kind="fraction", group="Latency"),
    Parameter("sla_target", 0.999, "fraction", "Contracted availability target; must be one of the SLA tiers.",
              kind="fraction", group="SLA"),
    Parameter("annual_contract_value_usd", None, "usd",
              "Annual contract value the SLA rates apply to; blank shows rates only.", required=False,
              **NONNEG, group="SLA"),
    Parameter("horizon_years", 3, "years", "Investment horizon for NPV, IRR and ROI.", kind="integer",
              min=1, max=30, group="Finance"),
    Parameter("discount_rate", 0.10, "fraction", "Annual discount rate (cost of capital).", kind="fraction",
              group="Finance"),
    Parameter("payback_target_months", 12, "months", "Breakeven: payback must be at most this.", **POSITIVE,
              group="Breakeven"),
    Parameter("implementation_budget_usd", 300000, "usd",
              "Budget for the one-time investment; the checks flag an overrun.", **NONNEG, group="Breakeven"),
    Parameter("min_act_steps_per_plan", 3, "count", "Policy: at least this many act steps per plan (1:3).",
              **NONNEG, group="Breakeven"),
    Parameter("target_workflow_savings", 0.5, "fraction",
              "Breakeven: smallest act steps per plan at which a workflow saves at least this share.",
              kind="fraction", group="Breakeven"),
    Parameter("sweep_max_qps", 1000, "qps", "Breakeven sweep: highest load.", min=1.0, group="Breakeven"),
    Parameter("sweep_step_qps", 5, "qps", "Breakeven sweep: load step of the chart table.", **POSITIVE,
              group="Breakeven"),
    Parameter("reconcile_tolerance", 0.001, "fraction",
              "Reconciliation: relative difference up to which a published figure 'matches'.", kind="fraction",
              group="Reconciliation"),
    Parameter("report_language", "en", "text", "Language of the PDF report: en (English) or zh (Simplified "
              "Chinese). `xlcost report --lang` overrides it.", kind="choice", choices=("en", "zh"), group="Report"),
    Parameter("committed_term", "none", "text",
              "Bill the always-on part of each fleet at this term's GPU-hour price (the average of included offers "
              "of that term): none, 1-year or 3-year. The rest is billed on demand.", kind="choice",
              choices=COMMITTED_TERMS, group="GPU pricing"),
    Parameter("mc_trials", 10000, "count",
              "Monte Carlo trials over the Uncertainty sheet's ranges (at most 1,000,000); 0 turns the simulation off.",
              kind="integer", min=0, max=MAX_TRIALS, group="Uncertainty"),
    Parameter("mc_seed", 20251201, "count",
              "Seed of the simulation's random numbers: the same workbook and seed give the same results.",
              kind="integer", min=0, max=999_999_999_999, group="Uncertainty"),
    Parameter("benchmark_length_tolerance", 0.25, "fraction",
              "Benchmark runs count for a call type when their mean input and output tokens are each within this "
              "relative distance of the call type's.", kind="fraction", group="Capacity"),
)
PARAMS: dict[str, Parameter] = {p.key: p for p in PARAMETERS}
