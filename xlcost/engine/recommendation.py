"""The recommendation matrix: each load tier judged by the policy rules on its own scenarios' mix.

A tier covers loads from its Min QPS up to, not including, its Max QPS (the top tier, without a Max, up
to the sweep's maximum), so adjacent tiers never overlap. A tier is judged on the sweep of every
scenario whose peak load falls inside it (their planning share, escalation, models, profile,
provisioning), over the tier's loads: the lowest and highest savings and the worst risk-adjusted
payback. A tier with no scenario is judged on the primary scenario's mix, and says so. The first
policy rule the tier meets gives its recommendation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs
from .breakeven import Sweep


@dataclass(frozen=True)
class TierResult:
    tier_id: str
    name: str
    min_qps: float
    max_qps: float
    savings_min: float
    savings_max: float
    worst_payback_months: float
    recommendation: str
    stars: int
    seed_claim: str | None
    mix_scenarios: tuple[str, ...]  # scenario ids whose mix the tier is judged on
    own_mix: bool  # False: no scenario in the tier, judged on the primary scenario's mix


def tier_members(inputs: Inputs, top: float) -> list[tuple[float, float, list[int]]]:
    """(from, to, scenario rows) per tier: loads from <= load < to (the top tier up to and with ``top``)."""
    tiers, s = inputs.table("load_tiers"), inputs.table("scenarios")
    peaks = np.asarray(s["peak_qps"], dtype=float)
    out = []
    for i in range(len(tiers)):
        lo = float(tiers["min_qps"][i])
        bounded = not np.isnan(tiers["max_qps"][i])
        hi = float(tiers["max_qps"][i]) if bounded else top
        inside = (peaks >= lo) & ((peaks < hi) if bounded else np.full(peaks.shape, True))
        out.append((lo, hi, [int(j) for j in np.flatnonzero(inside)]))
    return out


def recommendation(inputs: Inputs, sweep_of: Callable[[int], Sweep], primary: int) -> list[TierResult]:
    """``sweep_of(j)``: the fine breakeven sweep of scenario row ``j``'s mix."""
    tiers, rules, s = inputs.table("load_tiers"), inputs.table("policy_rules"), inputs.table("scenarios")
    top = float(sweep_of(primary).qps[-1])
    out = []
    for i, (lo, hi, members) in enumerate(tier_members(inputs, top)):
        own = bool(members)
        judged = members or [primary]
        savings, paybacks = [], []
        for j in judged:
            sw = sweep_of(j)
            bounded = not np.isnan(tiers["max_qps"][i])
            inside = (sw.qps >= lo - 1e-9) & ((sw.qps < hi - 1e-9) if bounded else (sw.qps <= hi + 1e-9))
            if not inside.any():  # a tier beyond the sweep is judged at the sweep point nearest to it
                inside = np.arange(len(sw.qps)) == np.argmin(np.abs(sw.qps - np.clip(lo, sw.qps[0], sw.qps[-1])))
            savings.append(sw.deployment.savings_pct[inside])
            paybacks.append(sw.payback_months[inside])
        all_savings, worst_payback = np.concatenate(savings), float(np.max(np.concatenate(paybacks)))
        label, stars = "No rule applies", 0
        for r in range(len(rules)):
            min_savings, max_payback = rules["min_savings"][r], rules["max_payback_months"][r]
            if (np.isnan(min_savings) or all_savings.min() >= min_savings - 1e-12) and (
                np.isnan(max_payback) or worst_payback <= max_payback
            ):
                label, stars = rules["recommendation"][r], int(rules["stars"][r])
                break
        out.append(TierResult(tiers.ids[i], tiers["name"][i], lo, hi, float(all_savings.min()),
                              float(all_savings.max()), worst_payback, label, stars, tiers["seed_claim"][i],
                              tuple(s.ids[j] for j in judged), own))
    return out
