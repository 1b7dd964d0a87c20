"""Tests for xlcost.workbook.writer: surgical rendering, and the atomic, locked save."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import importlib.util
import io
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.styles import NamedStyle

from xlcost.workbook.package import Package, WorkbookFileError
from xlcost.workbook.writer import (
    OutCell,
    SheetOutput,
    WorkbookBusyError,
    adjust_chart_formula,
    edit_chart,
    render_package,
    set_full_calc_on_load,
    write_results,
)

STYLES = {"xlcost usd": '"$"#,##0', "xlcost fraction": "0.0%", "xlcost Text": "@", "xlcost date": "yyyy-mm-dd"}
FORMULA_LOOKING = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "=HYPERLINK(\"http://x\")"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def changed_members(old: bytes, new: bytes) -> set[str]:
    """Names whose decompressed bytes differ; the member list and order must be identical."""
    with zipfile.ZipFile(io.BytesIO(old)) as a, zipfile.ZipFile(io.BytesIO(new)) as b:
        assert a.namelist() == b.namelist()
        assert b.testzip() is None
        return {n for n in a.namelist() if a.read(n) != b.read(n)}


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def xlwings_template() -> Path | None:
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "quickstart_standalone.xlsm"
    return path if path.exists() else None


def vba_project() -> bytes | None:
    template = xlwings_template()
    if template is None:
        return None
    with zipfile.ZipFile(template) as zf:
        return zf.read("xl/vbaProject.bin")


def build_styled_book(path: Path) -> Path:
    """openpyxl: an input table, two result sheets whose legend cells make the named styles exist."""
    wb = openpyxl.Workbook()
    inputs = wb.active
    inputs.title = "Inputs"
    inputs.append(["Name", "Value"])
    inputs.append(["rate", 0.05])
    from openpyxl.worksheet.table import Table

    inputs.add_table(Table(displayName="Params", ref="A1:B2"))
    for name, fmt in STYLES.items():
        wb.add_named_style(NamedStyle(name=name, number_format=fmt))
    for title in ("Results A", "Results B"):
        ws = wb.create_sheet(title)
        for col, name in enumerate(STYLES, start=1):
            ws.cell(row=1, column=col, value=name).style = name
        ws["A20"] = "old result that must disappear"
    wb["Results A"].row_dimensions[3].height = 30
    wb["Results A"].row_dimensions[40].hidden = True
    user = wb.create_sheet("User")
    user["A1"] = "='Results A'!B5*2"
    user["A2"] = "=SUM('Results B'!B2:B4)"
    wb.save(path)
    return path


def build_feature_book(path: Path, vba: bytes | None = None) -> Path:
    """XlsxWriter: charts, image, text box, button, comments, validation, CF, names, VBA."""
    wb = xlsxwriter.Workbook(str(path))
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
        wb.set_vba_name("ThisWorkbook")
    inputs = wb.add_worksheet("Inputs")
    inputs.add_table("A1:B4", {"name": "Params", "columns": [{"header": "Name"}, {"header": "Value"}],
                               "data": [["rate", 0.05], ["years", 10], ["growth", 0.1]]})
    inputs.data_validation("B2:B4", {"validate": "decimal", "criteria": ">=", "value": 0})
    inputs.conditional_format("B2:B4", {"type": "3_color_scale"})
    inputs.write_comment("A1", "Assumptions live here")
    results_a = wb.add_worksheet("Results A")
    results_a.write("A1", "Results A")
    results_a.write_row("A4", ["Option", "USD", "Share"])
    for i, (name, usd, share) in enumerate([("x", 10, 0.1), ("y", 20, 0.2), ("z", 30, 0.3)]):
        results_a.write_row(4 + i, 0, [name, usd, share])
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "='Results A'!$B$4", "categories": "='Results A'!$A$5:$A$7",
                      "values": "='Results A'!$B$5:$B$7"})
    chart.add_series({"name": "Share", "categories": "='Results A'!$A$5:$A$7",
                      "values": "='Results A'!$C$5:$C$7"})
    results_a.insert_chart("F2", chart)
    results_b = wb.add_worksheet("Results B")
    results_b.write("A1", "Results B")
    dash = wb.add_worksheet("Dashboard")
    dash.write_formula("A1", "='Results A'!B5*2", None, 20)
    dash.write_formula("A2", "=SUM('Results A'!B5:B7)", None, 60)
    user_chart = wb.add_chart({"type": "line"})
    user_chart.add_series({"values": "='Results A'!$B$5:$B$7"})
    dash.insert_chart("C1", user_chart)
    dash.insert_image("C20", "dot.png", {"image_data": io.BytesIO(png())})
    dash.insert_textbox("H20", "A user note in a text box")
    dash.insert_button("H2", {"macro": "say_hello", "caption": "Run"})
    dash.write_comment("A1", "Twice the first result")
    wb.define_name("FirstResult", "='Results A'!$B$5")
    wb.define_name("Dashboard!Local", "=Dashboard!$A$1")
    wb.close()
    _strip_full_calc(path)
    return path


def _strip_full_calc(path: Path) -> None:
    """XlsxWriter always sets fullCalcOnLoad; Excel-saved files usually do not. Make it Excel-like."""
    data = members(path.read_bytes())
    data["xl/workbook.xml"] = data["xl/workbook.xml"].replace(b' fullCalcOnLoad="1"', b"")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)


def outputs_a(rows: int = 5, label: str = "v") -> dict[str, SheetOutput]:
    cells = {(1, 1): OutCell("Results A", "xlcost Text"), (4, 1): OutCell("Option", "xlcost Text"),
             (4, 2): OutCell("USD", "xlcost Text"), (4, 3): OutCell("Share", "xlcost Text")}
    for i in range(rows):
        cells[(5 + i, 1)] = OutCell(f"{label}{i}", "xlcost Text")
        cells[(5 + i, 2)] = OutCell(1000.5 * (i + 1), "xlcost usd")
        cells[(5 + i, 3)] = OutCell(i / 10, "xlcost fraction")
    return {"Results A": SheetOutput(cells, blocks=[(5, 4 + rows)]),
            "Results B": SheetOutput({(2, 2): OutCell(42, "xlcost usd"), (3, 2): OutCell(True, "")})}


# ---------------------------------------------------------------------------------------------
# Rendering: only the target sheets change
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("macro", [False, True])
def test_only_target_parts_change_in_feature_book(tmp_path: Path, macro: bool) -> None:
    vba = vba_project() if macro else None
    if macro and vba is None:
        pytest.skip("no vbaProject.bin available (xlwings not installed)")
    path = build_feature_book(tmp_path / ("features.xlsm" if macro else "features.xlsx"), vba)
    old = path.read_bytes()
    pkg = Package.open(path)
    part_a, part_b = pkg.sheet_part("Results A"), pkg.sheet_part("Results B")
    new = render_package(pkg, outputs_a(rows=5))
    changed = changed_members(old, new)
    assert changed == {part_a, part_b, "xl/workbook.xml", "xl/charts/chart1.xml"}
    before, after = members(old), members(new)
    # workbook.xml differs only inside <calcPr>
    calc = re.compile(rb"<calcPr[^>]*/>")
    assert calc.sub(b"", before["xl/workbook.xml"]) == calc.sub(b"", after["xl/workbook.xml"])
    assert b'fullCalcOnLoad="1"' in calc.search(after["xl/workbook.xml"]).group(0)
    # the chart on the result sheet follows the longer block and loses only its stale caches
    chart = after["xl/charts/chart1.xml"].decode()
    assert "<c:f>'Results A'!$A$5:$A$9</c:f>" in chart and "<c:f>'Results A'!$B$5:$B$9</c:f>" in chart
    assert "<c:f>'Results A'!$C$5:$C$9</c:f>" in chart and "<c:f>'Results A'!$B$4</c:f>" in chart
    assert "numCache" not in chart and "strCache" not in chart
    # the user's own chart (on Dashboard) is untouched, as are drawings, VML, comments, VBA
    assert "xl/charts/chart2.xml" not in changed
    if macro:
        assert before["xl/vbaProject.bin"] == after["xl/vbaProject.bin"]
        assert b"macroEnabled" in after["[Content_Types].xml"]
    # the target sheets keep everything outside their cell data (drawing link, margins...)
    sheet_a = after[part_a].decode()
    assert "<drawing r:id=" in sheet_a and '<dimension ref="A1:C9"/>' in sheet_a
    # the result is readable by openpyxl and keeps the user's objects
    wb = openpyxl.load_workbook(io.BytesIO(new), keep_vba=macro)
    assert wb.sheetnames == ["Inputs", "Results A", "Results B", "Dashboard"]
    assert wb["Dashboard"]["A1"].value == "='Results A'!B5*2"
    assert "FirstResult" in wb.defined_names


def test_excel_saved_xlsm_changes_only_sheet_and_calcpr(tmp_path: Path) -> None:
    template = xlwings_template()
    if template is None:
        pytest.skip("xlwings is not installed")
    path = tmp_path / "model.xlsm"
    shutil.copy(template, path)
    _strip_full_calc(path)  # as Excel usually saves it: <calcPr /> without fullCalcOnLoad
    old = path.read_bytes()
    assert b"<calcPr />" in members(old)["xl/workbook.xml"]
    pkg = Package.open(path)
    write_results(pkg, {"Sheet1": SheetOutput({(1, 1): OutCell("hello", "Normal"), (2, 1): OutCell(3.5, "")})})
    new = path.read_bytes()
    assert changed_members(old, new) == {"xl/worksheets/sheet1.xml", "xl/workbook.xml"}
    before, after = members(old)["xl/workbook.xml"], members(new)["xl/workbook.xml"]
    calc = re.compile(rb"<calcPr[^>]*/>")
    assert calc.sub(b"", before) == calc.sub(b"", after)
    assert b'fullCalcOnLoad="1"' in calc.search(after).group(0)
    cells = Package.open(path).cells("Sheet1")
    assert cells[(1, 1)].value == "hello" and cells[(2, 1)].value == 3.5


def test_values_styles_and_read_back(tmp_path: Path) -> None:
    path = build_styled_book(tmp_path / "styled.xlsx")
    pkg = Package.open(path)
    named = pkg.named_styles()
    outputs = outputs_a(rows=3)
    outputs["Results A"].cells[(10, 1)] = OutCell(dt.date(2025, 1, 31), "xlcost date")
    outputs["Results A"].cells[(10, 2)] = OutCell(None, "xlcost usd")  # a styled blank cell
    outputs["Results A"].cells[(10, 3)] = OutCell(None, "")  # omitted
    outputs["Results A"].cells[(11, 1)] = OutCell(7, "no such style")
    for i, text in enumerate(FORMULA_LOOKING):
        outputs["Results B"].cells[(5 + i, 1)] = OutCell(text, "xlcost Text")
    start = time.perf_counter()
    write_results(pkg, outputs)
    elapsed = time.perf_counter() - start
    print(f"\nrender + verify + atomic write of a small workbook: {elapsed * 1000:.1f} ms")

    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb["Results A"]
    assert ws["A5"].value == "v0" and ws["B6"].value == 2001.0 and ws["C7"].value == 0.2
    assert ws["B5"].number_format == STYLES["xlcost usd"] and ws["C5"].number_format == "0.0%"
    assert ws["B5"].style == "xlcost usd" and ws["A5"].style == "xlcost Text"
    assert ws["A10"].value == dt.datetime(2025, 1, 31) and ws["A10"].number_format == "yyyy-mm-dd"
    assert ws["B10"].value is None and ws["B10"].style == "xlcost usd"
    assert ws["A11"].value == 7 and ws["A11"].style == "Normal"
    assert ws["A20"].value is None  # the sheet's old content is gone
    assert ws.row_dimensions[3].height == 30 and ws.row_dimensions[40].hidden  # the user's row formatting
    wb_b = wb["Results B"]
    assert wb_b["B2"].value == 42 and wb_b["B3"].value is True
    for i, text in enumerate(FORMULA_LOOKING):
        cell = wb_b.cell(row=5 + i, column=1)
        assert cell.value == text and cell.data_type == "s"
    formulas = openpyxl.load_workbook(path)["Results B"]  # not data_only: still no formula
    assert all(formulas.cell(row=5 + i, column=1).data_type == "s" for i in range(len(FORMULA_LOOKING)))
    assert openpyxl.load_workbook(path)["User"]["A1"].value == "='Results A'!B5*2"

    again = Package.open(path)
    cells = again.cells("Results A")
    assert cells[(5, 1)].value == "v0" and cells[(6, 2)].value == 2001.0
    assert cells[(10, 1)].value == dt.datetime(2025, 1, 31) and cells[(10, 1)].kind == "date"
    assert cells[(10, 2)].kind == "blank" and (10, 3) not in cells
    assert again.number_format(named["xlcost usd"]) == STYLES["xlcost usd"]
    assert [again.cells("Results B")[(5 + i, 1)].value for i in range(len(FORMULA_LOOKING))] == FORMULA_LOOKING
    assert b"<f>" not in members(path.read_bytes())[again.sheet_part("Results B")]
    calamine = pytest.importorskip("python_calamine")
    rows = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Results B").to_python()
    assert set(FORMULA_LOOKING) <= {value for row in rows for value in row}  # calamine sees text too


def test_text_is_cleaned_and_escaped(tmp_path: Path) -> None:
    path = build_styled_book(tmp_path / "t.xlsx")
    texts = ["a\x00b\x0bc\td\ne", "cr\r\nlf", "_x0041_ stays literal", "<&> 'quotes\"", "emoji \U0001f600 ü"]
    out = {"Results A": SheetOutput({(i + 1, 1): OutCell(t, "") for i, t in enumerate(texts)})}
    write_results(Package.open(path), out)
    cells = Package.open(path).cells("Results A")
    assert [cells[(i + 1, 1)].value for i in range(len(texts))] == [
        "abc\td\ne", "cr\r\nlf", "_x0041_ stays literal", "<&> 'quotes\"", "emoji \U0001f600 ü"]
    assert openpyxl.load_workbook(path)["Results A"]["B1"].value is None


def test_bad_values_rejected(tmp_path: Path) -> None:
    path = build_styled_book(tmp_path / "bad.xlsx")
    pkg = Package.open(path)
    for bad in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(ValueError, match="not a number Excel can store"):
            render_package(pkg, {"Results A": SheetOutput({(1, 1): OutCell(bad, "")})})
    for key in ((0, 1), (1, 0), (1_048_577, 1), (1, 16_385)):
        with pytest.raises(ValueError, match="outside the worksheet"):
            render_package(pkg, {"Results A": SheetOutput({key: OutCell(1, "")})})
    with pytest.raises(ValueError, match="exceeds Excel"):
        render_package(pkg, {"Results A": SheetOutput({(1, 1): OutCell("x" * 40_000, "")})})
    with pytest.raises(ValueError):
        write_results(pkg, {"Results A": SheetOutput({(1, 1): OutCell(float("nan"), "")})})
    assert path.read_bytes() == pkg.data


def test_formula_in_result_sheet_refused(tmp_path: Path) -> None:
    path = build_styled_book(tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Results B"]["C7"] = "=SUM(A1:A3)"
    wb.save(path)
    pkg = Package.open(path)
    with pytest.raises(WorkbookFileError) as info:
        write_results(pkg, outputs_a())
    message = str(info.value)
    assert "'Results B'" in message and "C7" in message and "=SUM(A1:A3)" in message
    assert "move the formula to one of your own sheets" in message and "\n" not in message
    assert path.read_bytes() == pkg.data


def test_true_and_false_formulas_in_a_result_sheet_are_values(tmp_path: Path) -> None:
    """LibreOffice writes every boolean as =TRUE() / =FALSE(): values, overwritten like any other."""
    path = build_styled_book(tmp_path / "lo.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Results B"]["C7"] = "=TRUE()"  # openpyxl saves it without a cached value
    wb["Results B"]["C8"] = "=FALSE()"
    wb.save(path)
    write_results(Package.open(path), outputs_a())
    assert not Package.open(path).cells("Results B").get((7, 3))
    wb = openpyxl.load_workbook(path)
    wb["Results B"]["C9"] = "=TRUE()+0"  # anything else is the user's formula
    wb.save(path)
    with pytest.raises(WorkbookFileError, match=r"cell C9 holds a formula \(=TRUE\(\)\+0\)"):
        write_results(Package.open(path), outputs_a())


def test_unknown_and_chart_target_sheets(tmp_path: Path) -> None:
    path = tmp_path / "cs.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Data").write_column("A1", [1, 2, 3])
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=Data!$A$1:$A$3"})
    wb.add_chartsheet("Plot").set_chart(chart)
    wb.close()
    pkg = Package.open(path)
    with pytest.raises(WorkbookFileError, match="no sheet named 'Results Z'"):
        render_package(pkg, {"Results Z": SheetOutput({})})
    with pytest.raises(WorkbookFileError, match="'Plot' is a chartsheet, not a worksheet"):
        render_package(pkg, {"Plot": SheetOutput({})})


def test_render_is_deterministic_and_idempotent(tmp_path: Path) -> None:
    path = build_feature_book(tmp_path / "d.xlsx")
    pkg = Package.open(path)
    first = render_package(pkg, outputs_a(rows=4))
    assert render_package(Package.open(path), outputs_a(rows=4)) == first
    again = render_package(Package.from_bytes(first, path), outputs_a(rows=4))
    assert again == first
    shorter = render_package(Package.from_bytes(first, path), outputs_a(rows=2))
    chart = members(shorter)["xl/charts/chart1.xml"].decode()
    assert "<c:f>'Results A'!$B$5:$B$6</c:f>" in chart


# ---------------------------------------------------------------------------------------------
# Byte-level helpers
# ---------------------------------------------------------------------------------------------


def test_set_full_calc_on_load_variants() -> None:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    absent = f"<workbook {ns}><sheets/><definedNames/><pivotCaches/><extLst/></workbook>".encode()
    assert set_full_calc_on_load(absent) == (
        f'<workbook {ns}><sheets/><definedNames/><calcPr fullCalcOnLoad="1"/><pivotCaches/><extLst/></workbook>'
        .encode())
    bare = f"<workbook {ns}><sheets/></workbook>".encode()
    assert set_full_calc_on_load(bare).endswith(b'<sheets/><calcPr fullCalcOnLoad="1"/></workbook>')
    zero = f'<workbook {ns}><calcPr calcId="191029" fullCalcOnLoad="0"/></workbook>'.encode()
    assert b'<calcPr calcId="191029" fullCalcOnLoad="1"/>' in set_full_calc_on_load(zero)
    done = f'<workbook {ns}><calcPr fullCalcOnLoad="1"/></workbook>'.encode()
    assert set_full_calc_on_load(done) == done
    prefixed = b'<x:workbook xmlns:x="m"><!-- <calcPr> --><x:sheets/><x:calcPr calcId="1"/></x:workbook>'
    assert set_full_calc_on_load(prefixed) == (
        b'<x:workbook xmlns:x="m"><!-- <calcPr> --><x:sheets/><x:calcPr fullCalcOnLoad="1" calcId="1"/>'
        b"</x:workbook>")


def test_adjust_chart_formula() -> None:
    blocks = {"results a": [(5, 12)], "o'brien": [(3, 4)]}
    assert adjust_chart_formula("'Results A'!$B$5:$B$7", blocks) == ("'Results A'!$B$5:$B$12", True)
    assert adjust_chart_formula("'Results A'!B5:C6", blocks) == ("'Results A'!B5:C12", True)
    assert adjust_chart_formula("'results a'!$B$5", blocks) == ("'results a'!$B$5:$B$12", True)
    assert adjust_chart_formula("'Results A'!$B$4:$B$7", blocks) == ("'Results A'!$B$4:$B$7", True)
    assert adjust_chart_formula("Inputs!$B$5:$B$7", blocks) == ("Inputs!$B$5:$B$7", False)
    assert adjust_chart_formula("'O''Brien'!$A$3:$A$9", blocks) == ("'O''Brien'!$A$3:$A$4", True)
    assert adjust_chart_formula("('Results A'!$A$5:$A$6,Inputs!$A$1)", blocks) == (
        "('Results A'!$A$5:$A$12,Inputs!$A$1)", True)
    assert adjust_chart_formula("OFFSET(x)", blocks) == ("OFFSET(x)", False)


def test_edit_chart_keeps_other_bytes() -> None:
    chart = (b'<?xml version="1.0"?>\n<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart">'
             b"<c:ser><c:tx><c:strRef><c:f>'R'!$B$4</c:f><c:strCache><c:pt/></c:strCache></c:strRef></c:tx>"
             b"<c:val><c:numRef><c:f>'R'!$B$5:$B$6</c:f><c:numCache><c:pt/></c:numCache></c:numRef></c:val>"
             b"<c:cat><c:numRef><c:f>Other!$A$5:$A$6</c:f><c:numCache/></c:numRef></c:cat></c:ser></c:chartSpace>")
    edited = edit_chart(chart, {"r": [(5, 8)]})
    assert edited == chart.replace(b"$B$5:$B$6", b"$B$5:$B$8").replace(
        b"<c:strCache><c:pt/></c:strCache>", b"").replace(b"<c:numCache><c:pt/></c:numCache>", b"")


# ---------------------------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lock_name,app", [("~$book.xlsx", "Excel"), ("~$ok.xlsx", "Excel"),
                                           (".~lock.book.xlsx#", "LibreOffice")])
def test_office_lock_files_refused(tmp_path: Path, lock_name: str, app: str) -> None:
    path = build_styled_book(tmp_path / "book.xlsx")
    pkg = Package.open(path)
    (tmp_path / lock_name).write_bytes(b"owner")
    with pytest.raises(WorkbookBusyError) as info:
        write_results(pkg, outputs_a())
    message = str(info.value)
    assert f"open in {app}" in message and lock_name in message and "stale" in message
    assert path.read_bytes() == pkg.data
    assert (tmp_path / lock_name).exists()  # never deleted by us


def test_changed_on_disk_refused(tmp_path: Path) -> None:
    path = build_styled_book(tmp_path / "book.xlsx")
    pkg = Package.open(path)
    wb = openpyxl.load_workbook(path)
    wb["Inputs"]["B2"] = 0.07  # the user saved in between
    wb.save(path)
    saved = path.read_bytes()
    with pytest.raises(WorkbookBusyError, match="changed on disk since it was read; run again"):
        write_results(pkg, outputs_a())
    assert path.read_bytes() == saved
    # same size and mtime but different bytes is caught by the hash
    path.write_bytes(pkg.data[:-1] + bytes([pkg.data[-1] ^ 1]))
    os.utime(path, ns=(pkg.stat.st_atime_ns, pkg.stat.st_mtime_ns))
    with pytest.raises(WorkbookBusyError, match="changed on disk"):
        write_results(pkg, outputs_a())


def test_read_only_file_refused(tmp_path: Path) -> None:
    path = build_styled_book(tmp_path / "ro.xlsx")
    path.chmod(0o444)
    pkg = Package.open(path)
    with pytest.raises(WorkbookFileError, match="ro.xlsx is read-only"):
        write_results(pkg, outputs_a())
    assert path.read_bytes() == pkg.data


def _mount(*args: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro folder"
    folder.mkdir()
    path = build_styled_book(folder / "book.xlsx")
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            pkg = Package.open(path)
            with pytest.raises(WorkbookFileError, match="folder .* is read-only"):
                write_results(pkg, outputs_a())
            assert path.read_bytes() == pkg.data
        finally:
            folder.chmod(0o755)
        return
    # root ignores folder modes: use a read-only mount instead
    data = path.read_bytes()
    if not _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)):
        pytest.skip("cannot mount a tmpfs to make a read-only folder")
    try:
        path.write_bytes(data)
        assert _mount("-o", "remount,ro", str(folder))
        pkg = Package.open(path)
        with pytest.raises(WorkbookFileError, match="read-only drive"):
            write_results(pkg, outputs_a())
        assert path.read_bytes() == data and os.listdir(folder) == ["book.xlsx"]
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_permission_denied_creating_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = build_styled_book(tmp_path / "book.xlsx")
    pkg = Package.open(path)
    real_open = os.open

    def deny(name: object, flags: int, *args: object) -> int:
        if str(name).endswith(".tmp"):
            raise PermissionError(errno.EACCES, "Permission denied", str(name))
        return real_open(name, flags, *args)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(WorkbookFileError, match="the folder .* is read-only"):
        write_results(pkg, outputs_a())
    assert path.read_bytes() == pkg.data and sorted(os.listdir(tmp_path)) == ["book.xlsx"]


def test_disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = build_feature_book(tmp_path / "src.xlsx").read_bytes()
    folder = tmp_path / "small disk"
    folder.mkdir()
    size = (len(source) // 4096 + 2) * 4096  # room for the original, not for a second copy
    if _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        try:
            path = folder / "book.xlsx"
            path.write_bytes(source)
            pkg = Package.open(path)
            with pytest.raises(WorkbookFileError, match="the disk is full: free space and try again"):
                write_results(pkg, outputs_a())
            assert path.read_bytes() == source and os.listdir(folder) == ["book.xlsx"]
        finally:
            subprocess.run(["umount", str(folder)], capture_output=True)
    # the same path without root: the disk fills up at fsync (as on network drives)
    path = tmp_path / "book.xlsx"
    path.write_bytes(source)
    pkg = Package.open(path)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WorkbookFileError, match="the disk is full"):
        write_results(pkg, outputs_a())
    assert path.read_bytes() == source and not list(tmp_path.glob(".*.tmp"))


def test_mode_symlink_and_unicode_path(tmp_path: Path) -> None:
    folder = tmp_path / "Ordner mit Leerzeichen ü"
    folder.mkdir()
    target = build_styled_book(folder / "Budget März 2025 (final).xlsx")
    target.chmod(0o640)
    link = tmp_path / "link to budget.xlsx"
    link.symlink_to(target)
    pkg = Package.open(link)
    write_results(pkg, outputs_a())
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert (target.stat().st_mode & 0o777) == 0o640
    assert Package.open(target).cells("Results A")[(5, 1)].value == "v0"
    assert sorted(p.name for p in folder.iterdir()) == ["Budget März 2025 (final).xlsx"]


def test_stale_temp_files_are_removed(tmp_path: Path) -> None:
    path = build_styled_book(tmp_path / "book.xlsx")
    stale = tmp_path / ".book.xlsx.xlcost-deadbeef.tmp"
    stale.write_bytes(b"half a file")
    other = tmp_path / ".other.xlsx.xlcost-deadbeef.tmp"
    other.write_bytes(b"not ours")
    write_results(Package.open(path), outputs_a())
    assert not stale.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.xlsx.xlcost-deadbeef.tmp", "book.xlsx"]


def test_waits_for_another_xlcost_then_gives_up(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    path = build_styled_book(tmp_path / "book.xlsx")
    pkg = Package.open(path)
    holder = os.open(path, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        start = time.perf_counter()
        with pytest.raises(WorkbookBusyError, match="another xlcost run is writing book.xlsx"):
            write_results(pkg, outputs_a(), wait_seconds=0.3)
        assert 0.3 <= time.perf_counter() - start < 2
        assert path.read_bytes() == pkg.data
    finally:
        os.close(holder)
    write_results(pkg, outputs_a(), wait_seconds=0.3)
    assert Package.open(path).cells("Results A")[(5, 1)].value == "v0"


# ---------------------------------------------------------------------------------------------
# Crash safety and concurrency (real processes)
# ---------------------------------------------------------------------------------------------


def _writer_loop(path: Path, variants: list[dict[str, SheetOutput]]) -> None:  # pragma: no cover - child
    i = 0
    while True:
        with contextlib.suppress(WorkbookFileError):
            write_results(Package.open(path), variants[i % 2], wait_seconds=5)
        i += 1


def test_sigkill_at_any_moment_leaves_old_or_new(tmp_path: Path) -> None:
    path = build_feature_book(tmp_path / "book.xlsx")
    original = path.read_bytes()
    variants = [outputs_a(rows=3, label="a"), outputs_a(rows=6, label="b")]
    render_a = render_package(Package.open(path), variants[0])
    render_b = render_package(Package.from_bytes(render_a, path), variants[1])
    assert render_package(Package.from_bytes(render_b, path), variants[0]) == render_a
    valid = {sha(original): "old", sha(render_a): "a", sha(render_b): "b"}
    # kill within ~3 writes' time, so kills land in every phase and some writes complete
    scratch = tmp_path / "scratch" / "book.xlsx"
    scratch.parent.mkdir()
    scratch.write_bytes(original)
    start = time.perf_counter()
    write_results(Package.open(scratch), variants[0])
    window = max(0.01, 3 * (time.perf_counter() - start))
    shutil.rmtree(scratch.parent)
    rng = random.Random(20260501)
    seen: dict[str, int] = {}
    leftovers = 0
    for _ in range(60):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                _writer_loop(path, variants)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.0, window))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        data = path.read_bytes()
        state = valid.get(sha(data))
        assert state is not None, "the workbook holds neither the old nor a new complete file"
        seen[state] = seen.get(state, 0) + 1
        assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
        Package.open(path).cells("Results A")
        leftovers += len(list(tmp_path.glob(".book.xlsx.xlcost-*.tmp")))
    print(f"\nSIGKILL loop: final states {seen}, runs that left a temp file behind: {leftovers}")
    assert len(seen) >= 2
    write_results(Package.open(path), variants[0])  # the next run cleans up after killed ones
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_two_concurrent_writers_never_mix(tmp_path: Path) -> None:
    path = build_feature_book(tmp_path / "book.xlsx")
    original = path.read_bytes()
    variants = [outputs_a(rows=3, label="a"), outputs_a(rows=6, label="b")]
    renders = [render_package(Package.open(path), v) for v in variants]
    for _ in range(6):
        path.write_bytes(original)
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        pids = []
        for k in (0, 1):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - child
                code = 4
                try:
                    pkg = Package.open(path)
                    os.write(ready_w, b"r")
                    os.read(go_r, 1)
                    write_results(pkg, variants[k], wait_seconds=5)
                    code = 0
                except WorkbookBusyError:
                    code = 3
                finally:
                    os._exit(code)
            pids.append(pid)
        assert os.read(ready_r, 1) and os.read(ready_r, 1)
        os.write(go_w, b"gg")
        codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
        for fd in (ready_r, ready_w, go_r, go_w):
            os.close(fd)
        assert sorted(codes) == [0, 3], codes
        assert path.read_bytes() == renders[codes.index(0)]
