"""Input rules of the Uncertainty and Correlations tables: every reference resolves, every range makes sense.

``parse`` runs them after every cell has been read (``check_uncertainty``); they read the other tables'
parsed rows, so they run even when those tables have problems of their own. Errors name the cell to fix,
what is there and what is expected; warnings flag rows that are valid but probably not what was meant.
The lookups (table by name, column by header, rows by id, a column's valid range) are the engine's own
(``xlcost.engine.uncertainty``), so what is checked here is what a simulation will move.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import contract
from ..contract import Column, ProblemList
from ..engine import uncertainty as u
from ..engine.sampling import positive_definite

if TYPE_CHECKING:
    from .parse import _Parsed

TABLE = contract.UNCERTAINTY.name
PAIRS = contract.CORRELATIONS.name
BOUNDED = ("uniform", "triangular", "pert")
# Parameters a trial uses; the others do not move anything the simulation reports.
TRIAL_PARAMETERS = ("hours_per_month", "gpu_hour_price_override", "target_utilization", "discount_rate",
                    "payback_target_months")
# Models columns that a benchmark-measured capacity replaces.
MEASURED_COLUMNS = ("qps_per_instance", "sizing_qps_per_instance", "latency_ms")
MOST_PAIRS_SEARCHED = 4  # inputs in the smallest inconsistent set of correlations looked for


def _row(table: _Parsed, index: int) -> dict[str, Any]:
    return dict(zip((c.key for c in table.spec.columns), table.rows[index], strict=True))


def _quoted(text: str) -> str:
    """Text from a cell, quoted, and cut short when long."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _shown(values: list[str], limit: int = 12) -> str:
    return ", ".join(values[:limit]) + (", ..." if len(values) > limit else "")


class _Row:
    """One valid row of the Uncertainty table being checked, and how to report on it."""

    def __init__(self, table: _Parsed, index: int, problems: ProblemList) -> None:
        self.table, self.index, self.problems = table, index, problems
        self.values = _row(table, index)
        self.id = self.values["id"]
        self.where = f"table {TABLE}, row {table.numbers[index]} ({self.id})"

    def error(self, column: str, text: str) -> None:
        self._report(self.problems.error, column, text)

    def warning(self, column: str, text: str) -> None:
        self._report(self.problems.warning, column, text)

    def _report(self, report, column: str, text: str) -> None:
        report(self.table.raw.sheet, self.table.cell(self.index, column), f"{self.where}: {text}", table=TABLE,
               row=self.table.numbers[self.index], column=contract.UNCERTAINTY.column(column).header)


def check_uncertainty(parsed: dict[str, _Parsed], params: dict[str, Any], problems: ProblemList) -> None:
    """Every rule of the Uncertainty and Correlations tables."""
    table = parsed.get("uncertainty")
    if table is None:
        return
    moved: dict[tuple, tuple[int, str]] = {}  # a moved cell -> (table row number, id) of the row moving it
    for index, _ in table.good():
        row = _Row(table, index, problems)
        if not _check_range(row):
            continue
        cells = _check_target(row, parsed, params)
        for cell in cells or ():
            if cell in moved:
                number, other = moved[cell]
                row.error("row_id", f"moves cells that row {number} ({other}) moves too; expected each cell moved "
                                    "by one row at most: drop one of them, or name single rows instead of '*'")
                break
        for cell in cells or ():
            moved.setdefault(cell, (table.numbers[index], row.id))
    check_correlations(parsed, problems)


def _check_range(row: _Row) -> bool:
    """Low, most likely and high in order, and a positive lognormal; False when the row has such an error."""
    v = row.values
    name, low, mode, high = v["distribution"], v["low"], v["most_likely"], v["high"]
    if name in ("triangular", "pert"):
        if mode is None:
            row.error("most_likely", f"a {_dist(name)} distribution needs its most likely value; expected Most likely "
                                     f"between Low {low:g} and High {high:g}")
            return False
        if not low <= mode <= high:
            row.error("most_likely" if low <= high else "low", f"Low {low:g}, Most likely {mode:g} and High {high:g} "
                      "are out of order; expected Low <= Most likely <= High")
            return False
    elif low > high:
        what = " (the 5th and 95th percentiles)" if name in ("normal", "lognormal") else ""
        row.error("low", f"Low {low:g} is above High {high:g}; expected Low <= High{what}")
        return False
    if name == "lognormal" and low <= 0:
        row.error("low", f"a lognormal distribution only takes positive values, but Low (its 5th percentile) is "
                         f"{low:g}; expected Low above 0, or a normal, uniform, triangular or PERT distribution")
        return False
    return True


