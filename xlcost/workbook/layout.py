"""Where each result table sits on its result sheet, and the cells that put it there.

Each result sheet has a title row, a note row, then its blocks top to bottom: a block title, a note row
when the table has a note, a header row and the data rows. Blocks that feed charts are first on their
sheet, so a chart's ranges always start on the same row and only their last row moves when a table grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import contract
from ..contract import ResultColumn, result_style
from .writer import OutCell, SheetOutput

TITLE_ROW = 1
NOTE_ROW = 2
FIRST_BLOCK_ROW = 4
GAP_ROWS = 2
SHEET_NOTE = ("Computed by xlcost: recalculation overwrites this sheet. Put your own formulas on your own "
              "sheets; they may point here.")


@dataclass(frozen=True)
class Block:
    table: str
    sheet: str
    title_row: int
    header_row: int
    first_data_row: int
    last_data_row: int  # == first_data_row - 1 when the table has no rows
    columns: tuple[ResultColumn, ...]

    def column_index(self, key: str) -> int:
        """1-based column of ``key``."""
        return 1 + [c.key for c in self.columns].index(key)


def place_blocks(row_counts: dict[str, int], columns: dict[str, tuple[ResultColumn, ...]]) -> list[Block]:
    blocks: list[Block] = []
    next_row: dict[str, int] = {}
    for table in contract.RESULT_TABLES:
        title = next_row.get(table.sheet, FIRST_BLOCK_ROW)
        rows = max(row_counts.get(table.key, 0), 0)
        header = title + (2 if table.note else 1)
        # An empty table still takes one row, for its "(none)" note.
        first = header + 1
        last = first + rows - 1
        blocks.append(Block(table.key, table.sheet, title, header, first, last, columns[table.key]))
        next_row[table.sheet] = first + max(rows, 1) + GAP_ROWS
    return blocks


def _style(column: ResultColumn, row: dict[str, Any], table: str) -> str:
    if table == "checks" and column.key == "severity":
        severity = row.get("severity")
        if severity == "error" or (severity == "summary" and str(row.get("message", "")).startswith("FAIL")):
            return "xlcost Bad"
        return "xlcost Good" if severity == "summary" else "xlcost Text"
    if column.unit == "value":
        return result_style(str(row.get("unit") or ""))
    return column.style


def lay_out(tables: dict[str, list[dict[str, Any]]],
            columns: dict[str, tuple[ResultColumn, ...]]) -> tuple[dict[str, SheetOutput], list[Block]]:
    """The full content of every result sheet, and where each block sits."""
    blocks = place_blocks({k: len(v) for k, v in tables.items()}, columns)
    outputs: dict[str, SheetOutput] = {}
    for block in blocks:
        out = outputs.get(block.sheet)
        if out is None:
            out = SheetOutput(cells={
                (TITLE_ROW, 1): OutCell(block.sheet, "xlcost Title"),
                (NOTE_ROW, 1): OutCell(SHEET_NOTE, "xlcost Note"),
            })
            outputs[block.sheet] = out
        spec = contract.RESULTS[block.table]
        out.cells[(block.title_row, 1)] = OutCell(spec.title, "xlcost Block")
        if spec.note:
            out.cells[(block.title_row + 1, 1)] = OutCell(spec.note, "xlcost Note")
        for ci, column in enumerate(block.columns, start=1):
            out.cells[(block.header_row, ci)] = OutCell(column.header, "xlcost Header")
        rows = tables.get(block.table, [])
        if not rows:
            out.cells[(block.first_data_row, 1)] = OutCell("(none)", "xlcost Note")
        for offset, row in enumerate(rows):
            for ci, column in enumerate(block.columns, start=1):
                style = _style(column, row, block.table)
                out.cells[(block.first_data_row + offset, ci)] = OutCell(row.get(column.key), style)
        if rows:
            out.blocks.append((block.first_data_row, block.last_data_row))
    return outputs, blocks
