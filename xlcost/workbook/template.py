"""Generate a fresh workbook from the contract (``xlcost new``).

openpyxl is right for *creating* a file (it is only unsafe for load+save of a user's file). This module
builds the skeleton: input sheets with Excel tables, validation and the input style; empty result
sheets with their widths and native charts; the cover and methodology. The results themselves are
then written by the same writer ``xlcost recalc`` uses, so there is one way result cells get written.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from .. import __version__, contract, methodology
from ..contract import Column, InputTable, Parameter
from .layout import Block
from .vba import add_conf_sheet, make_macro_enabled

HEADER_ROW = 4
VALIDATED_ROWS = 500  # validation reaches this far below the header, so added rows are checked too
INPUT_FILL, INPUT_FONT = "FFF2CC", "1F4E9B"  # pale yellow fill, blue font: the usual finance input style
RESULT_TAB, INPUT_TAB, DOC_TAB = "70AD47", "4472C4", "A5A5A5"
TABLE_GAP_COLUMNS = 1


def _styles() -> list[NamedStyle]:
    thin = Side(style="thin", color="BFBFBF")
    styles = [
        NamedStyle(name=contract.INPUT_STYLE, font=Font(name="Calibri", size=11, color=INPUT_FONT),
                   fill=PatternFill("solid", fgColor=INPUT_FILL), border=Border(bottom=thin)),
        NamedStyle(name="xlcost Text", font=Font(name="Calibri", size=11), alignment=Alignment(vertical="top")),
        NamedStyle(name="xlcost Title", font=Font(name="Calibri", size=16, bold=True, color="1F3864")),
        # Headers never wrap: neither Excel nor LibreOffice re-fits row heights when opening a file, so
        # columns are made wide enough for their headers instead (see fit_width).
        NamedStyle(name="xlcost Header", font=Font(name="Calibri", size=11, bold=True, color="1F3864"),
                   fill=PatternFill("solid", fgColor="D9E1F2"), border=Border(bottom=thin),
                   alignment=Alignment(vertical="top")),
        NamedStyle(name="xlcost Block", font=Font(name="Calibri", size=12, bold=True, color="1F3864")),
        NamedStyle(name="xlcost Note", font=Font(name="Calibri", size=10, italic=True, color="595959")),
        NamedStyle(name="xlcost Good", font=Font(name="Calibri", size=11, bold=True, color="375623"),
                   fill=PatternFill("solid", fgColor="E2EFDA")),
        NamedStyle(name="xlcost Bad", font=Font(name="Calibri", size=11, bold=True, color="9C0006"),
                   fill=PatternFill("solid", fgColor="FFC7CE")),
    ]
    for unit in contract.RESULT_UNITS:
        styles.append(NamedStyle(name=contract.result_style(unit), number_format=contract.UNIT_FORMATS[unit],
                                 font=Font(name="Calibri", size=11)))
    return styles


def fit_width(width: float, header: str) -> float:
    """A column width (Excel character units) that shows the whole header in bold Calibri 11."""
    return max(width, round(len(header) * 1.15 + 2, 1))


def _validation(kind: str, column: Column | Parameter, list_source: str | None) -> DataValidation | None:
    """Excel data validation for what Excel itself can enforce; xlcost checks everything again."""
    expectation = column.as_column().expectation() if isinstance(column, Parameter) else column.expectation()
    common: dict[str, Any] = {"allow_blank": True, "showErrorMessage": True, "errorTitle": "xlcost input",
                              "error": f"Expected {expectation}."[:255], "showInputMessage": False}
    if kind == "bool":
        return DataValidation(type="list", formula1='"TRUE,FALSE"', **common)
    if kind == "choice":
        return DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', **common)
    if kind == "ref" and list_source:
        return DataValidation(type="list", formula1=list_source, **common)
    if kind in ("number", "integer", "fraction"):
        dv_type = "whole" if kind == "integer" else "decimal"
        lo = column.min if column.min is not None else (0.0 if kind == "fraction" else None)
        hi = column.max if column.max is not None else (1.0 if kind == "fraction" else None)
        if lo is not None and hi is not None:
            return DataValidation(type=dv_type, operator="between", formula1=f"{lo:g}", formula2=f"{hi:g}", **common)
        if lo is not None:
            op = "greaterThan" if column.min_exclusive else "greaterThanOrEqual"
            return DataValidation(type=dv_type, operator=op, formula1=f"{lo:g}", **common)
    return None


def _id_ranges() -> dict[str, str]:
    """Where each input table's id column lives, for list validations of reference columns."""
    ranges = {}
    for spec, first_col in _table_positions():
        col = get_column_letter(first_col)
        ranges[spec.key] = (f"{quote_sheetname(spec.sheet)}!${col}${HEADER_ROW + 1}:"
                            f"${col}${HEADER_ROW + VALIDATED_ROWS}")
    return ranges


