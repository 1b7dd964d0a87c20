"""`xlcost recalc` changes only the result sheets and writes the engine's numbers into them."""

import io
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.worksheet.datavalidation import DataValidation
from PIL import Image as PILImage

from xlcost import api, contract
from xlcost.workbook.package import Package

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"

TEXTBOX = (
    '<xdr:twoCellAnchor xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    "<xdr:from><xdr:col>8</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>20</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
    "<xdr:to><xdr:col>12</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>26</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
    '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="99" name="My note"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>'
    '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2000000" cy="900000"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
    '<xdr:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>Board asked for the SME case</a:t></a:r></a:p></xdr:txBody>'
    "</xdr:sp><xdr:clientData/></xdr:twoCellAnchor>"
)


def _png() -> io.BytesIO:
    data = io.BytesIO()
    PILImage.new("RGB", (40, 20), (200, 30, 30)).save(data, format="PNG")
    data.seek(0)
    return data


def _inject_textbox(path: Path, sheet_title: str) -> None:
    """Add a text-box shape to a sheet's drawing by zip surgery (openpyxl cannot write shapes)."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    wb_xml = members["xl/workbook.xml"].decode()
    sheet_id = re.search(rf'<sheet [^>]*name="{re.escape(sheet_title)}"[^>]*r:id="(rId\d+)"', wb_xml).group(1)
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'Id="{sheet_id}"[^>]*Target="/?([^"]+)"|Target="/?([^"]+)"[^>]*Id="{sheet_id}"', rels)
    sheet_part = (target.group(1) or target.group(2)).removeprefix("xl/")
    sheet_rels = members[f"xl/worksheets/_rels/{Path(sheet_part).name}.rels"].decode()
    drawing = re.search(r'Target="(?:\.\./|/xl/)(drawings/drawing\d+\.xml)"', sheet_rels).group(1)
    part = f"xl/{drawing}"
    closing = re.search(rb"</(\w+:)?wsDr>\s*$", members[part]).group(0)
    members[part] = members[part].replace(closing, TEXTBOX.encode() + closing)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


@pytest.fixture(scope="module")
def user_workbook(tmp_path_factory) -> Path:
    """The template plus the things users add that openpyxl would lose or mangle on a load+save."""
    path = tmp_path_factory.mktemp("book") / "board model (v2) é.xlsx"
    shutil.copy(SHIPPED, path)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("My Analysis")
    ws["A1"] = "Enterprise NPV x 2"
    ws["B1"] = "=INDEX('Key Figures'!C:C,MATCH(\"finance.enterprise.npv\",'Key Figures'!A:A,0))*2"
    ws["A2"] = "GPU price"
    ws["B2"] = "=Parameters!C10"
    ws["B1"].comment = Comment("Doubles the NPV for the board deck", "Analyst")
    dv = DataValidation(type="whole", operator="between", formula1="1", formula2="9")
    ws.add_data_validation(dv)
    dv.add("D1:D10")
    red = openpyxl.styles.Font(color="FF0000")
    ws.conditional_formatting.add("B1:B5", CellIsRule(operator="lessThan", formula=["0"], font=red))
    chart = BarChart()
    chart.add_data(Reference(wb["Deployment"], min_col=9, min_row=5, max_row=8), titles_from_data=True)
    ws.add_chart(chart, "E2")
    ws.add_image(Image(_png()), "E30")
    wb["Models"]["V5"] = "my own note column"
    wb.save(path)
    _inject_textbox(path, "My Analysis")
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def _result_parts(pkg: Package) -> set[str]:
    return {pkg.sheet_part(s) for s in contract.result_sheets()}


def test_recalc_changes_only_result_sheets(user_workbook, tmp_path):
    book = tmp_path / user_workbook.name
    shutil.copy(user_workbook, book)
    book.chmod(0o640)
    before = _members(book)
    result_parts = _result_parts(Package.open(book))
    api.recalc(book)
    after = _members(book)
    assert list(after) == list(before)  # same parts, same order
    changed = {name for name in before if before[name] != after[name]}
    allowed = result_parts | {"xl/workbook.xml"} | {n for n in before if n.startswith("xl/charts/chart")}
    assert changed <= allowed, changed - allowed
    # workbook.xml may differ only in calcPr.
    strip = re.compile(rb"<calcPr[^>]*/>")
    assert strip.sub(b"", before["xl/workbook.xml"]) == strip.sub(b"", after["xl/workbook.xml"])
    assert b'fullCalcOnLoad="1"' in after["xl/workbook.xml"]
    assert (book.stat().st_mode & 0o777) == 0o640
    # The user's chart, image, text box, comment and formulas are still there, byte for byte.
    for name in before:
        if name.startswith(("xl/drawings/", "xl/media/", "xl/comments", "xl/worksheets/_rels/")):
            assert before[name] == after[name], name
    assert any(b"Board asked for the SME case" in after[n] for n in after if n.startswith("xl/drawings/drawing"))


def test_results_read_back_equal_the_engine(user_workbook, tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copy(user_workbook, book)
    wb = openpyxl.load_workbook(book)
    wb["Parameters"]["C10"] = 2.5  # gpu_hour_price_override: a user edit, then recalc
    assert wb["Parameters"]["B10"].value == "gpu_hour_price_override"
    wb.save(book)
    outcome = api.recalc(book)
    expected = api.sheet_content(outcome.results, outcome.problems)
    written = openpyxl.load_workbook(book, data_only=True)
    for sheet, output in expected.items():
        ws = written[sheet]
        for (row, col), cell in output.cells.items():
            value = ws.cell(row=row, column=col).value
            if isinstance(cell.value, float):
                assert value == pytest.approx(cell.value, rel=1e-12), (sheet, row, col)
            else:
                assert value == cell.value, (sheet, row, col)
    key = {row[0].value: row[2].value for row in written["Key Figures"].iter_rows(min_row=6) if row[0].value}
    assert key["usd_per_gpu_hour"] == 2.5
    d = outcome.results.core.deployment
    assert key["deployment.enterprise.pure.usd_per_year"] == pytest.approx(float(d.pure_usd_per_year[0]))
    assert np.isclose(key["deployment.enterprise.pure.usd_per_year"], 1600 * 2.5 * 720 * 12)


def test_strings_are_written_as_text_never_formulas(tmp_path):
    book = tmp_path / "evil.xlsx"
    shutil.copy(SHIPPED, book)
    wb = openpyxl.load_workbook(book)
    names = ["=1+1", "=HYPERLINK(\"http://127.0.0.1/x\",\"click\")", "+cmd|' /C calc'!A0", "@SUM(1)"]
    for row, name in enumerate(names, start=5):
        cell = wb["Models"].cell(row=row, column=2, value=name)
        cell.data_type = "s"
    wb.save(book)
    api.recalc(book)
    written = openpyxl.load_workbook(book)
    costs = written["Unit Costs"]
    models = [c.value for c in costs["A"] if c.value in names]
    assert sorted(set(models)) == sorted(names)  # every model name, shown in each unit-cost block
    for c in costs["A"]:
        if c.value in names:
            assert c.data_type == "s"
    sheet_xml = _members(book)[Package.open(book).sheet_part("Unit Costs")]
    assert b"<f>" not in sheet_xml


def test_recalc_refuses_invalid_inputs_and_leaves_the_file_untouched(tmp_path):
    book = tmp_path / "bad.xlsx"
    shutil.copy(SHIPPED, book)
    wb = openpyxl.load_workbook(book)
    wb["Models"]["I5"] = "fast"
    wb["Scenarios"]["D6"] = 1.7
    wb.save(book)
    before = book.read_bytes()
    with pytest.raises(api.InputError) as err:
        api.recalc(book)
    messages = [str(p) for p in err.value.outcome.errors]
    assert any(m.startswith("Models!I5") and "expected a number > 0" in m for m in messages)
    assert any(m.startswith("Scenarios!D6") and "between 0 and 1" in m for m in messages)
    assert book.read_bytes() == before


def test_refuses_while_excel_has_the_workbook_open(tmp_path):
    from xlcost.workbook.writer import WorkbookBusyError

    book = tmp_path / "model.xlsx"
    shutil.copy(SHIPPED, book)
    (tmp_path / "~$model.xlsx").write_bytes(b"owner")
    before = book.read_bytes()
    with pytest.raises(WorkbookBusyError, match="open in Excel"):
        api.recalc(book)
    assert book.read_bytes() == before


def test_a_new_row_in_every_kind_of_table_flows_into_the_results(tmp_path):
    """Users extend tables: a fifth model, a fourth scenario, a new risk."""
    book = tmp_path / "grown.xlsx"
    shutil.copy(SHIPPED, book)
    wb = openpyxl.load_workbook(book)
    models = wb["Models"]
    models.append(["llama-8b", "Llama 8B", 8, 8, 1, "A100 80GB", 30, None, 150, None])
    models.tables["Models"].ref = f"A4:X{models.max_row}"
    scen = wb["Scenarios"]
    scen.append(["mid", "Mid-size", 400, 0.25, "qwen3-235b-a22b", "llama-8b", 0.05])
    scen.tables["Scenarios"].ref = f"A4:J{scen.max_row}"
    risks = wb["Risks"]
    risks.append(["vendor-lock", "Vendor lock-in", 0.1, 500000, "one-time"])
    risks.tables["Risks"].ref = f"A4:G{risks.max_row}"
    wb.save(book)
    outcome = api.recalc(book)
    figures = {k["id"]: k["value"] for k in api.export_data(outcome)["key_figures"]}
    assert figures["model.llama-8b.usd_per_1k_requests"] == pytest.approx(3.805 / (150 * 3.6))
    # 400 QPS x 25 % = 100 plan QPS -> ceil((100 + 0.05 x 300) / 20) = 6 large; 300 / (150 x 0.9) -> 3 small.
    assert figures["deployment.mid.hetero.gpus"] == 6 * 32 + 3 * 1
    assert outcome.results.core.expected_one_time_risk_usd == pytest.approx(50_000)
    written = openpyxl.load_workbook(book, data_only=True)
    scenarios = [c.value for c in written["Deployment"]["A"]]
    assert "Mid-size" in scenarios


def test_charts_on_result_sheets_follow_a_growing_table(tmp_path):
    book = tmp_path / "grown.xlsx"
    shutil.copy(SHIPPED, book)
    wb = openpyxl.load_workbook(book)
    scen = wb["Scenarios"]
    scen.append(["mid", "Mid-size", 400, 0.25, "qwen3-235b-a22b", "qwen3-4b", 0.0])
    scen.tables["Scenarios"].ref = f"A4:J{scen.max_row}"
    wb.save(book)
    api.recalc(book)
    charts = [data for name, data in _members(book).items() if name.startswith("xl/charts/chart")]
    deployment = [c for c in charts if b"Deployment" in c]
    # 4 scenarios, from row 7 (the options block: title, note, header, then data)
    assert deployment and all(b"$A$7:$A$10" in c for c in deployment)
    assert not any(b"$A$7:$A$9" in c for c in deployment)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_recalculated_workbook_and_sees_the_results(tmp_path):
    import subprocess

    book = tmp_path / "model.xlsx"
    shutil.copy(SHIPPED, book)
    outcome = api.recalc(book)
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx", "--outdir", str(out), str(book)], check=True, capture_output=True,
                   timeout=180)
    converted = openpyxl.load_workbook(out / "model.xlsx", data_only=True)
    key = {r[0].value: r[2].value for r in converted["Key Figures"].iter_rows(min_row=6) if r[0].value}
    d = outcome.results.core.deployment
    assert key["deployment.enterprise.hetero.usd_per_year"] == pytest.approx(float(d.hetero_usd_per_year[0]))
    assert converted["Models"]["A5"].value == "qwen3-4b"