def _dist(name: str) -> str:
    return "PERT" if name == "pert" else name


def _check_target(row: _Row, parsed: dict[str, _Parsed], params: dict[str, Any]) -> list[tuple] | None:
    """The cells the row moves (None when it has an error), after checking the table, row, column and ranges."""
    v = row.values
    row_id, header = str(v["row_id"]).strip(), v["column"]
    if v["table"] == u.PARAMETERS:
        column = u.parameter_column(row_id)
        if column is None or row_id not in TRIAL_PARAMETERS:
            known = "is not a parameter" if column is None else "does not enter the simulated results"
            row.error("row_id", f"names parameter {_quoted(row_id)}, which {known}; expected one of "
                                f"{', '.join(TRIAL_PARAMETERS)}")
            return None
        if header.strip().lower() != u.PARAMETER_COLUMN.lower():
            row.error("column", f"names column {_quoted(header)} of table {u.PARAMETERS}; expected "
                                f"{u.PARAMETER_COLUMN!r} (a parameter has one value)")
            return None
        if row_id not in params:
            return None  # the parameter's own cell is reported
        if not _check_values(row, column, f"parameter {row_id}", [params[row_id]], None,
                             blank_means=_blank_meaning(column)):
            return None
        return [("parameters", row_id)]
    spec = u.input_table(v["table"])
    column = u.column_by_header(spec, header)
    varying = [c.header for c in spec.columns if c.kind in u.VARYING_KINDS]
    if column is None:
        row.error("column", f"names column {_quoted(header)}, which table {spec.name} does not have; expected one "
                            f"of its number columns, as headed: {_shown(varying)}")
        return None
    if column.kind not in u.VARYING_KINDS:
        what = ("a whole number, which a simulation never varies" if column.kind == "integer"
                else "not a number")
        row.error("column", f"names column '{column.header}' of table {spec.name}, which is {what}; expected one "
                            f"of its number columns: {_shown(varying)}")
        return None
    target = parsed.get(spec.key)
    if target is None:
        return None  # the table itself is reported
    key = u.row_key(spec)
    at = [c.key for c in spec.columns].index(key)
    keys = [r[at] for r in target.rows]
    rows = u.matching_rows(keys, row_id)
    if not rows and row_id == u.ALL_ROWS:
        return []  # an empty table: nothing to move (the table is reported if it needs rows)
    if not rows:
        known = list(dict.fromkeys(str(k) for k in keys if k is not None))
        what = "a profile" if key == "profile" else "an"
        row.error("row_id", f"names row {_quoted(row_id)}, which is not {what} id in table {spec.name}; expected one "
                            f"of {_shown(known)}, or * for every row")
        return None
    usable = [r for r in rows if r not in target.bad]
    col = [c.key for c in spec.columns].index(column.key)
    key_at = [[c.key for c in spec.columns].index(k) for k in spec.keys or (key,)]
    labels = [" hour ".join(str(target.rows[r][i]) for i in key_at) for r in usable]
    if not _check_values(row, column, f"'{column.header}'", [target.rows[r][col] for r in usable], labels,
                         blank_means=_blank_meaning(column)):
        return None
    _warn_no_effect(row, spec, target, usable)
    return [(spec.key, column.key, r) for r in rows]


def _blank_meaning(column: Column) -> str:
    if column.key == "gpu_hour_price_override":
        return "blank means the included offers' average"
    if column.key == "sizing_qps_per_instance":
        return "blank means QPS x target utilisation"
    if column.default is not None:
        return f"blank means {column.default:g}" if isinstance(column.default, float) else "blank has a default"
    return "blank"