def _table_positions() -> list[tuple[InputTable, int]]:
    """(table, first column) for every input table; tables sharing a sheet sit side by side."""
    next_col: dict[str, int] = {}
    out = []
    for spec in contract.INPUT_TABLES:
        first = next_col.get(spec.sheet, 1)
        out.append((spec, first))
        next_col[spec.sheet] = first + len(spec.columns) + TABLE_GAP_COLUMNS
    return out


def _input_cell(ws, row: int, col: int, value: Any, number_format: str) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a default or description starting with '=' stays text
    cell.style = contract.INPUT_STYLE
    if number_format != "General":
        cell.number_format = number_format


def _input_table(ws, spec: InputTable, first_col: int, id_ranges: dict[str, str]) -> None:
    ws.cell(row=2, column=first_col, value=spec.title).style = "xlcost Block"
    ws.cell(row=3, column=first_col, value=spec.description).style = "xlcost Note"
    for offset, column in enumerate(spec.columns):
        c = first_col + offset
        ws.cell(row=HEADER_ROW, column=c, value=column.header)
        ws.column_dimensions[get_column_letter(c)].width = fit_width(column.width, column.header)
        for r, row in enumerate(spec.rows, start=HEADER_ROW + 1):
            _input_cell(ws, r, c, row[offset], column.number_format)
        dv = _validation(column.kind, column, id_ranges.get(column.ref or ""))
        if dv is not None:
            letter = get_column_letter(c)
            ws.add_data_validation(dv)
            dv.add(f"{letter}{HEADER_ROW + 1}:{letter}{HEADER_ROW + VALIDATED_ROWS}")
    last_row = HEADER_ROW + max(len(spec.rows), 1)
    if not spec.rows:  # an Excel table needs a data row
        for offset in range(len(spec.columns)):
            ws.cell(row=last_row, column=first_col + offset).style = contract.INPUT_STYLE
    ref = f"{get_column_letter(first_col)}{HEADER_ROW}:{get_column_letter(first_col + len(spec.columns) - 1)}{last_row}"
    table = Table(displayName=spec.name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)


