"""Raw table cells -> typed ``Inputs``, with every problem found at once.

This is the one place that decides what a valid input cell is. It knows nothing about files: the
workbook reader (``read.py``) and the Excel adapter (``xlcost.excel``) both hand it ``RawTable``s.
Every message names the sheet and cell, says what is wrong and what is expected.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from .. import contract
from ..contract import Column, InputTable, Problem, ProblemList
from ..inputs import Inputs, Table, column_values

EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Beyond this a cost model is certainly mistyped, and products of such numbers overflow.
MAX_MAGNITUDE = 1e15
MAX_TEXT = 32767  # Excel's own cell limit


@dataclass(frozen=True)
class RawCell:
    ref: str
    value: Any = None
    kind: str = "blank"  # number | text | bool | error | date | blank | nocache


@dataclass(frozen=True)
class RawTable:
    name: str
    sheet: str
    header: list[RawCell]
    rows: list[list[RawCell]]
    below: list[RawCell] = field(default_factory=list)  # the row under the table
    merged: list[str] = field(default_factory=list)  # merged ranges over its data area


class _Invalid(Exception):
    """A cell value that does not fit its column; the message completes 'Sheet!B7 (...): '."""


def _describe(cell: RawCell) -> str:
    if cell.kind == "text":
        text = str(cell.value)
        shown = text if len(text) <= 40 else text[:37] + "..."
        return f"the text {shown!r}"
    if cell.kind == "date":
        return f"a date ({cell.value:%Y-%m-%d})" if isinstance(cell.value, dt.datetime) else "a date"
    if cell.kind == "bool":
        return "TRUE" if cell.value else "FALSE"
    if cell.kind == "error":
        return f"the Excel error {cell.value}"
    return f"{cell.value!r}"


def _number_like(text: str) -> bool:
    return re.fullmatch(r"\s*[-+$]?\s*[\d,]*\.?\d+\s*%?\s*", text) is not None


def clean_value(column: Column, cell: RawCell) -> Any:
    """The cell's value in the column's type, None for an optional blank; raises _Invalid."""
    if cell.kind == "nocache":
        raise _Invalid("holds a formula whose result was never saved; open and save the workbook in "
                       f"Excel (or type the value) — expected {column.expectation()}")
    if cell.kind == "error":
        raise _Invalid(f"shows the Excel error {cell.value}; expected {column.expectation()}")
    value = cell.value
    if cell.kind == "blank" or (isinstance(value, str) and not value.strip()):
        if column.required:
            raise _Invalid(f"is blank; expected {column.expectation()}")
        return None
    kind = column.kind
    if kind in ("number", "integer", "fraction"):
        return _clean_number(column, cell)
    if kind == "bool":
        if cell.kind == "bool":
            return bool(value)
        if cell.kind == "text" and value.strip().upper() in ("TRUE", "FALSE"):
            return value.strip().upper() == "TRUE"
        raise _Invalid(f"holds {_describe(cell)}; expected TRUE or FALSE")
    if cell.kind in ("date", "bool"):
        raise _Invalid(f"holds {_describe(cell)}; expected {column.expectation()}")
    text = _as_text(value)
    if len(text) > MAX_TEXT:
        raise _Invalid(f"holds {len(text):,} characters; at most {MAX_TEXT:,} fit in an Excel cell")
    if kind == "id":
        text = text.strip()
        if not ID_PATTERN.match(text):
            raise _Invalid(f"holds {_describe(RawCell(cell.ref, text, 'text'))}; expected {column.expectation()}")
        return text
    if kind == "choice":
        for choice in column.choices:
            if text.strip().lower() == choice.lower():
                return choice
        raise _Invalid(f"holds {_describe(RawCell(cell.ref, text, 'text'))}; expected {column.expectation()}")
    if kind == "ref":
        return text.strip()
    return text


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clean_number(column: Column, cell: RawCell) -> float:
    value = cell.value
    if cell.kind == "text":
        hint = " (a number stored as text: re-type it as a number)" if _number_like(value) else ""
        raise _Invalid(f"holds {_describe(cell)}{hint}; expected {column.expectation()}")
    if cell.kind != "number" or isinstance(value, bool):
        raise _Invalid(f"holds {_describe(cell)}; expected {column.expectation()}")
    x = float(value)
    if not math.isfinite(x) or abs(x) > MAX_MAGNITUDE:
        raise _Invalid(f"holds {value!r}, which is not a usable amount; expected {column.expectation()}")
    if column.kind == "integer" and abs(x - round(x)) > 1e-9:
        raise _Invalid(f"holds {x:g}; expected {column.expectation()}")
    lo = column.min if column.min is not None else (0.0 if column.kind == "fraction" else None)
    hi = column.max if column.max is not None else (1.0 if column.kind == "fraction" else None)
    too_low = lo is not None and (x <= lo if column.min_exclusive else x < lo)
    if too_low or (hi is not None and x > hi):
        hint = ""
        if column.kind == "fraction" and 1 < x <= 100:
            hint = f" (for {x:g}% enter {x / 100:g} or {x:g}%)"
        raise _Invalid(f"holds {x:g}{hint}; expected {column.expectation()}")
    return round(x) if column.kind == "integer" else x


def _where(table: InputTable, row: int | None, column: Column) -> str:
    place = f"table {table.name}"
    if row is not None:
        place += f", row {row}"
    return f"{place}, column '{column.header}'"


def _header_map(spec: InputTable, raw: RawTable, problems: ProblemList) -> dict[str, int] | None:
    found = {str(c.value).strip().lower(): i for i, c in enumerate(raw.header) if c.kind == "text"}
    expected = ", ".join(c.header for c in spec.columns)
    if not any(c.header.lower() in found for c in spec.columns):
        where = raw.header[0].ref if raw.header else ""
        problems.error(raw.sheet, where, f"table {spec.name}'s header row matches none of its expected "
                       f"columns; expected these headers: {expected}", table=spec.name)
        return None
    positions: dict[str, int] = {}
    for column in spec.columns:
        index = found.get(column.header.lower())
        if index is None:
            where = raw.header[0].ref if raw.header else ""
            problems.error(raw.sheet, where, f"table {spec.name} has no column '{column.header}' (renamed or "
                           f"deleted?); expected these headers: {expected}",
                           table=spec.name, column=column.header)
            continue
        positions[column.key] = index
    return positions if len(positions) == len(spec.columns) else None


def parse_table(spec: InputTable, raw: RawTable, problems: ProblemList) -> list[tuple] | None:
    """The table's valid rows in contract column order, or None if anything is wrong."""
    positions = _header_map(spec, raw, problems)
    if positions is None:
        return None
    before = len(problems.errors)
    for merged in raw.merged:
        problems.error(raw.sheet, merged.split(":")[0], f"cells {merged} are merged over table {spec.name}; "
                       "unmerge them so every input has its own cell", table=spec.name)
    rows: list[tuple] = []
    for number, cells in enumerate(raw.rows, start=1):
        picked = [cells[positions[c.key]] for c in spec.columns]
        if all(c.kind == "blank" or (c.kind == "text" and not str(c.value).strip()) for c in picked):
            continue  # Excel tables often end with an empty row
        values = []
        for column, cell in zip(spec.columns, picked, strict=False):
            try:
                values.append(clean_value(column, cell))
            except _Invalid as err:
                problems.error(raw.sheet, cell.ref, f"{_where(spec, number, column)} {err}", table=spec.name,
                               row=number, column=column.header)
                values.append(None)
        rows.append(tuple(values))
    if any(c.kind != "blank" for c in raw.below):
        first = next(c for c in raw.below if c.kind != "blank")
        problems.error(raw.sheet, first.ref, f"there are values just below table {spec.name}, outside it; "
                       "extend the table to include them (drag its resize handle) or clear them",
                       table=spec.name)
    if len(rows) < spec.min_rows:
        where = raw.header[0].ref if raw.header else ""
        problems.error(raw.sheet, where, f"table {spec.name} has {len(rows)} row(s); it needs at least "
                       f"{spec.min_rows}", table=spec.name)
    ids = [row[0] for row in rows] if spec.columns[0].kind in ("id", "choice") else []
    for number, row_id in enumerate(ids, start=1):
        if row_id is not None and ids.index(row_id) != number - 1:
            cell = _cell_of(raw, positions, spec, number, spec.columns[0].key)
            problems.error(raw.sheet, cell, f"{_where(spec, number, spec.columns[0])} repeats the id "
                           f"{row_id!r}; ids must be unique", table=spec.name, row=number)
    return rows if len(problems.errors) == before else None


