"""Fuzzing the workbook reader, the validation and the engine (issue 5).

Hypothesis writes random values of random types -- numbers (negative, zero, tiny, huge), text
(unicode, control characters, formula-like), booleans, dates, blanks, Excel errors, formulas with and
without a cached value, and raw ``<v>`` strings such as ``NaN`` -- into random input cells of a copy of
the default workbook, then runs ``api.recalc`` in-process. The outcome is always one of:

* success: every number in ``api.export_data`` is finite and the written file reads back, or
* ``api.InputError``: every problem names a sheet and a cell, and the file's bytes are unchanged.

Anything else (another exception, a NaN or inf in a result) fails. Cells are edited directly in the
sheet XML inside the zip (no openpyxl load per example), which is also a harsher test of the reader.

Budget: ``XLCOST_FUZZ_EXAMPLES`` (default 200, about 30 s). A longer run, for example before a release:

    XLCOST_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sheet_xml import insert_cell

from xlcost import api, contract
from xlcost.workbook.package import Package, cell_ref, datetime_to_serial

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"
EXAMPLES = int(os.environ.get("XLCOST_FUZZ_EXAMPLES", "200"))


# ---------------------------------------------------------------------------------------------
# The base workbook, unpacked once: parts, the input cells, and a date style to use
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    sheet: str
    part: str
    ref: str
    what: str  # "data:<kind>", "param", "header" or "below" (for the failure report)


@dataclass(frozen=True)
class Base:
    names: tuple[str, ...]
    parts: dict[str, bytes]
    data_targets: tuple[Target, ...]
    edge_targets: tuple[Target, ...]
    date_style: int


@cache
def base() -> Base:
    data = SHIPPED.read_bytes()
    pkg = Package.from_bytes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = tuple(zf.namelist())
        parts = {n: zf.read(n) for n in names}
    # a date style (built-in format 14, m/d/yyyy) appended to cellXfs, as Excel adds one when you type a date
    styles_name = next(n for n in names if n.endswith("styles.xml"))
    styles = parts[styles_name].decode()
    count = int(re.search(r'<cellXfs count="(\d+)"', styles).group(1))
    styles = re.sub(r'<cellXfs count="\d+"', f'<cellXfs count="{count + 1}"', styles)
    styles = styles.replace("</cellXfs>", '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" '
                                          'applyNumberFormat="1"/></cellXfs>')
    parts[styles_name] = styles.encode()
    data_targets, edge_targets = [], []
    tables = pkg.tables()
    for spec in contract.INPUT_TABLES:
        table = tables[spec.name]
        part = pkg.sheet_part(table.sheet)
        cells = pkg.cells(table.sheet)
        header = {str(cells[(table.min_row, c)].value): c for c in range(table.min_col, table.max_col + 1)
                  if (table.min_row, c) in cells}
        for column in spec.columns:
            col = header[column.header]
            for row in range(table.min_row + 1, table.max_row + 1):
                data_targets.append(Target(table.sheet, part, cell_ref(row, col), f"data:{column.kind}"))
            edge_targets.append(Target(table.sheet, part, cell_ref(table.min_row, col), "header"))
            edge_targets.append(Target(table.sheet, part, cell_ref(table.max_row + 1, col), "below"))
    params = tables[contract.PARAMETERS_TABLE]
    part = pkg.sheet_part(params.sheet)
    param_cells = pkg.cells(params.sheet)
    for row in range(params.min_row + 1, params.max_row + 1):
        param = contract.PARAMS[param_cells[(row, 2)].value]
        data_targets.append(Target(params.sheet, part, cell_ref(row, 3), f"param:{param.kind}"))
        edge_targets.append(Target(params.sheet, part, cell_ref(row, 2), "param-name"))
        if param.key == "mc_trials":  # every example still simulates, but 200 trials, not 10,000
            parts[part] = set_cell(parts[part], cell_ref(row, 3), Value("number", 200.0), count)
    return Base(names, parts, tuple(data_targets), tuple(edge_targets), count)


# ---------------------------------------------------------------------------------------------
# Cell XML
# ---------------------------------------------------------------------------------------------

_XML_ILLEGAL = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def ooxml_text(text: str) -> str:
    """Text as Excel stores it: _xHHHH_ for characters XML cannot carry, then XML escaping."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    text = _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


