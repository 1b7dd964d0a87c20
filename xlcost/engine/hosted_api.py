"""The hosted-API alternative: buying the same models per token instead of running GPUs.

Option C ("API, large model only") sends every call to the large model's API; option D ("API, planner
+ executor") routes like option B: planning calls to the large model's API, act steps to the small
model's, escalated steps again to the large model's. A model without an API price has no API option
(NaN, shown as "no API").

Self-hosted options pay for provisioned capacity whether it is used or not; API options pay per token
used. A comparison at peak-sized capacity therefore flatters the API, one at average usage flatters
self-hosting: the load profile (``load``) decides which one the numbers describe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pricing import TOKENS_PER_MILLION
from .workflows import savings_share, workflow_cost


def api_usd_per_call(
    input_tokens: np.ndarray, output_tokens: np.ndarray, usd_per_1m_input: np.ndarray, usd_per_1m_output: np.ndarray
) -> np.ndarray:
    """(input tokens x input price + output tokens x output price) / 1e6, per model and call type.

    Tokens are per call type (batch + (call types,)), prices per model (batch + (models,)); the result is
    batch + (models, call types).
    """
    tokens_in = np.asarray(input_tokens, dtype=float)[..., None, :]
    tokens_out = np.asarray(output_tokens, dtype=float)[..., None, :]
    price_in = np.asarray(usd_per_1m_input, dtype=float)[..., :, None]
    price_out = np.asarray(usd_per_1m_output, dtype=float)[..., :, None]
    return (tokens_in * price_in + tokens_out * price_out) / TOKENS_PER_MILLION


@dataclass(frozen=True)
class ApiOptions:
    """Options C and D per scenario: batch + (scenarios,); NaN where a model has no API price."""

    plan_calls_per_year: np.ndarray
    act_calls_per_year: np.ndarray
    pure_usd_per_year: np.ndarray  # option C
    hetero_usd_per_year: np.ndarray  # option D
    pure_savings_usd: np.ndarray  # against option A (self-hosted pure large)
    hetero_savings_usd: np.ndarray
    pure_savings_pct: np.ndarray
    hetero_savings_pct: np.ndarray


def api_options(
    requests_per_year: np.ndarray, planning_share: np.ndarray, escalation_rate: np.ndarray,
    large_plan_usd: np.ndarray, large_act_usd: np.ndarray, small_act_usd: np.ndarray,
    self_hosted_pure_usd_per_year: np.ndarray,
) -> ApiOptions:
    """Yearly API bills: a year's calls priced like one workflow with that many plan and act calls."""
    plan = np.asarray(requests_per_year, dtype=float) * planning_share
    act = np.asarray(requests_per_year, dtype=float) - plan
    pure, hetero = workflow_cost(plan, act, large_plan_usd, small_act_usd, escalation_rate,
                                 planner_act_usd=large_act_usd)
    baseline = np.asarray(self_hosted_pure_usd_per_year, dtype=float)
    return ApiOptions(plan, act, pure, hetero, baseline - pure, baseline - hetero,
                      np.where(np.isnan(pure), np.nan, savings_share(baseline, pure)),
                      np.where(np.isnan(hetero), np.nan, savings_share(baseline, hetero)))
