"""Workbook package -> raw input tables for the parser. Reads only the input sheets' cells."""

from __future__ import annotations

from .. import contract
from ..contract import Problem
from ..inputs import Inputs
from .package import Cell, Package, TableRef, cell_ref
from .parse import RawCell, RawTable, parse_inputs

INPUT_TABLE_NAMES = tuple(t.name.lower() for t in contract.INPUT_TABLES) + (contract.PARAMETERS_TABLE.lower(),)


def _raw(cell: Cell | None, row: int, col: int) -> RawCell:
    if cell is None:
        return RawCell(cell_ref(row, col))
    if cell.formula is not None and not cell.has_cached_value:
        return RawCell(cell.ref, None, "nocache")
    return RawCell(cell.ref, cell.value, cell.kind)


def raw_table(pkg: Package, table: TableRef) -> RawTable:
    cells = pkg.cells(table.sheet)
    cols = range(table.min_col, table.max_col + 1)

    def row_cells(row: int) -> list[RawCell]:
        return [_raw(cells.get((row, c)), row, c) for c in cols]

    header_row = table.min_row + max(table.header_row_count, 1) - 1
    first_data = header_row + 1
    merged = [
        f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}"
        for r0, c0, r1, c1 in pkg.merged_ranges(table.sheet)
        if r0 <= table.max_row and r1 >= first_data and c0 <= table.max_col and c1 >= table.min_col
    ]
    return RawTable(
        name=table.name, sheet=table.sheet, header=row_cells(header_row),
        rows=[row_cells(r) for r in range(first_data, table.max_row + 1)],
        below=row_cells(table.max_row + 1), merged=merged,
    )


def raw_tables(pkg: Package) -> dict[str, RawTable]:
    return {name.lower(): raw_table(pkg, ref) for name, ref in pkg.tables().items()
            if name.lower() in INPUT_TABLE_NAMES}


def read_inputs(pkg: Package) -> tuple[Inputs | None, list[Problem]]:
    return parse_inputs(raw_tables(pkg), pkg.sheet_names)
