"""The workbook contract: every sheet, table, column, unit, default and rule, declared once.

The template generator, the reader and its validation messages, the result writer, the JSON/CSV
export, the report appendix and the README's tables all read this module. Change a column here and
every one of them follows.

Input tables are Excel tables (ListObjects) found by name, so users may move them, reorder their
columns, add rows and add their own note columns. Columns are matched by header text.
Scalar inputs are rows of the ``Parameters`` table, found by the text in its ``Name`` column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "text", "number", "integer", "fraction", "bool", "choice", "ref"]

# Units are machine names (they appear in the JSON export). Each maps to an Excel number format.
UNIT_FORMATS: dict[str, str] = {
    "usd": '"$"#,##0',
    "usd_per_year": '"$"#,##0',
    "usd_per_month": '"$"#,##0',
    "usd_per_hour": '"$"#,##0.00',
    "usd_per_gpu_hour": '"$"#,##0.000',
    "usd_per_instance_hour": '"$"#,##0.00',
    "usd_per_request": '"$"#,##0.000000',
    "usd_per_1k_requests": '"$"#,##0.00000',
    "fraction": "0.0%",
    "fraction_per_100ms": "0.0%",
    "count": "#,##0",
    "instances": "#,##0",
    "gpus": "#,##0",
    "qps": "#,##0.0",
    "qps_per_gpu": "#,##0.00",
    "ms": "#,##0.0",
    "months": "0.0",
    "years": "0",
    "billion_params": "#,##0.#",
    "ratio": "0.000",
    "hours": "#,##0",
    "tokens": "#,##0",
    "usd_per_1m_tokens": '"$"#,##0.000',
    "usd_per_call": '"$"#,##0.000000',
    "gpu_hours": "#,##0",
    "requests": "#,##0",
    "tokens_per_second": "#,##0.0",
    "": "General",
    "text": "@",
    "bool": "General",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind = "number"
    unit: str = ""
    required: bool = True
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # key of the table whose ids this column must name
    width: float = 14
    description: str = ""
    default: object = None  # what a blank cell of an optional column means

    def __post_init__(self) -> None:
        if self.default is not None and self.required:
            raise ValueError(f"column {self.key}: a default is what a blank means, so the column must be optional")

    @property
    def number_format(self) -> str:
        if self.kind == "fraction":
            return UNIT_FORMATS["fraction"]
        return UNIT_FORMATS.get(self.unit, "General")

    def expectation(self) -> str:
        """What a valid cell looks like, in the user's words (used in validation messages)."""
        text = self._expectation()
        if self.default is None:
            return text
        shown = f"{self.default:g}" if isinstance(self.default, float) else str(self.default)
        return f"{text}; blank means {shown}"

    def _expectation(self) -> str:
        if self.kind in ("id",):
            return "a short id (letters, digits, '-', '_', '.'), unique in the table"
        if self.kind == "text":
            return "text"
        if self.kind == "bool":
            return "TRUE or FALSE"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "ref":
            return f"an id from table {TABLES[self.ref].name}" if self.ref else "an id"
        if self.kind == "fraction":
            lo = 0 if self.min is None else self.min
            hi = 1 if self.max is None else self.max
            return f"a share between {lo:g} and {hi:g} (e.g. 0.2 or 20%)"
        word = "a whole number" if self.kind == "integer" else "a number"
        if self.min is not None and self.max is not None:
            return f"{word} from {self.min:g} to {self.max:g}"
        if self.min is not None:
            return f"{word} {'>' if self.min_exclusive else '≥'} {self.min:g}"
        return word


@dataclass(frozen=True)
class InputTable:
    key: str
    name: str  # Excel table name
    sheet: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]  # seed defaults, in column order
    min_rows: int = 1
    # Columns whose values together identify a row (unique in the table). Default: the first column,
    # when it is an id or a choice. A long-format table (one row per profile and hour) names both.
    key_columns: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        if self.key_columns:
            return self.key_columns
        return (self.columns[0].key,) if self.columns[0].kind in ("id", "choice") else ()

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


