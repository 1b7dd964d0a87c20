"""`xlcost import`: runs appended to the Benchmarks table, slime settings into a Models row, losslessly.

Like `recalc`, `import` changes only what it owns (here: the Benchmarks sheet's cells and its table's range,
or one model's SLIME cells); every other part of the package stays byte-identical, the save is atomic,
and a workbook open in Excel or LibreOffice is refused. The result files are written by the tests
(tests/test_importers.py has their shapes); the real files from ../shared/bench-samples are used when present.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from test_importers import AIPERF_CSV_NEW, GENAI_PERF_CSV, SAMPLES, aiperf_json, sglang_new, vllm_new, vllm_old
from test_recalc import user_workbook  # noqa: F401  (a pytest fixture: the template plus a user's additions)
from test_writer import build_feature_book, changed_members

from xlcost import api, cli, contract
from xlcost.workbook.package import Package, WorkbookFileError
from xlcost.workbook.table_edit import TableEdit
from xlcost.workbook.writer import WorkbookBusyError, write_results

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"
FIXTURES = Path(__file__).parent / "fixtures"


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "model.xlsx"
    shutil.copy(SHIPPED, path)
    return path


@pytest.fixture
def results(tmp_path: Path) -> list[Path]:
    """Four files, six runs: vLLM --append-result (2), SGLang JSONL (2), GenAI-Perf CSV, AIPerf JSON."""
    folder = tmp_path / "results"
    folder.mkdir()
    files = {
        "vllm.json": "\n".join(json.dumps(vllm_new(c, t)) for c, t in ((8, 6.25), (16, 9.5))),
        "sglang.jsonl": json.dumps(sglang_new()) + "\n" + json.dumps({**sglang_new(), "max_concurrency": 64,
                                                                      "request_throughput": 70.0}) + "\n",
        "profile_export_genai_perf.csv": GENAI_PERF_CSV,
        "profile_export_aiperf.json": json.dumps(aiperf_json()),
    }
    paths = []
    for name, text in files.items():
        (folder / name).write_bytes(text.encode())
        paths.append(folder / name)
    return paths


def bench_rows(path: Path) -> list[dict]:
    """The Benchmarks table as openpyxl (an independent reader) sees it: header -> value, per data row."""
    ws = openpyxl.load_workbook(path)[contract.BENCHMARKS.sheet]
    table = ws.tables[contract.BENCHMARKS.name]
    rows = list(ws[table.ref])
    headers = [c.value for c in rows[0]]
    return [dict(zip(headers, (c.value for c in row), strict=True)) for row in rows[1:]
            if any(c.value is not None for c in row)]


def parts_of(path: Path, sheet: str, table: str) -> set[str]:
    pkg = Package.open(path)
    return {pkg.sheet_part(sheet), pkg.tables()[table].part}


# ---------------------------------------------------------------------------------------------
# Lossless append
# ---------------------------------------------------------------------------------------------


def test_import_appends_runs_and_changes_nothing_else(book, results):
    before = members(book)
    allowed = parts_of(book, "Benchmarks", "Benchmarks")
    report = api.import_files(book, results, model="qwen3-4b")
    assert report.written and len(report.added) == 6
    after = members(book)
    assert list(after) == list(before)
    assert {n for n in before if before[n] != after[n]} == allowed
    rows = bench_rows(book)
    assert [r["Run id"] for r in rows] == [
        f"vllm-qwen3-4b-c8-{digest(results[0])[:8]}-1", f"vllm-qwen3-4b-c16-{digest(results[0])[:8]}-2",
        f"sglang-qwen3-4b-c32-{digest(results[1])[:8]}-1", f"sglang-qwen3-4b-c64-{digest(results[1])[:8]}-2",
        f"genai-perf-qwen3-4b-na-{digest(results[2])[:8]}", f"aiperf-qwen3-4b-c4-{digest(results[3])[:8]}"]
    first = rows[0]
    assert (first["Model id"], first["Engine"], first["GPUs"]) == ("qwen3-4b", "vllm", 2)
    assert first["GPU type"] == "A100 80GB"  # the model's: vLLM's file does not say
    assert (first["Mean input tokens"], first["Mean output tokens"], first["Max concurrency"]) == (512, 128, 8)
    assert (first["Request throughput (req/s)"], first["p99 TTFT (ms)"], first["p99 E2E (ms)"]) == (6.25, 95.5, 1800)
    assert first["Request rate (req/s)"] is None  # "inf": unlimited
    assert (first["Source file"], first["SHA-256"], first["Run date"]) == ("vllm.json", digest(results[0]),
                                                                          "2026-08-18 02:13")
    assert rows[2]["GPUs"] == 4  # SGLang's server_info: TP 2 x DP 2, not the model's 2
    assert rows[5]["GPU type"] == "NVIDIA H100 80GB HBM3"  # AIPerf's telemetry
    outcome = api.check(book)
    assert outcome.ok, [str(p) for p in outcome.errors]


def test_new_cells_are_typed_values_in_the_input_style(book, results):
    api.import_files(book, results[:1], model="qwen3-4b")
    pkg = Package.open(book)
    table = pkg.tables()["Benchmarks"]
    assert table.ref == "A4:S6"  # the empty placeholder row 5 is reused, one row added
    xml = pkg.part(pkg.sheet_part("Benchmarks"))
    table_xml = pkg.part(table.part)
    assert b'<autoFilter ref="A4:S6"/>' in table_xml and b'<dimension ref="A1:S6"/>' in xml
    assert b"<f>" not in xml
    style = openpyxl.load_workbook(book)["Benchmarks"]
    for row in (5, 6):
        for col in range(1, 20):
            assert style.cell(row, col).style == contract.INPUT_STYLE
    assert style["F5"].data_type == "n" and style["A5"].data_type == "s"


def test_import_twice_adds_nothing_and_says_so(book, results, capsys):
    api.import_files(book, results, model="qwen3-4b")
    once = book.read_bytes()
    assert cli.main(["import", str(book), *map(str, results), "--model", "qwen3-4b"]) == 0
    out = capsys.readouterr().out
    assert book.read_bytes() == once
    assert out.count("skipped: already in Benchmarks as ") == 6
    assert "Nothing new for" in out and "6 runs already there, skipped" in out
    # the same file again within one command, under another name: added once
    copy = results[0].with_name("copy-of-vllm.json")
    shutil.copy(results[0], copy)
    fresh = book.with_name("fresh.xlsx")
    shutil.copy(SHIPPED, fresh)
    report = api.import_files(fresh, [results[0], copy], model="qwen3-4b")
    assert len(report.added) == 2 and len(report.runs) == 4
    assert all("earlier in this import" in r.why_skipped for r in report.runs if not r.added)


def test_import_into_a_workbook_with_user_content(user_workbook, tmp_path, results):  # noqa: F811
    path = tmp_path / user_workbook.name
    shutil.copy(user_workbook, path)
    before = members(path)
    allowed = parts_of(path, "Benchmarks", "Benchmarks")
    api.import_files(path, results, model="glm4-9b")
    after = members(path)
    assert {n for n in before if before[n] != after[n]} == allowed
    assert any(n.startswith("xl/comments") for n in after) and any(n.startswith("xl/charts/") for n in after)
    assert len(bench_rows(path)) == 6 and api.check(path).ok


def test_same_inputs_give_the_same_bytes(tmp_path, results):
    books = []
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copy(SHIPPED, tmp_path / name)
        api.import_files(tmp_path / name, results, model="qwen3-4b")
        books.append((tmp_path / name).read_bytes())
    assert books[0] == books[1]


def test_dry_run_shows_and_writes_nothing(book, results, capsys):
    before = book.read_bytes()
    assert cli.main(["import", str(book), *map(str, results), "--model", "qwen3-4b", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert book.read_bytes() == before
    assert "vllm.json: vLLM --save-result JSON" in out
    assert "concurrency 8" in out and "6.25 req/s" in out and "p99 TTFT 95.5 ms / TPOT 12.2 ms" in out
    assert "Dry run: would add 6 runs to Benchmarks" in out


# ---------------------------------------------------------------------------------------------
# Which model, how many GPUs
# ---------------------------------------------------------------------------------------------


def test_the_model_is_found_by_display_name_and_options_override_defaults(book, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(vllm_old()))  # model_id "Qwen/Qwen3-4B": display name "Qwen3-4B"
    report = api.import_files(book, [path], dry_run=True)
    row = report.runs[0].row
    assert (row["model"], row["gpus"], row["gpu_type"]) == ("qwen3-4b", 2, "A100 80GB")  # the model's defaults
    report = api.import_files(book, [path], model="glm4-9b", gpus=4, gpu_type="H100 80GB", dry_run=True)
    assert {k: report.runs[0].row[k] for k in ("model", "gpus", "gpu_type")} == {
        "model": "glm4-9b", "gpus": 4, "gpu_type": "H100 80GB"}


def test_problems_are_all_listed_and_nothing_is_written(book, tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(vllm_new()))
    unknown = tmp_path / "other.json"
    unknown.write_text(json.dumps({**vllm_new(), "model_id": "meta-llama/Llama-3.3-70B"}))
    nomodel = tmp_path / "old.jsonl"
    nomodel.write_text(json.dumps(sglang_new(model_path=None)))
    broken = tmp_path / "broken.json"
    broken.write_text('{"completed": 3,')
    tokens = tmp_path / "profile_export_aiperf.csv"
    tokens.write_text(AIPERF_CSV_NEW)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)))
    before = book.read_bytes()
    code = cli.main(["import", str(book), *map(str, (good, unknown, nomodel, broken, tokens, junk))])
    err = capsys.readouterr().err
    assert code == 2 and book.read_bytes() == before and "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines[0] == "xlcost: nothing was imported into model.xlsx; fix these and run again:"
    assert len(lines) == 7  # good.json is fine; the aiperf CSV lacks two things, the others one each
    assert "other.json (vLLM --save-result JSON) names the model 'meta-llama/Llama-3.3-70B', which matches no " \
           "Models id or display name; pass --model ID (one of qwen3-4b, glm4-9b" in err
    assert "old.jsonl (SGLang bench_serving JSONL) does not record the model; pass --model ID" in err
    assert "broken.json is not valid JSON" in err and "junk.bin holds binary data" in err
    assert "does not record the mean input tokens; pass --input-tokens N" in err
    code = cli.main(["import", str(book), str(good), "--model", "gpt-9"])
    assert code == 2 and "--model 'gpt-9' is not a model id in the Models table" in capsys.readouterr().err
    assert cli.main(["import", str(book), str(tokens), "--model", "qwen3-4b", "--input-tokens", "300"]) == 0
    assert bench_rows(book)[0]["Mean input tokens"] == 300


def test_a_value_the_workbook_would_refuse_is_refused_before_writing(book, tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(vllm_new()))
    before = book.read_bytes()
    assert cli.main(["import", str(book), str(path), "--model", "qwen3-4b", "--gpus", "0"]) == 2
    assert "column 'GPUs' holds 0; expected a whole number ≥ 1" in capsys.readouterr().err
    assert book.read_bytes() == before


# ---------------------------------------------------------------------------------------------
# Refusals that protect the user's file
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lock", "app"), [("~$model.xlsx", "Excel"), (".~lock.model.xlsx#", "LibreOffice")])
def test_refused_while_open_in_excel_or_libreoffice(book, results, lock, app, capsys):
    (book.parent / lock).write_bytes(b"owner")
    before = book.read_bytes()
    with pytest.raises(WorkbookBusyError, match=f"open in {app}"):
        api.import_files(book, results, model="qwen3-4b")
    assert cli.main(["import", str(book), str(results[0]), "--model", "qwen3-4b"]) == 2
    assert f"model.xlsx is open in {app}" in capsys.readouterr().err
    assert book.read_bytes() == before


def test_values_just_below_the_table_are_never_overwritten(book, results):
    wb = openpyxl.load_workbook(book)
    wb["Benchmarks"]["C7"] = "my note"
    wb.save(book)
    before = book.read_bytes()
    with pytest.raises(WorkbookFileError, match="cell C7 just below the table holds a value"):
        api.import_files(book, results, model="qwen3-4b")
    assert book.read_bytes() == before


def test_table_edits_append_and_update_in_a_feature_book(tmp_path):
    """The writer's table edits in an XlsxWriter book with charts, comments, validation, VBA-free buttons."""
    path = build_feature_book(tmp_path / "features.xlsx")
    old = path.read_bytes()
    pkg = Package.open(path)
    allowed = {pkg.sheet_part("Inputs"), pkg.tables()["Params"].part}
    write_results(pkg, {}, edits={"Params": TableEdit(append=({"Name": "tax", "Value": 0.25}, {"name": "=1+1"}),
                                                      update={3: {"Value": 12}})})
    assert changed_members(old, path.read_bytes()) == allowed
    wb = openpyxl.load_workbook(path)
    ws = wb["Inputs"]
    assert ws.tables["Params"].ref == "A1:B6"
    assert [[c.value for c in row] for row in ws["A1:B6"]] == [
        ["Name", "Value"], ["rate", 0.05], ["years", 12], ["growth", 0.1], ["tax", 0.25], ["=1+1", None]]
    assert ws["A6"].data_type == "s"  # text that looks like a formula stays text


