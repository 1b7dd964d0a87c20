"""The words a reader sees for every id and code the model uses.

Metric ids (``finance.enterprise.irr``), result-table column keys, option codes, recurrence, pricing
term, provisioning, status, market-target and unit codes are machine names: stable for the JSON export
and the workbook's Published sheet, unreadable in a board document. This module is their one
dictionary. The workbook's result sheets use it in English; the PDF report uses it in the report's
language by passing a gettext function (``Labels(gettext)``).

Every string here is a gettext message id (marked ``N_`` so Babel's extractor finds it), and every
label with a name in it takes the name from the workbook as the user typed it (``{scenario}``). A
message id never contains an id or a code, so a translated report never shows one either.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Gettext = Callable[[str], str]
# (table key, row id) -> the row's display name as typed in the workbook (or its id when unnamed).
Namer = Callable[[str, str], str]


def count(n: int, noun: str, plural: str = "") -> str:
    """A number with its noun in English: "1 run", "6 runs" (messages never say "run(s)")."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {plural or noun + 's'}"


def N_(message: str) -> str:
    """Mark a message for extraction; translated where it is shown."""
    return message


# The four options a scenario can be served with: A and B on self-hosted GPUs, C and D bought per token.
OPTIONS = {
    "pure": N_("A. Pure large model"),
    "hetero": N_("B. Planner + executor"),
    "api_pure": N_("C. API, large model only"),
    "api_hetero": N_("D. API, planner + executor"),
}
OPTION_CODES = tuple(OPTIONS)
OPTION_LETTERS = {"pure": "A", "hetero": "B", "api_pure": "C", "api_hetero": "D"}
OPTIONS_SHORT = {
    "pure": N_("pure large model"),
    "hetero": N_("heterogeneous"),
    "api_pure": N_("hosted API, large model"),
    "api_hetero": N_("hosted API, planner + executor"),
}
RECURRENCE = {"one-time": N_("one-time"), "monthly": N_("monthly"), "annual": N_("annual")}
TERMS = {"on-demand": N_("on demand"), "1-year": N_("1-year commitment"), "3-year": N_("3-year commitment"),
         "spot": N_("spot"), "none": N_("none (all on demand)")}
PROVISIONING = {"static": N_("static (sized for the peak)"), "autoscaled": N_("autoscaled")}
CAPACITY_SOURCES = {"typed": N_("typed in"), "benchmark": N_("measured")}
# Load-test tools, as their makers spell them.
ENGINES = {"vllm": "vLLM", "sglang": "SGLang", "genai-perf": "GenAI-Perf", "aiperf": "AIPerf",
           "other": N_("another tool")}
STATUS = {"matches": N_("matches"), "differs": N_("differs"), "unknown id": N_("unknown figure")}
SEVERITY = {"error": N_("Error"), "warning": N_("Warning"), "summary": N_("Summary")}
TASK_CLASSES = {"simple": N_("simple task"), "complex": N_("complex task")}
BUSINESS_VALUE = {"high": N_("high"), "moderate": N_("moderate"), "low": N_("low")}
CALL_TYPES = {"plan": N_("planning call"), "act": N_("act step")}
MARKET_TARGETS = {
    "gpu_price": N_("GPU-hour price"),
    "inference_cost": N_("every serving cost"),
    "api_price": N_("API token prices of every model"),
    "load": N_("peak load of every scenario"),
    "planning_share": N_("planning share of every scenario"),
    "escalation_rate": N_("escalation rate of every scenario"),
    "large_model_qps": N_("throughput of every planner model"),
    "small_model_qps": N_("throughput of every executor model"),
    "implementation_cost": N_("every one-time cost line"),
    "operating_cost": N_("every recurring cost line"),
    "risk_cost": N_("every risk's impact"),
    "discount_rate": N_("the discount rate"),
    "none": N_("nothing (qualitative)"),
}
UNITS = {
    "usd": N_("USD"), "usd_per_year": N_("USD per year"), "usd_per_month": N_("USD per month"),
    "usd_per_hour": N_("USD per hour"), "usd_per_gpu_hour": N_("USD per GPU-hour"),
    "usd_per_instance_hour": N_("USD per instance-hour"), "usd_per_request": N_("USD per request"),
    "usd_per_1k_requests": N_("USD per 1K requests"), "usd_per_1m_tokens": N_("USD per 1M tokens"),
    "usd_per_call": N_("USD per call"), "fraction": N_("share"), "fraction_per_100ms": N_("share per 100 ms"),
    "count": "", "instances": N_("instances"), "gpus": N_("GPUs"), "qps": N_("QPS"), "qps_per_gpu": N_("QPS per GPU"),
    "ms": N_("ms"), "months": N_("months"), "years": N_("years"), "billion_params": N_("billion parameters"),
    "ratio": "", "hours": N_("hours"), "tokens": N_("tokens"), "gpu_hours": N_("GPU-hours"),
    "requests": N_("requests"), "tokens_per_second": N_("tokens per second"), "text": "", "bool": "", "": "",
}

