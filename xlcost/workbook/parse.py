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

from .. import contract, labels
from ..contract import Column, InputTable, Problem, ProblemList
from ..inputs import Inputs, Table, column_values
from . import rules, uncertainty_rules

EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Beyond this a cost model is certainly mistyped, and products of such numbers overflow.
MAX_MAGNITUDE = 1e15
# Non-zero numbers closer to zero than this are mistyped too, and dividing by them overflows
# (a sizing QPS of 5e-324 made the instance count infinite).
MIN_MAGNITUDE = 1e-9
# Input text is shown in result cells, some of it joined with other text into a label ("<model name>:
# cost per 1K requests", "<provider> <instance type>"); this keeps every such cell within Excel's own
# 32,767-character limit, so a long but valid input cannot make writing the results fail.
MAX_TEXT = 10_000


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
        return column.default
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
        raise _Invalid(f"holds {len(text):,} characters; expected text of at most {MAX_TEXT:,} characters "
                       "(it is shown in the result sheets)")
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
    if x != 0 and abs(x) < MIN_MAGNITUDE:
        raise _Invalid(f"holds {value!r}, which is too close to zero to be a usable amount; expected "
                       f"{column.expectation()}, and no smaller than {MIN_MAGNITUDE:g} unless it is 0")
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
            where, hint = _missing_header_hint(raw, [c.header for c in spec.columns])
            problems.error(raw.sheet, where, f"table {spec.name} has no column '{column.header}' (renamed or "
                           f"deleted?{hint}); expected these headers: {expected}",
                           table=spec.name, column=column.header)
            continue
        positions[column.key] = index
    return positions if len(positions) == len(spec.columns) else None


def _missing_header_hint(raw: RawTable, headers: list[str]) -> tuple[str, str]:
    """Where to point for a missing column: the first header that is not one of ours (likely the renamed one)."""
    known = {h.lower() for h in headers}
    for cell in raw.header:
        if not _is_blank(cell) and str(cell.value).strip().lower() not in known:
            return cell.ref, f": {cell.ref} reads {_as_text(cell.value).strip()[:40]!r}"
    return (raw.header[0].ref if raw.header else ""), ""


def _is_blank(cell: RawCell) -> bool:
    return cell.kind == "blank" or (cell.kind == "text" and not str(cell.value).strip())