def _cell_of(raw: RawTable, positions: dict[str, int], spec: InputTable, number: int, key: str) -> str:
    """Address of a value row (1-based among non-blank rows) and column."""
    seen = 0
    for cells in raw.rows:
        picked = [cells[positions[c.key]] for c in spec.columns]
        if all(c.kind == "blank" for c in picked):
            continue
        seen += 1
        if seen == number:
            return cells[positions[key]].ref
    return ""


def parse_parameters(raw: RawTable, problems: ProblemList) -> tuple[dict[str, Any], dict[str, str]]:
    headers = {str(c.value).strip().lower(): i for i, c in enumerate(raw.header) if c.kind == "text"}
    missing = [h for h in ("Name", "Value") if h.lower() not in headers]
    if missing:
        problems.error(raw.sheet, raw.header[0].ref if raw.header else "", f"table {contract.PARAMETERS_TABLE} "
                       f"has no column {', '.join(repr(m) for m in missing)}; expected headers "
                       f"{', '.join(contract.PARAMETER_HEADERS)}")
        return {}, {}
    name_at, value_at = headers["name"], headers["value"]
    cells: dict[str, RawCell] = {}
    for row in raw.rows:
        name_cell = row[name_at]
        if name_cell.kind == "blank":
            continue
        name = _as_text(name_cell.value).strip()
        if name in cells:
            problems.error(raw.sheet, name_cell.ref, f"parameter {name!r} appears twice; keep one row")
        elif name not in contract.PARAMS:
            problems.warning(raw.sheet, name_cell.ref, f"unknown parameter {name!r} is ignored "
                             "(a typo? the known names are listed on the Methodology sheet)")
        cells[name] = row[value_at]
    values: dict[str, Any] = {}
    refs: dict[str, str] = {}
    for param in contract.PARAMETERS:
        cell = cells.get(param.key)
        if cell is None:
            problems.error(raw.sheet, "", f"parameter {param.key!r} is missing from table "
                           f"{contract.PARAMETERS_TABLE}; add a row with Name {param.key!r} "
                           f"(default {param.default!r}: {param.description})")
            continue
        refs[param.key] = f"{raw.sheet}!{cell.ref}"
        try:
            values[param.key] = clean_value(param.as_column(), cell)
        except _Invalid as err:
            problems.error(raw.sheet, cell.ref, f"parameter {param.key} {err}", column="Value")
    return values, refs