# "Every row" of an input table, in words: what an uncertain input moving the whole table moves.
EVERY_ROW = {"gpu_offers": N_("every GPU offer"), "models": N_("every model"), "call_types": N_("every call type"),
             "workflows": N_("every workflow"), "scenarios": N_("every scenario"),
             "load_profiles": N_("every load profile"), "cost_lines": N_("every cost line"), "risks": N_("every risk")}
# Numeric parameters in words, where a reader meets them outside the Parameters table (an uncertain input).
PARAMETERS = {
    "hours_per_month": N_("hours per month"), "gpu_hour_price_override": N_("GPU-hour price"),
    "target_utilization": N_("target utilisation"), "routing_overhead_ms": N_("routing overhead"),
    "discount_rate": N_("discount rate"), "payback_target_months": N_("payback target"),
    "annual_contract_value_usd": N_("annual contract value"), "sla_target": N_("availability target"),
    "implementation_budget_usd": N_("implementation budget"), "horizon_years": N_("investment horizon"),
}

# Metric ids, most specific first. ``{x}`` parts name a row of the table given in METRIC_NAMES.
METRICS: tuple[tuple[str, str], ...] = (
    ("usd_per_gpu_hour", N_("GPU-hour price")),
    ("model.{model}.usd_per_1k_requests", N_("{model}: cost per 1K requests")),
    ("model.{model}.{call}.usd_per_1m_tokens", N_("{model}: self-hosted cost per 1M tokens, {call}")),
    ("api.{model}.{call}.usd_per_call", N_("{model}: hosted-API cost per {call}")),
    ("capacity.{model}.{call}.qps", N_("{model}: capacity per instance, {call}")),
    ("workflow.{workflow}.savings_pct", N_("{workflow}: savings")),
    ("workflow.{workflow}.{option}.latency_ms", N_("{workflow}: latency, {option}")),
    ("workflow.{workflow}.latency_improvement", N_("{workflow}: latency improvement")),
    ("deployment.{scenario}.{option}.gpus", N_("{scenario}: GPUs, {option}")),
    ("deployment.{scenario}.{option}.usd_per_hour", N_("{scenario}: cost per hour, {option}")),
    ("deployment.{scenario}.{option}.usd_per_month", N_("{scenario}: cost per month, {option}")),
    ("deployment.{scenario}.{option}.usd_per_year", N_("{scenario}: annual cost, {option}")),
    ("deployment.{scenario}.{option}.gpu_hours_per_year", N_("{scenario}: GPU-hours per year, {option}")),
    ("deployment.{scenario}.requests_per_year", N_("{scenario}: requests per year")),
    ("deployment.{scenario}.peak_to_average", N_("{scenario}: peak-to-average load")),
    ("deployment.{scenario}.annual_savings_usd", N_("{scenario}: annual savings")),
    ("deployment.{scenario}.savings_pct", N_("{scenario}: savings share")),
    ("finance.{scenario}.npv", N_("{scenario}: NPV")),
    ("finance.{scenario}.risk_adjusted_npv", N_("{scenario}: risk-adjusted NPV")),
    ("finance.{scenario}.irr", N_("{scenario}: IRR")),
    ("finance.{scenario}.roi", N_("{scenario}: ROI over the horizon")),
    ("finance.{scenario}.payback_months", N_("{scenario}: simple payback")),
    ("finance.{scenario}.discounted_payback_months", N_("{scenario}: discounted payback")),
    ("implementation.upfront_usd", N_("One-time investment")),
    ("implementation.recurring_usd_per_year", N_("Recurring operating cost per year")),
    ("risk.expected_annual_usd", N_("Expected annual risk cost")),
    ("breakeven.min_qps", N_("Smallest load that pays")),
    ("market.{market}.{scenario}.annual_savings_usd", N_("{market}, {scenario}: annual savings")),
    ("market.{market}.{scenario}.risk_adjusted_npv", N_("{market}, {scenario}: risk-adjusted NPV")),
    ("latency.{task}.improvement", N_("Latency improvement, {task}")),
    ("recommendation.{tier}.savings_min", N_("Recommendation tier {tier}: lowest savings")),
    ("recommendation.{tier}.savings_max", N_("Recommendation tier {tier}: highest savings")),
    ("mc.trials", N_("Simulation: trials")),
    ("mc.seed", N_("Simulation: random seed")),
    ("mc.{scenario}.prob_loss", N_("{scenario}: chance the risk-adjusted NPV is negative")),
    ("mc.{scenario}.prob_payback_over_target", N_("{scenario}: chance the payback misses its target")),
    ("mc.{scenario}.{measure}.{stat}", N_("{scenario}: {measure}, simulated {stat}")),
)
# The simulation's measures, by the engine's names, and the shorter names key figure ids give some of them
# (``mc.<scenario>.<measure>.<stat>``); and its statistics.
MEASURES = {"annual_savings_usd": N_("annual savings"), "savings_pct": N_("savings share"), "npv_usd": N_("NPV"),
            "risk_adjusted_npv_usd": N_("risk-adjusted NPV"), "simple_payback_months": N_("simple payback")}
