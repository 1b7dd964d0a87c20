"""Each result's formula in words, and the model's conventions. One text for the workbook's
Methodology sheet (in English, as written here) and the report's methodology appendix (in the report's
language: every string is a gettext message id, marked ``N_`` as in ``labels``, and translated in
``xlcost/locale/<lang>/LC_MESSAGES/xlcost.po``). A method's section is the result sheet it belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from .labels import N_


@dataclass(frozen=True)
class Method:
    section: str  # the result sheet
    result: str
    formula: str
    note: str = ""


CONVENTIONS: tuple[str, ...] = (
    N_("Money is USD. A month is hours_per_month hours (default 720 = 24 x 30); a year is 12 months."),
    N_("QPS = requests per second. Shares and rates are fractions, shown as percentages."),
    N_("Cash flows: CF0 = -upfront investment at t = 0, not discounted; CF1..CFT at the end of each year."),
    N_("NPV = sum of CFt / (1 + r)^t for t = 0..T. Excel tie-out: =CF0 + NPV(r, CF1:CFT). Excel's NPV() "
       "discounts its first argument by one period, so never pass CF0 into it."),
    N_("IRR is reported only where it exists and is unique (exactly one sign change in the cash flows); "
       "otherwise 'not defined'."),
    N_("ROI over the horizon = (sum of CF1..CFT - upfront) / upfront, undiscounted; NPV / upfront is also shown."),
    N_("Simple payback (months) = upfront / (annual net benefit / 12). Discounted payback discounts the monthly "
       "benefit at (1 + r)^(1/12) - 1. 'Never' when the net benefit is not positive."),
    N_("Whole instances: an option needs ceil(load / sizing QPS) instances of a model; zero load needs none. "
       "Savings are therefore a step function of load."),
    N_("Every number that is not a physical constant is an input on an input sheet."),
    N_("In SLIME, --max-tokens-per-gpu and --global-batch-size are RL-training settings (micro-batch packing, "
       "samples per step), not serving capacity. QPS and latency are measured inputs, not derived from them."),
)

METHODS: tuple[Method, ...] = (
    Method(N_("Unit Costs"), N_("USD per GPU-hour"),
           N_("For each pricing term: the mean over included offers of that term of (USD per instance-hour / GPUs "
              "per instance). On demand unless gpu_hour_price_override is set."),
           N_("The seed averages to 3.805 and rounds to 3.81; set the override to 3.81 to reproduce its dollars.")),
    Method(N_("Unit Costs"), N_("USD per instance-hour"), N_("GPUs per instance x on-demand USD per GPU-hour.")),
    Method(N_("Unit Costs"), N_("USD per request (per call)"),
           N_("USD per instance-hour / (capacity for the call type x 3600)."),
           N_("The seed's 'per 1K requests' is hourly cost / QPS, the cost of 3,600 requests.")),
    Method(N_("Unit Costs"), N_("USD per 1M tokens"),
           N_("Self-hosted: USD per call / (input + output tokens per call) x 1e6. API: (input tokens x input price "
              "+ output tokens x output price) / 1e6 per call."), N_("Call sizes come from the Call Types sheet.")),
    Method(N_("Capacity"), N_("Capacity per call type"),
           N_("Typed: the model's QPS and latency for every call type. Benchmark: among the model's runs on its own "
              "GPU count with mean input and output tokens within benchmark_length_tolerance of the call type's, the "
              "highest request throughput of a run whose p99 TTFT, TPOT and E2E meet the call type's targets; latency "
              "= that run's mean E2E."),
           N_("Sizing capacity = capacity x target_utilization (typed models: the sizing QPS column when given).")),
    Method(N_("Workflows Out"), N_("Cost per workflow"),
           N_("Pure = plan calls x C_L,plan + act steps x C_L,act. Heterogeneous = plan calls x C_L,plan + act steps "
              "x (C_S + escalation x C_L,act). Savings = 1 - heterogeneous / pure. API options: the same with API "
              "prices per call."),
           N_("C: cost per call of a model for a call type. 'Plan complexity' has no effect (as in the seed).")),
    Method(N_("Deployment"), N_("Instances and GPUs"),
           N_("Plan QPS = peak x planning share; act QPS = peak - plan QPS. Pure: ceil(plan / sz_L,plan + act / "
              "sz_L,act) large instances. Heterogeneous: ceil(plan / sz_L,plan + escalation x act / sz_L,act) large "
              "and ceil(act / sz_S,act) small instances. Zero load needs none; any load at least one."),
           N_("sz: sizing capacity. With one capacity per model this is ceil(load / sizing QPS).")),
    Method(N_("Deployment"), N_("Cost"),
           N_("USD/h = always-on GPUs x committed USD per GPU-hour (+ the autoscaled GPU-hours above them at the "
              "on-demand price, averaged); month = hour x hours_per_month; year = month x 12; savings = pure - "
              "heterogeneous."),
           N_("With the defaults (static fleets, no committed term) USD/h = GPUs x USD per GPU-hour.")),
    Method(N_("Deployment"), N_("Hosted API options"),
           N_("Requests per year split by planning share. C (API, large only) = plan calls x API(L, plan) + act calls "
              "x API(L, act). D (API, planner + executor) = plan calls x API(L, plan) + act calls x (API(S, act) + "
              "escalation x API(L, act))."),
           N_("Self-hosted options pay for provisioned capacity whether used or not; API options pay per token used.")),
    Method(N_("Load"), N_("Load over the day"),
           N_("Load in hour h = peak QPS x share(h) of the scenario's profile; peak-to-average = peak / mean load; "
              "requests per year = sum over hours of load x 3600 x days per year (hours_per_month x 12 / 24)."),
           N_("The flat profile (peak all day) is the seed's assumption.")),
    Method(N_("Load"), N_("Static and autoscaled fleets"),
           N_("Static: the peak fleet every hour. Autoscaled: in each hour the whole instances for load(h) x (1 + "
              "headroom). GPU-hours per year = sum over hours of instances x GPUs per instance x days per year."),
           N_("Always-on instances (the minimum over the day; all of a static fleet) are billed at committed_term's "
              "price, the rest on demand.")),
    Method(N_("Latency Impact"), N_("Latency per workflow"),
           N_("Pure = plan calls x L_L,plan + act steps x L_L,act. Heterogeneous = plan calls x L_L,plan + act steps "
              "x (L_S + routing_overhead_ms + escalation x L_L,act). Improvement = (pure - heterogeneous) / pure, "
              "labelled by the latency value thresholds."), N_("L: mean latency of one call.")),
    Method(N_("Latency Impact"), N_("Business impact"),
           N_("Impact per 100 ms x (pure - heterogeneous) / 100, times the annual value at stake where given.")),
    Method(N_("Latency Impact"), N_("The published task classes"),
           N_("Simple: pure = the large model's latency, heterogeneous = the small model's. Complex: pure = "
              "complex_task_pure_latency_ms, heterogeneous = planner latency + routing_overhead_ms."),
           N_("Kept for the reconciliation: these leave out calls a workflow pays for.")),
    Method(N_("SLA Exposure"), N_("Exposure"),
           N_("Shortfall = max(0, target - availability); penalty = shortfall x penalty rate; reputation = "
              "shortfall x reputation impact; total = penalty + reputation; in USD when a contract value is given."),
           N_("The target must be one of the SLA tiers.")),
    Method(N_("Cash Flows"), N_("Investment and operations"),
           N_("Upfront = sum of one-time lines; recurring per year = 12 x monthly lines + annual lines."),
           N_("The seed's $285K 'first year' adds a year of operations to the investment; its $70K annual "
              "overhead charges one-time training every year.")),
    Method(N_("Finance"), N_("Cash flows and NPV"), N_("CF0 = -upfront; CFt = annual savings - recurring; NPV at the "
              "discount rate over horizon_years (see conventions).")),
    Method(N_("Risk"), N_("Expected risk cost"),
           N_("Expected = probability x impact. Annual risks come off every year's cash flow (risk-adjusted "
              "savings); one-time risks are added to the investment. Risk-adjusted NPV uses both.")),
    Method(N_("Market Scenarios"), N_("Market scenarios"),
           N_("Each row re-runs the whole model with one input multiplied or replaced; viable = risk-adjusted NPV > 0; "
              "the cheapest of the four options under the change is shown.")),
    Method(N_("Breakeven"), N_("Breakeven load"),
           N_("The model is re-run on a 0.1 QPS grid at the primary scenario's mix (planning share, escalation, "
              "models, load profile, provisioning, pricing term); the smallest load whose risk-adjusted annual net "
              "benefit is positive and whose risk-adjusted payback is within payback_target_months. The step table "
              "lists the load bands of equal instance counts.")),
    Method(N_("Breakeven"), N_("Workflow breakeven"),
           N_("Smallest whole number of act steps per workflow at which it saves target_workflow_savings.")),
    Method(N_("Recommendation"), N_("Recommendation matrix"),
           N_("A tier covers loads from its Min QPS up to, not including, its Max QPS. It is judged on the sweeps of "
              "the scenarios whose peak load falls in it (the primary scenario's when none does): the lowest and "
              "highest savings and the worst risk-adjusted payback over the tier's loads; the first policy rule it "
              "meets gives the recommendation.")),
    Method(N_("Simulation"), N_("Trials"),
           N_("Each trial draws every row of the Uncertainty sheet (a value replaces its cells, a multiplier "
              "multiplies them; * moves every row of the table with one shared draw) and re-runs prices, capacity, "
              "unit costs, load, fleets, implementation cost, risk and cash flows; IRR is not sampled. A draw is the "
              "inverse CDF of a uniform from NumPy's PCG64 generator seeded with mc_seed; declared rank correlations "
              "are imposed with Iman-Conover."),
           N_("Uniform uses Low and High; triangular and PERT (lambda 4) also Most likely; normal and lognormal read "
              "Low and High as the 5th and 95th percentiles. The other sheets always use the cells' own values.")),
    Method(N_("Simulation"), N_("Results over the trials"),
           N_("Per scenario: mean, standard deviation and P5, P10, P50, P90, P95 (linear interpolation between order "
              "statistics, as PERCENTILE.INC) of annual savings, savings share, NPV, risk-adjusted NPV and simple "
              "payback; P(risk-adjusted NPV < 0); P(NPV < 0); P(risk-adjusted payback > payback_target_months), a "
              "payback that never comes counting as late."),
           N_("Standard error of a mean = standard deviation / sqrt(trials); of a probability p = sqrt(p (1 - p) / "
              "trials).")),
    Method(N_("Simulation"), N_("Tornado"),
           N_("Each uncertain input alone at its 10th and at its 90th percentile, every other cell at its own value: "
              "the primary scenario's risk-adjusted NPV; swing = |difference|; sorted by swing. Rank correlation: "
              "Spearman's, between the input's draws and the risk-adjusted NPV over the trials.")),
    Method(N_("Checks"), N_("Plausibility"),
           N_("Warnings: IRR above 1,000% or payback under one month (is the whole investment counted?); an "
              "escalation rate of exactly 0; both options below the SLA target; a typed capacity although the "
              "Benchmarks table holds runs of the model; an uncertain input that moves no simulated result.")),
    Method(N_("Reconciliation"), N_("Published figures"),
           N_("Computed value of the same metric id; difference = computed - published; 'matches' when the "
              "relative difference is within reconcile_tolerance, or the computed value rounds to the published "
              "figure as it is shown (8.3% matches 8.33%).")),
)
