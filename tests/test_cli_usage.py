"""The command line's edges, run as a user runs them: exit status, message, and files left as they were."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import openpyxl
import pytest

from xlcost import cli, excel

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"
COMMANDS = ("new", "recalc", "check", "export", "report")


def xlcost(*args: object, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlcost", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=180, env={**os.environ, **(env or {})})


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture(scope="module")
def exported() -> dict:
    """The full JSON export of the shipped workbook, to compare narrower exports with."""
    result = xlcost("export", SHIPPED, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- help ---------------------------------------------------------------------------------------------


def test_bare_xlcost_prints_the_full_help_with_the_exit_codes():
    bare = xlcost()
    assert bare.returncode == 0 and bare.stderr == ""
    assert bare.stdout == xlcost("--help").stdout
    assert all(command in bare.stdout for command in COMMANDS)
    assert "exit status:" in bare.stdout
    for code, meaning in (("0", "done"), ("2", "need fixing"), ("70", "internal error"), ("130", "interrupted")):
        assert any(line.split()[:1] == [code] and meaning in line for line in bare.stdout.splitlines()), code


@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_no_path_a_wheel_user_lacks(command):
    result = xlcost(command, "--help")
    assert result.returncode == 0
    assert "workbooks/" not in result.stdout and "llm_cost_model" not in result.stdout
    assert "my_model.xlsx" in result.stdout or command == "new" and "my_model.xlsm" in result.stdout


def test_debug_is_accepted_before_and_after_the_command():
    parse = cli._parser().parse_args
    assert parse(["--debug", "check", "b.xlsx"]).debug and parse(["check", "--debug", "b.xlsx"]).debug
    assert parse(["check", "b.xlsx", "--debug"]).debug and not parse(["check", "b.xlsx"]).debug
    result = xlcost("check", "--debug", SHIPPED)
    assert result.returncode == 0, result.stderr


# --- output to a pipe or a file -------------------------------------------------------------------------


def test_a_reader_that_stops_early_is_not_an_error():
    command = [sys.executable, "-m", "xlcost", "export", str(SHIPPED), "--format", "json"]
    # The reader leaves before the first byte (xlcost's write fails) ...
    gone = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    gone.stdout.close()
    assert gone.wait(timeout=120) == 0
    assert gone.stderr.read() == b""
    # ... or after the first bytes, like `| head -c 2000`.
    head = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert head.stdout.read(2000).startswith(b"{")
    head.stdout.close()
    assert head.wait(timeout=120) == 0
    assert head.stderr.read() == b""


def test_a_problem_list_cut_short_keeps_its_exit_status(tmp_path):
    book = tmp_path / "bad.xlsx"
    wb = openpyxl.load_workbook(SHIPPED)
    wb["GPU Offers"]["F5"] = "thirty"
    wb.save(book)
    before = book.read_bytes()
    # `xlcost check bad.xlsx 2>&1 | head -0`: the reader is gone before the problems are printed
    proc = subprocess.Popen([sys.executable, "-m", "xlcost", "check", str(book)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=ROOT)
    proc.stderr.close()
    assert proc.wait(timeout=120) == 2
    assert book.read_bytes() == before


def test_export_json_to_a_file_or_folder_says_where_it_wrote(tmp_path, exported):
    target = tmp_path / "r.json"
    result = xlcost("export", SHIPPED, "--format", "json", "--output", target)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote {target}\n"
    assert json.loads(target.read_text(encoding="utf-8"))["key_figures"] == exported["key_figures"]
    result = xlcost("export", SHIPPED, "--format", "json", "--output", tmp_path)
    assert result.stdout == f"Wrote {tmp_path / 'llm_cost_model.json'}\n"
    assert sorted(files_in(tmp_path)) == ["llm_cost_model.json", "r.json"]  # no temp file left behind


def test_export_json_applies_table(tmp_path, exported):
    result = xlcost("export", SHIPPED, "--format", "json", "--table", "deployment")
    assert result.returncode == 0, result.stderr
    narrowed = json.loads(result.stdout)
    assert narrowed["tables"] == {"deployment": exported["tables"]["deployment"]}
    assert narrowed["key_figures"] == exported["key_figures"]  # the same document, one table
    wrong = xlcost("export", SHIPPED, "--format", "json", "--table", "deploy", "--output", tmp_path / "r.json")
    assert wrong.returncode == 2 and "no result table 'deploy'" in wrong.stderr and "deployment" in wrong.stderr
    assert not (tmp_path / "r.json").exists()


def test_csv_numbers_carry_no_float_noise_and_json_every_digit(tmp_path, exported):
    def noisy(value: float) -> bool:
        return float(f"{value:.12g}") != value

    json_values = {(name, i, key): v for name, rows in exported["tables"].items() for i, row in enumerate(rows)
                   for key, v in row.items() if isinstance(v, float)}
    assert any(noisy(v) for v in json_values.values())  # else this test could not fail
    result = xlcost("export", SHIPPED, "--format", "csv", "--output", tmp_path)
    assert result.returncode == 0 and result.stdout == f"Wrote {len(exported['tables'])} CSV files to {tmp_path}\n"
    checked = 0
    for (name, i, key), value in json_values.items():
        text = list(csv.DictReader(io.StringIO((tmp_path / f"{name}.csv").read_text())))[i][key]
        assert float(text) == float(f"{value:.12g}"), (name, key, text, value)
        assert len(text.lower().split("e")[0].replace("-", "").replace(".", "").strip("0")) <= 12, text
        checked += 1
    assert checked == len(json_values)
    one = xlcost("export", SHIPPED, "--format", "csv", "--table", "deployment")
    assert "10848816.0," in one.stdout and "000000" not in one.stdout.replace("10848816.0", "")


# --- report ---------------------------------------------------------------------------------------------


def test_report_into_a_folder_with_its_stages_shown(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "llm_cost_model.pdf").write_bytes(b"an older report")
    result = xlcost("report", "-o", out, env={"XLCOST_PROGRESS": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {out / 'llm_cost_model.pdf'} (")
    assert list(files_in(out)) == ["llm_cost_model.pdf"]  # replaced, and no temp file left behind
    assert (out / "llm_cost_model.pdf").read_bytes().startswith(b"%PDF")
    assert oct((out / "llm_cost_model.pdf").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    stages = [line for line in result.stderr.splitlines() if line.startswith("xlcost: ")]
    assert stages[0] == "xlcost: computing the model..." and len(stages) >= 3, result.stderr


def test_report_output_must_be_a_pdf_or_a_folder(tmp_path):
    result = xlcost("report", "-o", tmp_path / "r.txt")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the report is a PDF; expected a file name ending in .pdf, or a folder" in result.stderr
    assert list(tmp_path.iterdir()) == []
    book = Path("my_model.xlsx")
    assert cli._report_path(None, book) == Path("output/my_model.pdf")
    assert cli._report_path("new_folder/", book) == Path("new_folder/my_model.pdf")
    assert cli._report_path(str(tmp_path), book) == tmp_path / "my_model.pdf"
    assert cli._report_path("Board.PDF", book) == Path("Board.PDF")


def test_report_templates_folder_must_exist_and_its_errors_are_named(tmp_path):
    missing = xlcost("report", "--templates", tmp_path / "missing", "-o", tmp_path / "r.pdf")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert f"--templates {tmp_path / 'missing'}: no such folder" in missing.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "report.html.j2").write_text("<html>\n{% if %}\n</html>\n")
    result = xlcost("report", "--templates", broken, "-o", tmp_path / "r.pdf")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "a template has an error (report.html.j2, line 2)" in result.stderr
    assert "computing the model" not in result.stderr  # progress only on a terminal
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken"]


# --- new ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, hidden", [("xlcost", "the xlcost package itself"), ("json", "Python's own module")])
def test_new_refuses_a_macro_workbook_whose_module_would_hide_another(tmp_path, name, hidden):
    result = xlcost("new", f"{name}.xlsm", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{name}.py next to it would hide {hidden}" in result.stderr and "choose another name" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_macro_workbook_shim_debugs_its_own_workbook(tmp_path, monkeypatch):
    result = xlcost("new", "my_model.xlsm", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shim = tmp_path / "my_model.py"
    assert f"Wrote {Path('my_model.py')}" in result.stdout and shim.exists()
    # Run the shim as a script (its debugging block), with xlwings and the adapter stood in for.
    opened, ran = [], []
    fake_book = types.SimpleNamespace(set_mock_caller=lambda: opened.append("mock caller"))
    monkeypatch.setitem(sys.modules, "xlwings", types.SimpleNamespace(Book=lambda path: opened.append(path)
                                                                      or fake_book))
    monkeypatch.setattr(excel, "main", lambda: ran.append(True))
    exec(compile(shim.read_text(), str(shim), "exec"), {"__name__": "__main__", "__file__": str(shim)})
    assert opened == [tmp_path / "my_model.xlsm", "mock caller"] and ran == [True]


# --- recalc ---------------------------------------------------------------------------------------------


def test_recalc_prints_the_warnings_check_prints(tmp_path):
    book = tmp_path / "model.xlsx"
    shutil.copy(SHIPPED, book)
    check = xlcost("check", book)
    warnings = [line for line in check.stdout.splitlines() if line.startswith("  warning ")]
    assert warnings and check.returncode == 0
    recalc = xlcost("recalc", book)
    assert recalc.returncode == 0, recalc.stderr
    assert [line for line in recalc.stdout.splitlines() if line.startswith("  warning ")] == warnings
    assert "Checks sheet" in recalc.stdout


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
