"""Uncertain inputs: which cells each row of the Uncertainty table moves, and how draws land in the inputs.

A row names an input table by its Excel table name (or ``Parameters``), a row by its id (a load profile's
id moves all its hours; ``*`` moves every row of the table, all with the same draw; for Parameters, a
parameter's name) and a column by its header as shown (``Value`` for a parameter). Its kind says whether a
draw replaces the cell (``value``) or multiplies it (``multiplier``).

``resolve`` reads valid inputs (the workbook reader has checked every rule: see
``xlcost.workbook.uncertainty_rules``, which uses the lookups below); ``apply`` puts a batch of draws into
the inputs: numeric columns gain a leading trials axis, parameters become one value per trial.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import contract
from ..contract import Column, InputTable
from ..inputs import Inputs
from .core import gpu_hour_prices
from .sampling import Distribution, distribution

PARAMETERS = contract.PARAMETERS_TABLE
PARAMETER_COLUMN = "Value"
ALL_ROWS = "*"
VALUE, MULTIPLIER = contract.UNCERTAINTY_KINDS
VARYING_KINDS = ("number", "fraction")  # whole numbers (GPUs, hours, years) never vary within a batch


def input_table(name: str) -> InputTable | None:
    """The input table with this Excel name (case-insensitive), or None (also for Parameters)."""
    wanted = name.strip().lower()
    return next((t for t in contract.INPUT_TABLES if t.name.lower() == wanted), None)


def column_by_header(spec: InputTable, header: str) -> Column | None:
    """The column whose header reads ``header`` (case and surrounding spaces ignored), or None."""
    wanted = " ".join(header.split()).lower()
    return next((c for c in spec.columns if c.header.lower() == wanted), None)


def row_key(spec: InputTable) -> str:
    """The column a Row id names: the table's id column (a load profile's id for LoadProfiles)."""
    return spec.keys[0] if spec.keys else spec.columns[0].key


def matching_rows(keys: tuple | list, row_id: str) -> list[int]:
    """Rows a Row id names: every row for ``*``, else the rows whose key is ``row_id``."""
    return [r for r, key in enumerate(keys) if row_id == ALL_ROWS or key == row_id]


def parameter_column(name: str) -> Column | None:
    """A parameter, as the column its Value cell is validated as; None for an unknown name."""
    param = contract.PARAMS.get(name.strip())
    return param.as_column() if param is not None else None


@dataclass(frozen=True)
class ValidRange:
    """What a column accepts: low (inclusive, or exclusive) up to high; None: no limit."""

    low: float | None
    high: float | None
    low_exclusive: bool = False

    def contains(self, lo: float, hi: float) -> bool:
        """Whether every value from ``lo`` to ``hi`` is valid."""
        above = self.low is None or (lo > self.low if self.low_exclusive else lo >= self.low)
        return above and (self.high is None or hi <= self.high)

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return f"from {self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{'above' if self.low_exclusive else 'at least'} {self.low:g}"
        return f"at most {self.high:g}" if self.high is not None else "any number"


def valid_range(column: Column) -> ValidRange:
    """The values the workbook accepts in this column (shares: 0 to 1 unless the contract says otherwise)."""
    low = column.min if column.min is not None else (0.0 if column.kind == "fraction" else None)
    high = column.max if column.max is not None else (1.0 if column.kind == "fraction" else None)
    return ValidRange(low, high, column.min_exclusive)


def unit_of(column: Column) -> str:
    return "fraction" if column.kind == "fraction" else column.unit


@dataclass(frozen=True)
class Target:
    """The cells an uncertain input moves: rows of one column of an input table, or a parameter."""

    table: str  # input table key; "" for a parameter
    column: str  # column key, or the parameter's key
    rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class UncertainInput:
    """One row of the Uncertainty table, resolved."""

    id: str
    table: str  # as the row names it: an input table's Excel name, or Parameters
    row_id: str
    column: str  # the header as the row names it
    kind: str  # value | multiplier
    distribution_name: str
    low: float
    most_likely: float | None
    high: float
    distribution: Distribution
    target: Target
    unit: str  # of a draw: the column's unit, or "ratio" for a multiplier

    @property
    def moves(self) -> str:
        """The cells it moves, in words: "Scenarios, every row: Escalation rate (value)"."""
        if self.table == PARAMETERS:
            where = f"parameter {self.row_id}"
        else:
            rows = "every row" if self.row_id == ALL_ROWS else self.row_id
            where = f"{self.table}, {rows}: {self.column}"
        return f"{where} ({'multiplied' if self.kind == MULTIPLIER else 'replaced'})"

    def quantile(self, probability: float) -> float:
        return float(self.distribution.ppf(probability))


def resolve(inputs: Inputs) -> tuple[UncertainInput, ...]:
    """Every row of the Uncertainty table as the cells it moves and its distribution (inputs already valid)."""
    u = inputs.table("uncertainty")
    out = []
    for i, uid in enumerate(u.ids):
        name, row_id, header = u["table"][i], str(u["row_id"][i]).strip(), u["column"][i]
        if name == PARAMETERS:
            column = parameter_column(row_id)
            target = Target("", column.key)
        else:
            spec = input_table(name)
            column = column_by_header(spec, header)
            rows = matching_rows(inputs.table(spec.key)[row_key(spec)], row_id)
            target = Target(spec.key, column.key, tuple(rows))
        low, high = float(u["low"][i]), float(u["high"][i])
        most_likely = None if np.isnan(u["most_likely"][i]) else float(u["most_likely"][i])
        kind = u["kind"][i]
        out.append(UncertainInput(
            id=uid, table=name, row_id=row_id, column=header, kind=kind, distribution_name=u["distribution"][i],
            low=low, most_likely=most_likely, high=high,
            distribution=distribution(u["distribution"][i], low, most_likely, high), target=target,
            unit="ratio" if kind == MULTIPLIER else unit_of(column)))
    return tuple(out)


def correlation_matrix(inputs: Inputs, uncertain: tuple[UncertainInput, ...]) -> np.ndarray:
    """The declared rank correlations between the uncertain inputs (identity where none is declared)."""
    index = {x.id: j for j, x in enumerate(uncertain)}
    matrix = np.eye(len(uncertain))
    c = inputs.table("correlations")
    for a, b, rho in zip(c["input_a"], c["input_b"], c["rank_correlation"], strict=True):
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = rho
    return matrix


def apply(inputs: Inputs, uncertain: tuple[UncertainInput, ...], draws: np.ndarray,
          active: np.ndarray | None = None) -> Inputs:
    """The inputs with a batch of draws in place: ``draws`` is (cases, inputs). Where ``active`` (the same
    shape) is False a case keeps the cell's own value (the tornado moves one input at a time)."""
    draws = np.asarray(draws, dtype=float)
    cases = draws.shape[0]
    columns: dict[str, dict[str, np.ndarray]] = {}
    for j, x in enumerate(uncertain):
        t = x.target
        if not t.table or not t.rows:  # parameters below; no rows: offers left out of the price move nothing
            continue
        table = columns.setdefault(t.table, {})
        if t.column not in table:
            table[t.column] = np.repeat(np.asarray(inputs.table(t.table)[t.column], dtype=float)[None, :], cases,
                                        axis=0)
        cells = table[t.column]
        rows = list(t.rows)
        on = None if active is None else active[:, j, None]
        cells[:, rows] = _moved(cells[:, rows], draws[:, j, None], x.kind, on)
    moved = inputs
    for key, changed in columns.items():
        moved = moved.with_table(inputs.table(key).with_columns(**changed))
    params: dict[str, np.ndarray] = {}
    for j, x in enumerate(uncertain):
        if x.target.table:
            continue
        key = x.target.column
        on = None if active is None else active[:, j]
        base = inputs.param(key)
        if base is None:
            # Only the GPU-hour price override may be blank here (the reader allows no other): blank means the
            # included offers' on-demand average, so a case that leaves it alone gets the average of its own offers.
            base = gpu_hour_prices(moved.with_params(**{key: None}))[1] if on is not None else np.nan
        params[key] = _moved(np.broadcast_to(np.asarray(base, dtype=float), (cases,)), draws[:, j], x.kind, on)
    return moved.with_params(**params)


def _moved(cells: np.ndarray, draw: np.ndarray, kind: str, active: np.ndarray | None) -> np.ndarray:
    new = cells * draw if kind == MULTIPLIER else np.broadcast_to(draw, cells.shape)
    return new if active is None else np.where(active, new, cells)
