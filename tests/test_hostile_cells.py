"""Hostile and broken cells and tables (issue 5): every bad input gets a clear answer, nothing changes.

The corpus is generated here from the shipped default workbook: each case edits a copy, either by
rewriting one worksheet's XML inside the zip (fast, and the only way to store cached Excel errors or
a formula without a cached value: openpyxl cannot write those) or, for structural edits (deleting a
sheet, merging cells, typing a date), with openpyxl as a user's tool would.

For every case, ``check``, ``recalc``, ``export`` and ``report`` must exit with status 2, list every
problem at once (each line naming ``Sheet!Cell`` and saying what is expected), print no traceback and
leave the file's bytes alone. The commands run in-process through ``xlcost.cli.main`` (fast); one
combined case also runs them as real ``python -m xlcost`` processes.

NaN: an .xlsx cannot hold NaN or infinity. Excel stores numbers as text in ``<v>``, and neither Excel
nor openpyxl will write ``NaN``/``inf`` there; a hand-made file can, and Python's float() would read
it, so the cases ``nan-in-xml`` and ``inf-in-xml`` write those strings into the raw XML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from sheet_xml import insert_cell

from xlcost import api, cli, contract
from xlcost.workbook.package import Package

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"
COMMANDS = ("check", "recalc", "export", "report")


def _report_importable() -> str | None:
    """Why the report cannot run (the report is built separately), or None when it can."""
    try:
        from xlcost.report import render_pdf  # noqa: F401
    except Exception as err:  # noqa: BLE001 - any import failure means: skip the report cases
        return f"xlcost.report does not import yet ({type(err).__name__}: {err})"
    return None


REPORT_SKIP = _report_importable()

# ---------------------------------------------------------------------------------------------
# Editing a workbook's bytes
# ---------------------------------------------------------------------------------------------

Cell = tuple[str, str]  # (extra attributes such as ' t="b"', inner XML)
BLANK: Cell = ("", "")


def num(value: object) -> Cell:
    return "", f"<v>{value}</v>"


def text(value: str) -> Cell:
    return ' t="inlineStr"', f'<is><t xml:space="preserve">{escape(value)}</t></is>'


def boolean(value: bool) -> Cell:
    return ' t="b"', f"<v>{int(value)}</v>"


def error(code: str, formula: str) -> Cell:
    """A formula whose cached result is an Excel error, as Excel saves it."""
    return ' t="e"', f"<f>{escape(formula)}</f><v>{escape(code)}</v>"


def formula(expr: str, cached: float | None = None) -> Cell:
    return "", f"<f>{escape(expr)}</f>" + ("" if cached is None else f"<v>{cached!r}</v>")


def set_cell(xml: bytes, ref: str, cell: Cell) -> bytes:
    """Replace the <c r="ref"> element (keeping its style), or insert it into its row in column order."""
    attrs, inner = cell
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"(?:\s[^>]*?)?(?:/>|>.*?</c>)', re.S)
    match = pattern.search(xml)
    style = b""
    if match:
        found = re.search(rb'\ss="\d+"', match.group(0).split(b">", 1)[0])
        style = found.group(0) if found else b""
    new = b'<c r="' + ref.encode() + b'"' + style + attrs.encode() + b">" + inner.encode("utf-8") + b"</c>"
    if match:
        return xml[:match.start()] + new + xml[match.end():]
    return insert_cell(xml, ref, new)


def rewrite_parts(data: bytes, edits: dict[str, Callable[[bytes], bytes]]) -> bytes:
    """A copy of the package with some parts rewritten; every other member is copied unchanged."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename in edits:
                body = edits[info.filename](body)
            dst.writestr(info, body)
    return out.getvalue()


def edit_cells(data: bytes, changes: dict[tuple[str, str], Cell]) -> bytes:
    pkg = Package.from_bytes(data)
    by_part: dict[str, list[tuple[str, Cell]]] = {}
    for (sheet, ref), cell in changes.items():
        by_part.setdefault(pkg.sheet_part(sheet), []).append((ref, cell))

    def editor(items: list[tuple[str, Cell]]) -> Callable[[bytes], bytes]:
        def apply(xml: bytes) -> bytes:
            for ref, cell in items:
                xml = set_cell(xml, ref, cell)
            return xml
        return apply

    return rewrite_parts(data, {part: editor(items) for part, items in by_part.items()})