def _check_values(row: _Row, column: Column, what: str, values: list[float | None], labels: list[str] | None, *,
                  blank_means: str) -> bool:
    """The draws keep every moved cell inside the column's valid range; warn when the cells' own values lie
    outside the row's range. ``labels`` name the moved rows (None for a parameter). False on an error."""
    v = row.values
    name, kind, low, high = v["distribution"], v["kind"], v["low"], v["high"]
    valid = u.valid_range(column)
    named = labels if labels is not None else [""] * len(values)

    def of(chosen: list[str]) -> str:
        return f"{what} of {_shown(chosen, 6)}" if labels is not None else what

    if name == "normal" and low != high:
        support = (-math.inf, math.inf)
    elif name == "lognormal" and low != high:
        support = (0.0, math.inf)
    else:
        support = (low, high)
    if kind == u.VALUE:
        if not valid.contains(*support):
            where = "distribution" if math.isinf(support[1]) else ("low" if not valid.contains(low, low) else "high")
            row.error(where, f"{_support_words(name, low, high)}, but {what} must be {valid.describe()}; expected "
                             f"{_remedy(name, valid)}")
            return False
        outside = [f"{label} ({x:g})".strip() if labels is not None else f"{x:g}"
                   for x, label in zip(values, named, strict=True) if x is not None and not low <= x <= high]
        if outside:
            subject = of(outside) if labels is not None else f"{what} ({outside[0]})"
            row.warning("low", f"{subject} lies outside this row's range {low:g} to {high:g}: the results on the "
                               "other sheets use the cell's own value, the simulation draws from the range")
        return True
    blank = [label for x, label in zip(values, named, strict=True) if x is None]
    if blank:
        row.error("row_id", f"multiplies {of(blank)}, which is blank ({blank_means}); expected a value to "
                            "multiply: fill the cell in, or make this a 'value' row whose draw replaces it")
        return False
    given = [x for x in values if x is not None]
    if given and all(x == 0 for x in given):
        row.warning("kind", f"multiplies {of(named)}, which is 0 wherever it applies: the multiplier changes nothing")
    reached = [x * m for x in given if x != 0 for m in support]
    if reached and not valid.contains(min(reached), max(reached)):
        worst = max(given, key=abs)
        row.error("distribution" if math.isinf(max(support)) or math.isinf(min(support)) else "high",
                  f"a multiplier {_support_words(name, low, high, multiplier=True)} takes {what} (up to {worst:g} "
                  f"now) to {min(reached):g} .. {max(reached):g}, but it must be {valid.describe()}; expected "
                  f"{_multiplier_remedy(name, valid, given)}")
        return False
    if not low <= 1.0 <= high:
        row.warning("low", f"the multiplier's range {low:g} to {high:g} leaves out 1 (the cells' own values): the "
                           "results on the other sheets use the cells as they are, the simulation never does")
    return True


def _support_words(name: str, low: float, high: float, *, multiplier: bool = False) -> str:
    if low == high:
        return f"of {low:g}" if multiplier else f"the value {low:g}"
    if name == "normal":
        return "from a normal distribution (any value, negative too)" if multiplier else (
            "a normal distribution draws any value, negative ones too")
    if name == "lognormal":
        return "from a lognormal distribution (any positive value)" if multiplier else (
            "a lognormal distribution draws any positive value, however large")
    return f"from {low:g} to {high:g}" if multiplier else f"the draws run from {low:g} to {high:g}"


def _remedy(name: str, valid: u.ValidRange) -> str:
    if name in BOUNDED:
        return f"Low and High inside that range ({valid.describe()})"
    if valid.high is None and valid.low is not None and valid.low <= 0:
        return "a lognormal distribution (always positive) or a bounded one (uniform, triangular, PERT)"
    return f"a bounded distribution (uniform, triangular or PERT) with Low and High {valid.describe()}"


def _multiplier_remedy(name: str, valid: u.ValidRange, values: list[float]) -> str:
    if name not in BOUNDED:
        if valid.high is None:
            return "a lognormal multiplier (always positive) or a bounded one (uniform, triangular, PERT)"
        return "a bounded multiplier (uniform, triangular or PERT)"
    largest = max(abs(x) for x in values)
    if valid.high is not None and largest > 0:
        return f"multipliers that keep every cell {valid.describe()}: High at most {valid.high / largest:g} here"
    return f"multipliers that keep every cell {valid.describe()}"


