"""The Excel button, proven without Excel.

``xlcost.excel`` is driven through a small stand-in for exactly the xlwings calls it makes (sheet by
name, table range, resize/options/value, used_range/formula, number_format, clear_contents, the app's
screen_updating/calculation/calculate/status_bar, activate, fullname/save), loaded from the shipped .xlsm's
cells. Anything else the adapter tried to call would raise AttributeError here.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from xlcost import api, contract, excel
from xlcost.workbook import vba
from xlcost.workbook.layout import place_blocks
from xlcost.workbook.parse import EXCEL_ERRORS

ROOT = Path(__file__).resolve().parents[1]
XLSM = ROOT / "workbooks" / "llm_cost_model.xlsm"
XLSX = ROOT / "workbooks" / "llm_cost_model.xlsx"
RESULT_SHEETS = contract.result_sheets()
NUMBERISH = re.compile(r"^\s*[-+]?[\d.,]+%?\s*$|^\d{1,4}[/-]\d{1,2}([/-]\d{1,4})?$")


# --------------------------------------------------------------------------------------------
# The stand-in
# --------------------------------------------------------------------------------------------


class Err(str):
    """An Excel error value in a cell (xlwings returns None for it, or its text with err_to_str)."""


class FakeApp:
    def __init__(self, book: FakeBook) -> None:
        self._book = book
        self._screen_updating = True
        self._calculation = "automatic"
        self._status_bar: str | bool = False  # False: Excel shows its own messages
        self.calculations: list[int] = []  # position in the call log of each calculate()
        self.status_messages: list[str | bool] = []

    @property
    def status_bar(self) -> str | bool:
        return self._status_bar

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        assert value is False or isinstance(value, str), value
        self._book.log.append(("app", "status_bar", value))
        self.status_messages.append(value)
        self._status_bar = value

    @property
    def screen_updating(self) -> bool:
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._book.log.append(("app", "screen_updating", value))
        self._screen_updating = value

    @property
    def calculation(self) -> str:
        return self._calculation

    @calculation.setter
    def calculation(self, value: str) -> None:
        assert value in ("manual", "automatic", "semiautomatic")
        self._book.log.append(("app", "calculation", value))
        self._calculation = value

    def calculate(self) -> None:
        self.calculations.append(len(self._book.log))
        self._book.log.append(("app", "calculate", None))


class FakeRange:
    def __init__(self, sheet: FakeSheet, r0: int, c0: int, r1: int, c1: int, options: dict | None = None):
        assert 1 <= r0 <= r1 and 1 <= c0 <= c1, (r0, c0, r1, c1)
        self._sheet, self._box, self._options = sheet, (r0, c0, r1, c1), options or {}

    def __repr__(self) -> str:
        return f"<Range {self._sheet.name}!{self.address}>"

    @property
    def address(self) -> str:
        r0, c0, r1, c1 = self._box
        return f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"

    @property
    def row(self) -> int:
        return self._box[0]

    @property
    def column(self) -> int:
        return self._box[1]

    @property
    def shape(self) -> tuple[int, int]:
        r0, c0, r1, c1 = self._box
        return r1 - r0 + 1, c1 - c0 + 1

    def resize(self, row_size: int | None = None, column_size: int | None = None) -> FakeRange:
        r0, c0, _, _ = self._box
        rows, cols = self.shape
        return FakeRange(self._sheet, r0, c0, r0 + (row_size or rows) - 1, c0 + (column_size or cols) - 1,
                         self._options)

    def options(self, **options: Any) -> FakeRange:
        assert set(options) <= {"ndim", "err_to_str"}, options
        return FakeRange(self._sheet, *self._box, {**self._options, **options})

    def _cells(self):
        r0, c0, r1, c1 = self._box
        return [[(r, c) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]

    def _shape_like_xlwings(self, grid: list[list[Any]]) -> Any:
        if self._options.get("ndim") == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        if len(grid) == 1:
            return grid[0]
        if all(len(row) == 1 for row in grid):
            return [row[0] for row in grid]
        return grid

    @property
    def value(self) -> Any:
        self._sheet.book.log.append(("get", self._sheet.name, self.address))
        err_to_str = self._options.get("err_to_str", False)

        def read(key):
            v = self._sheet.cells.get(key)
            if isinstance(v, Err):
                return str(v) if err_to_str else None
            return v

        return self._shape_like_xlwings([[read(k) for k in row] for row in self._cells()])

    @value.setter
    def value(self, values: Any) -> None:
        book = self._sheet.book
        book.log.append(("set", self._sheet.name, self.address, book.app.screen_updating, book.app.calculation))
        assert isinstance(values, list) and all(isinstance(row, list) for row in values), "a 2-D list"
        assert [len(row) for row in values] == [self.shape[1]] * self.shape[0], "exactly the range's shape"
        for keys, row in zip(self._cells(), values, strict=True):
            for key, v in zip(keys, row, strict=True):
                self._sheet.put(key, v)

    @property
    def formula(self) -> Any:
        def formula(key):
            if key in self._sheet.formulas:
                return self._sheet.formulas[key]
            v = self._sheet.cells.get(key)
            return "" if v is None else str(v)

        return self._shape_like_xlwings([[formula(k) for k in row] for row in self._cells()])

    @property
    def number_format(self) -> str:
        raise AttributeError("the adapter never reads number formats")

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        book = self._sheet.book
        book.log.append(("format", self._sheet.name, self.address, book.app.screen_updating, book.app.calculation))
        for row in self._cells():
            for key in row:
                self._sheet.formats[key] = fmt

    def clear_contents(self) -> None:
        book = self._sheet.book
        book.log.append(("clear", self._sheet.name, self.address, book.app.screen_updating, book.app.calculation))
        for row in self._cells():
            for key in row:
                self._sheet.cells.pop(key, None)
                self._sheet.formulas.pop(key, None)


class FakeTable:
    def __init__(self, sheet: FakeSheet, ref: str) -> None:
        c0, r0, c1, r1 = range_boundaries(ref)
        self.range = FakeRange(sheet, r0, c0, r1, c1)


class FakeTables:
    def __init__(self, tables: dict[str, FakeTable]) -> None:
        self._tables = tables

    def __contains__(self, name: str) -> bool:
        return name.lower() in {k.lower() for k in self._tables}

    def __getitem__(self, name: str) -> FakeTable:
        return next(t for k, t in self._tables.items() if k.lower() == name.lower())


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.tables = FakeTables({})

    def put(self, key: tuple[int, int], v: Any) -> None:
        """Store a value the way Excel does when it is assigned through COM/AppleScript."""
        self.formulas.pop(key, None)
        if isinstance(v, str):
            if v.startswith("'"):
                v = v[1:]  # the prefix makes the rest literal text
            elif v.startswith("="):
                self.formulas[key] = v  # Excel would make it a formula
                v = None
            elif NUMBERISH.match(v) or v.upper() in ("TRUE", "FALSE"):
                raise AssertionError(f"{self.name}!{key}: Excel would parse the text {v!r}")
        elif isinstance(v, bool):
            pass
        elif isinstance(v, (int, float)):
            v = float(v)  # Excel stores doubles
        elif v is not None and not isinstance(v, (dt.date, dt.datetime)):
            raise AssertionError(f"{self.name}!{key}: xlwings cannot write a {type(v).__name__}")
        if v is None or v == "":
            self.cells.pop(key, None)
        else:
            self.cells[key] = v

    def range(self, a: Any, b: Any = None) -> FakeRange:
        if isinstance(a, tuple) and isinstance(b, tuple):
            return FakeRange(self, a[0], a[1], b[0], b[1])
        if isinstance(a, tuple) and b is None:
            return FakeRange(self, a[0], a[1], a[0], a[1])
        raise AssertionError(f"the stand-in does not model range({a!r}, {b!r})")

    @property
    def used_range(self) -> FakeRange:
        keys = set(self.cells) | set(self.formulas) | set(self.formats)
        if not keys:
            return FakeRange(self, 1, 1, 1, 1)
        rows = [r for r, _ in keys]
        cols = [c for _, c in keys]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def activate(self) -> None:
        self.book.log.append(("activate", self.name, None))
        self.book.active = self.name

    def values(self) -> dict[tuple[int, int], Any]:
        return dict(self.cells)


class FakeSheets:
    def __init__(self, sheets: list[FakeSheet]) -> None:
        self._sheets = sheets

    def __getitem__(self, key: str | int) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        found = [s for s in self._sheets if s.name.lower() == key.lower()]
        if not found:
            raise KeyError(key)
        return found[0]

    def __iter__(self):
        return iter(self._sheets)


class FakeBook:
    def __init__(self, fullname: Path) -> None:
        self.fullname = str(fullname)
        self.name = fullname.name
        self.log: list[tuple] = []
        self.app = FakeApp(self)
        self.active = None
        self.saved = 0
        self._sheets: list[FakeSheet] = []
        self.sheets = FakeSheets(self._sheets)

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self._sheets]

    def save(self) -> None:
        self.saved += 1

    @classmethod
    def load(cls, path: Path) -> FakeBook:
        """The workbook as Excel would hold it: cached values, formulas, number formats, tables."""
        book = cls(path)
        values = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path)
        for ws in values.worksheets:
            sheet = FakeSheet(book, ws.title)
            book._sheets.append(sheet)
            for row in ws.iter_rows():
                for cell in row:
                    key = (cell.row, cell.column)
                    v = cell.value
                    if cell.data_type == "e":
                        v = Err(v)
                    elif isinstance(v, (int, float)) and not isinstance(v, bool):
                        v = float(v)
                    if v is not None and v != "":
                        sheet.cells[key] = v
                    if cell.number_format != "General":
                        sheet.formats[key] = cell.number_format
            for row in formulas[ws.title].iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.data_type == "f":
                        sheet.formulas[(cell.row, cell.column)] = cell.value
            sheet.tables = FakeTables({name: FakeTable(sheet, ref) for name, ref in ws.tables.items()})
        book.active = values.active.title
        return book

    def calls(self, kind: str, sheet: str | None = None) -> list[tuple]:
        return [c for c in self.log if c[0] == kind and (sheet is None or c[1] == sheet)]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _norm(v: Any) -> Any:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, (int, float)):
        return ("num", float(v))
    return ("text", str(v))


def _sheet_cells(cells: dict[tuple[int, int], Any]) -> dict[tuple[int, int], Any]:
    return {k: _norm(v) for k, v in cells.items() if _norm(v) is not None}


def _openpyxl_cells(path: Path, sheet: str) -> dict[tuple[int, int], Any]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return _sheet_cells({(c.row, c.column): c.value for row in ws.iter_rows() for c in row})


def _modified_copy(tmp_path: Path) -> Path:
    """The shipped workbook with inputs changed so that every block moves or changes length."""
    path = tmp_path / "llm_cost_model.xlsm"
    wb = openpyxl.load_workbook(XLSM, keep_vba=True)
    ws = wb["Scenarios"]
    table = ws.tables["Scenarios"]
    c0, r0, c1, r1 = range_boundaries(table.ref)
    new_row = r1 + 1
    for offset, value in enumerate(("mid", "Mid-size platform", 400, 0.25, "qwen3-235b-a22b", "qwen3-4b", 0.05)):
        ws.cell(row=new_row, column=c0 + offset, value=value)
    table.ref = f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{new_row}"
    offers = wb["GPU Offers"]
    offers.cell(row=5, column=6, value=31.5)  # a price change moves every dollar figure
    params = wb["Parameters"]
    for row in params.iter_rows(min_row=5):
        if row[1].value == "sweep_step_qps":
            row[2].value = 10  # halves the breakeven sweep: the sheet gets shorter
    wb.save(path)
    return path


def _run(book: FakeBook) -> excel.ExcelOutcome:
    return excel.recalculate(book)


@pytest.fixture(scope="module")
def shipped() -> Path:
    assert XLSM.is_file(), "generate it: python -c \"from xlcost import api; api.new('workbooks/llm_cost_model.xlsm')\""
    return XLSM


# --------------------------------------------------------------------------------------------
# The adapter
# --------------------------------------------------------------------------------------------


def test_adapter_writes_what_xlcost_recalc_writes(tmp_path, shipped):
    path = _modified_copy(tmp_path)
    book = FakeBook.load(path)
    outcome = _run(book)
    assert outcome.ok and outcome.pdf is None

    expected_outcome = api.check(path)
    expected = api.sheet_content(expected_outcome.results, expected_outcome.problems)
    recalculated = tmp_path / "cli.xlsm"
    shutil.copy(path, recalculated)
    api.recalc(recalculated)
    for sheet in RESULT_SHEETS:
        got = _sheet_cells(book.sheets[sheet].values())
        want = _sheet_cells({k: c.value for k, c in expected[sheet].cells.items()})
        assert got == want, sheet
        assert got == _openpyxl_cells(recalculated, sheet), sheet  # what `xlcost recalc` wrote, cell for cell


def test_every_number_gets_its_units_format(tmp_path, shipped):
    path = _modified_copy(tmp_path)
    book = FakeBook.load(path)
    _run(book)
    outcome = api.check(path)
    for sheet, output in api.sheet_content(outcome.results, outcome.problems).items():
        formats = book.sheets[sheet].formats
        for key, cell in output.cells.items():
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                assert formats.get(key, "General") == excel.NUMBER_FORMATS.get(cell.style, "General"), (sheet, key)
    # Far fewer calls than cells: one per rectangle of equal format.
    numeric = sum(isinstance(c.value, float) for o in api.sheet_content(outcome.results, outcome.problems).values()
                  for c in o.cells.values())
    assert len(book.calls("format")) < numeric / 4


def test_number_formats_are_set_only_where_the_layout_changed(tmp_path, shipped):
    book = FakeBook.load(shipped)
    _run(book)
    assert not book.calls("format")  # the shipped layout is already formatted
    book = FakeBook.load(_modified_copy(tmp_path))
    _run(book)
    first = {c[1] for c in book.calls("format")}
    assert {"Deployment", "Cash Flows", "Breakeven"} <= first  # a scenario was added, the sweep shortened
    assert "Checks" not in first  # text only
    book.log.clear()
    _run(book)  # the same inputs again: nothing moved
    assert not book.calls("format")


def test_each_input_table_is_read_in_one_call(shipped):
    book = FakeBook.load(shipped)
    _run(book)
    reads = [r for r in book.calls("get") if r[1] not in RESULT_SHEETS]
    assert len(reads) == len(contract.INPUT_TABLES) + 1
    assert {r[1] for r in reads} == {t.sheet for t in contract.INPUT_TABLES} | {contract.PARAMETERS_SHEET}
    # Result sheets are read once each, to find old cells to clear and formulas not to destroy.
    assert sorted(r[1] for r in book.calls("get") if r[1] in RESULT_SHEETS) == sorted(RESULT_SHEETS)


def test_each_block_is_written_in_one_call(shipped):
    book = FakeBook.load(shipped)
    _run(book)
    for sheet in RESULT_SHEETS:
        blocks = [t for t in contract.RESULT_TABLES if t.sheet == sheet]
        assert len(book.calls("set", sheet)) == len(blocks), sheet
    assert {c[1] for c in book.calls("set")} == set(RESULT_SHEETS)


def test_a_shorter_result_clears_the_old_rows(tmp_path, shipped):
    path = _modified_copy(tmp_path)  # the sweep is half as long
    book = FakeBook.load(path)
    before = max(r for r, _ in book.sheets["Breakeven"].cells)
    _run(book)
    after = max(r for r, _ in book.sheets["Breakeven"].cells)
    assert after < before
    assert len(book.calls("clear", "Breakeven")) == 1


def test_screen_updating_and_calculation_are_restored(shipped):
    book = FakeBook.load(shipped)
    book.app._calculation = "semiautomatic"
    _run(book)
    writes = book.calls("set") + book.calls("format") + book.calls("clear")
    assert writes and all(c[3] is False and c[4] == "manual" for c in writes)
    assert book.app.screen_updating is True and book.app.calculation == "semiautomatic"
    last_write = max(i for i, c in enumerate(book.log) if c[0] in ("set", "format", "clear"))
    assert book.app.calculations == [last_write + 1]


def test_the_simulation_counts_its_trials_in_the_status_bar_and_gives_it_back(shipped):
    book = FakeBook.load(shipped)
    book.app._status_bar = "Ready for you"  # whatever was there before the click
    outcome = _run(book)
    assert outcome.ok
    trials = [m for m in book.app.status_messages if isinstance(m, str) and "Monte Carlo trials" in m]
    assert trials and trials[-1] == "xlcost: Monte Carlo trials 10,000 of 10,000"
    assert book.app.status_bar == "Ready for you"
    shown = [i for i, c in enumerate(book.log) if c[:2] == ("app", "status_bar")]
    assert max(shown) < min(i for i, c in enumerate(book.log) if c[0] == "set")  # given back before any write


def test_settings_are_restored_when_a_write_fails(shipped, monkeypatch):
    book = FakeBook.load(shipped)

    def boom(self, values):
        raise RuntimeError("Excel said no")

    monkeypatch.setattr(FakeRange, "value", property(FakeRange.value.fget, boom))
    with pytest.raises(RuntimeError):
        _run(book)
    assert book.app.screen_updating is True and book.app.calculation == "automatic"


def test_bad_input_fills_checks_only_and_selects_it(shipped):
    book = FakeBook.load(shipped)
    scenarios = book.sheets["Scenarios"]
    table = scenarios.tables["Scenarios"].range
    header = [scenarios.cells.get((table.row, c)) for c in range(table.column, table.column + table.shape[1])]
    col = table.column + header.index("Peak QPS")
    scenarios.cells[(table.row + 1, col)] = "lots"
    before = {s: dict(book.sheets[s].cells) for s in RESULT_SHEETS}

    outcome = _run(book)

    assert not outcome.ok
    assert {c[1] for c in book.calls("set")} == {"Checks"}
    assert book.active == "Checks"
    for sheet in RESULT_SHEETS:
        if sheet != "Checks":
            assert book.sheets[sheet].cells == before[sheet], sheet
    checks = book.sheets["Checks"].cells
    output, _ = excel.checks_output(outcome.problems)
    assert _sheet_cells(checks) == _sheet_cells({k: c.value for k, c in output.cells.items()})
    text = " ".join(str(v) for v in checks.values())
    assert "FAIL" in text and f"{get_column_letter(col)}{table.row + 1}" in text and "'lots'" in text


def test_excel_errors_and_dates_reach_the_parser_as_such(shipped):
    book = FakeBook.load(shipped)
    offers = book.sheets["GPU Offers"]
    table = offers.tables["GPUOffers"].range
    offers.cells[(table.row + 1, table.column + 5)] = Err("#DIV/0!")
    offers.cells[(table.row + 2, table.column + 5)] = dt.datetime(2025, 1, 2)
    outcome = _run(book)
    messages = " ".join(p.message for p in outcome.problems)
    assert "Excel error #DIV/0!" in messages and "a date (2025-01-02)" in messages
    assert "#DIV/0!" in EXCEL_ERRORS


def test_a_value_under_a_table_is_reported(shipped):
    book = FakeBook.load(shipped)
    risks = book.sheets["Risks"]
    table = risks.tables["Risks"].range
    risks.cells[(table.row + table.shape[0], table.column)] = "stray"
    outcome = _run(book)
    assert not outcome.ok and any("just below table Risks" in p.message for p in outcome.problems)


def test_a_formula_on_a_result_sheet_is_refused_before_any_write(shipped):
    book = FakeBook.load(shipped)
    book.sheets["Finance"].formulas[(40, 2)] = "=1+1"
    with pytest.raises(excel.ExcelAdapterError, match=r"'Finance' cell B40 holds a formula"):
        _run(book)
    assert not book.calls("set") and not book.calls("format")


def test_libreoffice_booleans_on_a_result_sheet_are_values_not_formulas(shipped):
    """LibreOffice saves every boolean as =TRUE() / =FALSE(); Excel then shows them as formulas."""
    book = FakeBook.load(shipped)
    finance = book.sheets["Finance"]
    finance.cells[(40, 2)], finance.formulas[(40, 2)] = True, "=TRUE()"
    finance.cells[(41, 2)], finance.formulas[(41, 2)] = False, "=false( )"
    assert _run(book).ok
    assert (40, 2) not in finance.formulas and (41, 2) not in finance.formulas  # cleared like any old cell


def test_a_missing_result_sheet_is_refused_before_any_write(shipped):
    book = FakeBook.load(shipped)
    book._sheets[:] = [s for s in book._sheets if s.name != "Risk"]
    with pytest.raises(excel.ExcelAdapterError, match="'Risk' is missing"):
        _run(book)
    assert not book.calls("set")


def test_text_that_looks_like_a_number_or_formula_stays_text():
    assert excel.excel_value("1/2") == "'1/2"
    assert excel.excel_value("=SUM(A1)") == "'=SUM(A1)"
    assert excel.excel_value("") is None
    assert excel.excel_value(True) is True and excel.excel_value(3) == 3


def test_build_pdf_after_recalc_writes_output_next_to_the_workbook(tmp_path, shipped, monkeypatch):
    path = tmp_path / "llm_cost_model.xlsm"
    shutil.copy(shipped, path)
    book = FakeBook.load(path)
    params = book.sheets["Parameters"]
    row = next(r for (r, c), v in params.cells.items() if c == 2 and v == "build_pdf_after_recalc")
    params.cells[(row, 3)] = True
    seen = {}

    def fake_render_pdf(results, **kw):
        seen.update(kw)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr("xlcost.report.render_pdf", fake_render_pdf)
    outcome = _run(book)
    assert outcome.pdf == tmp_path / "output" / "llm_cost_model.pdf"
    assert outcome.pdf.read_bytes() == b"%PDF-1.7 stand-in"
    assert book.saved == 1 and seen["workbook_bytes"] == path.read_bytes()
    assert seen["workbook_name"] == "llm_cost_model.xlsm"


def test_pdf_is_off_by_default(shipped):
    assert contract.PARAMS["build_pdf_after_recalc"].default is False
    book = FakeBook.load(shipped)
    assert _run(book).pdf is None and book.saved == 0


def test_the_adapter_imports_without_xlwings():
    code = "import sys, xlcost.excel; assert 'xlwings' not in sys.modules; assert 'openpyxl' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_the_shim_is_the_adapters_main():
    code = (ROOT / "workbooks" / "llm_cost_model.py").read_text()
    assert "from xlcost.excel import main" in code
    namespace: dict[str, Any] = {"__name__": "llm_cost_model"}
    exec(compile(code, "llm_cost_model.py", "exec"), namespace)
    assert namespace["main"] is excel.main


# --------------------------------------------------------------------------------------------
# The shipped .xlsm
# --------------------------------------------------------------------------------------------


def _values(ws) -> dict[tuple[int, int], Any]:
    return {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _cover_parts(members: dict[str, bytes]) -> list[str]:
    rels = [n for n in members if n.startswith("xl/worksheets/_rels/") and b"vmlDrawing" in members[n]]
    assert len(rels) == 1
    sheet = rels[0].replace("_rels/", "").removesuffix(".rels")
    vml = [n for n in members if n.endswith(".vml")]
    return ["xl/vbaProject.bin", rels[0], sheet, *vml]


def test_recalc_keeps_the_vba_project_and_the_button(tmp_path, shipped):
    path = tmp_path / "llm_cost_model.xlsm"
    shutil.copy(shipped, path)
    before = _members(path)
    api.recalc(path)
    after = _members(path)
    for part in _cover_parts(before) + ["[Content_Types].xml", "xl/_rels/workbook.xml.rels"]:
        assert after[part] == before[part], part
    assert b'codeName="ThisWorkbook"' in after["xl/workbook.xml"]


def test_the_button_calls_a_macro_of_the_vba_project(shipped):
    from oletools.olevba import VBA_Parser

    members = _members(shipped)
    vml = next(members[n] for n in members if n.endswith(".vml")).decode()
    assert 'ObjectType="Button"' in vml and f">{vba.BUTTON_CAPTION}<" in vml
    macro = re.search(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml).group(1)
    parser = VBA_Parser(str(shipped))
    try:
        modules = {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    defining = [n for n, code in modules.items() if re.search(rf"^\s*(Public\s+)?Sub\s+{macro}\s*\(", code, re.M)]
    assert defining, f"no module defines Sub {macro}"
    body = modules[defining[0]]
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in body
    assert "ThisWorkbook.Name" in body  # the module is named like the workbook: llm_cost_model.py

    pins = {m.group(1) for code in modules.values() for m in vba.VERSION_PIN.finditer(code)}
    pyproject = re.search(r'"xlwings==([^"]+)"', (ROOT / "pyproject.toml").read_text()).group(1)
    assert pins == {pyproject} == {vba.XLWINGS_VERSION} == {importlib.metadata.version("xlwings")}
    assert f"xlwings64-{pyproject}.dll" in modules["xlwings.bas"]


def test_code_names_match_the_vba_document_modules(shipped):
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(shipped))
    try:
        documents = {name.removesuffix(".cls") for _, _, name, _ in parser.extract_macros() if name.endswith(".cls")}
    finally:
        parser.close()
    documents.discard("Dictionary")  # a class module, not a document
    wb = openpyxl.load_workbook(shipped, keep_vba=True)
    names = {"ThisWorkbook": wb.code_name} | {ws.sheet_properties.codeName: ws.title for ws in wb.worksheets}
    assert wb.code_name == "ThisWorkbook"
    assert documents <= set(names), documents - set(names)
    assert names["Sheet1"] == contract.COVER_SHEET
    assert len({ws.sheet_properties.codeName for ws in wb.worksheets}) == len(wb.worksheets)


def test_the_xlwings_conf_sheet_activates_only_filled_settings(shipped):
    from oletools.olevba import VBA_Parser

    ws = openpyxl.load_workbook(shipped)[contract.XLWINGS_CONF_SHEET]
    keys = []
    row = 1
    while ws.cell(row=row, column=1).value:  # xlwings reads A1 down to the first blank
        formula = ws.cell(row=row, column=1).value
        m = re.fullmatch(r'=IF\(B(\d+)="","(.+) \(not set\)","(.+)"\)', formula)
        assert m and int(m.group(1)) == row and m.group(2) == m.group(3), formula
        assert ws.cell(row=row, column=2).value is None  # nothing filled: nothing overrides the user config
        keys.append(m.group(3))
        row += 1
    assert keys == [k for k, _ in vba.CONF_SETTINGS]
    assert ws.cell(row=row + 1, column=1).value  # the instructions sit below the blank row
    parser = VBA_Parser(str(shipped))
    try:
        code = "\n".join(c for _, _, _, c in parser.extract_macros())
    finally:
        parser.close()
    asked = {k.upper() for k in re.findall(r'GetConfig\("([^"]+)"', code)}
    assert {k.upper() for k in keys} <= asked, {k.upper() for k in keys} - asked


def test_the_macro_workbook_has_the_xlsx_content(tmp_path):
    xlsm = api.new(tmp_path / "x.xlsm")
    xlsx = api.new(tmp_path / "x.xlsx")
    a, b = openpyxl.load_workbook(xlsm), openpyxl.load_workbook(xlsx)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        cells_a = {(c.row, c.column): c.value for row in a[name].iter_rows() for c in row if c.value is not None}
        cells_b = {(c.row, c.column): c.value for row in b[name].iter_rows() for c in row if c.value is not None}
        if name == contract.COVER_SHEET:  # only the .xlsm's cover mentions its button
            button = [k for k, v in cells_a.items() if "Recalculate button" in str(v)]
            assert len(button) == 1 and "Recalculate button" not in str(cells_b[button[0]])
            del cells_a[button[0]], cells_b[button[0]]
        assert cells_a == cells_b, name
        assert dict(a[name].tables.items()) == dict(b[name].tables.items())
    ma, mb = _members(xlsm), _members(xlsx)
    assert "xl/vbaProject.bin" in ma and "xl/vbaProject.bin" not in mb
    assert b"macroEnabled.main+xml" in ma["[Content_Types].xml"]
    assert b"macroEnabled" not in mb["[Content_Types].xml"]
    assert api.check(xlsm).ok


def test_the_shipped_xlsm_is_what_the_generator_makes(tmp_path, shipped):
    fresh = api.new(tmp_path / "llm_cost_model.xlsm")
    a, b = openpyxl.load_workbook(fresh), openpyxl.load_workbook(shipped)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert _values(a[name]) == _values(b[name]), name
    assert _members(fresh)["xl/vbaProject.bin"] == _members(shipped)["xl/vbaProject.bin"]


@pytest.mark.skipif(not XLSX.is_file(), reason="the shipped .xlsx is generated elsewhere")
def test_the_shipped_xlsx_and_xlsm_hold_the_same_inputs():
    a, b = openpyxl.load_workbook(XLSM), openpyxl.load_workbook(XLSX)
    for spec in contract.INPUT_TABLES:
        ws_a, ws_b = a[spec.sheet], b[spec.sheet]
        ref = ws_a.tables[spec.name].ref
        assert ws_b.tables[spec.name].ref == ref
        assert [[c.value for c in row] for row in ws_a[ref]] == [[c.value for c in row] for row in ws_b[ref]]


def test_plan_formats_merges_columns_and_ignores_text():
    from xlcost.workbook.writer import OutCell, SheetOutput

    columns = {t.key: t.columns for t in contract.RESULT_TABLES}
    blocks = [b for b in place_blocks({"implementation": 2}, columns) if b.table == "implementation"]
    block = blocks[0]
    out = SheetOutput(cells={
        (block.first_data_row, 1): OutCell("Engineering", "xlcost Text"),
        (block.first_data_row, 2): OutCell(90000.0, "xlcost usd"),
        (block.first_data_row + 1, 1): OutCell("Total", "xlcost Text"),
        (block.first_data_row + 1, 2): OutCell(5000.0, "xlcost usd"),
    })
    assert excel.plan_formats(out, blocks) == [
        excel.Format(block.first_data_row, 2, block.first_data_row + 1, 2, '"$"#,##0')]


# --------------------------------------------------------------------------------------------
# Worksheet functions (plain functions off Windows)
# --------------------------------------------------------------------------------------------


def test_udfs_tie_out_with_the_result_sheets():
    from xlcost import udfs
    from xlcost.engine.model import compute
    from xlcost.inputs import defaults
    from xlcost.present import result_tables

    results = compute(defaults())
    tables = result_tables(results)
    for row in tables["model_costs"]:
        assert udfs.xlcost_usd_per_1k_requests(row["usd_per_instance_hour"], row["qps_per_instance"]) == pytest.approx(
            row["usd_per_1k_requests"], rel=1e-12)
    rate = float(results.inputs.param("discount_rate"))
    for summary in tables["finance_summary"]:
        flows = [r["net_usd"] for r in tables["cash_flows"] if r["scenario"] == summary["scenario"]]
        assert udfs.xlcost_npv(rate, flows) == pytest.approx(summary["npv_usd"], rel=1e-12)
    assert udfs.xlcost_npv(0.1, [-100, 110]) == pytest.approx(0.0)  # CF0 is not discounted


def test_udf_instances_rounds_up_whole_instances():
    from xlcost import udfs

    assert udfs.xlcost_instances(1000 * 0.2, 20) == 10
    assert udfs.xlcost_instances(100 * 0.3, 10) == 3  # 30.000000000000004 buys no 4th instance
    assert udfs.xlcost_instances(0, 20) == 0
    with pytest.raises(ValueError):
        udfs.xlcost_instances(10, 0)