@dataclass(frozen=True)
class Value:
    """One value to type into a cell, and how the cell XML carries it."""

    kind: str
    value: Any = None
    cached: Any = None  # for formulas

    def xml(self, ref: str, style: str, date_style: int) -> str:
        s = f' s="{style}"' if style else ""
        if self.kind == "blank":
            return f'<c r="{ref}"{s}/>'
        if self.kind == "number":
            return f'<c r="{ref}"{s}><v>{self.value!r}</v></c>'
        if self.kind == "raw":  # a <v> no spreadsheet writes, but Python's float() accepts
            return f'<c r="{ref}"{s}><v>{self.value}</v></c>'
        if self.kind == "text":
            return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{ooxml_text(self.value)}</t></is></c>'
        if self.kind == "shared-looking-text":  # a t="str" cell (a formula's cached string) without formula
            return f'<c r="{ref}"{s} t="str"><v>{ooxml_text(self.value)}</v></c>'
        if self.kind == "bool":
            return f'<c r="{ref}"{s} t="b"><v>{int(self.value)}</v></c>'
        if self.kind == "date":
            return f'<c r="{ref}" s="{date_style}"><v>{datetime_to_serial(self.value, False)!r}</v></c>'
        if self.kind == "iso-date":
            return f'<c r="{ref}"{s} t="d"><v>{self.value.isoformat()}</v></c>'
        if self.kind == "error":
            return f'<c r="{ref}"{s} t="e"><f>NA()</f><v>{ooxml_text(self.value)}</v></c>'
        if self.kind == "formula":
            cached = "" if self.cached is None else f"<v>{self.cached!r}</v>"
            return f'<c r="{ref}"{s}><f>{ooxml_text(self.value)}</f>{cached}</c>'
        raise AssertionError(self.kind)


def set_cell(xml: bytes, ref: str, value: Value, date_style: int) -> bytes:
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"((?:\s[^>]*?)?)(?:/>|>.*?</c>)', re.S)
    match = pattern.search(xml)
    style = ""
    if match:
        found = re.search(rb'\ss="(\d+)"', match.group(1))
        style = found.group(1).decode() if found else ""
    new = value.xml(ref, style, date_style).encode("utf-8")
    if match:
        return xml[:match.start()] + new + xml[match.end():]
    return insert_cell(xml, ref, new)


def build(edits: list[tuple[Target, Value]]) -> bytes:
    b = base()
    parts = dict(b.parts)
    for target, value in edits:
        parts[target.part] = set_cell(parts[target.part], target.ref, value, b.date_style)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:  # stored: fast, and a valid package
        for name in b.names:
            zf.writestr(name, parts[name])
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------

IDS = ("qwen3-4b", "glm4-9b", "qwen3-235b-a22b", "deepseek-r1", "enterprise", "sme", "small", "pure", "hetero",
       "one-time", "monthly", "annual", "none", "gpu_price", "load", "TRUE", "false")
FORMULA_LIKE = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "=1+1", "'0.5", "50%",
                "1,000", "$3.81", " 12 ", "1e3", "0x10", "_x0041_", "<b>x</b>", "&amp;")
EXCEL_ERRORS = ("#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")

numbers = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=-10, max_value=2000).map(float),
    st.sampled_from([0.0, -0.0, 1.0, 0.999, 0.995, 0.99, 1e-300, 5e-324, 1e15, 1e15 + 1, 1e300, 744.0, 0.5, 2.5]),
)
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(IDS + FORMULA_LIKE),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=20),
    st.sampled_from(["", " ", "\t", "模型 ü", "\u200b", "\u202eRTL", "😀" * 3]),
    st.sampled_from(["x" * 10_000, "x" * 10_001, "x" * 32_767]),
)
values = st.one_of(
    st.builds(Value, st.just("number"), numbers),
    st.builds(Value, st.just("text"), texts),
    st.builds(Value, st.just("shared-looking-text"), st.sampled_from(IDS + FORMULA_LIKE)),
    st.builds(Value, st.just("bool"), st.booleans()),
    st.builds(Value, st.just("blank")),
    st.builds(Value, st.just("date"), st.datetimes(min_value=dt.datetime(1900, 3, 1),
                                                   max_value=dt.datetime(9999, 12, 31))),
    st.builds(Value, st.just("iso-date"), st.datetimes(min_value=dt.datetime(1, 1, 1))),
    st.builds(Value, st.just("error"), st.sampled_from(EXCEL_ERRORS)),
    st.builds(Value, st.just("raw"), st.sampled_from(["NaN", "nan", "inf", "-inf", "Infinity", "1e400", "-0",
                                                      " 7 ", "1_000", "1E2"])),
    st.builds(Value, st.just("formula"), st.sampled_from(["1/0", "A1+1", "SUM(C5:C7)", "NOW()"]),
              st.one_of(st.none(), numbers)),
)