def _parameters_sheet(wb: Workbook, id_ranges: dict[str, str]) -> None:
    ws = wb.create_sheet(contract.PARAMETERS_SHEET)
    ws.sheet_properties.tabColor = INPUT_TAB
    ws["A1"] = "Parameters"
    ws["A1"].style = "xlcost Title"
    ws["A2"] = "Scalar assumptions. Edit the yellow Value cells; xlcost finds each row by its Name."
    ws["A2"].style = "xlcost Note"
    headers = ("Group",) + contract.PARAMETER_HEADERS
    widths = (14, 32, 22, 18, 90)
    for c, (header, width) in enumerate(zip(headers, widths, strict=False), start=1):
        ws.cell(row=HEADER_ROW, column=c, value=header)
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, p in enumerate(contract.PARAMETERS, start=HEADER_ROW + 1):
        for c, value in enumerate((p.group, p.key), start=1):
            ws.cell(row=r, column=c, value=value).style = "xlcost Text"
        fmt = "0.0%" if p.kind == "fraction" else contract.UNIT_FORMATS.get(p.unit, "General")
        _input_cell(ws, r, 3, p.default, fmt)
        ws.cell(row=r, column=4, value=p.unit).style = "xlcost Text"
        desc = ws.cell(row=r, column=5, value=p.description)
        desc.data_type = "s"
        desc.style = "xlcost Note"
        dv = _validation(p.kind, p, id_ranges.get(p.ref or ""))
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"C{r}")
    last = HEADER_ROW + len(contract.PARAMETERS)
    table = Table(displayName=contract.PARAMETERS_TABLE, ref=f"A{HEADER_ROW}:E{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"


def _cover(wb: Workbook, macro_enabled: bool) -> None:
    ws = wb.create_sheet(contract.COVER_SHEET)
    ws.sheet_properties.tabColor = DOC_TAB
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 100
    lines: list[tuple[str, str, str, str]] = [
        ("xlcost: Plan/Act LLM serving cost model", "", "", "xlcost Title"),
        ("Should agent traffic run on one large model, or on a large planner plus a small executor? "
         "This workbook holds every assumption; xlcost computes the results into the green sheets.", "", "",
         "xlcost Note"),
        ("", "", "", ""),
        ("How to use", "", "", "xlcost Header"),
        ("1. Edit the yellow input cells on the blue sheets. Add rows to any table to add a GPU offer, a model, "
         "a workflow, a scenario, a risk or a market scenario.", "", "", "xlcost Text"),
        ("2. Recalculate: " + ("click the Recalculate button below, or " if macro_enabled else "")
         + "run `xlcost recalc <this file>` (or the xlwings add-in's Run main).", "", "", "xlcost Text"),
        ("3. Read the green result sheets; the Checks sheet lists anything wrong. `xlcost report` writes the PDF.",
         "", "", "xlcost Text"),
        ("", "", "", ""),
        ("Colour convention", "", "", "xlcost Header"),
    ]
    row = 1
    for text, _, _, style in lines:
        cell = ws.cell(row=row, column=1, value=text or None)
        if style:
            cell.style = style
        row += 1
    legend = [
        (contract.INPUT_STYLE, 3.81, "Input: blue on yellow. Yours to edit."),
        ("xlcost usd", 52600320, "Result: black. Written by xlcost; recalculation overwrites it."),
        ("xlcost Header", "Header", "Table and block headers."),
        ("xlcost Bad", "FAIL", "A failed check."),
    ]
    for style, sample, meaning in legend:
        ws.cell(row=row, column=1, value=sample).style = style
        ws.cell(row=row, column=3, value=meaning).style = "xlcost Text"
        row += 1
    row += 1
    ws.cell(row=row, column=1, value="Sheets").style = "xlcost Header"
    row += 1
    for spec in contract.INPUT_TABLES:
        ws.cell(row=row, column=1, value=spec.sheet).style = "xlcost Text"
        ws.cell(row=row, column=2, value=f"input table {spec.name}").style = "xlcost Text"
        ws.cell(row=row, column=3, value=spec.description).style = "xlcost Note"
        row += 1
    ws.cell(row=row, column=1, value=contract.PARAMETERS_SHEET).style = "xlcost Text"
    ws.cell(row=row, column=2, value=f"input table {contract.PARAMETERS_TABLE}").style = "xlcost Text"
    ws.cell(row=row, column=3,
            value="Scalar assumptions: conventions, pricing override, finance, policy.").style = "xlcost Note"
    row += 1
    for sheet in contract.result_sheets():
        titles = "; ".join(t.title for t in contract.RESULT_TABLES if t.sheet == sheet)
        ws.cell(row=row, column=1, value=sheet).style = "xlcost Text"
        ws.cell(row=row, column=2, value="result sheet").style = "xlcost Text"
        ws.cell(row=row, column=3, value=titles).style = "xlcost Note"
        row += 1
    ws.cell(row=row, column=1, value=contract.METHODOLOGY_SHEET).style = "xlcost Text"
    ws.cell(row=row, column=2, value="documentation").style = "xlcost Text"
    ws.cell(row=row, column=3, value="Formulas, conventions, units and every input column.").style = "xlcost Note"
    ws.sheet_view.showGridLines = False


def _methodology(wb: Workbook) -> None:
    ws = wb.create_sheet(contract.METHODOLOGY_SHEET)
    ws.sheet_properties.tabColor = DOC_TAB
    for col, width in zip("ABCDEF", (22, 28, 90, 60, 14, 14), strict=False):
        ws.column_dimensions[col].width = width
    ws["A1"] = "Methodology"
    ws["A1"].style = "xlcost Title"
    ws["A2"] = ("A summary. The full documentation of the model (every formula, convention, default and source) is "
                "docs/model.md in the xlcost project, and the methodology appendix of the PDF report.")
    ws["A2"].style = "xlcost Note"
    row = 3
    ws.cell(row=row, column=1, value="Conventions").style = "xlcost Block"
    row += 1
    for text in methodology.CONVENTIONS:
        ws.cell(row=row, column=1, value=text).style = "xlcost Text"
        row += 1
    row += 1
    for c, header in enumerate(("Section", "Result", "Formula", "Note"), start=1):
        ws.cell(row=row, column=c, value=header).style = "xlcost Header"
    row += 1
    for m in methodology.METHODS:
        for c, value in enumerate((m.section, m.result, m.formula, m.note), start=1):
            ws.cell(row=row, column=c, value=value or None).style = "xlcost Text"
        row += 1
    row += 1
    for c, header in enumerate(("Unit", "Excel number format", "Example"), start=1):
        ws.cell(row=row, column=c, value=header).style = "xlcost Header"
    row += 1
    # One example cell per result style also makes each style exist in the file for the result writer.
    for unit in contract.RESULT_UNITS:
        ws.cell(row=row, column=1, value=unit).style = "xlcost Text"
        ws.cell(row=row, column=2, value=contract.UNIT_FORMATS[unit]).style = "xlcost Text"
        ws.cell(row=row, column=3, value=0.25 if "fraction" in unit else 1234.5678).style = contract.result_style(unit)
        row += 1
    ws.cell(row=row, column=1, value="(text)").style = "xlcost Text"
    ws.cell(row=row, column=3, value="Good").style = "xlcost Good"
    row += 2
    for c, header in enumerate(("Sheet", "Table", "Column", "Expected", "Unit", "Required"), start=1):
        ws.cell(row=row, column=c, value=header).style = "xlcost Header"
    row += 1
    for spec in contract.INPUT_TABLES:
        for column in spec.columns:
            values = (spec.sheet, spec.name, column.header, column.expectation(), column.unit,
                      "yes" if column.required else "no")
            for c, value in enumerate(values, start=1):
                ws.cell(row=row, column=c, value=value or None).style = "xlcost Text"
            row += 1


def _result_sheets(wb: Workbook, blocks: list[Block]) -> dict[str, Any]:
    sheets = {}
    for sheet in contract.result_sheets():
        ws = wb.create_sheet(sheet)
        ws.sheet_properties.tabColor = RESULT_TAB
        widths: dict[int, float] = {}
        for block in (b for b in blocks if b.sheet == sheet):
            for i, column in enumerate(block.columns, start=1):
                widths[i] = max(widths.get(i, 8), fit_width(column.width, column.header))
        for i, width in widths.items():
            ws.column_dimensions[get_column_letter(i)].width = width
        sheets[sheet] = ws
    return sheets


def _chart(spec: contract.ChartSpec, ws, block: Block, anchor: str) -> None:
    first, last = block.first_data_row, max(block.last_data_row, block.first_data_row)
    cats = Reference(ws, min_col=block.column_index(spec.category), min_row=first, max_row=last)
    series_keys = spec.series or tuple(c.key for c in block.columns[1:])
    if spec.kind in ("step", "scatter"):
        chart = ScatterChart()
        chart.style = 13
        pairs = spec.xy or tuple((spec.category, key) for key in series_keys)
        for x_key, y_key in pairs:
            xs = Reference(ws, min_col=block.column_index(x_key), min_row=first, max_row=last)
            col = block.column_index(y_key)
            values = Reference(ws, min_col=col, min_row=first, max_row=last)
            title = block.columns[block.column_index(x_key) - 1].header if spec.xy else block.columns[col - 1].header
            series = Series(values, xs, title_from_data=False, title=title)
            series.smooth = False
            if spec.kind == "step":
                series.marker.symbol = "none"
            else:  # measured points as markers, each pair's own series
                series.marker.symbol = "circle"
                series.graphicalProperties.line.noFill = True
            chart.series.append(series)
        chart.x_axis.title = spec.x_title or "Load (QPS)"
    else:
        chart = BarChart() if spec.kind == "bar" else LineChart()
        for key in series_keys:
            col = block.column_index(key)
            chart.add_data(Reference(ws, min_col=col, min_row=block.header_row, max_row=last), titles_from_data=True)
        chart.set_categories(cats)
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    if spec.log_scale:
        chart.y_axis.scaling.logBase = 10
    chart.height, chart.width = 9, 18
    ws.add_chart(chart, anchor)


def build_skeleton(path: Path, blocks: list[Block], *, macro_enabled: bool = False) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for style in _styles():
        wb.add_named_style(style)
    _cover(wb, macro_enabled)
    id_ranges = _id_ranges()
    _parameters_sheet(wb, id_ranges)
    sheets: dict[str, Any] = {}
    for spec, first_col in _table_positions():
        ws = sheets.get(spec.sheet)
        if ws is None:
            ws = wb.create_sheet(spec.sheet)
            ws.sheet_properties.tabColor = INPUT_TAB
            ws["A1"] = spec.sheet
            ws["A1"].style = "xlcost Title"
            ws.freeze_panes = f"A{HEADER_ROW + 1}"
            sheets[spec.sheet] = ws
        _input_table(ws, spec, first_col, id_ranges)
    result_ws = _result_sheets(wb, blocks)
    for spec in contract.CHARTS:
        block = next(b for b in blocks if b.table == spec.table)
        widest = max(len(b.columns) for b in blocks if b.sheet == spec.sheet)
        _chart(spec, result_ws[spec.sheet], block, f"{get_column_letter(widest + 2)}{block.title_row}")
    _methodology(wb)
    add_conf_sheet(wb)  # xlwings reads its settings from this sheet (vba.py explains the layout)
    # A stable name users can point formulas at, whatever happens to the layout below it.
    key = next(b for b in blocks if b.table == "key_figures")
    wb.defined_names["xlcost_key_figures"] = DefinedName(
        "xlcost_key_figures", attr_text=f"{quote_sheetname(key.sheet)}!$A${key.first_data_row}:$D$1000")
    # A fixed creation date keeps generated workbooks reproducible.
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "1767225600"))
    created = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    wb.properties.creator = f"xlcost {__version__}"
    wb.properties.title = "xlcost cost model"
    wb.properties.created = created.replace(tzinfo=None)
    wb.properties.modified = created.replace(tzinfo=None)
    wb.calculation.fullCalcOnLoad = True
    wb.save(path)
    if macro_enabled:
        make_macro_enabled(path)  # zip surgery: VBA project, codeNames, Recalculate button
