"""Bad rows of the Uncertainty and Correlations tables: each rule gets a message naming the cell and what is
expected; the inputs are refused (exit 2) and the workbook is left alone.

Each case adds rows under the shipped tables (editing the sheet XML, as a user's Excel would save them):
one case per rule, in-process for speed, then all of them at once through the real command line.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sheet_xml import insert_cell

from xlcost import api, contract
from xlcost.workbook.package import Package

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"
SHEET = "Uncertainty"
FIRST_NEW_ROW = 12  # the shipped Uncertainty table ends on row 11, Correlations on row 5
FIRST_NEW_PAIR = 6
ROW_COLUMNS = "ABCDEFGHIJ"
PAIR_COLUMNS = "LMNO"

# ---------------------------------------------------------------------------------------------
# Editing the shipped workbook
# ---------------------------------------------------------------------------------------------


def _cell(ref: str, value: object) -> bytes:
    if value is None:
        return f'<c r="{ref}"/>'.encode()
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'.encode()
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'.encode()


def _put(xml: bytes, ref: str, value: object) -> bytes:
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"(?:\s[^>]*?)?(?:/>|>.*?</c>)', re.S)
    match = pattern.search(xml)
    new = _cell(ref, value)
    return xml[:match.start()] + new + xml[match.end():] if match else insert_cell(xml, ref, new)


def _param_rows() -> dict[str, int]:
    cells = Package.open(SHIPPED).cells(contract.PARAMETERS_SHEET)
    return {cell.value: row for (row, col), cell in cells.items() if col == 2}


def build(rows: list[tuple] = (), pairs: list[tuple] = (), params: dict[str, object] | None = None,
          cells: dict[tuple[str, str], object] | None = None) -> bytes:
    """The shipped workbook with Uncertainty rows (10 values each) and Correlations rows (4 values) added under
    the tables, parameters set by name, and other cells set by (sheet, ref)."""
    data = SHIPPED.read_bytes()
    pkg = Package.from_bytes(data)
    edits: dict[str, list[tuple[str, object]]] = {}
    for i, row in enumerate(rows):
        for letter, value in zip(ROW_COLUMNS, row, strict=True):
            edits.setdefault(pkg.sheet_part(SHEET), []).append((f"{letter}{FIRST_NEW_ROW + i}", value))
    for i, pair in enumerate(pairs):
        for letter, value in zip(PAIR_COLUMNS, pair, strict=True):
            edits.setdefault(pkg.sheet_part(SHEET), []).append((f"{letter}{FIRST_NEW_PAIR + i}", value))
    at = _param_rows()
    for name, value in (params or {}).items():
        edits.setdefault(pkg.sheet_part(contract.PARAMETERS_SHEET), []).append((f"C{at[name]}", value))
    for (sheet, ref), value in (cells or {}).items():
        edits.setdefault(pkg.sheet_part(sheet), []).append((ref, value))
    refs = {"Uncertainty": ("A4:J11", f"A4:J{FIRST_NEW_ROW + len(rows) - 1}" if rows else "A4:J11"),
            "Correlations": ("L4:O5", f"L4:O{FIRST_NEW_PAIR + len(pairs) - 1}" if pairs else "L4:O5")}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            for ref, value in edits.get(info.filename, []):
                body = _put(body, ref, value)
            for table, (old, new) in refs.items():
                if info.filename.startswith("xl/tables/") and f'displayName="{table}"'.encode() in body:
                    body = body.replace(f'ref="{old}"'.encode(), f'ref="{new}"'.encode())
            dst.writestr(info, body)
    return out.getvalue()


def row(uid: str, table: str, row_id: object, column: str, kind: str, distribution: str, low: object,
        most_likely: object, high: object) -> tuple:
    return (uid, table, row_id, column, kind, distribution, low, most_likely, high, "test")


# ---------------------------------------------------------------------------------------------
# One case per rule
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    rows: tuple[tuple, ...] = ()
    pairs: tuple[tuple, ...] = ()
    where: str = ""  # the column letter of the cell the error names, on the case's first new row (or pair)
    phrase: str = ""
    row_numbers: str = ""  # the part of the phrase that names rows (they move when every case is in one book)

    @property
    def steady_phrase(self) -> str:
        return self.phrase.split(self.row_numbers)[-1] if self.row_numbers else self.phrase


def row_case(case_id: str, values: tuple, letter: str, phrase: str) -> Case:
    return Case(case_id, rows=(values,), where=letter, phrase=phrase)


CASES = (
    row_case("unknown-table", row("u1", "SLATiers", "*", "Penalty rate", "value", "uniform", 0, None, 1), "B",
             "expected one of 'GPUOffers'"),
    row_case("unknown-row", row("u2", "Models", "gpt-9", "QPS per instance", "multiplier", "uniform", 0.9, None, 1.1),
             "C", "'gpt-9', which is not an id in table Models; expected one of qwen3-4b"),
    row_case("unknown-profile", row("u3", "LoadProfiles", "weekend", "Share of peak", "multiplier", "uniform",
                                    0.5, None, 1), "C", "not a profile id in table LoadProfiles"),
    row_case("unknown-column", row("u4", "Scenarios", "*", "Peak load", "multiplier", "uniform", 0.9, None, 1.1),
             "D", "'Peak load', which table Scenarios does not have; expected one of its number columns"),
    row_case("text-column", row("u5", "Scenarios", "*", "Load profile", "value", "uniform", 0, None, 1), "D",
             "'Load profile' of table Scenarios, which is not a number"),
    row_case("whole-number-column", row("u6", "Models", "*", "GPUs per instance", "multiplier", "uniform", 0.5,
                                        None, 2), "D", "a whole number, which a simulation never varies"),
    row_case("unknown-parameter", row("u7", "Parameters", "discount", "Value", "value", "uniform", 0.05, None, 0.1),
             "C", "'discount', which is not a parameter; expected one of"),
    row_case("parameter-not-simulated", row("u8", "Parameters", "sla_target", "Value", "value", "uniform", 0.99,
                                            None, 0.999), "C", "does not enter the simulated results"),
    row_case("parameter-column", row("u9", "Parameters", "hours_per_month", "Amount", "value", "uniform", 700, None,
                                     744), "D", "expected 'Value'"),
    row_case("bounds-out-of-order", row("u10", "Scenarios", "sme", "Peak QPS", "value", "pert", 120, 80, 150), "H",
             "are out of order; expected Low <= Most likely <= High"),
    row_case("low-above-high", row("u11", "Scenarios", "sme", "Peak QPS", "value", "uniform", 150, None, 80), "G",
             "Low 150 is above High 80; expected Low <= High"),
    row_case("most-likely-missing", row("u12", "Scenarios", "sme", "Peak QPS", "value", "triangular", 80, None, 150),
             "H", "needs its most likely value"),
    row_case("lognormal-not-positive", row("u13", "Scenarios", "sme", "Peak QPS", "value", "lognormal", 0, None,
                                           150), "G", "only takes positive values"),
    row_case("share-above-one", row("u14", "Scenarios", "*", "Planning share", "value", "uniform", 0.1, None, 1.2),
             "I", "must be from 0 to 1; expected Low and High inside that range"),
    row_case("normal-on-a-positive-column", row("u15", "Scenarios", "sme", "Peak QPS", "value", "normal", 60, None,
                                                140), "F", "expected a lognormal distribution (always positive)"),
    row_case("normal-on-a-share", row("u16", "Scenarios", "*", "Planning share", "value", "normal", 0.2, None, 0.4),
             "F", "expected a bounded distribution (uniform, triangular or PERT)"),
    row_case("multiplier-pushes-a-share-out", row("u17", "Scenarios", "*", "Planning share", "multiplier",
                                                  "triangular", 0.5, 1, 4), "I", "High at most 3.33333 here"),
    row_case("normal-multiplier", row("u18", "CostLines", "*", "Amount (USD)", "multiplier", "normal", 0.8, None,
                                      1.2), "F", "expected a lognormal multiplier"),
    row_case("multiplier-on-a-blank-cell", row("u19", "Models", "glm4-9b", "Sizing QPS per instance", "multiplier",
                                               "uniform", 0.8, None, 1.2), "C", "glm4-9b, which is blank"),
    row_case("multiplier-on-a-blank-parameter", row("u20", "Parameters", "gpu_hour_price_override", "Value",
                                                    "multiplier", "uniform", 0.8, None, 1.2), "C",
             "which is blank (blank means the included offers' average)"),
    row_case("duplicate-id", row("gpu-price", "Risks", "*", "Impact (USD)", "multiplier", "uniform", 0.5, None, 2),
             "A", "repeats the id 'gpu-price'"),
    row_case("same-cells-twice", row("u22", "Scenarios", "enterprise", "Escalation rate", "value", "pert", 0, 0.1,
                                     0.2), "C", "moves cells that row 4 (escalation) moves too"),
    Case("correlation-unknown-input", pairs=(("executor-capacity", "nope", 0.3, None),), where="M",
         phrase="'nope', which is not an id in table Uncertainty"),
    Case("correlation-pair-twice", pairs=(("planner-capacity", "executor-capacity", 0.2, None),), where="L",
         phrase="repeats the pair planner-capacity / executor-capacity of row 1; expected each pair once"),
    Case("correlation-with-itself", pairs=(("gpu-price", "gpu-price", 0.5, None),), where="M",
         phrase="correlates 'gpu-price' with itself"),
    Case("correlation-above-one", pairs=(("gpu-price", "peak-load", 1.5, None),), where="N",
         phrase="expected a number from -1 to 1"),
    Case("correlations-not-positive-definite",
         pairs=(("gpu-price", "peak-load", 0.9, None), ("peak-load", "escalation", 0.9, None),
                ("gpu-price", "escalation", -0.9, None)), where="N",
         phrase="rows 2, 3, 4 cannot hold together (the correlation matrix they form is not positive definite",
         row_numbers="rows 2, 3, 4"),
)


def _first_row(case: Case) -> int:
    return FIRST_NEW_PAIR if case.pairs and not case.rows else FIRST_NEW_ROW


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_rule_names_the_cell_and_what_is_expected(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(build(case.rows, case.pairs))
    outcome = api.check(path)
    assert not outcome.ok
    expected = f"{case.where}{_first_row(case)}"
    found = [p for p in outcome.errors if p.sheet == SHEET and p.cell == expected]
    assert found, [str(p) for p in outcome.errors]
    assert any(case.phrase in p.message for p in found), [p.message for p in found]
    assert all("expected" in p.message for p in outcome.errors)
    assert len(outcome.errors) == 1, [str(p) for p in outcome.errors]  # one rule, one error


def test_every_rule_at_once_through_the_command_line(tmp_path: Path) -> None:
    """All the cases in one workbook: every error listed with its cell, exit 2, the file untouched."""
    rows = [r for c in CASES for r in c.rows]
    pairs = [p for c in CASES for p in c.pairs]
    path = tmp_path / "all.xlsx"
    path.write_bytes(build(rows, pairs))
    before = path.read_bytes()
    expected = []
    next_row, next_pair = FIRST_NEW_ROW, FIRST_NEW_PAIR
    for case in CASES:
        if case.rows:
            expected.append((f"{SHEET}!{case.where}{next_row}", case.steady_phrase))
            next_row += len(case.rows)
        else:
            expected.append((f"{SHEET}!{case.where}{next_pair}", case.steady_phrase))
            next_pair += len(case.pairs)
    for command in ("check", "recalc"):
        result = subprocess.run([sys.executable, "-m", "xlcost", command, str(path)], capture_output=True, text=True,
                                cwd=ROOT, timeout=120)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.splitlines()
        for where, phrase in expected:
            assert any(where in line and phrase in line for line in lines), (where, phrase)
        assert path.read_bytes() == before


# ---------------------------------------------------------------------------------------------
# Warnings: valid, but probably not what was meant
# ---------------------------------------------------------------------------------------------


def _warnings(path: Path) -> list[str]:
    outcome = api.check(path)
    assert outcome.ok, [str(p) for p in outcome.errors]
    return [str(p) for p in outcome.problems if p.severity == "warning"]


def test_a_cell_outside_its_own_range_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(build([row("share", "Scenarios", "sme", "Planning share", "value", "uniform", 0.4, None, 0.5),
                            row("overrun", "Risks", "*", "Impact (USD)", "multiplier", "uniform", 1.2, None, 1.5)]))
    warnings = _warnings(path)
    assert any(w.startswith(f"{SHEET}!G12:") and "sme (0.3) lies outside this row's range 0.4 to 0.5" in w
               for w in warnings), warnings
    assert any(w.startswith(f"{SHEET}!G13:") and "leaves out 1" in w for w in warnings), warnings


def test_typed_capacity_of_a_benchmarked_model_is_a_warning(tmp_path: Path) -> None:
    models = Package.open(SHIPPED).tables()["Models"]
    source = models.columns.index("Capacity source")
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[models.min_col - 1 + source]
    # deepseek-r1 serves no scenario or workflow, so it needs no run: the workbook stays valid
    path = tmp_path / "book.xlsx"
    path.write_bytes(build([row("r1", "Models", "deepseek-r1", "QPS per instance", "multiplier", "uniform", 0.8, None,
                                1.2)], cells={("Models", f"{letter}{models.min_row + 4}"): "benchmark"}))
    warnings = _warnings(path)
    assert any(w.startswith(f"{SHEET}!D12:") and "capacity comes from benchmarks" in w for w in warnings), warnings


def test_an_input_that_moves_nothing_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(build([row("latency", "Models", "qwen3-4b", "Latency (ms)", "multiplier", "uniform", 0.5, None,
                                2)]))
    warnings = _warnings(path)
    assert any(w.startswith(f"{SHEET}!A12:") and "changes none of the simulated results" in w
               for w in warnings), warnings