def _check_references(tables: dict[str, list[tuple]], params: dict[str, Any], raw: dict[str, RawTable],
                      refs: dict[str, str], problems: ProblemList) -> None:
    for spec in contract.INPUT_TABLES:
        rows = tables.get(spec.key)
        if rows is None:
            continue
        for ci, column in enumerate(spec.columns):
            if column.kind != "ref" or column.ref not in tables:
                continue
            known = [r[0] for r in tables[column.ref]]
            for number, row in enumerate(rows, start=1):
                if row[ci] is not None and row[ci] not in known:
                    rt = raw[spec.name.lower()]
                    header_positions = {str(c.value).strip().lower(): i for i, c in enumerate(rt.header)}
                    positions = {c.key: header_positions[c.header.lower()] for c in spec.columns}
                    cell = _cell_of(rt, positions, spec, number, column.key)
                    problems.error(rt.sheet, cell, f"{_where(spec, number, column)} names {row[ci]!r}, which is "
                                   f"not an id in table {contract.TABLES[column.ref].name}; expected one of "
                                   f"{', '.join(known)}", table=spec.name, row=number, column=column.header)
    scenarios = [r[0] for r in tables.get("scenarios", [])]
    if "primary_scenario" in params and "scenarios" in tables and params["primary_scenario"] not in scenarios:
        sheet, _, cell = refs.get("primary_scenario", "!").partition("!")
        problems.error(sheet, cell, f"parameter primary_scenario names {params['primary_scenario']!r}, which is "
                       f"not a scenario id; expected one of {', '.join(scenarios)}")
    if "sla_target" in params and "sla_tiers" in tables:
        targets = [r[0] for r in tables["sla_tiers"]]
        if not any(abs(params["sla_target"] - t) <= 1e-9 for t in targets):
            sheet, _, cell = refs.get("sla_target", "!").partition("!")
            problems.error(sheet, cell, f"parameter sla_target is {params['sla_target']:.4%}, which is not an SLA "
                           f"tier; expected one of {', '.join(f'{t:.1%}' for t in targets)} (or add that tier)")
    _check_rows_logic(tables, raw, problems)


