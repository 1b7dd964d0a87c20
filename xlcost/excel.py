"""The Excel adapter: recalculate the open workbook from inside Excel (xlwings, desktop, free edition).

The Recalculate button (VBA ``SampleCall``) and the xlwings add-in's "Run main" both run
``llm_cost_model.main()`` -- the two-line shim next to the workbook -- which is ``main`` below.

This module holds no model logic. It reads the input tables' cells, hands them to the same parser and
validation as ``xlcost check`` (``workbook.parse.parse_inputs``), the same engine (``compute``) and the
same presentation (``api.sheet_content``), and writes the cells ``xlcost recalc`` would write. What is
here is only how to talk to Excel efficiently and safely:

* one read per input table: the table's range plus the row below it (``parse_inputs`` reports values
  stuck just under a table), as a 2-D list with Excel errors as their ``#N/A``-style text;
* result sheets are rewritten in one ``.value =`` call per result block -- the rows from the block's
  title down to the row before the next block's title (the first block also covers the sheet's title
  rows), across the sheet's full result width -- so stale cells left by a longer previous run are
  overwritten with blanks in the same call; leftovers beyond the new content are cleared with at most
  two ``clear_contents`` calls per sheet;
* text is written with Excel's leading apostrophe, so a name such as ``1/2`` or ``=x`` stays text,
  as the file writer's inline strings do;
* number formats: Excel keeps a cell's format when only its value changes, so a block needs formats
  only when its layout changed: rows added or removed (in it, or in a block above it, which shifts
  it), a number where there was text or a blank, or another unit in a per-row unit column. The old
  values are read anyway (one read per result sheet, see below), so a block whose segment holds the
  same text at the same places and numbers at the same places keeps its formats and costs no call;
  the usual edit-one-number-and-click run formats nothing. A changed block gets its unit's number
  format on every numeric cell, grouped into as few rectangles as possible (a column's run of rows
  with one format, merged with neighbouring columns with the same run; blanks and text inside a run
  do not break it), one ``number_format =`` per rectangle. xlwings has no portable way to apply a
  *named* cell style, so header/title/fill styles do not follow a block that moves; ``xlcost recalc``
  from the command line restyles everything;
* each result sheet's used range is read once before any write (values and formulas): to find old
  cells to blank, and to refuse a sheet holding a user's formula (``xlcost recalc`` refuses it too),
  before anything is written -- a macro cannot be undone;
* screen updating off and manual calculation during the writes, one ``app.calculate()`` at the end,
  both settings restored in ``finally`` (set directly: ``app.properties`` fails on some engines);
* invalid inputs: only the ``Checks`` sheet is written, and activated; no result cell changes.

``xlwings`` is imported inside ``main`` only, so this module imports on Linux, where tests drive
``recalculate`` with a stand-in book (tests/test_excel_adapter.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import contract
from .contract import Problem
from .workbook.layout import Block, lay_out
from .workbook.package import boolean_constant, cell_ref
from .workbook.parse import EXCEL_ERRORS, RawCell, RawTable, parse_inputs
from .workbook.writer import SheetOutput, clean_text

CHECKS_SHEET = contract.RESULTS["checks"].sheet
MAX_ROW = 1_048_576
INPUT_TABLES: tuple[tuple[str, str], ...] = tuple((t.name, t.sheet) for t in contract.INPUT_TABLES) + (
    (contract.PARAMETERS_TABLE, contract.PARAMETERS_SHEET),)
# Named result style -> its number format; every other style (text, headers, notes) is "General".
NUMBER_FORMATS: dict[str, str] = {contract.result_style(u): contract.UNIT_FORMATS[u] for u in contract.RESULT_UNITS}


class ExcelAdapterError(Exception):
    """Something in the open workbook stops the recalculation; the message says what was (not) changed."""


@dataclass(frozen=True)
class ExcelOutcome:
    ok: bool
    problems: list[Problem]
    pdf: Path | None = None


def main() -> None:
    """Entry point for ``RunPython``/"Run main": recalculate the workbook that called us."""
    import xlwings as xw

    recalculate(xw.Book.caller())


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def raw_cell(row: int, col: int, value: Any) -> RawCell:
    """A value as xlwings returns it (``err_to_str=True``) -> the parser's RawCell."""
    ref = cell_ref(row, col)
    if value is None:
        return RawCell(ref)
    if isinstance(value, bool):
        return RawCell(ref, value, "bool")
    if isinstance(value, numbers.Real):
        return RawCell(ref, value, "number")
    if isinstance(value, (dt.datetime, dt.date)):
        return RawCell(ref, value, "date")
    text = str(value)
    return RawCell(ref, text, "error" if text in EXCEL_ERRORS else "text")