@dataclass(frozen=True)
class Parameter:
    key: str
    default: float | str | bool | None
    unit: str
    description: str
    kind: Kind = "number"
    required: bool = True
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None
    group: str = "General"

    def as_column(self) -> Column:
        return Column(
            key=self.key, header=self.key, kind=self.kind, unit=self.unit, required=self.required,
            min=self.min, max=self.max, min_exclusive=self.min_exclusive, choices=self.choices,
            ref=self.ref,
        )


def _c(key: str, header: str, kind: Kind = "number", unit: str = "", **kw) -> Column:
    return Column(key=key, header=header, kind=kind, unit=unit, **kw)


NONNEG = {"min": 0.0}
POSITIVE = {"min": 0.0, "min_exclusive": True}

# ---------------------------------------------------------------------------------------------
# Input tables. Defaults are the seed's values; tables and columns the seed did not have default to
# values that leave the seed's figures unchanged, or carry documented illustrative data.
# ---------------------------------------------------------------------------------------------

GPU_TERMS = ("on-demand", "1-year", "3-year", "spot")
COMMITTED_TERMS = ("none", "1-year", "3-year")

GPU_OFFERS = InputTable(
    key="gpu_offers", name="GPUOffers", sheet="GPU Offers", title="GPU offers",
    description=(
        "Cloud instances the GPU-hour price is averaged from, per pricing term. Untick 'Include' to leave an "
        "offer out. The dated late-2026 list prices ship unticked: tick them (and untick the seed's) to move "
        "the model to current prices."
    ),
    columns=(
        _c("id", "Offer id", "id", width=16),
        _c("provider", "Provider", "text", width=12),
        _c("instance_type", "Instance type", "text", width=18),
        _c("gpu_model", "GPU model", "text", width=14),
        _c("gpus_per_instance", "GPUs per instance", "integer", "gpus", min=1, width=12),
        _c("usd_per_instance_hour", "USD per instance-hour", "number", "usd_per_instance_hour",
           **POSITIVE, width=14),
        _c("include", "Include", "bool", width=9),
        _c("term", "Term", "choice", choices=GPU_TERMS, required=False, default="on-demand", width=11),
        _c("region", "Region", "text", required=False, width=12),
        _c("as_of", "As of", "text", required=False, width=11),
        _c("source", "Source", "text", required=False, width=40),
    ),
    rows=(
        ("aws-p4d", "AWS", "p4d.24xlarge", "A100 40GB", 8, 32.77, True, "on-demand", None, None,
         "Seed analysis, 2025 list price. The seed labels it A100 80GB; p4d.24xlarge carries A100 40GB "
         "(p4de.24xlarge is the A100 80GB instance)."),
        ("gcp-a2", "GCP", "a2-ultragpu-8g", "A100 80GB", 8, 28.50, True, "on-demand", None, None,
         "Seed analysis, 2025 list price"),
        ("azure-nd", "Azure", "ND96amsr A100 v4", "A100 80GB", 8, 30.05, True, "on-demand", None, None,
         "Seed analysis, 2025 list price"),
        ("aws-p4de-2026", "AWS", "p4de.24xlarge", "A100 80GB", 8, 27.44705, False, "on-demand", "us-east-1",
         "2026-11-09", "AWS on-demand list price (Linux) after the June 2025 GPU price cut; public price "
         "catalogues retrieved 2026-11-09"),
        ("aws-p5-2026", "AWS", "p5.48xlarge", "H100 80GB", 8, 55.04, False, "on-demand", "us-east-1",
         "2026-11-09", "AWS on-demand list price (Linux) after the June 2025 cut; public price catalogues "
         "retrieved 2026-11-09"),
        ("gcp-a2-2026", "GCP", "a2-ultragpu-8g", "A100 80GB", 8, 40.55, False, "on-demand", "us-central1",
         "2026-07-30", "Google Cloud Billing Catalog (on-demand, VM incl. GPUs), generated 2026-07-30"),
        ("gcp-a2-spot-2026", "GCP", "a2-ultragpu-8g", "A100 80GB", 8, 22.08, False, "spot", "us-central1",
         "2026-07-30", "Google Cloud Billing Catalog, spot price, generated 2026-07-30"),
        ("gcp-a3-2026", "GCP", "a3-highgpu-8g", "H100 80GB", 8, 88.49, False, "on-demand", "us-central1",
         "2026-07-30", "Google Cloud Billing Catalog (on-demand), generated 2026-07-30"),
        ("gcp-a3-1y-2026", "GCP", "a3-highgpu-8g", "H100 80GB", 8, 61.4, False, "1-year", "us-central1",
         "2026-07-30", "Google Cloud 1-year committed use: $44,810 per month / 730 h"),
        ("gcp-a3-3y-2026", "GCP", "a3-highgpu-8g", "H100 80GB", 8, 38.9, False, "3-year", "us-central1",
         "2026-07-30", "Google Cloud 3-year committed use: $28,371 per month / 730 h"),
        ("gcp-a3-spot-2026", "GCP", "a3-highgpu-8g", "H100 80GB", 8, 50.61, False, "spot", "us-central1",
         "2026-07-30", "Google Cloud Billing Catalog, spot price, generated 2026-07-30"),
        ("azure-nd-a100-2026", "Azure", "ND96amsr A100 v4", "A100 80GB", 8, 32.77, False, "on-demand", "eastus",
         "2026-01", "Azure Retail Prices API (Linux, pay-as-you-go)"),
        ("azure-nd-a100-spot-2026", "Azure", "ND96amsr A100 v4", "A100 80GB", 8, 14.42, False, "spot", "eastus",
         "2026-01", "Azure Retail Prices API, spot"),
        ("azure-nd-h100-2026", "Azure", "ND96isr H100 v5", "H100 80GB", 8, 98.32, False, "on-demand", "eastus",
         "2026-11-09", "Azure Retail Prices API (Linux, pay-as-you-go), retrieved 2026-11-09"),
    ),
)