@st.composite
def edits(draw: st.DrawFn) -> list[tuple[Target, Value]]:
    b = base()
    targets = st.one_of(st.sampled_from(b.data_targets), st.sampled_from(b.data_targets),
                        st.sampled_from(b.data_targets), st.sampled_from(b.edge_targets))
    return draw(st.lists(st.tuples(targets, values), min_size=1, max_size=4))


# ---------------------------------------------------------------------------------------------
# The property
# ---------------------------------------------------------------------------------------------


def non_finite(value: Any, path: str = "") -> list[str]:
    """Paths of every NaN or infinite number inside a nested export structure."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, int | float):
        return [] if math.isfinite(value) else [f"{path}={value}"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in non_finite(v, f"{path}.{k}")]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in non_finite(v, f"{path}[{i}]")]
    if hasattr(value, "item"):  # a numpy scalar
        return non_finite(value.item(), path)
    return [f"{path}: unexpected {type(value).__name__}"]


# Numbers of the right type, often at the edges of what is valid: these reach the engine.
NUMERIC = ("number", "integer", "fraction")
edge_numbers = st.one_of(
    st.floats(min_value=0, max_value=1),
    st.sampled_from([0.0, 1.0, 1e-12, 5e-324, 1e-300, 1e-9, 1.5e-9, 0.999, 0.995, 0.99, 1e15, 744.0, 30.0,
                     1.0 - 1e-16, 0.1, 0.0999]),
    st.floats(min_value=1e-9, max_value=1e-6),
    st.floats(min_value=0, max_value=1e15),
    st.integers(min_value=0, max_value=10_000).map(float),
)


@st.composite
def numeric_edits(draw: st.DrawFn) -> list[tuple[Target, Value]]:
    numeric = [t for t in base().data_targets if t.what.split(":")[-1] in NUMERIC]
    return draw(st.lists(st.tuples(st.sampled_from(numeric), st.builds(Value, st.just("number"), edge_numbers)),
                         min_size=1, max_size=6))


@pytest.fixture(scope="module")
def workdir() -> Path:
    with tempfile.TemporaryDirectory(prefix="xlcost-fuzz-") as folder:
        yield Path(folder)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
@given(changes=edits())
def test_random_cells_give_results_or_clean_input_errors(changes: list[tuple[Target, Value]], workdir: Path) -> None:
    path = workdir / "model.xlsx"
    data = build(changes)
    path.write_bytes(data)
    try:
        outcome = api.recalc(path)
    except api.InputError as err:
        event("input error")
        assert err.outcome.errors, "InputError without an error"
        for problem in err.outcome.problems:
            assert problem.sheet and problem.cell, f"problem without a place: {problem}"
            assert re.fullmatch(r"[A-Z]{1,3}[1-9]\d*", problem.cell), problem
        assert path.read_bytes() == data, "the file changed although the inputs were refused"
        return
    event("results")
    bad = non_finite(api.export_data(outcome))
    assert not bad, bad[:5]
    assert api.check(path).ok  # the written file reads back, and its inputs are the same valid ones


def test_the_base_targets_cover_every_table_and_kind() -> None:
    b = base()
    kinds = {t.what for t in b.data_targets}
    assert kinds >= {f"data:{k}" for k in ("id", "text", "number", "integer", "fraction", "bool", "choice", "ref")}
    assert {t.sheet for t in b.data_targets} == {s.sheet for s in contract.INPUT_TABLES} | {contract.PARAMETERS_SHEET}
    # the untouched base builds a workbook that recalculates
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.xlsx"
        path.write_bytes(build([]))
        assert api.check(path).ok


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
@given(changes=numeric_edits())
def test_extreme_valid_numbers_give_finite_results(changes: list[tuple[Target, Value]], workdir: Path) -> None:
    """Well-typed numbers at the edges of their ranges: valid ones must compute finite results."""
    path = workdir / "numbers.xlsx"
    path.write_bytes(build(changes))
    outcome = api.check(path)
    if not outcome.ok:
        event("input error")
        assert all(p.sheet and p.cell for p in outcome.problems), [str(p) for p in outcome.problems]
        return
    event("results")
    bad = non_finite(api.export_data(outcome))
    assert not bad, bad[:5]
