"""Workbooks saved by LibreOffice Calc: check, recalc and export them like Excel's, and LibreOffice reads the result.

LibreOffice writes every boolean as the formula TRUE() or FALSE() (on input and result sheets alike), and a
trip through .ods rewrites the whole package. Every soffice call costs seconds, so the default workbook is
converted once per module (directly to .xlsx, and to .ods and back) and the tests share the copies.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from xlcost import contract
from xlcost.workbook.package import Package

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def soffice(profile: Path, fmt: str, outdir: Path, *sources: Path) -> None:
    """Convert like File > Save As in LibreOffice, with a private profile (no clash with a running office)."""
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(outdir), *map(str, sources)],
                   check=True, capture_output=True, timeout=300)


def xlcost(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlcost", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def libreoffice(tmp_path_factory) -> dict[str, Path]:
    """The default workbook as LibreOffice saves it: 'xlsx' (opened and saved as .xlsx), 'ods' (saved as .ods),
    'ods_xlsx' (that .ods saved back as .xlsx); and the private LibreOffice 'profile'."""
    root = tmp_path_factory.mktemp("libreoffice")
    profile, sources, saved = root / "profile", root / "sources", root / "saved"
    sources.mkdir()
    shutil.copy(SHIPPED, sources / "via_xlsx.xlsx")
    soffice(profile, "ods", root, SHIPPED)
    ods = (root / SHIPPED.name).with_suffix(".ods")
    shutil.copy(ods, sources / "via_ods.ods")
    soffice(profile, "xlsx:Calc MS Excel 2007 XML", saved, sources / "via_xlsx.xlsx", sources / "via_ods.ods")
    return {"xlsx": saved / "via_xlsx.xlsx", "ods": ods, "ods_xlsx": saved / "via_ods.xlsx", "profile": profile}


@pytest.fixture(scope="module")
def original_key_figures() -> list[dict]:
    return json.loads(xlcost("export", SHIPPED, "--format", "json").stdout)["key_figures"]


def result_cells(path: Path) -> dict[str, dict]:
    pkg = Package.open(path)
    return {sheet: {key: (c.value, c.kind) for key, c in pkg.cells(sheet).items()}
            for sheet in contract.result_sheets()}


def key_figure(path: Path, figure_id: str) -> object:
    cells = Package.open(path).cells("Key Figures")
    row = next(r for (r, c), cell in cells.items() if c == 1 and cell.value == figure_id)
    return cells[(row, 3)].value


def test_an_ods_file_is_named_with_the_way_out(libreoffice):
    ods = libreoffice["ods"]
    before = ods.read_bytes()
    result = xlcost("check", ods)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "is an OpenDocument spreadsheet: save it as Excel (.xlsx) from LibreOffice" in result.stderr
    assert ods.read_bytes() == before


@pytest.mark.parametrize("variant", ["xlsx", "ods_xlsx"])
def test_check_recalc_and_export_agree_and_give_the_original_results(libreoffice, original_key_figures, variant,
                                                                    tmp_path):
    book = tmp_path / "model.xlsx"
    shutil.copy(libreoffice[variant], book)
    saved = book.read_bytes()
    pkg = Package.open(book)
    # the case at stake: LibreOffice saved the booleans, on input and result sheets, as formulas
    assert all(b">TRUE()</f>" in pkg.part(pkg.sheet_part(sheet)) for sheet in ("GPU Offers", "Unit Costs"))
    check = xlcost("check", book)
    assert check.returncode == 0, check.stderr
    exported = xlcost("export", book, "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["key_figures"] == original_key_figures
    assert book.read_bytes() == saved  # check and export never write
    recalc = xlcost("recalc", book)
    assert recalc.returncode == 0, recalc.stderr
    assert result_cells(book) == result_cells(SHIPPED)


def test_an_input_edited_in_the_saved_file_shows_in_the_results_and_libreoffice_reads_them(libreoffice, tmp_path):
    """Untick one GPU offer in each LibreOffice-saved copy with openpyxl (which also drops every cached value,
    so the other offers' Include cells are bare =TRUE() formulas), recalc, and open the result in LibreOffice."""
    books = []
    for variant in ("xlsx", "ods_xlsx"):
        book = tmp_path / f"edited_{variant}.xlsx"
        wb = openpyxl.load_workbook(libreoffice[variant])
        assert [wb["GPU Offers"][f"G{r}"].value for r in (5, 6, 7)] == ["=TRUE()"] * 3
        wb["GPU Offers"]["G5"] = False  # leave out aws-p4d: the price is the mean of GCP's and Azure's
        wb.save(book)
        result = xlcost("recalc", book)
        assert result.returncode == 0, result.stderr
        assert key_figure(book, "usd_per_gpu_hour") == pytest.approx((28.5 + 30.05) / 16)
        books.append(book)
    reopened = tmp_path / "reopened"
    soffice(libreoffice["profile"], "xlsx:Calc MS Excel 2007 XML", reopened, *books)
    for book in books:
        wb = openpyxl.load_workbook(reopened / book.name, data_only=True)
        figures = {row[0]: row[2] for row in wb["Key Figures"].iter_rows(min_row=6, values_only=True) if row[0]}
        assert figures["usd_per_gpu_hour"] == pytest.approx((28.5 + 30.05) / 16)
        assert wb["GPU Offers"]["G5"].value is False and wb["GPU Offers"]["G6"].value is True