CAPACITY_SOURCES = ("typed", "benchmark")

MODELS = InputTable(
    key="models", name="Models", sheet="Models", title="Model profiles",
    description=(
        "One row per model. QPS and latency are measured inputs: typed here, or (Capacity source = benchmark) "
        "taken from the Benchmarks sheet at the highest load that meets each call type's latency targets. "
        "'Sizing QPS' is what capacity planning may load one instance with; blank means QPS x target "
        "utilisation. API prices (USD per 1M tokens) price the hosted-API alternative; blank = no API option. "
        "The SLIME columns are descriptive: they are RL-training settings, not serving capacity."
    ),
    columns=(
        _c("id", "Model id", "id", width=18),
        _c("name", "Display name", "text", width=18),
        _c("total_params_b", "Total params (B)", "number", "billion_params", **POSITIVE, width=10),
        _c("active_params_b", "Active params (B)", "number", "billion_params", **POSITIVE, width=10),
        _c("gpus_per_instance", "GPUs per instance", "integer", "gpus", min=1, width=10),
        _c("gpu_model", "GPU model", "text", width=12),
        _c("latency_ms", "Latency (ms)", "number", "ms", **POSITIVE, width=10),
        _c("p99_latency_ms", "p99 latency (ms)", "number", "ms", required=False, **POSITIVE, width=10),
        _c("qps_per_instance", "QPS per instance", "number", "qps", **POSITIVE, width=10),
        _c("sizing_qps_per_instance", "Sizing QPS per instance", "number", "qps", required=False,
           **POSITIVE, width=11),
        _c("capacity_source", "Capacity source", "choice", choices=CAPACITY_SOURCES, required=False,
           default="typed", width=11),
        _c("api_usd_per_1m_input", "API USD per 1M input tokens", "number", "usd_per_1m_tokens", required=False,
           **NONNEG, width=12),
        _c("api_usd_per_1m_output", "API USD per 1M output tokens", "number", "usd_per_1m_tokens",
           required=False, **NONNEG, width=12),
        _c("api_price_source", "API price source", "text", required=False, width=30),
        _c("mem_fraction_static", "Mem fraction static", "fraction", required=False, width=9),
        _c("max_tokens_per_gpu", "Max tokens per GPU", "integer", "tokens", required=False, min=1, width=10),
        _c("global_batch_size", "Global batch size", "text", required=False, width=9),
        _c("rollout_batch_size", "Rollout batch size", "integer", "count", required=False, min=1, width=9),
        _c("samples_per_prompt", "Samples per prompt", "integer", "count", required=False, min=1, width=9),
        _c("parallelism", "TP/PP/CP/EP", "text", required=False, width=12),
        _c("gpu_utilization_range", "GPU utilisation", "text", required=False, width=10),
        _c("memory_utilization_range", "Memory utilisation", "text", required=False, width=10),
        _c("compute_efficiency", "Compute efficiency", "fraction", required=False, width=9),
        _c("source", "Source", "text", required=False, width=36),
    ),
    rows=(
        ("qwen3-4b", "Qwen3-4B", 4, 4, 2, "A100 80GB", 25, None, 180, 160, "typed", 0.01, 0.03,
         "Nscale listing for Qwen3-4B-Instruct-2507 (date not recorded)", 0.70, 9216, "256", 32, 8,
         "2/1/1/1", "75-85%", "60-70%", 0.82, "Seed; THUDM/slime scripts/run-qwen3-4B.sh"),
        ("glm4-9b", "GLM4-9B", 9, 9, 2, "A100 80GB", 35, None, 120, None, "typed", None, None,
         "No paid API list price found", 0.70, 4608, "256", 32, 8,
         "2/1/2/1", "80-90%", "70-80%", None, "Seed; THUDM/slime scripts/run-glm4-9B.sh"),
        ("qwen3-235b-a22b", "Qwen3-235B-A22B", 235, 22, 32, "A100 80GB", 95, None, 22, 20, "typed", 0.13, 0.60,
         "OpenRouter, June 2026 snapshot", 0.50, 4096, "64",
         8, 8, "4/4/2/8", "65-75%", "85-95%", 0.68, "Seed; slime run-qwen3-235B-A22B.sh (Jul 2025 version)"),
        ("deepseek-r1", "DeepSeek-R1", 671, 37, 128, "A100 80GB", 150, None, 8, None, "typed", 0.55, 2.19,
         "DeepSeek list price, July 2025", 0.50, 16384, "dynamic",
         None, 8, "8/4/4/32", "60-70%", "90-95%", 0.65, "Seed; THUDM/slime scripts/run-deepseek-r1.sh"),
    ),
)

