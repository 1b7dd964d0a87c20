"""Carry a workbook made by an earlier xlcost into a fresh workbook of this version.

An older workbook lacks the sheets, columns and parameters added since, so every command refuses it.
``upgrade`` writes a new workbook (``xlcost new``) and copies the old one's inputs into it through the one
surgical writer: every input table the old workbook has replaces the shipped rows, cell for cell, by column
header; a column the old table lacks takes the shipped value on the shipped rows (the API prices of the
shipped models, say) and stays blank, its documented default, on the user's own rows; a table or
parameter the old workbook lacks keeps the shipped default. Values are copied, not formulas. The old
workbook is only read. What could not be carried (the user's own sheets and columns, formulas, unknown
parameters) is listed, so nothing is lost silently.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import contract
from .contract import InputTable
from .labels import count
from .workbook.package import CellValue, Package, WorkbookFileError, parse_ref
from .workbook.parse import RawCell, RawTable
from .workbook.read import raw_table
from .workbook.table_edit import TableEdit
from .workbook.writer import write_results

CARRIED_KINDS = ("number", "text", "bool", "date")


@dataclass
class UpgradeReport:
    source: Path
    target: Path
    carried: list[str] = field(default_factory=list)  # "GPU Offers, GPU offers: 3 rows"
    added: list[str] = field(default_factory=list)  # what takes this version's shipped defaults
    left_behind: list[str] = field(default_factory=list)  # what was not carried, and where it is


def _header_positions(raw: RawTable) -> dict[str, int]:
    return {str(c.value).strip().casefold(): i for i, c in enumerate(raw.header)
            if c.kind == "text" and str(c.value).strip()}


def _sheet_row(cells: list[RawCell]) -> int:
    return parse_ref(cells[0].ref)[0]


class _Carrier:
    """Reads cell values out of the old workbook, noting every cell whose value could not come along."""

    def __init__(self, old: Package, report: UpgradeReport) -> None:
        self.old, self.report = old, report

    def value(self, sheet: str, cell: RawCell) -> CellValue:
        found = self.old.cells(sheet).get(parse_ref(cell.ref))
        if found is not None and found.formula is not None:
            what = "its value" if cell.kind in CARRIED_KINDS else "nothing (no value was saved with it)"
            self.report.left_behind.append(f"{sheet}!{cell.ref} held a formula; {what} was carried")
        if cell.kind in CARRIED_KINDS:
            return cell.value
        if cell.kind == "error":
            self.report.left_behind.append(f"{sheet}!{cell.ref} held the error {cell.value}; left blank")
        return None


def _table_edit(spec: InputTable, old_raw: RawTable, new_raw: RawTable, carrier: _Carrier,
                report: UpgradeReport) -> TableEdit:
    at = _header_positions(old_raw)
    headers, keys = [c.header for c in spec.columns], [c.key for c in spec.columns]
    known = [c for c in spec.columns if c.header.casefold() in at]
    missing = [c for c in spec.columns if c.header.casefold() not in at]
    ours = {h.casefold() for h in headers}
    theirs = [str(c.value).strip() for c in old_raw.header if c.kind == "text" and str(c.value).strip()]
    for header in (h for h in theirs if h.casefold() not in ours):
        report.left_behind.append(f"column {header!r} of table {spec.name} (sheet {old_raw.sheet!r})")

    def row_key(values: list[Any]) -> tuple[str, ...]:  # the row's id, or composite key (profile, hour)
        picked = (values[keys.index(k)] for k in spec.keys)
        return tuple(str(int(v) if isinstance(v, float) and v.is_integer() else v).casefold() for v in picked)

    shipped = {row_key(list(row)): row for row in spec.rows} if spec.keys else {}
    rows: list[dict[str, Any]] = []
    for cells in old_raw.rows:
        if all(c.kind == "blank" for c in cells):
            continue
        row = {c.header: carrier.value(old_raw.sheet, cells[at[c.header.casefold()]]) for c in known}
        default = shipped.get(row_key([row.get(h) for h in headers]))
        for c in missing:
            row[c.header] = default[keys.index(c.key)] if default is not None else None
        rows.append(row)
    report.carried.append(f"{spec.sheet}, {spec.title}: {count(len(rows), 'row')}")
    if missing:
        report.added.append(f"{spec.sheet}, {spec.title}: columns {', '.join(repr(c.header) for c in missing)} "
                            "(shipped values on the shipped rows, blank, the documented default, on your own)")
    # Rows this version ships switched off (the dated GPU offers) change no result until ticked: add them.
    if "include" in keys:
        have = {row_key([r.get(h) for h in headers]) for r in rows}
        off = [dict(zip(headers, r, strict=True)) for key, r in shipped.items()
               if key not in have and not r[keys.index("include")]]
        rows += off
        if off:
            report.added.append(f"{spec.sheet}, {spec.title}: {count(len(off), 'row')} with Include = FALSE "
                                f"({', '.join(str(r[headers[0]]) for r in off)})")
    fresh = [_sheet_row(cells) for cells in new_raw.rows]
    blank = dict.fromkeys(headers)
    update = {sheet_row: (rows[i] if i < len(rows) else blank) for i, sheet_row in enumerate(fresh)}
    return TableEdit(append=tuple(rows[len(fresh):]), update=update)


def _parameters_edit(old_raw: RawTable, new_raw: RawTable, carrier: _Carrier, report: UpgradeReport) -> TableEdit:
    at, new_at = _header_positions(old_raw), _header_positions(new_raw)
    if "name" not in at or "value" not in at:
        report.added.append(f"every parameter (table {contract.PARAMETERS_TABLE} has no Name and Value columns)")
        return TableEdit()
    known = {p.key for p in contract.PARAMETERS}
    old_values: dict[str, CellValue] = {}
    for cells in old_raw.rows:
        name = cells[at["name"]].value
        if not isinstance(name, str) or not name.strip():
            continue
        if name.strip() not in known:
            report.left_behind.append(f"parameter {name.strip()!r} ({old_raw.sheet}!{cells[at['name']].ref}): "
                                      "not a parameter of this version")
            continue
        old_values[name.strip()] = carrier.value(old_raw.sheet, cells[at["value"]])
    update = {}
    for cells in new_raw.rows:
        name = cells[new_at["name"]].value
        if name in old_values:
            update[_sheet_row(cells)] = {"Value": old_values[name]}
    new_names = [p.key for p in contract.PARAMETERS if p.key not in old_values]
    if new_names:
        report.added.append(f"{count(len(new_names), 'parameter')} at the shipped default: {', '.join(new_names)}")
    report.carried.append(f"{contract.PARAMETERS_SHEET}: {count(len(old_values), 'parameter')}")
    return TableEdit(update=update)


def upgrade(source: str | os.PathLike[str], target: str | os.PathLike[str], *, force: bool = False) -> UpgradeReport:
    """Write ``target``, a fresh workbook holding the inputs of ``source`` (only read), and say what moved.

    The caller recalculates ``target`` afterwards (its results are the shipped defaults' until then).
    """
    source, target = Path(source), Path(target)
    if source.resolve() == target.resolve():
        raise WorkbookFileError(f"{target.name}: write the upgraded workbook to a new file; {source.name} stays "
                                "as it is")
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookFileError(f"{target.name}: the new workbook's name must end in .xlsx or .xlsm")
    if target.exists() and not force:
        raise WorkbookFileError(f"{target.name} exists; choose another name, or pass --force to replace it")
    old = Package.open(source)
    if not any(old.table(spec.name) for spec in contract.INPUT_TABLES):
        raise WorkbookFileError(f"{source.name} holds none of xlcost's input tables; expected a workbook made by "
                                "`xlcost new` (any version)")
    report = UpgradeReport(source, target)
    # Built in a folder of its own beside the target, under the target's name (so an .xlsm gets its .py),
    # and moved into place only when complete: a failure leaves no half-upgraded workbook behind.
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.stem}.", dir=target.parent))
    except OSError as err:
        raise WorkbookFileError(f"{target.name}: cannot write in {target.parent} ({err.strerror})") from err
    try:
        _build(old, work / target.name, report)
        os.replace(work / target.name, target)
        shim = (work / target.name).with_suffix(".py")
        if shim.exists() and not target.with_suffix(".py").exists():
            os.replace(shim, target.with_suffix(".py"))
    except OSError as err:
        raise WorkbookFileError(f"{target.name}: cannot be written ({err.strerror}); {source.name} is "
                                "unchanged") from err
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _build(old: Package, path: Path, report: UpgradeReport) -> None:
    from .api import new  # the template generator loads only here

    new(path)
    fresh = Package.open(path)
    carrier = _Carrier(old, report)
    edits: dict[str, TableEdit] = {}
    for spec in contract.INPUT_TABLES:
        ref = old.table(spec.name)
        if ref is None:
            report.added.append(f"{spec.sheet}, {spec.title}: a new table "
                                f"({count(len(spec.rows), 'shipped row') if spec.rows else 'empty'})")
            continue
        new_raw = raw_table(fresh, fresh.tables()[spec.name])
        edits[spec.name] = _table_edit(spec, raw_table(old, ref), new_raw, carrier, report)
    params = old.table(contract.PARAMETERS_TABLE)
    new_params = raw_table(fresh, fresh.tables()[contract.PARAMETERS_TABLE])
    if params is None:
        report.added.append(f"every parameter (the old workbook has no table {contract.PARAMETERS_TABLE})")
    else:
        edits[contract.PARAMETERS_TABLE] = _parameters_edit(raw_table(old, params), new_params, carrier, report)
    ours = {s.casefold() for s in fresh.sheet_names}
    for sheet in old.sheet_names:
        if sheet.casefold() not in ours:
            report.left_behind.append(f"sheet {sheet!r}: copy it by hand (Move or Copy Sheet)")
    # The writer edits one table per worksheet at a time (Uncertainty and Correlations share one).
    pending = {name: e for name, e in edits.items() if e.append or e.update}
    while pending:
        sheets: set[str] = set()
        batch = {}
        for name in list(pending):
            sheet = fresh.tables()[name].sheet
            if sheet not in sheets:
                sheets.add(sheet)
                batch[name] = pending.pop(name)
        write_results(Package.open(path), {}, edits=batch)
