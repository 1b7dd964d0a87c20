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


def totals_row_count(pkg: Package, table: TableRef) -> int:
    """Rows of the table's Total Row (Table Design > Total Row): not data, so never read as a row."""
    known = getattr(table, "totals_row_count", None)
    if known is not None:
        return int(known)
    for rel in pkg.rels(pkg.sheet_part(table.sheet)):
        if rel.type.endswith("/table") and not rel.external and pkg.has_part(rel.target):
            root = pkg.xml(rel.target)
            if (root.get("displayName") or root.get("name")) == table.name:
                count = root.get("totalsRowCount", "0")
                return int(count) if count.isdigit() else 0
    return 0


def raw_table(pkg: Package, table: TableRef) -> RawTable:
    cells = pkg.cells(table.sheet)
    cols = range(table.min_col, table.max_col + 1)

    def row_cells(row: int) -> list[RawCell]:
        return [_raw(cells.get((row, c)), row, c) for c in cols]

    headers = max(table.header_row_count, 0)
    first_data = table.min_row + headers
    last_data = table.max_row - totals_row_count(pkg, table)
    if headers:
        header = row_cells(first_data - 1)
    else:  # a table without a header row: its column names live only in the table part
        at = max(first_data - 1, 1)
        header = [RawCell(cell_ref(at, c), name, "text") for c, name in zip(cols, table.columns, strict=False)]
    # Only rows holding cells: a table stretched over a million empty rows costs nothing.
    used = sorted({r for r, c in cells if first_data <= r <= last_data and table.min_col <= c <= table.max_col})
    merged = [
        f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}"
        for r0, c0, r1, c1 in pkg.merged_ranges(table.sheet)
        if r0 <= last_data and r1 >= first_data and c0 <= table.max_col and c1 >= table.min_col
    ]
    below = row_cells(table.max_row + 1) if table.max_row < 1_048_576 else []
    return RawTable(name=table.name, sheet=table.sheet, header=header, rows=[row_cells(r) for r in used],
                    below=below, merged=merged)


def raw_tables(pkg: Package) -> dict[str, RawTable]:
    return {name.lower(): raw_table(pkg, ref) for name, ref in pkg.tables().items()
            if name.lower() in INPUT_TABLE_NAMES}


def read_inputs(pkg: Package) -> tuple[Inputs | None, list[Problem]]:
    return parse_inputs(raw_tables(pkg), pkg.sheet_names)
