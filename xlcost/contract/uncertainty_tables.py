"""Input tables of the simulation: the uncertain inputs with their ranges, and their rank correlations."""

from __future__ import annotations

from .business_tables import COST_LINES, RISKS
from .columns import InputTable, _c
from .serving_tables import CALL_TYPES, GPU_OFFERS, LOAD_PROFILES, MODELS, SCENARIOS, WORKFLOWS

UNCERTAINTY_KINDS = ("value", "multiplier")
# The tables a simulation trial re-runs (pricing, capacity, sizing, load, costs, risk, finance): an uncertain
# input elsewhere (latency, SLA, policy) would change nothing the simulation reports.
UNCERTAIN_TABLES = (GPU_OFFERS.name, MODELS.name, CALL_TYPES.name, WORKFLOWS.name, SCENARIOS.name,
                    LOAD_PROFILES.name, COST_LINES.name, RISKS.name, "Parameters")
DISTRIBUTIONS = ("uniform", "triangular", "pert", "normal", "lognormal")
# A million trials measure a mean to about 0.1% of its spread; memory grows with the trials (about 150 bytes each).
MAX_TRIALS = 1_000_000

UNCERTAINTY = InputTable(
    key="uncertainty", name="Uncertainty", sheet="Uncertainty", title="Uncertain inputs",
    description=(
        "One row per uncertain input: which cell it moves (table, row id or * for every row with one shared "
        "draw, column header as shown; for Parameters the parameter's name and column Value), whether the draw "
        "replaces the cell (value) or multiplies it (multiplier), and its range. Uniform uses Low and High; "
        "triangular and PERT all three; normal and lognormal read Low and High as the 5th and 95th percentiles. "
        "Results on the sheets always use the cells' own values; the Simulation sheet shows the ranges."
    ),
    columns=(
        _c("id", "Id", "id", width=18),
        _c("table", "Table", "choice", choices=UNCERTAIN_TABLES, width=14),
        _c("row_id", "Row id", "text", width=18),
        _c("column", "Column", "text", width=24),
        _c("kind", "Kind", "choice", choices=UNCERTAINTY_KINDS, width=11),
        _c("distribution", "Distribution", "choice", choices=DISTRIBUTIONS, width=12),
        _c("low", "Low", "number", width=10),
        _c("most_likely", "Most likely", "number", required=False, width=10),
        _c("high", "High", "number", width=10),
        _c("source", "Source", "text", required=False, width=60),
    ),
    rows=(
        ("gpu-price", "GPUOffers", "*", "USD per instance-hour", "multiplier", "triangular", 0.70, 1.00, 1.10,
         "2026 list prices and neocloud rates sit below the seed's 2025 prices; little room above them."),
        ("executor-capacity", "Models", "qwen3-4b", "Sizing QPS per instance", "value", "pert", 100, 160, 180,
         "No serving benchmark stands behind the seed's 160 QPS: down to 100 if the real request mix is heavier, "
         "up to the stated 180."),
        ("planner-capacity", "Models", "qwen3-235b-a22b", "Sizing QPS per instance", "value", "pert", 15, 20, 22,
         "The seed sizes with 20 of a stated 22 QPS; down to 15 for long planning prompts."),
        ("escalation", "Scenarios", "*", "Escalation rate", "value", "pert", 0, 0.05, 0.30,
         "The seed assumes 0 (a small model that never fails); published routing studies send 5-30% of "
         "steps back to the large model."),
        ("peak-load", "Scenarios", "*", "Peak QPS", "multiplier", "triangular", 0.6, 1.0, 1.3,
         "Load forecasts for new agent products miss by tens of percent, more often on the low side."),
        ("cost-overrun", "CostLines", "*", "Amount (USD)", "multiplier", "pert", 0.9, 1.1, 2.0,
         "IT projects overrun: most likely +10%, up to double."),
        ("discount-rate", "Parameters", "discount_rate", "Value", "value", "uniform", 0.08, None, 0.12,
         "Cost of capital between 8% and 12%."),
    ),
    min_rows=0,
)

CORRELATIONS = InputTable(
    key="correlations", name="Correlations", sheet="Uncertainty", title="Rank correlations between uncertain inputs",
    description="Pairs of uncertain inputs (their Ids) that move together, imposed on the draws as rank correlations.",
    columns=(
        _c("input_a", "Input A", "ref", ref="uncertainty", width=18),
        _c("input_b", "Input B", "ref", ref="uncertainty", width=18),
        _c("rank_correlation", "Rank correlation", "number", "ratio", min=-1.0, max=1.0, width=12),
        _c("source", "Source", "text", required=False, width=50),
    ),
    rows=(("executor-capacity", "planner-capacity", 0.5,
           "Both models run on the same serving stack: a slower stack slows both."),),
    min_rows=0,
)