CALL_TYPES = InputTable(
    key="call_types", name="CallTypes", sheet="Call Types", title="Call types: request size and latency targets",
    description=(
        "The mean size of a planning call and of an act step, and the latency each must meet (p99; blank = no "
        "limit). Sizes price the API alternative and give cost per 1M tokens; the targets pick the measured "
        "capacity from the Benchmarks sheet. Exactly one 'plan' and one 'act' row."
    ),
    columns=(
        _c("id", "Call type", "choice", choices=("plan", "act"), width=10),
        _c("input_tokens", "Input tokens (mean)", "number", "tokens", **POSITIVE, width=12),
        _c("output_tokens", "Output tokens (mean)", "number", "tokens", **NONNEG, width=12),
        _c("slo_p99_ttft_ms", "SLO p99 TTFT (ms)", "number", "ms", required=False, **POSITIVE, width=11),
        _c("slo_p99_tpot_ms", "SLO p99 TPOT (ms)", "number", "ms", required=False, **POSITIVE, width=11),
        _c("slo_p99_e2e_ms", "SLO p99 E2E (ms)", "number", "ms", required=False, **POSITIVE, width=11),
        _c("source", "Source", "text", required=False, width=60),
    ),
    rows=(
        ("plan", 6000, 800, 2000, 50, None,
         "Assumption (illustrative): a planning prompt with tool descriptions and history, a plan of ~800 tokens."),
        ("act", 8600, 180, 2000, 50, None,
         "Mean request of the Mooncake 'Tool & Agent' trace: 8,596 input / 182 output tokens."),
    ),
    min_rows=2,
)