def _grid(value: Any) -> list[list[Any]]:
    """xlwings returns a scalar for one cell and a list for one row: always a 2-D list."""
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if value and not isinstance(value[0], (list, tuple)):
        return [list(value)]
    return [list(row) for row in value]


def read_table(sheet: Any, name: str) -> RawTable:
    """One Excel table, with the row below it, in one read."""
    rng = sheet.tables[name].range
    top, left = rng.row, rng.column
    n_rows, n_cols = rng.shape
    extra = 1 if top + n_rows <= MAX_ROW else 0
    grid = _grid(rng.resize(n_rows + extra, n_cols).options(ndim=2, err_to_str=True).value)
    cells = [[raw_cell(top + i, left + j, v) for j, v in enumerate(row)] for i, row in enumerate(grid)]
    below = cells[n_rows] if extra else []
    # Excel cannot merge cells inside a table, so there is nothing to report as "merged".
    return RawTable(name=name, sheet=sheet.name, header=cells[0], rows=cells[1:n_rows], below=below)


def read_tables(book: Any, sheet_names: list[str]) -> dict[str, RawTable]:
    """Every input table found, keyed by lower-case name (missing ones are left to the parser)."""
    raw: dict[str, RawTable] = {}
    for name, home in INPUT_TABLES:
        candidates = [home] if home in sheet_names else []
        candidates += [s for s in sheet_names if s != home]  # users may move a table to another sheet
        for sheet_name in candidates:
            sheet = book.sheets[sheet_name]
            if name in sheet.tables:
                raw[name.lower()] = read_table(sheet, name)
                break
    return raw


# --------------------------------------------------------------------------------------------
# What to write (pure: no Excel)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One ``.value =`` call: rows first_row..last_row, columns 1..width."""

    first_row: int
    last_row: int
    width: int
    values: list[list[Any]]


@dataclass(frozen=True)
class Format:
    """One ``number_format =`` call on a rectangle."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    number_format: str


def excel_value(value: Any) -> Any:
    """A result value in the form xlwings writes faithfully."""
    if value is None:
        return None
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    text = clean_text(str(value))
    # The apostrophe makes Excel store the text as typed: no formula, number, date or percent parsing.
    return "'" + text if text else None


def plan_writes(output: SheetOutput, title_rows: list[int]) -> list[Write]:
    """The sheet's content as one rectangle per block (``title_rows``: each block's title row)."""
    if not output.cells:
        return []
    last_row = max(r for r, _ in output.cells)
    width = max(c for _, c in output.cells)
    starts = sorted(title_rows) or [1]
    starts[0] = 1  # the first block also carries the sheet's title and note rows
    writes = []
    for i, first in enumerate(starts):
        last = starts[i + 1] - 1 if i + 1 < len(starts) else last_row
        values = [[excel_value(output.cells[(r, c)].value) if (r, c) in output.cells else None
                   for c in range(1, width + 1)] for r in range(first, last + 1)]
        writes.append(Write(first, last, width, values))
    return writes


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def plan_formats(output: SheetOutput, blocks: list[Block]) -> list[Format]:
    """Number formats of the sheet's numeric result cells, in as few rectangles as possible."""
    formats: list[Format] = []
    for block in blocks:
        if block.last_data_row < block.first_data_row:
            continue
        runs: dict[int, list[tuple[int, int, str]]] = {}
        for col in range(1, len(block.columns) + 1):
            col_runs: list[tuple[int, int, str]] = []
            for row in range(block.first_data_row, block.last_data_row + 1):
                cell = output.cells.get((row, col))
                if cell is None or not _is_number(cell.value):
                    continue
                fmt = NUMBER_FORMATS.get(cell.style, "General")
                if col_runs and col_runs[-1][2] == fmt:
                    col_runs[-1] = (col_runs[-1][0], row, fmt)
                else:
                    col_runs.append((row, row, fmt))
            runs[col] = col_runs
        for col in sorted(runs):
            for first, last, fmt in runs[col]:
                if col > 1 and (first, last, fmt) in runs.get(col - 1, []):
                    continue  # already covered by the rectangle starting further left
                right = col
                while (first, last, fmt) in runs.get(right + 1, []):
                    right += 1
                formats.append(Format(first, col, last, right, fmt))
    return formats