def _row_number(raw: RawTable, cells: list[RawCell], index: int) -> int:
    """The row's position in the table (1 = first data row), from the cell addresses when possible.

    Readers may leave out rows with no cells at all (a table stretched over a million empty rows),
    so the list index is only a fallback.
    """
    try:
        return int(cells[0].ref.lstrip("$").lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - int(
            raw.header[0].ref.lstrip("$").lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    except (IndexError, ValueError):
        return index


@dataclass
class _Parsed:
    """One table's value rows: every row, valid or not, so cross-table checks can still run."""

    spec: InputTable
    raw: RawTable
    rows: list[tuple] = field(default_factory=list)  # contract column order; None where blank or invalid
    numbers: list[int] = field(default_factory=list)  # each row's position in the table
    refs: list[list[str]] = field(default_factory=list)  # each row's cell addresses, contract column order
    bad: set[int] = field(default_factory=set)  # indices of rows with an invalid cell
    ok: bool = True  # no problem anywhere in the table

    def cell(self, index: int, key: str) -> str:
        return self.refs[index][[c.key for c in self.spec.columns].index(key)]

    def good(self) -> list[tuple[int, tuple]]:
        return [(i, row) for i, row in enumerate(self.rows) if i not in self.bad]

    def ids(self) -> list[Any]:
        return [row[0] for row in self.rows if row[0] is not None]


def parse_table(spec: InputTable, raw: RawTable, problems: ProblemList) -> _Parsed | None:
    """Every value row of the table, typed; None when its headers cannot be matched."""
    positions = _header_map(spec, raw, problems)
    if positions is None:
        return None
    before = len(problems.errors)
    for merged in raw.merged:
        problems.error(raw.sheet, merged.split(":")[0], f"cells {merged} are merged over table {spec.name}; "
                       "expected one value per cell: unmerge them", table=spec.name)
    parsed = _Parsed(spec, raw)
    for index, cells in enumerate(raw.rows, start=1):
        picked = [cells[positions[c.key]] for c in spec.columns]
        if all(_is_blank(c) for c in picked):
            continue  # Excel tables often end with an empty row
        number = _row_number(raw, cells, index)
        values = []
        for column, cell in zip(spec.columns, picked, strict=True):
            try:
                values.append(clean_value(column, cell))
            except _Invalid as err:
                problems.error(raw.sheet, cell.ref, f"{_where(spec, number, column)} {err}", table=spec.name,
                               row=number, column=column.header)
                values.append(None)
                parsed.bad.add(len(parsed.rows))
        parsed.rows.append(tuple(values))
        parsed.numbers.append(number)
        parsed.refs.append([c.ref for c in picked])
    _check_table_shape(parsed, problems)
    parsed.ok = len(problems.errors) == before
    return parsed


def _check_below(raw: RawTable, name: str, problems: ProblemList) -> None:
    first = next((c for c in raw.below if not _is_blank(c)), None)
    if first is not None:
        problems.error(raw.sheet, first.ref, f"there are values just below table {name}, outside it; expected "
                       "nothing there: extend the table to include them (drag its resize handle) or clear them",
                       table=name)


def _check_table_shape(parsed: _Parsed, problems: ProblemList) -> None:
    spec, raw = parsed.spec, parsed.raw
    _check_below(raw, spec.name, problems)
    if len(parsed.rows) < spec.min_rows:
        where = raw.header[0].ref if raw.header else ""
        count = "no rows" if not parsed.rows else labels.count(len(parsed.rows), "row")
        expected = labels.count(spec.min_rows, "row")
        problems.error(raw.sheet, where, f"table {spec.name} has {count}; expected at least {expected} of "
                       f"{', '.join(c.header for c in spec.columns[:3])}, ...", table=spec.name)
    keys = spec.keys
    if not keys:
        return
    at = [[c.key for c in spec.columns].index(k) for k in keys]
    first_seen: dict[Any, int] = {}
    for index, row in enumerate(parsed.rows):
        key = tuple(row[i] for i in at)
        if any(k is None for k in key):
            continue
        if key in first_seen:
            what = (f"repeats the id {key[0]!r}" if len(key) == 1 else
                    "repeats " + ", ".join(f"{spec.column(k).header} {v!r}" for k, v in zip(keys, key, strict=True)))
            where = _where(spec, parsed.numbers[index], spec.columns[at[0]])
            problems.error(raw.sheet, parsed.refs[index][at[0]], f"{where} {what} of row {first_seen[key]}; expected "
                           + ("ids unique in the table" if len(key) == 1 else "each combination once"),
                           table=spec.name, row=parsed.numbers[index])
            parsed.bad.add(index)
        else:
            first_seen[key] = parsed.numbers[index]


def parse_parameters(raw: RawTable, problems: ProblemList) -> tuple[dict[str, Any], dict[str, str]]:
    headers = {str(c.value).strip().lower(): i for i, c in enumerate(raw.header) if c.kind == "text"}
    missing = [h for h in ("Name", "Value") if h.lower() not in headers]
    if missing:
        where, hint = _missing_header_hint(raw, ["Group", *contract.PARAMETER_HEADERS])
        problems.error(raw.sheet, where, f"table {contract.PARAMETERS_TABLE} has no column "
                       f"{', '.join(repr(m) for m in missing)} (renamed or deleted?{hint}); expected headers "
                       f"{', '.join(contract.PARAMETER_HEADERS)}")
        return {}, {}
    name_at, value_at = headers["name"], headers["value"]
    cells = _parameter_cells(raw, name_at, value_at, problems)
    _check_below(raw, contract.PARAMETERS_TABLE, problems)
    add_here = raw.below[name_at].ref if len(raw.below) > name_at else ""
    values: dict[str, Any] = {}
    refs: dict[str, str] = {}
    for param in contract.PARAMETERS:
        cell = cells.get(param.key)
        if cell is None:
            problems.error(raw.sheet, add_here, f"parameter {param.key!r} is missing from table "
                           f"{contract.PARAMETERS_TABLE}; expected a row with Name {param.key!r} "
                           f"(default {param.default!r}: {param.description})")
            continue
        refs[param.key] = f"{raw.sheet}!{cell.ref}"
        try:
            values[param.key] = clean_value(param.as_column(), cell)
        except _Invalid as err:
            problems.error(raw.sheet, cell.ref, f"parameter {param.key} {err}", column="Value")
    return values, refs


def _parameter_cells(raw: RawTable, name_at: int, value_at: int, problems: ProblemList) -> dict[str, RawCell]:
    """Parameter name -> its Value cell; duplicates and unknown names are reported."""
    cells: dict[str, RawCell] = {}
    for row in raw.rows:
        name_cell = row[name_at]
        if _is_blank(name_cell):
            continue
        name = _as_text(name_cell.value).strip()
        if name in cells:
            problems.error(raw.sheet, name_cell.ref, f"parameter {name!r} appears twice; expected each parameter "
                           "once: keep one row")
        elif name not in contract.PARAMS:
            problems.warning(raw.sheet, name_cell.ref, f"unknown parameter {name!r} is ignored "
                             "(a typo? the known names are listed on the Methodology sheet)")
        cells[name] = row[value_at]
    return cells


def _check_references(parsed: dict[str, _Parsed], problems: ProblemList) -> None:
    """Ids that must name a row of another table; runs on every parsed row, valid or not."""
    for table in parsed.values():
        spec = table.spec
        for ci, column in enumerate(spec.columns):
            if column.kind != "ref" or column.ref not in parsed:
                continue
            known = list(dict.fromkeys(parsed[column.ref].ids()))
            target = contract.TABLES[column.ref].name
            for index, row in enumerate(table.rows):
                if row[ci] is not None and row[ci] not in known:
                    number = table.numbers[index]
                    problems.error(table.raw.sheet, table.refs[index][ci], f"{_where(spec, number, column)} names "
                                   f"{row[ci]!r}, which is not an id in table {target}; expected one of "
                                   f"{', '.join(map(str, known))}", table=spec.name, row=number, column=column.header)


def _check_parameter_references(parsed: dict[str, _Parsed], params: dict[str, Any], refs: dict[str, str],
                                problems: ProblemList) -> None:
    """Parameters that must name a scenario or an SLA tier."""
    scenarios = parsed["scenarios"].ids() if "scenarios" in parsed else []
    if scenarios and "primary_scenario" in params and params["primary_scenario"] not in scenarios:
        sheet, _, cell = refs.get("primary_scenario", "!").partition("!")
        problems.error(sheet, cell, f"parameter primary_scenario names {params['primary_scenario']!r}, which is "
                       f"not a scenario id; expected one of {', '.join(scenarios)}")
    targets = parsed["sla_tiers"].ids() if "sla_tiers" in parsed else []
    if targets and "sla_target" in params and not any(abs(params["sla_target"] - t) <= 1e-9 for t in targets):
        sheet, _, cell = refs.get("sla_target", "!").partition("!")
        problems.error(sheet, cell, f"parameter sla_target is {_percent(params['sla_target'])}, which is not an SLA "
                       f"tier; expected one of {', '.join(map(_percent, targets))} (or add that tier)")


def _percent(x: float) -> str:
    return f"{x * 100:.6g}%"


def _check_rows_logic(parsed: dict[str, _Parsed], problems: ProblemList) -> None:
    """Rules across the cells of a row or the rows of a table; only rows whose cells are all valid."""
    options = parsed.get("sla_options")
    if options is not None and not options.bad:
        ids = [r[0] for r in options.rows]
        for option in ("pure", "hetero"):
            if ids.count(option) != 1:
                where = options.raw.header[0].ref if options.raw.header else ""
                problems.error(options.raw.sheet, where, f"table {contract.SLA_OPTIONS.name} has "
                               f"{labels.count(ids.count(option), 'row')} for option {option!r}; expected exactly one",
                               table=contract.SLA_OPTIONS.name)
    market = parsed.get("market_scenarios")
    for index, row in market.good() if market is not None else ():
        target, multiplier, new_value = row[2], row[3], row[4]
        if target != "none" and (multiplier is None) == (new_value is None):
            problems.error(market.raw.sheet, market.cell(index, "multiplier"), f"table {contract.MARKET_SCENARIOS.name}"
                           f", row {market.numbers[index]} ({row[0]}): gives "
                           f"{'both' if multiplier is not None else 'neither'} a Multiplier and a New value; expected "
                           "either a Multiplier or a New value (exactly one)", table=contract.MARKET_SCENARIOS.name,
                           row=market.numbers[index])
    tiers = parsed.get("load_tiers")
    for index, row in tiers.good() if tiers is not None else ():
        if row[3] is not None and row[3] <= row[2]:
            problems.error(tiers.raw.sheet, tiers.cell(index, "max_qps"), f"table {contract.LOAD_TIERS.name}, row "
                           f"{tiers.numbers[index]} ({row[0]}): Max QPS {row[3]:g} is not above Min QPS {row[2]:g}; "
                           "expected Max QPS above Min QPS (or blank for no upper limit)",
                           table=contract.LOAD_TIERS.name, row=tiers.numbers[index])


def _missing_table(spec: InputTable, sheets: set[str], problems: ProblemList) -> None:
    if spec.sheet.lower() not in sheets:
        problems.error(spec.sheet, "", f"sheet {spec.sheet!r} is missing (deleted or renamed?); expected a sheet "
                       f"holding table {spec.name}: rename it back, or copy it from a fresh `xlcost new` workbook "
                       "(for a workbook made by an earlier xlcost, `xlcost upgrade BOOK` carries its inputs into a new "
                       "one)")
    else:
        problems.error(spec.sheet, "", f"table {spec.name} is missing from sheet {spec.sheet!r} (deleted, "
                       "or renamed in Table Design?); expected an Excel table with headers "
                       f"{', '.join(c.header for c in spec.columns)}")


def parse_inputs(raw: dict[str, RawTable], sheet_names: list[str]) -> tuple[Inputs | None, list[Problem]]:
    """Typed inputs, or None with the list of every problem found. ``raw`` is keyed by lower-case table name."""
    problems = ProblemList()
    sheets = {s.lower() for s in sheet_names}
    parsed: dict[str, _Parsed] = {}
    for spec in contract.INPUT_TABLES:
        table = raw.get(spec.name.lower())
        if table is None:
            _missing_table(spec, sheets, problems)
            continue
        result = parse_table(spec, table, problems)
        if result is not None:
            parsed[spec.key] = result
    params_raw = raw.get(contract.PARAMETERS_TABLE.lower())
    params: dict[str, Any] = {}
    refs: dict[str, str] = {}
    if params_raw is None:
        problems.error(contract.PARAMETERS_SHEET, "", f"table {contract.PARAMETERS_TABLE} is missing; expected "
                       f"an Excel table with headers {', '.join(contract.PARAMETER_HEADERS)}")
    else:
        params, refs = parse_parameters(params_raw, problems)
    _check_references(parsed, problems)
    _check_parameter_references(parsed, params, refs, problems)
    _check_rows_logic(parsed, problems)
    rules.check_serving(parsed, params, refs, problems)
    uncertainty_rules.check_uncertainty(parsed, params, problems)
    if problems.errors or len(parsed) != len(contract.INPUT_TABLES):
        return None, problems.items
    typed = {spec.key: Table(spec.key, {c.key: column_values(c, [r[i] for r in parsed[spec.key].rows])
                                        for i, c in enumerate(spec.columns)})
             for spec in contract.INPUT_TABLES}
    for key, table in parsed.items():  # where each row and cell lives, so model checks can point at it
        if table.spec.columns[0].kind in ("id", "choice"):
            for index, row in enumerate(table.rows):
                cells = table.refs[index]
                refs[f"{key}.{row[0]}"] = f"{table.raw.sheet}!{cells[0]}"
                for column, cell in zip(table.spec.columns, cells, strict=True):
                    refs[f"{key}.{row[0]}.{column.key}"] = f"{table.raw.sheet}!{cell}"
    inputs = Inputs(tables=typed, params=params, source="workbook", cell_refs=refs)
    rules.check_measured_capacity(inputs, parsed, problems)
    if problems.errors:
        return None, problems.items
    return inputs, problems.items
