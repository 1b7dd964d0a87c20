"""Input tables of how the traffic is served: GPU offers, models, call types, load-test runs, workflows,
scenarios and load profiles. Defaults keep the published analysis's figures, or carry documented
illustrative data (late-2026 prices, call sizes, the business-day profile)."""

from __future__ import annotations

from .columns import NONNEG, POSITIVE, InputTable, _c

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