MEASURE_IDS = {"npv": "npv_usd", "risk_adjusted_npv": "risk_adjusted_npv_usd",
               "payback_months": "simple_payback_months"}
STATS = {"mean": N_("mean"), "std": N_("standard deviation"), "p5": "P5", "p10": "P10", "p50": "P50", "p90": "P90",
         "p95": "P95"}
# What an empty value of a figure means, where it can be empty (added in parentheses next to a blank cell).
METRIC_NOTES = {
    "finance.{scenario}.irr": N_("empty when not defined"),
    "finance.{scenario}.payback_months": N_("empty: never"),
    "finance.{scenario}.discounted_payback_months": N_("empty: never"),
    "breakeven.min_qps": N_("empty: none in the sweep"),
}
# Which input table names each placeholder (None: a code translated by a dictionary above).
METRIC_NAMES = {"model": "models", "workflow": "workflows", "scenario": "scenarios", "market": "market_scenarios",
                "tier": "load_tiers", "option": None, "task": None, "call": None, "measure": None, "stat": None}


# Ids may hold dots, so a placeholder matches lazily; option codes are a closed set.
ANY_ID = r"(?P<{name}>.+?)"
_PLACEHOLDERS = {"{option}": "(?P<{name}>" + "|".join(sorted(OPTIONS, key=len, reverse=True)) + ")",
                 "{call}": "(?P<{name}>" + "|".join(CALL_TYPES) + ")",
                 "{measure}": r"(?P<{name}>[a-z_]+)", "{stat}": r"(?P<{name}>mean|std|p\d+)"}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", template)
    return re.compile("^" + "".join(_PLACEHOLDERS.get(p, ANY_ID).format(name=p[1:-1]) if p.startswith("{")
                                     else re.escape(p) for p in parts) + "$")


_COMPILED = tuple((_pattern(pattern), pattern, label) for pattern, label in METRICS)


def parse_metric(metric_id: str) -> tuple[str, dict[str, str]] | None:
    """(label message id, placeholders) of a metric id, or None for an id this module does not know."""
    for regex, _pattern_text, label in _COMPILED:
        m = regex.match(metric_id)
        if m:
            return label, m.groupdict()
    return None


