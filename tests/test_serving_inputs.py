"""Bad input in the serving tables (call types, load profiles, scenarios' provisioning, pricing terms, API
prices, measured capacity): through the real command line, each an input error naming the cell, exit 2,
the file untouched."""

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"


def locate(wb: openpyxl.Workbook, table: str, row: int, header: str) -> tuple[str, str]:
    """(sheet, cell) of a table's data row (1 = first) under a header."""
    for ws in wb.worksheets:
        if table in ws.tables:
            min_col, min_row, max_col, _ = range_boundaries(ws.tables[table].ref)
            headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
            return ws.title, f"{get_column_letter(min_col + headers.index(header))}{min_row + row}"
    raise KeyError(table)


def parameter_cell(wb: openpyxl.Workbook, name: str) -> str:
    ws = wb["Parameters"]
    return next(f"C{r}" for r in range(1, ws.max_row + 1) if ws[f"B{r}"].value == name)


def edited(tmp_path: Path, edits) -> tuple[Path, list[str]]:
    """A copy of the shipped workbook with ``edits(wb)`` applied; returns it and what edits() returned (the
    cells the error must name)."""
    book = tmp_path / "book.xlsx"
    shutil.copy(SHIPPED, book)
    wb = openpyxl.load_workbook(book)
    cells = edits(wb)
    wb.save(book)
    return book, cells


def locate_ref(wb, table, row, header) -> str:
    return "!".join(locate(wb, table, row, header))


def set_cell(wb, table, row, header, value) -> str:
    sheet, ref = locate(wb, table, row, header)
    wb[sheet][ref] = value
    return f"{sheet}!{ref}"


def business_day_row(hour: int) -> int:
    return 24 + hour + 1  # the flat profile's 24 rows come first


CASES = {
    "profile-missing-an-hour": (
        lambda wb: [set_cell(wb, "LoadProfiles", business_day_row(5), "Hour", 4),
                    locate_ref(wb, "LoadProfiles", business_day_row(0), "Profile")],
        ["repeats Profile 'business-day', Hour 4", "has 23 of the 24 hours (missing hour 5)"]),
    "profile-without-its-peak": (
        lambda wb: [set_cell(wb, "LoadProfiles", business_day_row(h), "Share of peak", 0.9) for h in (10, 11, 14, 15)]
        + [locate_ref(wb, "LoadProfiles", business_day_row(0), "Profile")],
        ["profile 'business-day' peaks at 90.0% of the peak load; expected at least one hour at 100%"]),
    "hour-outside-the-day": (
        lambda wb: [set_cell(wb, "LoadProfiles", business_day_row(23), "Hour", 24)],
        ["column 'Hour' holds 24; expected a whole number from 0 to 23", "missing hour 23"]),
    "share-above-one": (
        lambda wb: [set_cell(wb, "LoadProfiles", business_day_row(3), "Share of peak", 1.5)],
        ["column 'Share of peak' holds 1.5 (for 1.5% enter 0.015 or 1.5%); expected a share between 0 and 1"]),
    "unknown-profile": (
        lambda wb: [set_cell(wb, "Scenarios", 2, "Load profile", "weekend")],
        ["names 'weekend', which is not an id in table LoadProfiles; expected one of flat, business-day"]),
    "unknown-provisioning": (
        lambda wb: [set_cell(wb, "Scenarios", 1, "Provisioning", "elastic")],
        ["holds the text 'elastic'; expected one of 'static', 'autoscaled'"]),
    "negative-tokens": (
        lambda wb: [set_cell(wb, "CallTypes", 2, "Output tokens (mean)", -5)],
        ["column 'Output tokens (mean)' holds -5; expected a number ≥ 0"]),
    "api-price-on-one-side": (
        lambda wb: [set_cell(wb, "Models", 1, "API USD per 1M output tokens", None)],
        ["'API USD per 1M output tokens' is blank but the other API price is given; expected both API prices"]),
    "committed-term-without-offer": (
        lambda wb: [(wb["Parameters"].__setitem__(parameter_cell(wb, "committed_term"), "3-year"),
                     f"Parameters!{parameter_cell(wb, 'committed_term')}")[1]],
        ["parameter committed_term is '3-year', but no 3-year GPU offer has Include = TRUE"]),
    "call-type-twice": (
        lambda wb: [set_cell(wb, "CallTypes", 2, "Call type", "plan")],
        ["repeats the id 'plan'", "has 2 rows for call type 'plan'", "has 0 rows for call type 'act'"]),
    "benchmark-capacity-without-runs": (
        lambda wb: [set_cell(wb, "Models", 1, "Capacity source", "benchmark")],
        ["model qwen3-4b takes its capacity from benchmarks, but the Benchmarks table has no run of it"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_serving_input_is_named_and_nothing_changes(tmp_path, case):
    edits, messages = CASES[case]
    book, cells = edited(tmp_path, edits)
    before = book.read_bytes()
    result = subprocess.run([sys.executable, "-m", "xlcost", "recalc", str(book)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for message in messages:
        assert message in result.stderr, result.stderr
    assert all(cell in result.stderr for cell in cells[-1:]), result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("  error")]) == len(messages)
    assert book.read_bytes() == before


def test_blank_serving_columns_mean_their_defaults(tmp_path):
    """A row added without the new columns filled: flat profile, static fleet, on-demand, typed capacity."""
    book, _ = edited(tmp_path, lambda wb: [set_cell(wb, "Scenarios", 1, header, None) for header in
                                           ("Load profile", "Provisioning", "Autoscale headroom")]
                     + [set_cell(wb, "Models", 1, "Capacity source", None), set_cell(wb, "GPUOffers", 1, "Term", None)])
    result = subprocess.run([sys.executable, "-m", "xlcost", "check", str(book)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "79.4% saved" in result.stdout
