"""Input rules that span cells, rows or tables of how traffic is served: pricing terms, call types, load
profiles, API prices and measured capacity. ``parse`` runs them after every cell has been read; each
problem names the cell to fix, what is there and what is expected."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from .. import contract, labels
from ..contract import ProblemList
from ..engine.capacity import CALL_TYPES, measure
from ..inputs import Inputs

if TYPE_CHECKING:
    from .parse import _Parsed


def _where_table(table: _Parsed) -> str:
    return table.raw.header[0].ref if table.raw.header else ""


def _row(table: _Parsed, index: int) -> dict[str, Any]:
    return dict(zip((c.key for c in table.spec.columns), table.rows[index], strict=True))


def check_offers(parsed: dict[str, _Parsed], params: dict[str, Any], refs: dict[str, str],
                 problems: ProblemList) -> None:
    """An on-demand price must exist (an included on-demand offer, or the override), and the committed
    term, when one is chosen, needs an included offer of that term."""
    offers = parsed.get("gpu_offers")
    if offers is None or offers.bad or not offers.rows:  # an empty table is reported as such
        return
    rows = [_row(offers, i) for i in range(len(offers.rows))]
    included = Counter(r["term"] for r in rows if r["include"])
    name = contract.GPU_OFFERS.name
    if not included["on-demand"] and params.get("gpu_hour_price_override") is None:
        problems.error(offers.raw.sheet, _where_table(offers), "no on-demand GPU offer has Include = TRUE; expected "
                       "at least one on-demand offer with Include = TRUE (or set gpu_hour_price_override)", table=name)
    term = params.get("committed_term")
    if term not in (None, "none") and not included[term]:
        sheet, _, cell = refs.get("committed_term", "!").partition("!")
        offered = sorted(t for t in included if t != "on-demand")
        problems.error(sheet, cell, f"parameter committed_term is {term!r}, but no {term} GPU offer has Include = "
                       f"TRUE; expected a term with an included offer ({', '.join(offered) or 'none is included'}), "
                       f"'none', or tick Include on a {term} offer in table {name}")


def check_call_types(parsed: dict[str, _Parsed], problems: ProblemList) -> None:
    calls = parsed.get("call_types")
    if calls is None:
        return
    ids = [r[0] for r in calls.rows if r[0] is not None]
    for call in CALL_TYPES:
        if ids.count(call) != 1:
            problems.error(calls.raw.sheet, _where_table(calls), f"table {contract.CALL_TYPES.name} has "
                           f"{labels.count(ids.count(call), 'row')} for call type {call!r}; expected exactly one "
                           "'plan' and one 'act' row", table=contract.CALL_TYPES.name)


def check_load_profiles(parsed: dict[str, _Parsed], problems: ProblemList) -> None:
    """Every profile has the 24 hours once each and at least one hour at 100% (its peak)."""
    profiles = parsed.get("load_profiles")
    if profiles is None:
        return
    name = contract.LOAD_PROFILES.name
    hours: dict[str, list[int]] = {}
    peaks: dict[str, float] = {}
    first: dict[str, int] = {}
    for index, (profile, hour, share) in enumerate(profiles.rows):  # every row whose cells identify it
        if profile is None or hour is None:
            continue
        hours.setdefault(profile, []).append(int(hour))
        first.setdefault(profile, index)
        if share is not None:
            peaks[profile] = max(peaks.get(profile, 0.0), share)
    for profile, seen in hours.items():
        cell = profiles.cell(first[profile], "profile")
        missing = sorted(set(range(contract.HOURS_PER_DAY)) - set(seen))
        if missing:
            shown = ", ".join(map(str, missing[:8])) + (", ..." if len(missing) > 8 else "")
            problems.error(profiles.raw.sheet, cell, f"table {name}: profile {profile!r} has {len(set(seen))} of the "
                           f"24 hours (missing hour {shown}); expected one row for every hour 0 to 23", table=name)
        if profile in peaks and peaks[profile] < 1.0 - 1e-9:
            problems.error(profiles.raw.sheet, cell, f"table {name}: profile {profile!r} peaks at "
                           f"{peaks[profile]:.1%} of the peak load; expected at least one hour at 100% (the hour the "
                           "scenario's Peak QPS describes)", table=name)


def check_api_prices(parsed: dict[str, _Parsed], problems: ProblemList) -> None:
    """An API price needs both sides: a model is priced per input and per output token, or not at all."""
    models = parsed.get("models")
    for index, _ in models.good() if models is not None else ():
        values = _row(models, index)
        given = [values["api_usd_per_1m_input"] is not None, values["api_usd_per_1m_output"] is not None]
        if any(given) and not all(given):
            blank = "api_usd_per_1m_output" if given[0] else "api_usd_per_1m_input"
            header = contract.MODELS.column(blank).header
            problems.error(models.raw.sheet, models.cell(index, blank), f"table {contract.MODELS.name}, row "
                           f"{models.numbers[index]} ({values['id']}): '{header}' is blank but the other API price is "
                           "given; expected both API prices (input and output), or neither for a model without an "
                           "API option", table=contract.MODELS.name, row=models.numbers[index], column=header)


def check_serving(parsed: dict[str, _Parsed], params: dict[str, Any], refs: dict[str, str],
                  problems: ProblemList) -> None:
    check_offers(parsed, params, refs, problems)
    check_call_types(parsed, problems)
    check_load_profiles(parsed, problems)
    check_api_prices(parsed, problems)


def check_measured_capacity(inputs: Inputs, parsed: dict[str, _Parsed], problems: ProblemList) -> None:
    """A model sized from benchmarks must have a run for every call type its roles need."""
    models = parsed["models"]
    for gap in measure(inputs).gaps:
        index = [r[0] for r in models.rows].index(gap.model)
        problems.error(models.raw.sheet, models.cell(index, "capacity_source"), gap.message,
                       table=contract.MODELS.name, row=models.numbers[index], column="Capacity source")