def _note(metric_id: str) -> str | None:
    for regex, pattern, _label in _COMPILED:
        if regex.match(metric_id):
            return METRIC_NOTES.get(pattern)
    return None


def english(message: str) -> str:
    """The gettext of English: a message id is its own English text."""
    return message


def english_n(singular: str, plural: str, n: int) -> str:
    """The ngettext of English."""
    return singular if n == 1 else plural


class Labels:
    """Labels in one language: ``Labels()`` is English, ``Labels(translations.gettext)`` another one."""

    def __init__(self, gettext: Gettext | None = None) -> None:
        self.gettext = gettext or english

    def _code(self, table: dict[str, str], code: object) -> str:
        if code is None:
            return ""
        text = table.get(str(code))
        return self.gettext(text) if text else str(code)

    def option(self, code: str) -> str:
        return self._code(OPTIONS, code)

    def option_short(self, code: str) -> str:
        return self._code(OPTIONS_SHORT, code)

    def recurrence(self, code: str) -> str:
        return self._code(RECURRENCE, code)

    def term(self, code: str) -> str:
        return self._code(TERMS, code)

    def provisioning(self, code: str) -> str:
        return self._code(PROVISIONING, code)

    def capacity_source(self, code: str) -> str:
        return self._code(CAPACITY_SOURCES, code)

    def status(self, code: str) -> str:
        return self._code(STATUS, code)

    def severity(self, code: str) -> str:
        return self._code(SEVERITY, code)

    def task_class(self, code: str) -> str:
        return self._code(TASK_CLASSES, code)

    def business_value(self, code: str) -> str:
        return self._code(BUSINESS_VALUE, code)

    def call_type(self, code: str) -> str:
        return self._code(CALL_TYPES, code)

    def market_target(self, code: str) -> str:
        return self._code(MARKET_TARGETS, code)

    def every_row(self, table: str) -> str:
        return self._code(EVERY_ROW, table)

    def parameter(self, key: str) -> str:
        return self._code(PARAMETERS, key)

    def engine(self, code: str) -> str:
        return self._code(ENGINES, code)

    def measure(self, code: str, *, capital: bool = False) -> str:
        """A simulated measure in words (``risk_adjusted_npv_usd`` or its id form ``risk_adjusted_npv``);
        ``capital``: as the first word of a cell ("Annual savings")."""
        text = self._code(MEASURES, MEASURE_IDS.get(code, code))
        return text[:1].upper() + text[1:] if capital else text

    def unit(self, code: object) -> str:
        if code is None:
            return ""
        text = UNITS.get(str(code))
        if text is None:
            return str(code)
        return self.gettext(text) if text else ""

    def metric(self, metric_id: str, names: Namer, *, short: bool = False) -> str | None:
        """The figure a metric id stands for, in words (None for an id this module does not know).

        ``short`` drops the "(empty: ...)" note that only makes sense next to a blank workbook cell.
        """
        parsed = parse_metric(metric_id)
        if parsed is None:
            return None
        label, parts = parsed
        values = {}
        for key, value in parts.items():
            table = METRIC_NAMES.get(key)
            if key == "option":
                values[key] = self.option_short(value)
            elif key == "task":
                values[key] = self.task_class(value)
            elif key == "call":
                values[key] = self.call_type(value)
            elif key == "measure":
                values[key] = self.measure(value)
            elif key == "stat":
                values[key] = self._code(STATS, value)
            elif table is not None:
                values[key] = names(table, value)
            else:  # pragma: no cover - every placeholder is declared in METRIC_NAMES
                values[key] = value
        text = self.gettext(label).format(**values)
        note = None if short else _note(metric_id)
        return text if note is None else self.gettext(N_("{label} ({note})")).format(label=text,
                                                                                      note=self.gettext(note))


ENGLISH = Labels()


def namer(inputs) -> Namer:
    """Names of input rows as typed in the workbook; the id where a row has no name (or no such row)."""
    return inputs.display_name