WORKFLOWS = InputTable(
    key="workflows", name="Workflows", sheet="Workflows", title="Plan/Act workflows",
    description=(
        "Cost of one workflow: plan calls on the planner, act steps on the executor; a share of act steps "
        "(escalation) fails on the small model and is redone by the planner. 'Plan complexity' has no effect "
        "in the seed's own formula and is kept for information only."
    ),
    columns=(
        _c("id", "Workflow id", "id", width=12),
        _c("name", "Name", "text", width=18),
        _c("plan_calls", "Plan calls", "number", "count", **NONNEG, width=9),
        _c("act_steps", "Act steps", "number", "count", **NONNEG, width=9),
        _c("planner_model", "Planner model", "ref", ref="models", width=18),
        _c("executor_model", "Executor model", "ref", ref="models", width=18),
        _c("escalation_rate", "Escalation rate", "fraction", width=10),
        _c("plan_complexity", "Plan complexity (info)", "fraction", required=False, width=11),
    ),
    rows=(
        ("simple", "Simple (1 plan + 3 act)", 1, 3, "qwen3-235b-a22b", "qwen3-4b", 0.0, 0.3),
        ("medium", "Medium (1 plan + 8 act)", 1, 8, "qwen3-235b-a22b", "qwen3-4b", 0.0, 0.5),
        ("complex", "Complex (1 plan + 15 act)", 1, 15, "qwen3-235b-a22b", "qwen3-4b", 0.0, 0.8),
    ),
)

PROVISIONING = ("static", "autoscaled")

SCENARIOS = InputTable(
    key="scenarios", name="Scenarios", sheet="Scenarios", title="Deployment scenarios",
    description=(
        "Peak load to size for. Planning share of requests goes to the planner; the rest are act steps. "
        "The seed gives no split for the small scenario: 30% is assumed. The load profile shapes the load over "
        "the day (flat = peak all day, the seed's assumption); a static fleet is sized for the peak and runs "
        "every hour, an autoscaled one follows the hour's load plus headroom."
    ),
    columns=(
        _c("id", "Scenario id", "id", width=14),
        _c("name", "Name", "text", width=28),
        _c("peak_qps", "Peak QPS", "number", "qps", **NONNEG, width=10),
        _c("planning_share", "Planning share", "fraction", width=10),
        _c("planner_model", "Planner model", "ref", ref="models", width=18),
        _c("executor_model", "Executor model", "ref", ref="models", width=18),
        _c("escalation_rate", "Escalation rate", "fraction", width=10),
        _c("load_profile", "Load profile", "ref", ref="load_profiles", required=False, default="flat", width=14),
        _c("provisioning", "Provisioning", "choice", choices=PROVISIONING, required=False, default="static",
           width=12),
        _c("autoscale_headroom", "Autoscale headroom", "fraction", required=False, default=0.2, width=11),
    ),
    rows=(
        ("enterprise", "Enterprise agent platform", 1000, 0.20, "qwen3-235b-a22b", "qwen3-4b", 0.0, "flat", "static",
         0.2),
        ("sme", "Vertical AI assistant (SME)", 100, 0.30, "qwen3-235b-a22b", "qwen3-4b", 0.0, "flat", "static", 0.2),
        ("small", "Small deployment", 10, 0.30, "qwen3-235b-a22b", "qwen3-4b", 0.0, "flat", "static", 0.2),
    ),
)

HOURS_PER_DAY = 24
BUSINESS_DAY_SHARES = (0.15, 0.15, 0.15, 0.15, 0.15, 0.15, 0.25, 0.40, 0.70, 0.90, 1.00, 1.00,
                       0.85, 0.90, 1.00, 1.00, 0.90, 0.70, 0.50, 0.35, 0.30, 0.25, 0.20, 0.15)

LOAD_PROFILES = InputTable(
    key="load_profiles", name="LoadProfiles", sheet="Load Profiles", title="Load over the day",
    description=(
        "One row per profile and hour (0-23): the hour's load as a share of the peak. Every profile has all 24 "
        "hours and at least one hour at 100%. 'flat' is the seed's assumption (peak all day). 'business-day' is "
        "an illustrative weekday shape with a peak-to-average ratio of about 2, the ratio public Azure traces "
        "report for conversational LLM traffic."
    ),
    columns=(
        _c("profile", "Profile", "id", width=14),
        _c("hour", "Hour", "integer", "hours", min=0, max=23, width=7),
        _c("share_of_peak", "Share of peak", "fraction", width=10),
    ),
    rows=tuple(("flat", h, 1.0) for h in range(HOURS_PER_DAY))
    + tuple(("business-day", h, share) for h, share in enumerate(BUSINESS_DAY_SHARES)),
    key_columns=("profile", "hour"),
)

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

