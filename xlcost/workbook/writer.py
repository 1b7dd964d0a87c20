"""Surgical writer: replace the cells of the result sheets (and edit input tables) and nothing else, then
save atomically.

Why surgical: an openpyxl load+save rebuilds the package and silently drops shapes, controls,
cached values and more. Here every zip member is copied unchanged
except the target sheets' worksheet parts, plus two narrow, verified edits: ``fullCalcOnLoad`` in
the workbook's ``<calcPr>`` (so Excel recalculates the user's formulas that read our results) and
the ranges of charts that sit on a result sheet (so a chart follows its block's new length).

Edits are made on the raw bytes of those parts, never by re-serializing a parsed tree, so every
byte we do not mean to change stays as the user's Excel wrote it.

The byte-level helpers live in ``xmlbytes``, chart ranges in ``chart_ranges``, input-table edits in
``table_edit`` and the atomic, locked save in ``safe_save``; this module renders the parts and verifies
the whole package before it is saved.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .chart_ranges import adjust_chart_formula, chart_skeleton, charts_of_sheet, edit_chart
from .package import Package, WorkbookFileError, cell_ref, serial_to_datetime
from .safe_save import WorkbookBusyError, save_atomically
from .xmlbytes import ATTR, MAX_TEXT, Tag, apply_edits, classify, clean_text, is_utf8, walk, xml_text

if TYPE_CHECKING:
    from .table_edit import TableEdit, TablePlan

# Re-exported: callers import the writer's whole interface from here.
__all__ = ["OutCell", "SheetOutput", "WorkbookBusyError", "adjust_chart_formula", "clean_text", "edit_chart",
           "render_package", "set_full_calc_on_load", "verify_rendered", "write_results", "MAX_TEXT"]

MAX_ROW = 1_048_576
MAX_COL = 16_384


@dataclass(frozen=True)
class OutCell:
    value: float | int | str | bool | dt.date | None  # a date/datetime is written as an Excel serial
    style: str  # name of a named cell style (cellStyles in styles.xml), e.g. "xlcost usd"


@dataclass
class SheetOutput:
    cells: dict[tuple[int, int], OutCell]  # (row, col) 1-based -> cell; the sheet's whole new content
    blocks: list[tuple[int, int]] = field(default_factory=list)  # (first_data_row, last_data_row)


# --------------------------------------------------------------------------------------------
# Cell values -> XML
# --------------------------------------------------------------------------------------------

def _cell_xml(p: str, ref: str, cell: OutCell, style: int, date1904: bool) -> str:
    s = f' s="{style}"' if style else ""
    kind, value = classify(cell.value, ref, date1904)
    if kind == "":
        return f'<{p}c r="{ref}"{s}/>' if cell.style else ""
    if kind == "b":
        return f'<{p}c r="{ref}"{s} t="b"><{p}v>{int(bool(value))}</{p}v></{p}c>'
    if kind == "n":
        text = str(value) if isinstance(value, int) else repr(value)
        return f'<{p}c r="{ref}"{s}><{p}v>{text}</{p}v></{p}c>'
    # Every string is an inline string, never a formula: "=1+1" stays the text "=1+1"
    return (f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
            f"{xml_text(str(value))}</{p}t></{p}is></{p}c>")


def _check_positions(sheet: str, output: SheetOutput) -> None:
    for key in output.cells:
        row, col = key
        valid = isinstance(row, int) and isinstance(col, int)
        if not (valid and 1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
            raise ValueError(f"{sheet}: cell position {key!r} is outside the worksheet")
    for first, last in output.blocks:
        if not (1 <= first <= MAX_ROW and 1 <= last <= MAX_ROW):
            raise ValueError(f"{sheet}: block rows {(first, last)!r} are outside the worksheet")


# --------------------------------------------------------------------------------------------
# Worksheet part: replace the children of <sheetData> and the <dimension ref>, nothing else
# --------------------------------------------------------------------------------------------


@dataclass
class _SheetLayout:
    dimension: Tag | None
    data_start: Tag
    data_end: Tag | None  # None when <sheetData/> is empty
    row_attrs: dict[int, str]  # row -> the user's row formatting (height, hidden, outline...)


_ROW_TAG = re.compile(rb"<(?:[\w.\-]+:)?row\b([^>]*)>")


def _sheet_layout(xml: bytes, where: str) -> _SheetLayout:
    """Find <dimension> and the <sheetData> span without tokenizing every cell.

    Tags are walked only up to <sheetData>; its end is the last </sheetData> in the part (cell text
    cannot contain '<'), and the rows' own attributes are picked out with one regex pass.
    """
    dimension = data_start = None
    for depth, tag in walk(xml):
        if depth == 1 and tag.local == b"dimension" and not tag.closing:
            dimension = tag
        elif depth == 1 and tag.local == b"sheetData" and not tag.closing:
            data_start = tag
            break
    if data_start is None:
        raise WorkbookFileError(f"{where} is damaged (its sheet has no cell data section)")
    if data_start.empty:
        return _SheetLayout(dimension, data_start, None, {})
    closing = b"</" + data_start.prefix + b"sheetData>"
    end = xml.rfind(closing)
    if end < data_start.end:
        raise WorkbookFileError(f"{where} is damaged (its cell data section never ends)")
    data_end = Tag(end, end + len(closing), True, False, data_start.prefix, b"sheetData", b"")
    rows: dict[int, str] = {}
    last_row = 0
    for m in _ROW_TAG.finditer(xml, data_start.end, end):
        last_row, attrs = _row_attrs(m.group(1).rstrip(b"/"), last_row)
        if attrs:
            rows[last_row] = attrs
    return _SheetLayout(dimension, data_start, data_end, rows)


def _row_attrs(attrs: bytes, last_row: int) -> tuple[int, str]:
    """(row number, the row's attributes other than r/spans) from a <row ...> tag."""
    row, kept = last_row + 1, []
    for m in ATTR.finditer(attrs):
        name = m.group(1)
        if name == b"r":
            value = m.group(2)[1:-1]
            row = int(value) if value.isdigit() else row
        elif name != b"spans":
            kept.append(m.group(0).decode("utf-8"))
    return row, "".join(" " + a for a in kept)


def _rows_xml(p: str, output: SheetOutput, styles: dict[str, int], row_attrs: dict[int, str],
              date1904: bool) -> tuple[str, tuple[int, int, int, int] | None]:
    """The new <sheetData> children and the used range (min_row, min_col, max_row, max_col)."""
    by_row: dict[int, list[tuple[int, OutCell]]] = {}
    for (row, col), cell in output.cells.items():
        by_row.setdefault(row, []).append((col, cell))
    parts: list[str] = []
    used: list[tuple[int, int]] = []
    for row in sorted(set(by_row) | set(row_attrs)):
        cells = []
        for col, cell in sorted(by_row.get(row, []), key=lambda item: item[0]):
            xml = _cell_xml(p, cell_ref(row, col), cell, styles.get(cell.style, 0), date1904)
            if xml:
                cells.append(xml)
                used.append((row, col))
        attrs = row_attrs.get(row, "")
        if cells:
            parts.append(f'<{p}row r="{row}"{attrs}>{"".join(cells)}</{p}row>')
        elif attrs:
            parts.append(f'<{p}row r="{row}"{attrs}/>')
    if not used:
        return "".join(parts), None
    rows, cols = [r for r, _ in used], [c for _, c in used]
    return "".join(parts), (min(rows), min(cols), max(rows), max(cols))


def _dimension_edit(tag: Tag, used: tuple[int, int, int, int] | None) -> tuple[int, int, bytes]:
    if used is None:
        ref = "A1"
    else:
        first, last = cell_ref(used[0], used[1]), cell_ref(used[2], used[3])
        ref = first if first == last else f"{first}:{last}"
    p = tag.prefix.decode()
    return tag.start, tag.end, f'<{p}dimension ref="{ref}"/>'.encode()


def render_sheet(xml: bytes, output: SheetOutput, styles: dict[str, int], date1904: bool,
                 where: str) -> bytes:
    """A worksheet part with new cells; everything outside <sheetData> and <dimension> is kept."""
    if not is_utf8(xml):
        raise WorkbookFileError(f"{where} is stored in an unusual text encoding: "
                                "open and save the workbook in Excel, then try again")
    layout = _sheet_layout(xml, where)
    p = layout.data_start.prefix.decode()
    body, used = _rows_xml(p, output, styles, layout.row_attrs, date1904)
    edits = []
    if layout.data_end is not None:
        edits.append((layout.data_start.end, layout.data_end.start, body.encode("utf-8")))
    elif body:
        start = layout.data_start
        edits.append((start.start, start.end, f"<{p}sheetData>{body}</{p}sheetData>".encode()))
    if layout.dimension is not None:
        edits.append(_dimension_edit(layout.dimension, used))
    return apply_edits(xml, edits)


def _sheet_skeleton(xml: bytes) -> bytes:
    """The part minus what render_sheet may change (for verification)."""
    layout = _sheet_layout(xml, "sheet")
    end = layout.data_end.end if layout.data_end is not None else layout.data_start.end
    edits = [(layout.data_start.start, end, b"<sheetData/>")]  # <sheetData/> may have become a pair
    if layout.dimension is not None:
        edits.append((layout.dimension.start, layout.dimension.end, b""))
    return apply_edits(xml, edits)


# --------------------------------------------------------------------------------------------
# workbook.xml: fullCalcOnLoad="1" in <calcPr>, nothing else
# --------------------------------------------------------------------------------------------

# CT_Workbook children that must come after calcPr (schema order)
_AFTER_CALCPR = {b"oleSize", b"customWorkbookViews", b"pivotCaches", b"smartTagPr", b"smartTagTypes",
                 b"webPublishing", b"fileRecoveryPr", b"webPublishObjects", b"extLst"}
_FULL_CALC = re.compile(rb"""(\sfullCalcOnLoad\s*=\s*)("[^"]*"|'[^']*')""")


def _calcpr_span(xml: bytes) -> tuple[tuple[int, int] | None, int, bytes]:
    """(span of <calcPr>, where to insert one if absent, the root element's prefix)."""
    span = insert_at = None
    prefix, opened = b"", None
    for depth, tag in walk(xml):
        if depth == 0:
            prefix = tag.prefix
            if tag.closing:
                return span, insert_at if insert_at is not None else tag.start, prefix
        elif depth == 1 and tag.local == b"calcPr":
            if tag.closing and opened is not None:
                span = (opened, tag.end)
            elif not tag.closing:
                opened, span = tag.start, (tag.start, tag.end)
        elif depth == 1 and not tag.closing and tag.local in _AFTER_CALCPR and insert_at is None:
            insert_at = tag.start
    raise WorkbookFileError("the workbook part is damaged (no closing </workbook>)")


def set_full_calc_on_load(xml: bytes) -> bytes:
    """Make Excel recalculate on open, so the user's formulas that read our results update."""
    if not is_utf8(xml):
        return xml  # optional nicety; never risk re-encoding the workbook part
    span, insert_at, prefix = _calcpr_span(xml)
    if span is None:
        return apply_edits(xml, [(insert_at, insert_at, b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>')])
    start, end = span
    element = xml[start:end]
    m = _FULL_CALC.search(element)
    if m:
        if m.group(2)[1:-1].strip() in (b"1", b"true"):
            return xml
        element = element[:m.start(2)] + b'"1"' + element[m.end(2):]
    else:
        name_end = len(b"<" + prefix + b"calcPr")
        element = element[:name_end] + b' fullCalcOnLoad="1"' + element[name_end:]
    return xml[:start] + element + xml[end:]


def _without_calcpr(xml: bytes) -> bytes:
    span, _, _ = _calcpr_span(xml)
    return xml if span is None else xml[:span[0]] + xml[span[1]:]

# --------------------------------------------------------------------------------------------
# render_package
# --------------------------------------------------------------------------------------------


def _target_parts(pkg: Package, outputs: dict[str, SheetOutput]) -> dict[str, str]:
    """Sheet name -> worksheet part, refusing unknown sheets, chart sheets and user formulas."""
    parts: dict[str, str] = {}
    for sheet, output in outputs.items():
        part = pkg.sheet_part(sheet)  # WorkbookFileError naming a missing sheet
        if pkg.sheet_kind(sheet) != "worksheet":
            raise WorkbookFileError(f"{pkg.name}: {sheet!r} is a {pkg.sheet_kind(sheet)}, not a worksheet; "
                                    "xlcost can only write results into a worksheet")
        if part in parts.values():
            raise ValueError(f"sheet {sheet!r} is given twice (sheet names are case-insensitive)")
        _check_positions(sheet, output)
        _refuse_formulas(pkg, sheet)
        parts[sheet] = part
    return parts


_FORMULA_TAG = re.compile(rb"<(?:[\w.\-]+:)?f[\s>/]")


def _refuse_formulas(pkg: Package, sheet: str) -> None:
    if not _FORMULA_TAG.search(pkg.part(pkg.sheet_part(sheet))):
        return  # no formula anywhere in the part: no need to parse its cells
    # =TRUE() / =FALSE() (LibreOffice's booleans) come from the reader as values, so they never stop a recalc.
    for cell in sorted(pkg.cells(sheet).values(), key=lambda c: (c.row, c.col)):
        if cell.formula is not None:
            shown = f" (={cell.formula})" if cell.formula else ""
            raise WorkbookFileError(
                f"{pkg.name}: sheet {sheet!r} cell {cell.ref} holds a formula{shown}, but xlcost rewrites "
                f"that whole results sheet and would destroy it: move the formula to one of your own sheets "
                "and try again")


def _block_map(outputs: dict[str, SheetOutput]) -> dict[str, list[tuple[int, int]]]:
    return {sheet.casefold(): list(out.blocks) for sheet, out in outputs.items()}


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh ZipInfo with the member's name, time, compression and attributes.

    Fresh, because ZipFile.writestr mutates the ZipInfo it is given (offsets, sizes), and the
    package still reads its own members through the originals.
    """
    try:
        new = zipfile.ZipInfo(info.filename, info.date_time)
    except ValueError:
        new = zipfile.ZipInfo(info.filename)
    new.compress_type = info.compress_type
    new.external_attr = info.external_attr
    new.create_system = info.create_system
    new.comment = info.comment
    return new


# Parts up to this size are compared byte for byte when verifying; larger untouched parts (a user's
# million-row data sheet) are streamed through and compared by CRC-32 and size, so memory stays flat.
COMPARE_BYTES_LIMIT = 4 * 1024 * 1024
_COPY_CHUNK = 1024 * 1024


def _assemble(pkg: Package, replaced: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in pkg.zip_infos:
            data = replaced.get(info.filename)
            if data is not None:
                out.writestr(_copy_info(info), data)
                continue
            new = _copy_info(info)
            new.file_size = info.file_size  # lets zipfile choose ZIP64 up front for huge parts
            with pkg.member(info.filename) as src, out.open(new, "w") as dst:
                shutil.copyfileobj(src, dst, _COPY_CHUNK)
    return buf.getvalue()


def _style_indices(pkg: Package, outputs: dict[str, SheetOutput]) -> dict[str, int]:
    """Style name -> cellXfs index for every name used; unknown names get 0 (Excel's Normal)."""
    named = pkg.named_styles()
    folded = {k.casefold(): v for k, v in named.items()}  # Excel style names are case-insensitive
    used = {cell.style for out in outputs.values() for cell in out.cells.values()}
    return {name: named.get(name, folded.get(name.casefold(), 0)) for name in used}


def _changed_parts(pkg: Package, outputs: dict[str, SheetOutput],
                   plans: Sequence[TablePlan] = ()) -> dict[str, bytes]:
    targets = _target_parts(pkg, outputs)
    styles = _style_indices(pkg, outputs)
    replaced: dict[str, bytes] = {}
    for sheet, part in targets.items():
        where = f"{pkg.name}: sheet {sheet!r}"
        replaced[part] = render_sheet(pkg.part(part), outputs[sheet], styles, pkg.date1904, where)
    replaced.update(_render_table_edits(pkg, plans, set(targets.values())))
    if outputs:  # results changed: the user's formulas that read them must recalculate on open
        workbook = pkg.part(pkg.workbook_part)
        new_workbook = set_full_calc_on_load(workbook)
        if new_workbook != workbook:
            replaced[pkg.workbook_part] = new_workbook
    blocks = _block_map(outputs)
    for chart in dict.fromkeys(c for part in targets.values() for c in charts_of_sheet(pkg, part)):
        old = pkg.part(chart)
        new = edit_chart(old, blocks)
        if new != old:
            replaced[chart] = new
    return replaced


def render_package(pkg: Package, outputs: dict[str, SheetOutput],
                   edits: Mapping[str, TableEdit] | None = None) -> bytes:
    """The new package bytes, with only those sheets' data replaced and those input tables edited
    (pure; no file I/O)."""
    return _assemble(pkg, _changed_parts(pkg, outputs, plan_table_edits(pkg, edits)))


# --------------------------------------------------------------------------------------------
# Input tables: cells set and rows appended (the byte edits live in table_edit.py)
# --------------------------------------------------------------------------------------------


def plan_table_edits(pkg: Package, edits: Mapping[str, TableEdit] | None) -> list[TablePlan]:
    """Where each table's edit lands; WorkbookFileError when it cannot land safely."""
    from .table_edit import plan_edit

    plans = [plan_edit(pkg, name, edit) for name, edit in (edits or {}).items()]
    parts = [plan.sheet_part for plan in plans]
    if len(set(parts)) != len(parts):
        raise ValueError("two edited input tables share a worksheet: edit them in separate writes")
    return plans


def _render_table_edits(pkg: Package, plans: Sequence[TablePlan], result_parts: set[str]) -> dict[str, bytes]:
    from .table_edit import render_cells, render_table_ref

    replaced: dict[str, bytes] = {}
    for plan in plans:
        if plan.sheet_part in result_parts:
            raise ValueError(f"sheet {plan.table.sheet!r} is both a result sheet and an edited input sheet")
        where = f"{pkg.name}: sheet {plan.table.sheet!r}"
        replaced[plan.sheet_part] = render_cells(pkg.part(plan.sheet_part), plan, pkg.date1904, where)
        if plan.new_ref is not None:
            replaced[plan.table.part] = render_table_ref(pkg.part(plan.table.part), plan.table.ref, plan.new_ref,
                                                         f"{pkg.name}: table {plan.table.name}")
    return replaced


def _verify_table_edits(pkg: Package, new: Package, plans: Sequence[TablePlan]) -> None:
    """Each edited sheet differs from the old one in exactly the planned cells, and reads them back."""
    from .table_edit import verify_sheet, verify_table

    for plan in plans:
        problem = verify_sheet(pkg.part(plan.sheet_part), new.part(plan.sheet_part), plan, plan.sheet_part)
        if problem is None and plan.new_ref is not None:
            problem = verify_table(pkg.part(plan.table.part), new.part(plan.table.part), plan)
        if problem is not None:
            raise _internal(pkg, problem)
        got = new.cells(plan.table.sheet)
        for (row, col), value in plan.cells.items():
            kind, expected = classify(value, cell_ref(row, col), pkg.date1904)
            read = got.get((row, col))
            if read is None or not _same(kind, expected, read.kind, read.value, pkg.date1904):
                raise _internal(pkg, f"{plan.table.sheet}!{cell_ref(row, col)} did not read back as written")


# --------------------------------------------------------------------------------------------
# Verification of a rendered package
# --------------------------------------------------------------------------------------------


def _internal(pkg: Package, what: str) -> WorkbookFileError:
    return WorkbookFileError(f"{pkg.name} was not changed: xlcost's safety check failed ({what}); "
                             "please report this")


def verify_rendered(pkg: Package, data: bytes, outputs: dict[str, SheetOutput], *,
                    rendered: dict[str, bytes] | None = None, plans: Sequence[TablePlan] = ()) -> None:
    """Check new package bytes against the original; raise WorkbookFileError on any surprise.

    With ``rendered`` (the parts this process rendered), each result sheet must hold exactly those
    bytes and parse as XML; without it, every written cell is read back and compared, which is
    thorough but costs a full parse of every result sheet.
    """
    try:
        if zipfile.ZipFile(io.BytesIO(data)).testzip() is not None:
            raise _internal(pkg, "a zip member is corrupt")
    except zipfile.BadZipFile:
        raise _internal(pkg, "not a valid zip") from None
    new = Package.from_bytes(data, pkg.path)
    if new.part_names != pkg.part_names:
        raise _internal(pkg, "the list of parts changed")
    targets = {pkg.sheet_part(s): s for s in outputs}
    charts = {c for part in targets for c in charts_of_sheet(pkg, part)}
    edited = {plan.sheet_part for plan in plans} | {plan.table.part for plan in plans if plan.new_ref}
    old_infos = {i.filename: i for i in pkg.zip_infos}
    new_infos = {i.filename: i for i in new.zip_infos}
    for name in pkg.part_names:
        before, after = old_infos[name], new_infos[name]
        if name in edited:
            continue  # checked cell by cell below
        if name not in targets and name not in charts and name != pkg.workbook_part \
                and before.file_size > COMPARE_BYTES_LIMIT:
            # testzip above checked the data against its CRC; equal CRC and size mean the same part.
            if (before.CRC, before.file_size) != (after.CRC, after.file_size):
                raise _internal(pkg, f"{name} changed")
            continue
        old, now = pkg.part(name), new.part(name)
        if name in targets:
            if _sheet_skeleton(old) != _sheet_skeleton(now):
                raise _internal(pkg, f"{name} changed outside its cell data")
        elif old != now and not _allowed_change(pkg, name, old, now, charts):
            raise _internal(pkg, f"{name} changed")
    for sheet, output in outputs.items():
        if rendered is None:
            _verify_cells(pkg, new, sheet, output)
            continue
        part = pkg.sheet_part(sheet)
        if new.part(part) != rendered[part]:
            raise _internal(pkg, f"{sheet} does not hold the cells that were rendered")
        new.xml(part)  # well-formed, through the same safe parser as every read
    _verify_table_edits(pkg, new, plans)


def _allowed_change(pkg: Package, name: str, old: bytes, now: bytes, charts: set[str]) -> bool:
    if name == pkg.workbook_part:
        span, _, _ = _calcpr_span(now)
        full_calc = span is not None and b'fullCalcOnLoad="1"' in now[span[0]:span[1]]
        return full_calc and _without_calcpr(old) == _without_calcpr(now)
    return name in charts and chart_skeleton(old) == chart_skeleton(now)


def _verify_cells(pkg: Package, new: Package, sheet: str, output: SheetOutput) -> None:
    got = new.cells(sheet)
    expected = 0
    for (row, col), cell in output.cells.items():
        kind, value = classify(cell.value, cell_ref(row, col), pkg.date1904)
        if kind == "" and not cell.style:
            continue
        expected += 1
        read = got.get((row, col))
        if read is None or not _same(kind, value, read.kind, read.value, pkg.date1904):
            raise _internal(pkg, f"{sheet}!{cell_ref(row, col)} did not read back as written")
    if expected != len(got):
        raise _internal(pkg, f"{sheet} has {len(got)} cells, expected {expected}")


def _same(kind: str, value: object, read_kind: str, read_value: object, date1904: bool) -> bool:
    if kind == "":
        return read_kind == "blank"
    if kind == "b":
        return read_kind == "bool" and read_value is value
    if kind == "s":
        return read_kind == "text" and read_value == value
    if read_kind == "date":
        return read_value == serial_to_datetime(float(value), date1904)  # type: ignore[arg-type]
    return read_kind == "number" and read_value == float(value)  # type: ignore[arg-type]

def write_results(pkg: Package, outputs: dict[str, SheetOutput], *, wait_seconds: float = 10.0,
                  edits: Mapping[str, TableEdit] | None = None) -> None:
    """Atomically replace pkg.path with render_package(...): result sheets rewritten and/or input tables
    edited (``edits``: table name -> TableEdit), with the same checks and guarantees either way."""
    plans = plan_table_edits(pkg, edits)
    replaced = _changed_parts(pkg, outputs, plans)
    data = _assemble(pkg, replaced)
    save_atomically(pkg, data, lambda written: verify_rendered(pkg, written, outputs, rendered=replaced, plans=plans),
                    wait_seconds=wait_seconds)
