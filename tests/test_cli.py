"""The command line, run as a user runs it: a real process, real files."""

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"


def xlcost(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlcost", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


@pytest.mark.parametrize("command", ["new", "recalc", "check", "export", "import", "upgrade", "report"])
def test_every_command_has_help_with_an_example(command):
    result = xlcost(command, "--help")
    assert result.returncode == 0
    assert "example" in result.stdout.lower() and f"xlcost {command}" in result.stdout


def test_check_the_shipped_workbook():
    result = xlcost("check", SHIPPED)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout and "79.4% saved" in result.stdout


def test_recalc_then_check(tmp_path):
    book = tmp_path / "model.xlsx"
    shutil.copy(SHIPPED, book)
    result = xlcost("recalc", book)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Recalculated {book}")


def test_bad_inputs_list_every_problem_exit_2_and_touch_nothing(tmp_path):
    book = tmp_path / "bad.xlsx"
    shutil.copy(SHIPPED, book)
    wb = openpyxl.load_workbook(book)
    wb["GPU Offers"]["F5"] = "thirty"
    wb["Workflows"]["E6"] = "gpt-9"
    wb["Risks"]["C7"] = 80
    wb.save(book)
    before = book.read_bytes()
    for command in ("check", "recalc", "export"):
        result = xlcost(command, book)
        assert result.returncode == 2, command
        assert "Traceback" not in result.stderr
        assert "3 input errors." in result.stderr
        assert "GPU Offers!F5" in result.stderr and "expected a number > 0" in result.stderr
        assert "Workflows!E6" in result.stderr and "'gpt-9'" in result.stderr and "qwen3-4b" in result.stderr
        assert "Risks!C7" in result.stderr and "enter 0.8 or 80%" in result.stderr
        assert book.read_bytes() == before


def test_missing_file_and_not_a_workbook(tmp_path):
    result = xlcost("check", tmp_path / "nope.xlsx")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    fake = tmp_path / "data.xlsx"
    fake.write_text("a,b\n1,2\n")
    result = xlcost("recalc", fake)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert fake.read_text() == "a,b\n1,2\n"


def test_export_json_is_the_documented_interface():
    result = xlcost("export", SHIPPED, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"xlcost_version", "workbook", "key_figures", "tables"}
    assert data["workbook"]["name"] == SHIPPED.name and len(data["workbook"]["sha256"]) == 64
    figures = {k["id"]: k for k in data["key_figures"]}
    assert set(figures["usd_per_gpu_hour"]) == {"id", "label", "value", "unit"}
    assert figures["deployment.enterprise.savings_pct"]["unit"] == "fraction"
    assert figures["deployment.enterprise.savings_pct"]["value"] == pytest.approx(0.79375)
    assert figures["finance.small.irr"]["value"] is None
    assert figures["finance.small.payback_months"]["value"] is None
    assert len(data["tables"]["deployment"]) == 3


def test_export_csv_one_table_or_all(tmp_path):
    result = xlcost("export", SHIPPED, "--format", "csv", "--table", "deployment")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    names = [r["scenario"] for r in rows]
    assert names == ["Enterprise agent platform", "Vertical AI assistant (SME)", "Small deployment"]
    result = xlcost("export", SHIPPED, "--format", "csv", "--output", tmp_path / "out")
    assert result.returncode == 0
    assert (tmp_path / "out" / "finance_summary.csv").exists()
    result = xlcost("export", SHIPPED, "--format", "csv", "--table", "nope")
    assert result.returncode == 2 and "deployment" in result.stderr


def test_new_writes_a_workbook_and_will_not_overwrite(tmp_path):
    target = tmp_path / "fresh.xlsx"
    assert xlcost("new", target).returncode == 0
    assert xlcost("check", target).returncode == 0
    again = xlcost("new", target)
    assert again.returncode == 2 and "--force" in again.stderr


def test_csv_export_defuses_formula_looking_text(tmp_path):
    book = tmp_path / "evil.xlsx"
    shutil.copy(SHIPPED, book)
    wb = openpyxl.load_workbook(book)
    wb["Scenarios"]["B5"].value = "=HYPERLINK(\"http://127.0.0.1/x\",\"open\")"
    wb["Scenarios"]["B5"].data_type = "s"
    wb.save(book)
    result = xlcost("export", book, "--format", "csv", "--table", "deployment")
    first = next(csv.DictReader(io.StringIO(result.stdout)))
    assert first["scenario"] == "'=HYPERLINK(\"http://127.0.0.1/x\",\"open\")"
    assert float(first["peak_qps"]) == 1000  # numbers, negative ones included, stay numbers
    data = json.loads(xlcost("export", book, "--format", "json").stdout)
    assert data["tables"]["deployment"][0]["scenario"].startswith("=HYPERLINK")  # JSON carries the exact text


def test_report_without_a_workbook_uses_the_shipped_default(tmp_path):
    pdf = tmp_path / "board.pdf"
    result = xlcost("report", "-o", pdf, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and "79.4% saved" in result.stdout


def test_model_check_warnings_point_at_the_row():
    result = xlcost("check", SHIPPED)
    assert "warning  Scenarios!C7: Scenario small: the heterogeneous option costs $65,750 a year more" in result.stdout