PUBLISHED = InputTable(
    key="published", name="PublishedFigures", sheet="Published",
    title="Published figures to reconcile",
    description=(
        "Figures from the published analysis. Each is compared with the computed metric of the same id "
        "(see the README for the ids); 'Known cause' explains a difference."
    ),
    columns=(
        _c("metric", "Metric id", "text", width=36),
        _c("published_value", "Published value", "number", width=14),
        _c("unit", "Unit", "text", required=False, width=12),
        _c("source", "Where it is published", "text", required=False, width=30),
        _c("known_cause", "Known cause of a difference", "text", required=False, width=60),
    ),
    rows=(
        ("usd_per_gpu_hour", 3.81, "usd_per_gpu_hour", "Published analysis §2.1",
         "The published analysis rounds 30.44 / 8 = 3.805 up to 3.81."),
        ("model.qwen3-4b.usd_per_1k_requests", 0.042, "usd_per_1k_requests", "Published analysis §2.1",
         "The published analysis divides the hourly cost by QPS: that is the cost of 3,600 requests, not 1,000."),
        ("model.glm4-9b.usd_per_1k_requests", 0.064, "usd_per_1k_requests", "Published analysis §2.1",
         "The published analysis divides the hourly cost by QPS: that is the cost of 3,600 requests, not 1,000."),
        ("model.qwen3-235b-a22b.usd_per_1k_requests", 5.54, "usd_per_1k_requests", "Published analysis §2.1",
         "The published analysis divides the hourly cost by QPS: that is the cost of 3,600 requests, not 1,000."),
        ("model.deepseek-r1.usd_per_1k_requests", 60.96, "usd_per_1k_requests", "Published analysis §2.1",
         "The published analysis divides the hourly cost by QPS: that is the cost of 3,600 requests, not 1,000."),
        ("workflow.simple.savings_pct", 0.846, "fraction", "Published analysis §2.2",
         "The published printed savings follow from none of its own figures; its formula gives 74.4%."),
        ("workflow.medium.savings_pct", 0.921, "fraction", "Published analysis §2.2",
         "The published printed savings follow from none of its own figures; its formula gives 88.2%."),
        ("workflow.complex.savings_pct", 0.952, "fraction", "Published analysis §2.2",
         "The published printed savings follow from none of its own figures; its formula gives 93.0%."),
        ("deployment.enterprise.pure.gpus", 1600, "gpus", "Published analysis §4.1", None),
        ("deployment.enterprise.hetero.gpus", 330, "gpus", "Published analysis §4.1", None),
        ("deployment.enterprise.pure.usd_per_hour", 6096, "usd_per_hour", "Published analysis §4.1",
         "GPU-hour price 3.81 (rounded) vs 3.805."),
        ("deployment.enterprise.pure.usd_per_year", 52670000, "usd_per_year", "Published analysis §4.1",
         "GPU-hour price 3.81 (rounded) vs 3.805."),
        ("deployment.enterprise.hetero.usd_per_month", 904320, "usd_per_month", "Published analysis §4.1",
         "The published analysis rounds $1,257.30/h to $1,257 before multiplying by 720 h "
         "(correct at 3.81: $905,256)."),
        ("deployment.enterprise.hetero.usd_per_year", 10850000, "usd_per_year", "Published analysis §4.1",
         "Carries the published hourly rounding; GPU-hour price 3.81 vs 3.805."),
        ("deployment.enterprise.savings_pct", 0.794, "fraction", "Published analysis §4.1", None),
        ("deployment.enterprise.annual_savings_usd", 41820000, "usd_per_year", "Published analysis §4.1",
         "GPU-hour price 3.81 (rounded) vs 3.805."),
        ("deployment.sme.pure.gpus", 160, "gpus", "Published analysis §4.2", None),
        ("deployment.sme.hetero.gpus", 66, "gpus", "Published analysis §4.2", None),
        ("deployment.sme.savings_pct", 0.586, "fraction", "Published analysis §4.2",
         "The published analysis rounds the annual costs to $5.27M and $2.18M before dividing (58.8% unrounded)."),
        ("deployment.sme.annual_savings_usd", 3090000, "usd_per_year", "Published analysis §4.2",
         "GPU-hour price 3.81 (rounded) vs 3.805."),
        ("deployment.small.annual_savings_usd", 309000, "usd_per_year", "Published analysis §6.2",
         "The published analysis scales the SME savings linearly to 10 QPS. With whole instances, 1 large instance "
         "(pure) against 1 large + 1 small (heterogeneous) costs more: there are no savings at 10 QPS."),
        ("implementation.upfront_usd", 285000, "usd", "Published analysis §6.1",
         "The published 'first year' $285K adds a year of operations (and training) to the one-time investment."),
        ("implementation.recurring_usd_per_year", 70000, "usd_per_year", "Published analysis §6.1",
         "The published 'annual operational overhead' charges the one-time $10K training every year."),
        ("finance.enterprise.roi", 146.30, "fraction", "Published analysis §6.2",
         "The published ROI (14,630%) follows from none of its own formulas."),
        ("finance.sme.roi", 22.75, "fraction", "Published analysis §6.2",
         "The published ROI (2,275%) follows from none of its own formulas."),
        ("finance.small.roi", 1.68, "fraction", "Published analysis §6.2",
         "The published ROI (168%) follows from none of its own formulas, and the 10 QPS savings are negative."),
        ("finance.enterprise.payback_months", 0.2, "months", "Published analysis §6.2",
         "The published analysis prints 0.2 and '2.4 months' side by side; neither follows from its figures."),
        ("finance.sme.payback_months", 2.8, "months", "Published analysis §6.2",
         "The published analysis prints 2.8 and '3.4 months'; neither follows from its figures."),
        ("finance.small.payback_months", 12.1, "months", "Published analysis §6.2",
         "At 10 QPS the heterogeneous option costs more: it never pays back."),
        ("risk.expected_annual_usd", 100000, "usd_per_year", "Published analysis §7.1", None),
        ("market.gpu-price-drop-30.enterprise.annual_savings_usd", 29270000, "usd_per_year",
         "Published analysis §7.2",
         "The published analysis scales its $41.82M by 0.7; the re-run model agrees up to the GPU-hour rounding."),
        ("market.inference-cost-halved.enterprise.annual_savings_usd", 20910000, "usd_per_year",
         "Published analysis §7.2",
         "The published analysis scales its $41.82M by 0.5; the re-run model agrees up to the GPU-hour rounding."),
        ("workflow.simple.latency_improvement", 0.737, "fraction", "Published analysis §5.1",
         "The published 73.7% compares one small-model call with one large-model call. A simple workflow still pays "
         "for its planning call on the large model and for the router on every act step."),
        ("workflow.complex.latency_improvement", 0.083, "fraction", "Published analysis §5.1",
         "The published 8.3% compares an unexplained 120 ms for the pure option with one planning call plus "
         "routing. On the pure option a complex workflow makes every one of its calls on the large model."),
        ("breakeven.min_qps", 50, "qps", "Published analysis §8.1",
         "The published 50 QPS threshold is a claim; the computed value comes from the step-wise sweep."),
        ("recommendation.over-500.savings_min", 0.70, "fraction", "Published analysis §8.2", "Claimed range 70-80%."),
        ("recommendation.over-500.savings_max", 0.80, "fraction", "Published analysis §8.2", "Claimed range 70-80%."),
        ("recommendation.100-500.savings_min", 0.60, "fraction", "Published analysis §8.2", "Claimed range 60-70%."),
        ("recommendation.100-500.savings_max", 0.70, "fraction", "Published analysis §8.2", "Claimed range 60-70%."),
        ("recommendation.50-100.savings_min", 0.50, "fraction", "Published analysis §8.2", "Claimed range 50-60%."),
        ("recommendation.50-100.savings_max", 0.60, "fraction", "Published analysis §8.2", "Claimed range 50-60%."),
        ("recommendation.under-50.savings_min", 0.30, "fraction", "Published analysis §8.2", "Claimed range 30-50%."),
        ("recommendation.under-50.savings_max", 0.50, "fraction", "Published analysis §8.2", "Claimed range 30-50%."),
    ),
    min_rows=0,
)

