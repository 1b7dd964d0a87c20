"""The shipped workbook is exactly what `xlcost new` generates from the contract (compared by content)."""

from pathlib import Path

import openpyxl
import pytest

from xlcost import api, contract

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"


def content(path: Path) -> dict:
    """Everything a user sees or relies on, sheet by sheet: values, styles, tables, validation, charts."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": wb.sheetnames, "names": sorted(wb.defined_names)}
    for ws in wb.worksheets:
        cells = {(c.coordinate, repr(c.value), c.style, c.number_format) for row in ws.iter_rows() for c in row
                 if c.value is not None or c.style != "Normal"}
        out[ws.title] = {
            "cells": cells,
            "tables": sorted((t.displayName, t.ref) for t in ws.tables.values()),
            "validation": sorted((str(dv.sqref), dv.type, dv.formula1, dv.formula2)
                                 for dv in ws.data_validations.dataValidation),
            "charts": len(ws._charts),
            "widths": {k: v.width for k, v in ws.column_dimensions.items()},
        }
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return api.new(tmp_path_factory.mktemp("new") / "llm_cost_model.xlsx")


def test_shipped_workbook_matches_the_generator(generated):
    assert content(generated) == content(SHIPPED), "run: xlcost new workbooks/llm_cost_model.xlsx --force"


def test_every_contract_table_and_parameter_is_in_the_workbook(generated):
    wb = openpyxl.load_workbook(generated)
    tables = {name: ws for ws in wb.worksheets for name in ws.tables}
    for spec in contract.INPUT_TABLES:
        ws = tables[spec.name]
        assert ws.title == spec.sheet
        ref = ws.tables[spec.name].ref
        header = [c.value for c in ws[ref][0]]
        assert header == [c.header for c in spec.columns]
        assert len(ws[ref]) - 1 == max(len(spec.rows), 1)
    params = wb[contract.PARAMETERS_SHEET]
    names = [params.cell(row=r, column=2).value for r in range(5, 5 + len(contract.PARAMETERS))]
    assert names == [p.key for p in contract.PARAMETERS]
    for sheet in contract.result_sheets():
        assert sheet in wb.sheetnames
    assert wb.calculation.fullCalcOnLoad


def test_inputs_are_styled_and_validated(generated):
    wb = openpyxl.load_workbook(generated)
    models = wb["Models"]
    assert models["I5"].style == contract.INPUT_STYLE  # QPS per instance
    validated = {str(dv.sqref): dv for dv in models.data_validations.dataValidation}
    assert validated["I5:I504"].type == "decimal" and validated["I5:I504"].operator == "greaterThan"
    workflows = {str(dv.sqref): dv for dv in wb["Workflows"].data_validations.dataValidation}
    assert workflows["E5:E504"].type == "list" and "Models" in workflows["E5:E504"].formula1
    assert workflows["G5:G504"].formula2 == "1"  # escalation rate is a share


def test_new_refuses_other_extensions(tmp_path):
    from xlcost.workbook.package import WorkbookFileError

    with pytest.raises(WorkbookFileError, match=r"\.xlsx or \.xlsm"):
        api.new(tmp_path / "model.xls")


def test_new_macro_workbook_gets_its_python_module(tmp_path):
    book = api.new(tmp_path / "board_model.xlsm")
    shim = book.with_suffix(".py")
    assert shim.read_text() == (ROOT / "workbooks" / "llm_cost_model.py").read_text() == api.EXCEL_SHIM
    assert not api.new(tmp_path / "Board Model.xlsm").with_suffix(".py").exists()  # not importable: no shim