def checks_output(problems: list[Problem]) -> tuple[SheetOutput, list[Block]]:
    """The Checks sheet alone, for invalid inputs (the same layout ``xlcost recalc`` writes)."""
    from .present import check_rows

    columns = {t.key: t.columns for t in contract.RESULT_TABLES}
    tables = {"checks": check_rows(problems)}
    outputs, blocks = lay_out(tables, columns)
    return outputs[CHECKS_SHEET], [b for b in blocks if b.sheet == CHECKS_SHEET]


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OldContent:
    """What a result sheet held before this run (one read of its used range)."""

    last_row: int
    last_col: int
    cells: dict[tuple[int, int], Any]


def read_old_content(sheet: Any) -> OldContent:
    """The sheet's used range; refuses a sheet holding a formula."""
    used = sheet.used_range
    top, left = used.row, used.column
    n_rows, n_cols = used.shape
    values = _grid(used.options(ndim=2).value)
    _refuse_formulas(sheet, _grid(used.formula), values, top, left)
    cells = {(top + i, left + j): v for i, row in enumerate(values) for j, v in enumerate(row)
             if v is not None and v != ""}
    return OldContent(top + n_rows - 1, left + n_cols - 1, cells)


def _shape_of(value: Any) -> Any:
    """What decides a cell's number format, apart from its position: text matters, numbers do not."""
    if value is None or value == "":
        return None
    if _is_number(value):
        return "#"
    return repr(value) if isinstance(value, bool) else str(value)


def unchanged_blocks(output: SheetOutput, writes: list[Write], old: OldContent, blocks: list[Block]) -> set[str]:
    """Blocks whose cells keep their number formats: their segment holds the same text at the same
    places and numbers at the same places as before, so the last write (``xlcost recalc``'s named
    styles or this adapter's formats) already formatted every number there for the same unit."""
    same: set[str] = set()
    for w in writes:
        width = max(w.width, old.last_col)
        if all(_shape_of(output.cells[(r, c)].value if (r, c) in output.cells else None)
               == _shape_of(old.cells.get((r, c)))
               for r in range(w.first_row, w.last_row + 1) for c in range(1, width + 1)):
            same.update(b.table for b in blocks if w.first_row <= b.title_row <= w.last_row)
    return same


def _refuse_formulas(sheet: Any, formulas: list[list[Any]], values: list[list[Any]], top: int, left: int) -> None:
    # .formula of a text cell is its text, which may start with "=" too (the Excel tie-out column
    # does); a real formula's value differs from its text. (Range.HasFormula is not portable.)
    # =TRUE() / =FALSE() (how LibreOffice saves every boolean) is a value, as for ``xlcost recalc``.
    for i, row in enumerate(formulas):
        for j, f in enumerate(row):
            if isinstance(f, str) and f.startswith("=") and values[i][j] != f and boolean_constant(f) is None:
                raise ExcelAdapterError(
                    f"sheet {sheet.name!r} cell {cell_ref(top + i, left + j)} holds a formula ({f}), but "
                    "recalculation rewrites that whole results sheet and would destroy it: move the formula "
                    "to one of your own sheets and click Recalculate again. Nothing was changed.")