BENCHMARK_ENGINES = ("vllm", "sglang", "genai-perf", "aiperf", "other")

BENCHMARKS = InputTable(
    key="benchmarks", name="Benchmarks", sheet="Benchmarks", title="Measured capacity: load-test runs",
    description=(
        "One row per load-test run, added by `xlcost import BOOK FILE... --model ID` from vLLM, SGLang, GenAI-Perf "
        "or AIPerf result files (or typed). A model whose Capacity source is 'benchmark' is sized at the highest "
        "request throughput among its runs on its own GPU count, at token lengths near the call type's, that "
        "meet the call type's p99 latency targets."
    ),
    columns=(
        _c("id", "Run id", "id", width=22),
        _c("model", "Model id", "ref", ref="models", width=18),
        _c("engine", "Engine", "choice", choices=BENCHMARK_ENGINES, width=11),
        _c("gpu_type", "GPU type", "text", required=False, width=14),
        _c("gpus", "GPUs", "integer", "gpus", min=1, width=7),
        _c("mean_input_tokens", "Mean input tokens", "number", "tokens", **NONNEG, width=11),
        _c("mean_output_tokens", "Mean output tokens", "number", "tokens", **NONNEG, width=11),
        _c("max_concurrency", "Max concurrency", "number", "count", required=False, **POSITIVE, width=11),
        _c("request_rate", "Request rate (req/s)", "number", "qps", required=False, **POSITIVE, width=11),
        _c("completed_requests", "Completed requests", "integer", "requests", required=False, **NONNEG, width=11),
        _c("request_throughput", "Request throughput (req/s)", "number", "qps", **POSITIVE, width=13),
        _c("output_throughput", "Output throughput (tok/s)", "number", "tokens_per_second", required=False,
           **NONNEG, width=13),
        _c("p99_ttft_ms", "p99 TTFT (ms)", "number", "ms", required=False, **NONNEG, width=10),
        _c("p99_tpot_ms", "p99 TPOT (ms)", "number", "ms", required=False, **NONNEG, width=10),
        _c("p99_e2e_ms", "p99 E2E (ms)", "number", "ms", required=False, **NONNEG, width=10),
        _c("mean_e2e_ms", "Mean E2E (ms)", "number", "ms", required=False, **NONNEG, width=10),
        _c("source_file", "Source file", "text", required=False, width=30),
        _c("sha256", "SHA-256", "text", required=False, width=20),
        _c("run_date", "Run date", "text", required=False, width=12),
    ),
    rows=(),
    min_rows=0,
)

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