def test_a_row_the_table_grows_into_keeps_the_users_cells_beside_it(tmp_path):
    path = tmp_path / "side.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.add_table("C2:D3", {"name": "Runs", "columns": [{"header": "Id"}, {"header": "QPS"}], "data": [["a", 1]]})
    ws.write("A4", "my note, left of the table")  # row 4 exists with spans="1:1"
    wb.close()
    old = path.read_bytes()
    write_results(Package.open(path), {}, edits={"Runs": TableEdit(append=({"Id": "b", "QPS": 2.5},))})
    xml = members(path)["xl/worksheets/sheet1.xml"]
    assert b'<row r="4" spans="1:4">' in xml
    data = openpyxl.load_workbook(path)["Data"]
    assert (data["A4"].value, data["C4"].value, data["D4"].value) == ("my note, left of the table", "b", 2.5)
    assert changed_members(old, path.read_bytes()) == {"xl/worksheets/sheet1.xml", "xl/tables/table1.xml"}


def test_a_total_row_or_a_neighbouring_table_is_refused(tmp_path):
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.add_table("A1:B3", {"name": "Runs", "total_row": True, "columns": [{"header": "Id"},
                                                                          {"header": "QPS", "total_function": "sum"}],
                           "data": [["a", 1]]})
    ws.add_table("D1:E2", {"name": "Other", "columns": [{"header": "X"}, {"header": "Y"}], "data": [[1, 2]]})
    ws.add_table("D4:E5", {"name": "Below", "columns": [{"header": "X"}, {"header": "Y"}], "data": [[1, 2]]})
    wb.close()
    with pytest.raises(WorkbookFileError, match="Total Row"):
        write_results(Package.open(path), {}, edits={"Runs": TableEdit(append=({"Id": "b"}, {"Id": "c"}))})
    with pytest.raises(WorkbookFileError, match="cell D4 just below the table holds a value"):
        write_results(Package.open(path), {}, edits={"Other": TableEdit(append=({"X": 3}, {"X": 4}))})


