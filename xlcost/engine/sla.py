"""SLA exposure of each option: the availability shortfall against the contracted target, priced by the
target's tier as a share of the contract value (and in USD when a contract value is given)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs import Inputs


def sla_exposure(
    target: float, availability: np.ndarray, penalty_rate: float, reputation_impact: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(shortfall, penalty, reputation, total) as shares of the contract value.

    shortfall = max(0, target - availability); penalty = shortfall x penalty rate;
    reputation = shortfall x reputation impact; total = penalty + reputation.
    """
    shortfall = np.maximum(0.0, target - np.asarray(availability, dtype=float))
    penalty = shortfall * penalty_rate
    reputation = shortfall * reputation_impact
    return shortfall, penalty, reputation, penalty + reputation


@dataclass(frozen=True)
class SlaRow:
    option: str
    name: str
    availability: float
    target: float
    shortfall: float
    p99_latency_ms: float
    penalty: float
    reputation: float
    total: float
    total_usd_per_year: float | None


def sla(inputs: Inputs) -> list[SlaRow]:
    tiers = inputs.table("sla_tiers")
    target = float(inputs.param("sla_target"))
    matches = np.flatnonzero(np.isclose(tiers["target_availability"], target, rtol=0, atol=1e-9))
    if matches.size == 0:
        raise ValueError(f"SLA target {target} is not one of the SLA tiers")  # the reader reports it first
    tier = int(matches[0])
    contract_value = inputs.param("annual_contract_value_usd")
    opts = inputs.table("sla_options")
    shortfall, penalty, reputation, total = sla_exposure(
        target, opts["availability"], float(tiers["penalty_rate"][tier]), float(tiers["reputation_impact"][tier]))
    return [
        SlaRow(opts["id"][i], opts["name"][i], float(opts["availability"][i]), target, float(shortfall[i]),
               float(opts["p99_latency_ms"][i]), float(penalty[i]), float(reputation[i]), float(total[i]),
               None if contract_value is None else float(total[i]) * float(contract_value))
        for i in range(len(opts))
    ]