def cells(changes: dict[tuple[str, str], Cell]) -> Callable[[bytes], bytes]:
    return lambda data: edit_cells(data, changes)


def with_openpyxl(change: Callable[[openpyxl.Workbook], None]) -> Callable[[bytes], bytes]:
    def build(data: bytes) -> bytes:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        change(wb)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    build.openpyxl = True  # type: ignore[attr-defined]  # openpyxl drops cached values: run these first
    return build


def chain(*steps: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def build(data: bytes) -> bytes:
        for step in steps:
            data = step(data)
        return data
    return build


def rename_sheet(old: str, new: str) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        return xml.replace(f'name="{escape(old)}"'.encode(), f'name="{escape(new)}"'.encode(), 1)
    return lambda data: rewrite_parts(data, {"xl/workbook.xml": edit})


def table_xml(table: str, edit: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """Rewrite the table part whose displayName is ``table``."""
    def build(data: bytes) -> bytes:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = next(n for n in zf.namelist() if n.startswith("xl/tables/")
                        and f'displayName="{table}"'.encode() in zf.read(n))
        return rewrite_parts(data, {part: edit})
    return build


def shrink_table(table: str, old_ref: str, new_ref: str) -> Callable[[bytes], bytes]:
    return table_xml(table, lambda xml: xml.replace(f'ref="{old_ref}"'.encode(), f'ref="{new_ref}"'.encode()))


def param_cell(name: str) -> str:
    """The Value cell of a parameter in the default workbook, e.g. 'C17' for sla_target."""
    for (row, col), cell in Package.open(SHIPPED).cells(contract.PARAMETERS_SHEET).items():
        if col == 2 and cell.value == name:
            return f"C{row}"
    raise KeyError(name)


SLA_TARGET, HOURS, PRIMARY, HORIZON, DISCOUNT, BUILD_PDF, SWEEP_MAX = (
    param_cell(n) for n in ("sla_target", "hours_per_month", "primary_scenario", "horizon_years",
                            "discount_rate", "build_pdf_after_recalc", "sweep_max_qps"))

# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[bytes], bytes]
    # every line we expect: (where, phrase), both on the same stderr line; where is "Sheet!Cell"
    # (or just "Sheet" when the sheet itself is gone)
    expect: tuple[tuple[str, str], ...]
    kinds: tuple[str, ...] = ()  # the input column kinds the case exercises
    count: int | None = None  # errors expected; default: one per distinct place in ``expect``

    @property
    def errors(self) -> int:
        return self.count if self.count is not None else len({where for where, _ in self.expect})


def _clear_gpu_offers(wb: openpyxl.Workbook) -> None:
    ws = wb["GPU Offers"]
    last = ws.tables["GPUOffers"].ref.split(":")[1].rstrip("0123456789")
    for row in ws.iter_rows(min_row=5, max_row=ws.max_row):
        for c in row:
            c.value = None
    ws.tables["GPUOffers"].ref = f"A4:{last}5"
    ws.tables["GPUOffers"].autoFilter.ref = f"A4:{last}5"


LAST_PARAMETER = contract.PARAMETERS[-1].key
LAST_PARAMETER_ROW = 4 + len(contract.PARAMETERS)  # the Parameters table's header is on row 4

CASES: tuple[Case, ...] = (
    # --- one rule at a time, across every column kind -------------------------------------
    Case("text-in-number", cells({("GPU Offers", "F5"): text("thirty")}),
         (("GPU Offers!F5", "expected a number > 0"),), ("number",)),
    Case("number-stored-as-text", cells({("Models", "C5"): text("4")}),
         (("Models!C5", "a number stored as text"), ("Models!C5", "expected a number > 0")), ("number",)),
    Case("blank-required-text", cells({("Models", "B5"): BLANK}),
         (("Models!B5", "is blank; expected text"),), ("text",)),
    Case("blank-required-id", cells({("Risks", "A5"): text("   ")}),
         (("Risks!A5", "is blank; expected a short id"),), ("id",)),
    Case("negative", cells({("Costs", "C5"): num(-90000)}),
         (("Costs!C5", "expected a number ≥ 0"),), ("number",)),
    Case("zero-where-positive", cells({("Models", "G5"): num(0)}),
         (("Models!G5", "expected a number > 0"),), ("number",)),
    Case("huge-number", cells({("Scenarios", "C5"): num("1e300")}),
         (("Scenarios!C5", "not a usable amount; expected a number ≥ 0"),), ("number",)),
    Case("tiny-number", cells({("Models", "J5"): num(5e-324)}),  # found by test_fuzz.py: 1/x overflowed
         (("Models!J5", "holds 5e-324, which is too close to zero to be a usable amount; expected a number > 0"),),
         ("number",)),
    Case("nan-in-xml", cells({("Scenarios", "C6"): num("NaN")}),
         (("Scenarios!C6", "not a usable amount; expected a number ≥ 0"),), ("number",)),
    Case("inf-in-xml", cells({("Models", "I5"): num("1e400")}),
         (("Models!I5", "not a usable amount; expected a number > 0"),), ("number",)),
    Case("share-above-1", cells({("Scenarios", "D5"): num(1.5)}),
         (("Scenarios!D5", "expected a share between 0 and 1"),), ("fraction",)),
    Case("probability-as-percent-number", cells({("Risks", "C7"): num(80)}),
         (("Risks!C7", "enter 0.8 or 80%"),), ("fraction",)),
    Case("negative-share", cells({("Workflows", "G5"): num(-0.1)}),
         (("Workflows!G5", "expected a share between 0 and 1"),), ("fraction",)),
    Case("integer-with-fraction", cells({("GPU Offers", "E5"): num(2.5)}),
         (("GPU Offers!E5", "expected a whole number ≥ 1"),), ("integer",)),
    Case("integer-zero", cells({("Models", "E6"): num(0)}),
         (("Models!E6", "expected a whole number ≥ 1"),), ("integer",)),
    Case("bool-as-word", cells({("GPU Offers", "G6"): text("yes")}),
         (("GPU Offers!G6", "expected TRUE or FALSE"),), ("bool",)),
    Case("bool-as-number", cells({("GPU Offers", "G7"): num(1)}),
         (("GPU Offers!G7", "expected TRUE or FALSE"),), ("bool",)),
    Case("bool-in-number", cells({("Costs", "C6"): boolean(True)}),
         (("Costs!C6", "holds TRUE; expected a number ≥ 0"),), ("number",)),
    Case("bool-in-text", cells({("Scenarios", "B5"): boolean(False)}),
         (("Scenarios!B5", "holds FALSE; expected text"),), ("text",)),
    Case("unknown-choice", cells({("Costs", "D5"): text("weekly")}),
         (("Costs!D5", "expected one of 'one-time', 'monthly', 'annual'"),), ("choice",)),
    Case("sla-option-unknown", cells({("SLA", "E5"): text("hybrid")}),
         (("SLA!E5", "expected one of 'pure', 'hetero'"),), ("choice",)),
    Case("bad-id", cells({("GPU Offers", "A5"): text("aws p4d (list)")}),
         (("GPU Offers!A5", "expected a short id"),), ("id",)),
    Case("duplicate-id", cells({("GPU Offers", "A6"): text("aws-p4d")}),
         (("GPU Offers!A6", "repeats the id 'aws-p4d' of row 1; expected"),), ("id",)),
    Case("unknown-model-in-scenario", cells({("Scenarios", "E5"): text("gpt-9")}),
         (("Scenarios!E5", "'gpt-9', which is not an id in table Models; expected one of qwen3-4b"),), ("ref",)),
    Case("unknown-model-in-workflow", cells({("Workflows", "F7"): num(42)}),
         (("Workflows!F7", "'42', which is not an id in table Models; expected one of"),), ("ref",)),
    Case("sla-target-not-a-tier", cells({("Parameters", SLA_TARGET): num(0.95)}),
         ((f"Parameters!{SLA_TARGET}", "is 95%, which is not an SLA tier; expected one of 99.9%, 99.5%, 99%"),),
         ("fraction",)),
    Case("unknown-primary-scenario", cells({("Parameters", PRIMARY): text("mega")}),
         ((f"Parameters!{PRIMARY}", "'mega', which is not a scenario id; expected one of enterprise"),), ("ref",)),
    Case("parameter-out-of-range", cells({("Parameters", HOURS): num(800), ("Parameters", HORIZON): num(0)}),
         ((f"Parameters!{HOURS}", "expected a number from 1 to 744"),
          (f"Parameters!{HORIZON}", "expected a whole number from 1 to 30")), ("number", "integer")),
    Case("text-too-long", cells({("Models", "B7"): text("x" * 10_001)}),
         (("Models!B7", "holds 10,001 characters; expected text of at most 10,000 characters"),), ("text",)),
    Case("sweep-below-resolution", cells({("Parameters", SWEEP_MAX): num(0.0625)}),  # found by test_fuzz.py
         ((f"Parameters!{SWEEP_MAX}", "holds 0.0625; expected a number ≥ 1"),), ("number",)),
    Case("parameter-bool-as-text", cells({("Parameters", BUILD_PDF): text("maybe")}),
         ((f"Parameters!{BUILD_PDF}", "expected TRUE or FALSE"),), ("bool",)),
    # --- Excel error values cached by formulas -------------------------------------------
    Case("excel-errors", cells({
        ("Models", "I5"): error("#DIV/0!", "1/0"),
        ("Workflows", "E5"): error("#REF!", "#REF!"),
        ("Parameters", DISCOUNT): error("#N/A", "NA()"),
        ("Risks", "E5"): error("#VALUE!", '"a"+1'),
    }), (("Models!I5", "shows the Excel error #DIV/0!; expected a number > 0"),
         ("Workflows!E5", "shows the Excel error #REF!; expected an id from table Models"),
         (f"Parameters!{DISCOUNT}", "shows the Excel error #N/A; expected a share between 0 and 1"),
         ("Risks!E5", "shows the Excel error #VALUE!; expected one of 'one-time', 'annual'")),
         ("number", "ref", "fraction", "choice")),
    # --- formulas as inputs --------------------------------------------------------------
    Case("formula-without-cached-value", cells({("Costs", "C7"): formula("SUM(C5:C6)")}),
         (("Costs!C7", "formula whose result was never saved"), ("Costs!C7", "expected a number ≥ 0")),
         ("number",)),
    Case("formula-cached-text-in-number", cells({("Costs", "C8"): (' t="str"', '<f>"12"&amp;"k"</f><v>12k</v>')}),
         (("Costs!C8", "holds the text '12k'; expected a number ≥ 0"),), ("number",)),
    # --- dates ---------------------------------------------------------------------------
    Case("date-in-number", with_openpyxl(lambda wb: wb["Costs"].__setitem__("C9", dt.datetime(2025, 1, 15))),
         (("Costs!C9", "holds a date (2025-01-15); expected a number ≥ 0"),), ("number",)),
    Case("date-in-text", with_openpyxl(lambda wb: wb["Models"].__setitem__("F6", dt.date(2024, 2, 29))),
         (("Models!F6", "holds a date (2024-02-29); expected text"),), ("text",)),
    # --- structure -----------------------------------------------------------------------
    Case("merged-cells-over-input", with_openpyxl(lambda wb: wb["Models"].merge_cells("B6:C6")),
         (("Models!B6", "cells B6:C6 are merged over table Models; expected one value per cell"),
          ("Models!C6", "is blank; expected a number > 0")), ("text", "number")),
    Case("deleted-input-sheet", with_openpyxl(lambda wb: wb.remove(wb["Scenarios"])),
         (("Scenarios", "sheet 'Scenarios' is missing"), ("Scenarios", "expected a sheet holding table Scenarios")),
         ()),
    Case("renamed-header", cells({("Models", "G4"): text("Latency ms")}),
         (("Models!G4", "no column 'Latency (ms)' (renamed or deleted?: G4 reads 'Latency ms')"),
          ("Models!G4", "expected these headers: Model id")), ()),
    Case("missing-parameters-value-header", cells({("Parameters", "C4"): text("Amount")}),
         (("Parameters!C4", "no column 'Value' (renamed or deleted?: C4 reads 'Amount')"),
          ("Parameters!C4", "expected headers Name, Value")), ()),
    Case("table-with-no-rows", with_openpyxl(_clear_gpu_offers),
         (("GPU Offers!A4", "table GPUOffers has no rows; expected at least 1 row"),), ()),
    Case("renamed-table", table_xml("Risks", lambda x: x.replace(b'displayName="Risks"', b'displayName="RiskList"')),
         (("Risks", "table Risks is missing from sheet 'Risks'"), ("Risks", "expected an Excel table")), ()),
    Case("values-below-table", cells({("Scenarios", "C8"): num(50)}),
         (("Scenarios!C8", "values just below table Scenarios, outside it; expected nothing there"),), ()),
    Case("missing-parameter-row", shrink_table("Parameters", f"A4:E{LAST_PARAMETER_ROW}",
                                               f"A4:E{LAST_PARAMETER_ROW - 1}"),
         ((f"Parameters!A{LAST_PARAMETER_ROW}",
           "values just below table Parameters, outside it; expected nothing there"),
          (f"Parameters!B{LAST_PARAMETER_ROW}", f"parameter '{LAST_PARAMETER}' is missing"),
          (f"Parameters!B{LAST_PARAMETER_ROW}", f"expected a row with Name '{LAST_PARAMETER}'")), ()),
    Case("duplicate-parameter", cells({("Parameters", f"B{LAST_PARAMETER_ROW}"): text("discount_rate")}),
         ((f"Parameters!B{LAST_PARAMETER_ROW}",
           "parameter 'discount_rate' appears twice; expected each parameter once"),
          (f"Parameters!B{LAST_PARAMETER_ROW + 1}", f"parameter '{LAST_PARAMETER}' is missing")), ()),
    Case("sla-options-need-pure-and-hetero", cells({("SLA", "E6"): text("pure")}),
         (("SLA!E6", "repeats the id 'pure'"),), ("choice",)),
    Case("no-gpu-offer-included", cells({("GPU Offers", f"G{r}"): boolean(False) for r in (5, 6, 7)}),
         (("GPU Offers!A4", "expected at least one on-demand offer with Include = TRUE"),), ("bool",)),
    Case("load-tier-bounds-reversed", cells({("Policy", "C6"): num(700)}),
         (("Policy!D6", "Max QPS 500 is not above Min QPS 700; expected Max QPS above Min QPS"),), ("number",)),
    Case("market-needs-one-of-two", cells({("Market", "E5"): num(2)}),
         (("Market!D5", "gives both a Multiplier and a New value; expected either"),), ("number",)),
    # --- a renamed input sheet is fine (tables are found by name); its problems name the new sheet
    Case("renamed-input-sheet", chain(rename_sheet("Models", "Model Profiles"),
                                      cells({("Model Profiles", "I6"): text("fast")})),
         (("Model Profiles!I6", "holds the text 'fast'; expected a number > 0"),), ("number",)),
)

# Many problems at once, across sheets and kinds: every one is listed, in one run.
_COMBINED_IDS = ("text-in-number", "blank-required-text", "share-above-1", "unknown-model-in-scenario",
                 "duplicate-id", "sla-target-not-a-tier", "excel-errors", "bool-as-word", "integer-with-fraction",
                 "unknown-choice", "formula-without-cached-value", "merged-cells-over-input", "date-in-number",
                 "load-tier-bounds-reversed", "number-stored-as-text")
_COMBINED = [c for c in CASES if c.id in _COMBINED_IDS]
COMBINED = Case(
    "combined",
    # openpyxl edits first: an openpyxl save drops the cached values the raw-XML edits write
    chain(*sorted((c.build for c in _COMBINED), key=lambda b: not getattr(b, "openpyxl", False))),
    tuple(e for c in _COMBINED for e in c.expect),
)
ALL_CASES = (*CASES, COMBINED)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each case file, built once for the module."""
    folder = tmp_path_factory.mktemp("hostile_cells")
    shipped = SHIPPED.read_bytes()
    paths = {}
    for case in ALL_CASES:
        path = folder / f"{case.id}.xlsx"
        path.write_bytes(case.build(shipped))
        paths[case.id] = path
    return paths


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_answer(case: Case, command: str, code: int, stderr: str) -> None:
    assert code == 2, f"{command}: exit {code}\n{stderr}"
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    lines = stderr.splitlines()
    errors = [line for line in lines[1:] if line.strip().startswith("error")]
    assert f"has {len(errors)} input error{'' if len(errors) == 1 else 's'}." in lines[0], stderr
    for where, phrase in case.expect:
        hits = [line for line in lines if f" {where} " in f"{line} " and phrase in line]
        assert hits, f"{command}: no line naming {where} with {phrase!r}:\n{stderr}"
    for line in errors:  # every problem says what is expected, and where
        assert "expected" in line, line
        assert re.match(r"\s*error\s+\S", line), line
    assert len(errors) == case.errors, f"{command}: expected {case.errors} error(s):\n{stderr}"


def run_in_process(capsys: pytest.CaptureFixture[str], command: str, path: Path, pdf: Path) -> tuple[int, str]:
    argv = [command, str(path), *(["-o", str(pdf)] if command == "report" else [])]
    capsys.readouterr()
    code = cli.main(argv)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_every_bad_cell_is_named_and_nothing_changes(case: Case, command: str, corpus: dict[str, Path],
                                                     capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    if command == "report" and REPORT_SKIP:
        pytest.skip(REPORT_SKIP)
    path = corpus[case.id]
    before = sha(path)
    pdf = tmp_path / "report.pdf"
    code, stderr = run_in_process(capsys, command, path, pdf)
    assert_answer(case, command, code, stderr)
    assert sha(path) == before
    assert not pdf.exists()
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []  # no temp files


def test_combined_case_as_real_processes(corpus: dict[str, Path]) -> None:
    """One round of real `python -m xlcost` processes: exit status, stderr, no traceback, bytes kept."""
    path = corpus["combined"]
    before = sha(path)
    commands = [c for c in COMMANDS if not (c == "report" and REPORT_SKIP)]

    def run(command: str) -> subprocess.CompletedProcess[str]:
        extra = ["-o", str(path.with_suffix(".pdf"))] if command == "report" else []
        return subprocess.run([sys.executable, "-m", "xlcost", command, str(path), *extra], capture_output=True,
                              text=True, timeout=120, cwd=path.parent)

    with ThreadPoolExecutor(len(commands)) as pool:
        results = dict(zip(commands, pool.map(run, commands), strict=True))
    for command, result in results.items():
        assert_answer(COMBINED, command, result.returncode, result.stderr)
        assert result.stdout == ""
    assert sha(path) == before
    assert not path.with_suffix(".pdf").exists()


def test_corpus_covers_every_column_kind() -> None:
    kinds = {k for case in CASES for k in case.kinds}
    assert kinds >= {"id", "text", "number", "integer", "fraction", "bool", "choice", "ref"}


# ---------------------------------------------------------------------------------------------
# Cases whose right answer is success
# ---------------------------------------------------------------------------------------------


def test_formula_with_cached_value_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A formula typed as an input counts with the value Excel saved for it."""
    path = tmp_path / "formula.xlsx"
    path.write_bytes(edit_cells(SHIPPED.read_bytes(), {("GPU Offers", "F5"): formula("30+2.77", 32.77),
                                                       ("Costs", "C5"): formula("2*15000*3", 90000.0)}))
    outcome = api.check(path)
    assert outcome.ok, [str(p) for p in outcome.problems]
    shipped = api.check(SHIPPED)
    assert api.export_data(outcome)["key_figures"] == api.export_data(shipped)["key_figures"]
    before = sha(path)
    assert cli.main(["check", str(path)]) == 0
    assert sha(path) == before


def test_a_renamed_or_deleted_result_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Inputs are still valid (check and export work); recalc refuses in one line naming the sheet."""
    shipped = SHIPPED.read_bytes()
    cases = {
        "renamed.xlsx": rename_sheet("Deployment", "Deployment (old)")(shipped),
        "deleted.xlsx": with_openpyxl(lambda wb: wb.remove(wb["Risk"]))(shipped),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        before = sha(path)
        capsys.readouterr()
        assert cli.main(["check", str(path)]) == 0
        assert cli.main(["export", str(path)]) == 0
        capsys.readouterr()
        assert cli.main(["recalc", str(path)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert ("'Deployment'" if name == "renamed.xlsx" else "'Risk'") in err, err
        assert sha(path) == before


def test_optional_blank_and_empty_market_table_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "optional.xlsx"
    path.write_bytes(edit_cells(SHIPPED.read_bytes(), {("Risks", "F5"): BLANK, ("Models", "K5"): BLANK,
                                                       ("Parameters", param_cell("annual_contract_value_usd")):
                                                       BLANK}))
    assert api.check(path).ok


def test_longest_allowed_text_recalcs(tmp_path: Path) -> None:
    """10,000 characters in every text input that becomes (part of) a result label: results are written.

    Found by the fuzz: a valid 32,767-character model name made "<name>: cost per 1K requests" too long
    for an Excel cell, and recalc failed with an internal error.
    """
    long = {("GPU Offers", "B5"): text("p" * 10_000), ("GPU Offers", "C5"): text("i" * 10_000),
            ("Models", "B5"): text("m" * 10_000), ("Workflows", "B5"): text("w" * 10_000),
            ("Scenarios", "B5"): text("s" * 10_000), ("Risks", "B5"): text("r" * 10_000),
            ("Market", "B5"): text("k" * 10_000), ("Policy", "B5"): text("t" * 10_000)}
    path = tmp_path / "long.xlsx"
    path.write_bytes(edit_cells(SHIPPED.read_bytes(), long))
    api.recalc(path)
    assert api.check(path).ok


def test_a_missing_result_sheet_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(rename_sheet("Deployment", "Deployment (old)")(SHIPPED.read_bytes()))
    capsys.readouterr()
    assert cli.main(["recalc", str(path)]) == 2
    err = capsys.readouterr().err
    assert "'Deployment'" in err and ("expected" in err or "rename it" in err), err


def _add_totals_row(wb: openpyxl.Workbook) -> None:
    ws = wb["Costs"]
    table = ws.tables["CostLines"]
    table.ref, table.totalsRowCount = "A4:E12", 1
    ws["A12"] = "Total"
    ws["C12"] = "=SUBTOTAL(109,CostLines[Amount (USD)])"  # openpyxl saves no cached value


def _no_header_row(xml: bytes) -> bytes:
    return (xml.replace(b'ref="A4:X8"', b'ref="A5:X8"', 1).replace(b'headerRowCount="1"', b'headerRowCount="0"')
            .replace(b'<autoFilter ref="A4:X8"/>', b""))


def test_a_total_row_and_a_table_without_header_row(tmp_path: Path) -> None:
    """Excel's Total Row is not a data row; a header-less table's column names come from the table part."""
    shipped = SHIPPED.read_bytes()
    totals = tmp_path / "totals.xlsx"
    totals.write_bytes(with_openpyxl(_add_totals_row)(shipped))
    assert api.check(totals).ok, [str(p) for p in api.check(totals).problems]
    headerless = tmp_path / "headerless.xlsx"
    headerless.write_bytes(chain(table_xml("Models", _no_header_row), cells({("Models", "C6"): text("big")}))(shipped))
    problems = [str(p) for p in api.check(headerless).problems if p.severity == "error"]
    assert problems == ["Models!C6: table Models, row 2, column 'Total params (B)' holds the text 'big'; "
                        "expected a number > 0"]