def test_an_edit_elsewhere_in_the_sheet_is_caught_by_the_verification(tmp_path, monkeypatch):
    """The writer proves its table edit: a rendering that touches any other cell never reaches the disk."""
    from xlcost.workbook import table_edit

    path = build_feature_book(tmp_path / "features.xlsx")
    old = path.read_bytes()
    render = table_edit.render_cells

    def sloppy(xml, plan, date1904, where):
        return render(xml, plan, date1904, where).replace(b"<v>0.1</v>", b"<v>0.2</v>")  # growth: 0.1 -> 0.2

    monkeypatch.setattr(table_edit, "render_cells", sloppy)
    with pytest.raises(WorkbookFileError, match="safety check failed .*changed in cells xlcost did not mean to write"):
        write_results(Package.open(path), {}, edits={"Params": TableEdit(append=({"Name": "tax"},))})
    assert path.read_bytes() == old
    monkeypatch.setattr(table_edit, "render_cells", render)
    monkeypatch.setattr(table_edit, "render_table_ref", lambda xml, *a: xml.replace(b'name="Params"', b'name="P2"'))
    with pytest.raises(WorkbookFileError, match="safety check failed"):
        write_results(Package.open(path), {}, edits={"Params": TableEdit(append=({"Name": "tax"},))})
    assert path.read_bytes() == old


