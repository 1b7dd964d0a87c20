"""`xlcost upgrade`: a workbook from xlcost 0.1 (which every command of this version refuses) carried into a
fresh workbook of this version: its inputs by column header, the shipped defaults for everything new, what
could not come along listed, and the old file only read.

The fixture is the default workbook as xlcost 0.1.0 wrote it (``tests/fixtures/llm_cost_model-0.1.xlsx``).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import TableColumn

from xlcost import api

ROOT = Path(__file__).resolve().parents[1]
OLD = Path(__file__).parent / "fixtures" / "llm_cost_model-0.1.xlsx"


def xlcost(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlcost", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=180)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def figures(outcome) -> dict[str, object]:
    return {k["id"]: k["value"] for k in api.export_data(outcome)["key_figures"]}


@pytest.fixture
def old(tmp_path) -> Path:
    path = tmp_path / "model.xlsx"
    shutil.copy(OLD, path)
    return path


def test_a_0_1_workbook_is_refused_then_upgraded_to_the_same_results(old):
    refused = xlcost("check", old)
    assert refused.returncode == 2 and "xlcost upgrade BOOK" in refused.stderr
    before = sha(old)

    result = xlcost("upgrade", old)

    assert result.returncode == 0, result.stderr
    new = old.with_name("model-upgraded.xlsx")
    assert f"Wrote {new} with the inputs of {old}" in result.stdout
    assert "GPU Offers, GPU offers: 3 rows" in result.stdout and "Parameters: 23 parameters" in result.stdout
    assert "Call Types, Call types: request size and latency targets: a new table (2 shipped rows)" in result.stdout
    assert "5 parameters at the shipped default: report_language, committed_term, mc_trials" in result.stdout
    assert "Not carried" not in result.stdout  # the 0.1 default holds nothing of a user's own
    assert sha(old) == before
    # At the 0.1 defaults (the seed's inputs) every figure is the shipped 0.2 workbook's.
    assert figures(api.check(new)) == figures(api.check(ROOT / "workbooks" / "llm_cost_model.xlsx"))
    # The dated offers this version ships unticked are there, still unticked.
    offers = api.check(new).inputs.table("gpu_offers")
    assert "aws-p5-2026" in offers.ids and not offers["include"][offers.index("aws-p5-2026")]


def test_the_users_inputs_carry_and_what_cannot_is_listed(old):
    book = openpyxl.load_workbook(old)
    book["GPU Offers"]["F5"] = 30.0  # aws-p4d, USD per instance-hour
    scenarios = book["Scenarios"]
    assert scenarios["A5"].value == "enterprise"
    scenarios["C5"] = 1200  # peak QPS
    for col, value in enumerate(["pilot", "Pilot", 5, 0.3, "qwen3-235b-a22b", "qwen3-4b", 0.1, "CFO's idea"], 1):
        scenarios.cell(8, col, value)  # a fourth scenario, and a note column of the user's own
    scenarios["H4"] = "Comment"
    table = scenarios.tables["Scenarios"]
    table.ref = table.autoFilter.ref = "A4:H8"
    table.tableColumns.append(TableColumn(id=8, name="Comment"))
    for col in range(1, 8):
        book["Risks"].cell(7, col).value = None  # the third risk, cleared
    params = book["Parameters"]
    row = next(c.row for c in params["B"] if c.value == "discount_rate")
    params.cell(row, 3, 0.1)
    book.create_sheet("My notes")["A1"] = "board questions"
    book.save(old)

    report, outcome = api.upgrade(old, old.with_name("next.xlsx"))

    assert outcome.ok, [str(p) for p in outcome.errors]
    inputs = outcome.inputs
    offers = inputs.table("gpu_offers")
    assert offers["usd_per_instance_hour"][offers.index("aws-p4d")] == 30.0
    assert offers["term"][offers.index("aws-p4d")] == "on-demand"  # a new column: the shipped row's value
    s = inputs.table("scenarios")
    assert s["peak_qps"][s.index("enterprise")] == 1200
    assert s.ids == ("enterprise", "sme", "small", "pilot") and s["escalation_rate"][3] == 0.1
    assert s["load_profile"] == ("flat",) * 4  # the shipped rows' value, and the documented default of a blank
    assert inputs.table("risks").ids == ("integration-complexity", "performance-degradation")
    assert "column 'Comment' of table Scenarios (sheet 'Scenarios')" in report.left_behind
    assert inputs.param("discount_rate") == 0.1
    assert inputs.param("mc_trials") == 10_000  # new in 0.2: the shipped default
    assert "sheet 'My notes': copy it by hand (Move or Copy Sheet)" in report.left_behind
    # The new workbook was recalculated with those inputs.
    assert figures(outcome)["deployment.enterprise.pure.gpus"] > 1600


def test_a_formula_without_a_saved_value_is_named_and_the_new_workbook_says_what_to_fix(old):
    book = openpyxl.load_workbook(old)
    book["GPU Offers"]["F5"] = "=30+2.5"  # openpyxl saves no value with a formula
    book.save(old)
    before = sha(old)

    result = xlcost("upgrade", old, "-o", old.with_name("next.xlsx"))

    assert result.returncode == 2
    assert "GPU Offers!F5 held a formula; nothing (no value was saved with it) was carried" in result.stdout
    assert "next.xlsx has 1 input error. Its results are still the shipped defaults'" in result.stderr
    assert "GPU Offers!F5" in result.stderr and "Traceback" not in result.stderr
    assert sha(old) == before and old.with_name("next.xlsx").exists()


def test_refusals_change_nothing(old, tmp_path):
    taken = tmp_path / "taken.xlsx"
    taken.write_bytes(b"mine")
    result = xlcost("upgrade", old, "-o", taken)
    assert result.returncode == 2 and "taken.xlsx exists" in result.stderr and taken.read_bytes() == b"mine"

    result = xlcost("upgrade", old, "-o", old)
    assert result.returncode == 2 and "write the upgraded workbook to a new file" in result.stderr

    result = xlcost("upgrade", old, "-o", tmp_path / "model.txt")
    assert result.returncode == 2 and "must end in .xlsx or .xlsm" in result.stderr

    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    result = xlcost("upgrade", plain)
    assert result.returncode == 2 and "holds none of xlcost's input tables" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.xlsx", "plain.xlsx", "taken.xlsx"]


def test_upgrading_into_a_macro_workbook_writes_its_button_module(old):
    result = xlcost("upgrade", old, "-o", old.with_name("board_model.xlsm"))
    assert result.returncode == 0, result.stderr
    new = old.with_name("board_model.xlsm")
    with zipfile.ZipFile(new) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    assert new.with_suffix(".py").exists()
    assert sorted(p.name for p in old.parent.iterdir()) == ["board_model.py", "board_model.xlsm", "model.xlsx"]