INPUT_TABLES: tuple[InputTable, ...] = (
    GPU_OFFERS, MODELS, CALL_TYPES, BENCHMARKS, WORKFLOWS, SCENARIOS, LOAD_PROFILES, INDUSTRIES, SLA_TIERS,
    SLA_OPTIONS, COST_LINES, RISKS, MARKET_SCENARIOS, UNCERTAINTY, CORRELATIONS, LOAD_TIERS, POLICY_RULES,
    PUBLISHED,
)
TABLES: dict[str, InputTable] = {t.key: t for t in INPUT_TABLES}

# ---------------------------------------------------------------------------------------------
# Scalar parameters (the Parameters table on the Parameters sheet).
# ---------------------------------------------------------------------------------------------

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

# ---------------------------------------------------------------------------------------------
# Result sheets. Each sheet holds one or more blocks; a block is a titled table of rows.
# Blocks that feed a chart come first on their sheet so charts keep a fixed first row.
# ---------------------------------------------------------------------------------------------


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


@dataclass
class Problem:
    """One thing wrong with the workbook, in the user's terms."""

    severity: Literal["error", "warning"]
    sheet: str
    cell: str
    message: str
    table: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.message}"


@dataclass
class ProblemList:
    items: list[Problem] = field(default_factory=list)

    def error(self, sheet: str, cell: str, message: str, **kw) -> None:
        self.items.append(Problem("error", sheet, cell, message, **kw))

    def warning(self, sheet: str, cell: str, message: str, **kw) -> None:
        self.items.append(Problem("warning", sheet, cell, message, **kw))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]