def test_changed_on_disk_or_another_writer_is_refused(book, results):
    pkg = Package.open(book)
    edits = {"Benchmarks": TableEdit(append=({"Run id": "r1"},))}
    wb = openpyxl.load_workbook(book)
    wb["Benchmarks"]["A1"] = "Benchmarks (edited)"  # the user saved in between
    wb.save(book)
    saved = book.read_bytes()
    with pytest.raises(WorkbookBusyError, match="changed on disk since it was read; run again"):
        write_results(pkg, {}, edits=edits)
    assert book.read_bytes() == saved
    fcntl = pytest.importorskip("fcntl")
    pkg = Package.open(book)
    holder = os.open(book, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(WorkbookBusyError, match="another xlcost run is writing model.xlsx"):
            write_results(pkg, {}, edits=edits, wait_seconds=0.2)
    finally:
        os.close(holder)
    assert book.read_bytes() == saved


# ---------------------------------------------------------------------------------------------
# slime scripts: one model's descriptive cells, nothing about serving
# ---------------------------------------------------------------------------------------------


def test_slime_script_fills_the_models_slime_cells_only(book, capsys):
    script = FIXTURES / "slime" / "run-colocated.sh"
    before = members(book)
    pkg = Package.open(book)
    models_part = pkg.sheet_part("Models")
    assert cli.main(["import", str(book), str(script), "--model", "qwen3-4b"]) == 0
    out = capsys.readouterr().out
    assert "describe training, not serving capacity: QPS per instance and latency are not changed" in out
    after = members(book)
    assert {n for n in before if before[n] != after[n]} == {models_part}
    ws = openpyxl.load_workbook(book)["Models"]
    headers = {c.value: c.column for c in ws[4]}
    row = {h: ws.cell(5, col).value for h, col in headers.items()}
    assert (row["Model id"], row["TP/PP/CP/EP"], row["Max tokens per GPU"], row["Mem fraction static"]) == (
        "qwen3-4b", "2/1/1/1", 6144, 0.5)
    assert (row["Global batch size"], row["Rollout batch size"], row["Samples per prompt"]) == ("32", 16, 4)
    assert row["Source"].startswith(f"slime run-colocated.sh (sha256 {digest(script)}): RL-training job, 8 GPUs")
    assert (row["QPS per instance"], row["Latency (ms)"], row["GPUs per instance"]) == (180, 25, 2)  # untouched
    assert ws.cell(5, headers["Max tokens per GPU"]).style == contract.INPUT_STYLE
    once = book.read_bytes()
    assert cli.main(["import", str(book), str(script), "--model", "qwen3-4b"]) == 0
    assert "already up to date" in capsys.readouterr().out and book.read_bytes() == once
    assert api.check(book).ok


def test_slime_needs_a_model_and_refuses_to_overwrite_a_formula(book, capsys):
    script = FIXTURES / "slime" / "run-split.sh"
    assert cli.main(["import", str(book), str(script)]) == 2
    assert "run-split.sh is a slime training script: pass --model ID" in capsys.readouterr().err
    col = next(c.column for c in openpyxl.load_workbook(book)["Models"][4] if c.value == "Max tokens per GPU")
    ref = f"{openpyxl.utils.get_column_letter(col)}6"
    parts = members(book)
    part = Package.open(book).sheet_part("Models")
    parts[part] = re.sub(rb'<c r="%s"[^>]*?(/>|>.*?</c>)' % ref.encode(),  # a formula with its saved value
                         b'<c r="%s"><f>4096+512</f><v>4608</v></c>' % ref.encode(), parts[part], count=1, flags=re.S)
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    before = book.read_bytes()
    assert cli.main(["import", str(book), str(script), "--model", "glm4-9b"]) == 2
    assert "holds a formula, which xlcost would overwrite" in capsys.readouterr().err
    assert book.read_bytes() == before


# ---------------------------------------------------------------------------------------------
# Real files, and a second application opening the result
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/bench-samples is not here")
def test_every_real_sample_imports_into_the_workbook(book, capsys):
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".json", ".jsonl", ".csv"))
    without_inputs = [p for p in files if p.name.startswith("aiperf-0.11")]  # records no input lengths
    assert len(files) == 12 and len(without_inputs) == 1
    rest = [p for p in files if p not in without_inputs]
    assert cli.main(["import", str(book), *map(str, rest), "--model", "qwen3-4b"]) == 0
    assert cli.main(["import", str(book), str(without_inputs[0]), "--model", "qwen3-4b", "--input-tokens", "250"]) == 0
    capsys.readouterr()
    rows = bench_rows(book)
    assert len(rows) == 27  # 4 + 1 + 1 vLLM, 7 + 7 + 1 SGLang, 3 GenAI-Perf, 3 AIPerf
    assert len({r["Run id"] for r in rows}) == 27
    assert api.check(book).ok
    assert cli.main(["import", str(book), *map(str, rest), "--model", "qwen3-4b"]) == 0
    assert "26 runs already there" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_grown_table(book, results, tmp_path):
    api.import_files(book, results, model="qwen3-4b")
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx", "--outdir", str(out), str(book)], check=True, capture_output=True,
                   timeout=180)
    converted = out / book.name
    assert [r["Run id"] for r in bench_rows(converted)] == [r["Run id"] for r in bench_rows(book)]
    ws = openpyxl.load_workbook(io.BytesIO(converted.read_bytes()))["Benchmarks"]
    assert ws.tables["Benchmarks"].ref == "A4:S10"