def write_sheets(book: Any, outputs: dict[str, SheetOutput], blocks: list[Block]) -> None:
    """Write every sheet of ``outputs``; checks every target first, so a refusal changes nothing."""
    names = book.sheet_names
    missing = [s for s in outputs if s not in names]
    if missing:
        raise ExcelAdapterError(f"sheet {missing[0]!r} is missing (deleted or renamed?); rename it back, or copy "
                                "it from a fresh `xlcost new` workbook. Nothing was changed.")
    targets = {name: book.sheets[name] for name in outputs}
    olds = {name: read_old_content(sheet) for name, sheet in targets.items()}

    app = book.app
    screen_updating, calculation = app.screen_updating, app.calculation
    try:
        app.screen_updating = False
        app.calculation = "manual"
        for name, output in outputs.items():
            sheet, old = targets[name], olds[name]
            sheet_blocks = [b for b in blocks if b.sheet == name]
            writes = plan_writes(output, [b.title_row for b in sheet_blocks])
            for w in writes:
                sheet.range((w.first_row, 1), (w.last_row, w.width)).value = w.values
            new_last_row = writes[-1].last_row if writes else 0
            width = writes[0].width if writes else 0
            if old.last_row > new_last_row:
                sheet.range((new_last_row + 1, 1), (old.last_row, max(old.last_col, width, 1))).clear_contents()
            if old.last_col > width and new_last_row:
                sheet.range((1, width + 1), (new_last_row, old.last_col)).clear_contents()
            same = unchanged_blocks(output, writes, old, sheet_blocks)
            for f in plan_formats(output, [b for b in sheet_blocks if b.table not in same]):
                sheet.range((f.first_row, f.first_col), (f.last_row, f.last_col)).number_format = f.number_format
        app.calculate()
    finally:
        app.screen_updating = screen_updating
        app.calculation = calculation


# --------------------------------------------------------------------------------------------
# The recalculation
# --------------------------------------------------------------------------------------------


def recalculate(book: Any) -> ExcelOutcome:
    """Read the book's inputs, and write its results (or, if the inputs are invalid, only Checks)."""
    from . import api

    sheet_names = list(book.sheet_names)
    inputs, problems = parse_inputs(read_tables(book, sheet_names), sheet_names)
    if inputs is None:
        output, blocks = checks_output(problems)
        write_sheets(book, {CHECKS_SHEET: output}, blocks)
        book.sheets[CHECKS_SHEET].activate()
        return ExcelOutcome(False, problems)
    results, problems = evaluate_with_status(book.app, inputs, problems)
    outputs, blocks = api.result_layout(results, problems)
    write_sheets(book, outputs, blocks)
    pdf = None
    if inputs.params.get("build_pdf_after_recalc"):
        pdf = build_pdf(book, results, problems)
    return ExcelOutcome(True, problems, pdf)


def evaluate_with_status(app: Any, inputs: Any, problems: list[Problem]) -> tuple[Any, list[Problem]]:
    """``api.evaluate``, with the simulation's trials counted in Excel's status bar (given back afterwards)."""
    from . import api

    before = app.status_bar

    def show(done: int, total: int) -> None:
        app.status_bar = f"xlcost: Monte Carlo trials {done:,} of {total:,}"

    try:
        return api.evaluate(inputs, problems, on_progress=show)
    finally:
        app.status_bar = before


def build_pdf(book: Any, results: Any, problems: list[Problem]) -> Path:
    """Save the workbook (the PDF embeds it as its source), then write output/<stem>.pdf next to it."""
    from .report import render_pdf

    book.save()  # the embedded workbook must hold the inputs this report was computed from
    path = Path(book.fullname)
    if "://" in str(book.fullname) or not path.is_file():
        raise ExcelAdapterError(f"the workbook's file ({book.fullname}) is not on this computer's disk (OneDrive "
                                "or SharePoint?), so the PDF cannot be written next to it: sync the folder "
                                "locally or run `xlcost report` on a local copy. The results were updated.")
    data = path.read_bytes()
    pdf = render_pdf(results, workbook_name=path.name, workbook_bytes=data,
                     workbook_sha256=hashlib.sha256(data).hexdigest(), problems=problems,
                     command_line=f"Excel: Recalculate ({path.name}, xlcost.excel.main)")
    target = path.parent / "output" / f"{path.stem}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pdf)
    return target