def _check_rows_logic(tables: dict[str, list[tuple]], raw: dict[str, RawTable], problems: ProblemList) -> None:
    def where(key: str) -> tuple[str, str]:
        t = raw[contract.TABLES[key].name.lower()]
        return t.sheet, (t.header[0].ref if t.header else "")

    offers = tables.get("gpu_offers")
    if offers is not None and not any(r[6] for r in offers):
        sheet, cell = where("gpu_offers")
        problems.error(sheet, cell, "no GPU offer has Include = TRUE; include at least one, or set "
                       "gpu_hour_price_override")
    options = tables.get("sla_options")
    if options is not None:
        ids = [r[0] for r in options]
        for option in ("pure", "hetero"):
            if ids.count(option) != 1:
                sheet, cell = where("sla_options")
                problems.error(sheet, cell, f"table {contract.SLA_OPTIONS.name} needs exactly one row for option "
                               f"{option!r} (found {ids.count(option)})")
    market = tables.get("market_scenarios")
    if market is not None:
        for number, row in enumerate(market, start=1):
            target, multiplier, new_value = row[2], row[3], row[4]
            if target != "none" and (multiplier is None) == (new_value is None):
                sheet, cell = where("market_scenarios")
                problems.error(sheet, cell, f"table {contract.MARKET_SCENARIOS.name}, row {number} ({row[0]}): give "
                               "either a Multiplier or a New value (exactly one)", table=contract.MARKET_SCENARIOS.name,
                               row=number)
    tiers = tables.get("load_tiers")
    if tiers is not None:
        for number, row in enumerate(tiers, start=1):
            if row[3] is not None and row[3] <= row[2]:
                sheet, cell = where("load_tiers")
                problems.error(sheet, cell, f"table {contract.LOAD_TIERS.name}, row {number} ({row[0]}): Max QPS "
                               f"{row[3]:g} must be above Min QPS {row[2]:g}", table=contract.LOAD_TIERS.name,
                               row=number)


def parse_inputs(raw: dict[str, RawTable], sheet_names: list[str]) -> tuple[Inputs | None, list[Problem]]:
    """Typed inputs, or None with the list of every problem found. ``raw`` is keyed by lower-case table name."""
    problems = ProblemList()
    sheets = {s.lower() for s in sheet_names}
    tables: dict[str, list[tuple]] = {}
    ok = True
    for spec in contract.INPUT_TABLES:
        table = raw.get(spec.name.lower())
        if table is None:
            ok = False
            if spec.sheet.lower() not in sheets:
                problems.error(spec.sheet, "", f"sheet {spec.sheet!r} is missing (deleted or renamed?); it holds "
                               f"table {spec.name}. Rename it back, or copy it from a fresh `xlcost new` workbook")
            else:
                problems.error(spec.sheet, "", f"table {spec.name} is missing from sheet {spec.sheet!r} (deleted, "
                               "or renamed in Table Design?); expected an Excel table with headers "
                               f"{', '.join(c.header for c in spec.columns)}")
            continue
        rows = parse_table(spec, table, problems)
        if rows is None:
            ok = False
        else:
            tables[spec.key] = rows
    params_raw = raw.get(contract.PARAMETERS_TABLE.lower())
    params: dict[str, Any] = {}
    refs: dict[str, str] = {}
    if params_raw is None:
        ok = False
        problems.error(contract.PARAMETERS_SHEET, "", f"table {contract.PARAMETERS_TABLE} is missing; expected "
                       f"an Excel table with headers {', '.join(contract.PARAMETER_HEADERS)}")
    else:
        params, refs = parse_parameters(params_raw, problems)
    _check_references(tables, params, raw, refs, problems)
    if problems.errors or not ok:
        return None, problems.items
    typed = {spec.key: Table(spec.key, {c.key: column_values(c, [r[i] for r in tables[spec.key]])
                                        for i, c in enumerate(spec.columns)})
             for spec in contract.INPUT_TABLES}
    return Inputs(tables=typed, params=params, source="workbook", cell_refs=refs), problems.items
