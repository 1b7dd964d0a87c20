"""Typed model inputs: what the engine receives, whatever the source (workbook, defaults, a test).

A ``Table`` holds one input table column by column, as the contract declares it: numeric columns are
float arrays (NaN where the cell is blank), bool columns are bool arrays, and every other column is a
tuple of strings (None where blank).

Batches. A Monte Carlo run (or any batch of variants) gives numeric inputs a leading batch axis: a
numeric column may have shape ``batch + (rows,)`` and a numeric parameter shape ``batch`` (one value per
trial). Columns and parameters that do not vary keep their plain shapes and broadcast. The engine's
formulas index rows with ``column[..., i]`` and reduce over rows with ``axis=-1``, so the same code serves
one case, a sweep and a simulation. Text and bool columns never vary.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import contract
from .contract import Column, InputTable

NUMERIC_KINDS = ("number", "integer", "fraction")


@dataclass(frozen=True)
class Table:
    key: str
    columns: dict[str, Any]

    def __getitem__(self, column: str) -> Any:
        return self.columns[column]

    def __len__(self) -> int:
        """Rows of the table (the last axis of a numeric column, which may carry a batch axis too)."""
        first = next(iter(self.columns.values()), ())
        return np.shape(first)[-1] if isinstance(first, np.ndarray) else len(first)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.columns["id"])

    def index(self, row_id: str) -> int:
        return self.ids.index(row_id)

    def with_columns(self, **columns: Any) -> Table:
        return replace(self, columns={**self.columns, **columns})


@dataclass(frozen=True)
class Inputs:
    tables: dict[str, Table]
    params: dict[str, Any]
    # Where values came from, for messages: a parameter's key, "<table key>.<row id>" for a row's id
    # cell or "<table key>.<row id>.<column key>" for one of its cells, maps to "Sheet!A1". Empty for
    # inputs that did not come from a workbook.
    source: str = "defaults"
    cell_refs: dict[str, str] = field(default_factory=dict)

    def table(self, key: str) -> Table:
        return self.tables[key]

    def param(self, key: str) -> Any:
        return self.params[key]

    def with_params(self, **params: Any) -> Inputs:
        return replace(self, params={**self.params, **params})

    def with_table(self, table: Table) -> Inputs:
        return replace(self, tables={**self.tables, table.key: table})

    def display_name(self, table: str, row_id: str) -> str:
        """A row's name as typed in the workbook; its id where it has no name (or there is no such row)."""
        t = self.tables.get(table)
        if t is None or "name" not in t.columns or row_id not in t.ids:
            return str(row_id)
        name = t["name"][t.index(row_id)]
        return str(name) if name else str(row_id)

    def location(self, key: str, sheet: str) -> tuple[str, str]:
        """(sheet, cell) of an input (see ``cell_refs``), or just ``sheet`` when it did not come from a workbook."""
        ref = self.cell_refs.get(key) or self.cell_refs.get(key.rpartition(".")[0])  # else the row's id cell
        return tuple(ref.split("!", 1)) if ref else (sheet, "")  # type: ignore[return-value]


def column_values(column: Column, values: list[Any]) -> Any:
    """Pack one column's cleaned cell values into the engine's representation."""
    if column.kind in NUMERIC_KINDS:
        return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    if column.kind == "bool":
        return np.array([bool(v) for v in values], dtype=bool)
    return tuple(None if v is None else str(v) for v in values)


def table_from_rows(spec: InputTable, rows: list[tuple] | tuple[tuple, ...]) -> Table:
    columns = {
        col.key: column_values(col, [row[i] for row in rows]) for i, col in enumerate(spec.columns)
    }
    return Table(spec.key, columns)


def defaults() -> Inputs:
    """The seed's inputs, straight from the contract (no workbook needed)."""
    tables = {spec.key: table_from_rows(spec, spec.rows) for spec in contract.INPUT_TABLES}
    params = {p.key: p.default for p in contract.PARAMETERS}
    return Inputs(tables=tables, params=params)