def _warn_no_effect(row: _Row, spec: contract.InputTable, target: _Parsed, rows: list[int]) -> None:
    """Rows whose cells a simulation moves to no effect: offers left out of the price, typed capacity that
    benchmarks replace."""
    values = [_row(target, r) for r in rows]
    if spec.key == "gpu_offers" and values and not any(x["include"] for x in values):
        ids = [x["id"] for x in values]
        offers, are = ("offer", "is") if len(ids) == 1 else ("offers", "are")
        row.warning("row_id", f"moves {offers} {_shown(ids, 6)} with Include = FALSE, which {are} left out of the "
                              "GPU-hour price: the simulation changes nothing with them")
    column = u.column_by_header(spec, row.values["column"])
    if spec.key == "models" and column is not None and column.key in MEASURED_COLUMNS:
        measured = [x["id"] for x in values if x["capacity_source"] == "benchmark"]
        if measured:
            row.warning("column", f"moves '{column.header}' of {_shown(measured, 6)}, whose capacity comes from "
                                  "benchmarks (Capacity source = benchmark): the typed value is not used, so this "
                                  "has no effect there")


# ---------------------------------------------------------------------------------------------
# Correlations
# ---------------------------------------------------------------------------------------------


def check_correlations(parsed: dict[str, _Parsed], problems: ProblemList) -> None:
    """Each pair once, two different inputs, and a set of correlations that can hold together."""
    pairs = parsed.get("correlations")
    inputs = parsed.get("uncertainty")
    if pairs is None:
        return
    known = set(inputs.ids()) if inputs is not None else set()
    seen: dict[frozenset, int] = {}
    kept: list[tuple[int, str, str, float]] = []
    for index, (a, b, rho, *_) in pairs.good():
        number = pairs.numbers[index]
        where = f"table {PAIRS}, row {number}"
        if a == b:
            problems.error(pairs.raw.sheet, pairs.cell(index, "input_b"), f"{where}: correlates {a!r} with itself; "
                           "expected two different inputs", table=PAIRS, row=number)
            continue
        pair = frozenset((a, b))
        if pair in seen:
            problems.error(pairs.raw.sheet, pairs.cell(index, "input_a"), f"{where}: repeats the pair {a} / {b} of "
                           f"row {seen[pair]}; expected each pair once", table=PAIRS, row=number)
            continue
        seen[pair] = number
        if a in known and b in known:
            kept.append((index, a, b, rho))
    for group in _inconsistent_groups(kept):
        first = group[0][0]
        shown = "; ".join(f"row {pairs.numbers[i]}: {a} / {b} {rho:g}" for i, a, b, rho in group)
        ones = any(abs(rho) >= 1 for *_, rho in group)
        hint = (" (a correlation of 1 or -1 makes two inputs one: use 0.99, or one Uncertainty row)" if ones
                else ": weaken one of them")
        problems.error(pairs.raw.sheet, pairs.cell(first, "rank_correlation"), f"table {PAIRS}: the rank "
                       f"correlations of rows {', '.join(str(pairs.numbers[i]) for i, *_ in group)} cannot hold "
                       f"together (the correlation matrix they form is not positive definite: {shown}); expected "
                       f"a consistent set{hint}", table=PAIRS, row=pairs.numbers[first])


def _inconsistent_groups(pairs: list[tuple[int, str, str, float]]) -> list[list[tuple[int, str, str, float]]]:
    """For each connected set of correlated inputs whose matrix is not positive definite, its correlation rows:
    the smallest inconsistent subset of up to MOST_PAIRS_SEARCHED inputs when there is one, else all."""
    components: list[set[str]] = []
    for _, a, b, _ in pairs:
        joined = [c for c in components if a in c or b in c]
        merged = {a, b}.union(*joined)
        components = [c for c in components if c not in joined] + [merged]
    out = []
    for component in components:
        members = sorted(component)
        rows = [p for p in pairs if p[1] in component]
        if positive_definite(_matrix(members, rows)):
            continue
        smallest = next((subset for size in range(2, min(len(members), MOST_PAIRS_SEARCHED) + 1)
                         for subset in itertools.combinations(members, size)
                         if not positive_definite(_matrix(list(subset), rows))), members)
        out.append([p for p in rows if p[1] in smallest and p[2] in smallest])
    return out


def _matrix(members: list[str], rows: list[tuple[int, str, str, float]]) -> np.ndarray:
    at = {m: i for i, m in enumerate(members)}
    matrix = np.eye(len(members))
    for _, a, b, rho in rows:
        if a in at and b in at:
            matrix[at[a], at[b]] = matrix[at[b], at[a]] = rho
    return matrix
