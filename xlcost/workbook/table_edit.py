"""The writer's input-table edits: set cells of an input table and append rows to it, byte-surgically.

Used by ``writer.write_results`` (the one save path: lock files, exclusive lock, changed-on-disk check,
verification, atomic replace). Here are only the edits and their proofs:

- in the table's worksheet part, exactly the edited cells change (each ``<c>`` is replaced or inserted in
  place; an existing cell keeps its style, a new cell takes the style of the nearest data cell above it
  in its column), new ``<row>``s are inserted in order, and ``<dimension>`` grows; every other byte stays;
- in the table part, only the ``ref`` of ``<table>`` and of its ``<autoFilter>`` grow.

Numbers are written as numbers, text as inline strings (never formulas), blank as a styled empty cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .package import CellValue, Package, TableRef, WorkbookFileError, cell_ref, col_letters, parse_range
from .writer import _sheet_layout, _sheet_skeleton
from .xmlbytes import ATTR, Tag, apply_edits, classify, is_utf8, tags, xml_text

MAX_ROW = 1_048_576


@dataclass(frozen=True)
class TableEdit:
    """What to write into one input table (found by its Excel name). Keys are the table's column headers
    (case-insensitive), so the user's column order and own note columns are respected.

    ``append``: new rows, written after the last row holding a value (a trailing empty row is reused;
    beyond the table, the table grows). ``update``: existing data rows by sheet row number.
    """

    append: tuple[Mapping[str, CellValue | int], ...] = ()
    update: Mapping[int, Mapping[str, CellValue | int]] = field(default_factory=dict)


@dataclass(frozen=True)
class TablePlan:
    """Where a TableEdit lands: absolute cells, and the table's new range (or None if it does not grow)."""

    table: TableRef
    sheet_part: str
    cells: dict[tuple[int, int], CellValue | int]
    new_ref: str | None
    first_data_row: int


# --------------------------------------------------------------------------------------------
# Planning: table geometry, conflicts with what is already on the sheet
# --------------------------------------------------------------------------------------------


def _refuse(pkg: Package, table: TableRef, what: str) -> WorkbookFileError:
    return WorkbookFileError(f"{pkg.name}: sheet {table.sheet!r}, table {table.name}: {what}; nothing was changed")


def plan_edit(pkg: Package, name: str, edit: TableEdit) -> TablePlan:
    table = pkg.table(name)
    if table is None:
        raise WorkbookFileError(f"{pkg.name} has no table named {name!r} (deleted or renamed in Table Design?)")
    if pkg.sheet_kind(table.sheet) != "worksheet":
        raise _refuse(pkg, table, "it is not on a worksheet")
    columns = {header.strip().casefold(): table.min_col + i for i, header in enumerate(table.columns)}
    first_data = table.min_row + max(table.header_row_count, 0)
    cells = pkg.cells(table.sheet)

    def column(header: str) -> int:
        col = columns.get(header.strip().casefold())
        if col is None:
            raise _refuse(pkg, table, f"it has no column {header!r} (renamed or deleted?)")
        return col

    out: dict[tuple[int, int], CellValue | int] = {}
    for row, values in edit.update.items():
        if not first_data <= row <= table.max_row:
            raise ValueError(f"row {row} is not a data row of table {table.name}")
        for header, value in values.items():
            out[(row, column(header))] = value
    new_ref = None
    if edit.append:
        span = range(table.min_col, table.max_col + 1)
        used = [r for (r, c), cell in cells.items() if first_data <= r <= table.max_row and c in span
                and (cell.kind != "blank" or cell.formula is not None)]
        start = max(used, default=first_data - 1) + 1
        last = start + len(edit.append) - 1
        if last > table.max_row:
            if table.totals_row_count:
                raise _refuse(pkg, table, "it has a Total Row, which would end up inside the data: turn it off "
                                          "(Table Design > Total Row), import, then turn it back on")
            if last > MAX_ROW:
                raise _refuse(pkg, table, "the rows would run past the end of the worksheet")
            _refuse_collisions(pkg, table, table.max_row + 1, last)
            new_ref = f"{cell_ref(table.min_row, table.min_col)}:{cell_ref(last, table.max_col)}"
        for offset, values in enumerate(edit.append):
            for col in span:  # every column, so a new row looks like the others (the user's note columns too)
                out[(start + offset, col)] = None
            for header, value in values.items():
                out[(start + offset, column(header))] = value
    for (row, col) in out:
        cell = cells.get((row, col))
        if cell is not None and cell.formula is not None:
            raise _refuse(pkg, table, f"cell {cell.ref} holds a formula, which xlcost would overwrite: "
                                      "type the value instead, or clear the cell")
    return TablePlan(table, pkg.sheet_part(table.sheet), out, new_ref, first_data)


def _refuse_collisions(pkg: Package, table: TableRef, first: int, last: int) -> None:
    """The rows the table grows into must be free: no values, no other table, no merged cells."""
    for (row, col), cell in sorted(pkg.cells(table.sheet).items()):
        if first <= row <= last and table.min_col <= col <= table.max_col and (
                cell.kind != "blank" or cell.formula is not None):
            raise _refuse(pkg, table, f"cell {cell.ref} just below the table holds a value the new rows would "
                                      "overwrite: move it, or extend the table over it")
    for other in pkg.tables().values():
        if other.sheet == table.sheet and other.name != table.name and other.min_row <= last \
                and other.max_row >= first and other.min_col <= table.max_col and other.max_col >= table.min_col:
            raise _refuse(pkg, table, f"table {other.name} sits just below it ({other.ref}) where the new rows "
                                      "would go: move one of the two tables")
    for r0, c0, r1, c1 in pkg.merged_ranges(table.sheet):
        if r0 <= last and r1 >= first and c0 <= table.max_col and c1 >= table.min_col:
            raise _refuse(pkg, table, f"merged cells {cell_ref(r0, c0)}:{cell_ref(r1, c1)} sit where the new "
                                      "rows would go: unmerge them")


# --------------------------------------------------------------------------------------------
# The worksheet part: rows and cells of <sheetData>, located without re-serializing anything
# --------------------------------------------------------------------------------------------


@dataclass
class _Cell:
    col: int
    start: int
    end: int
    style: bytes | None  # the raw s="..." attribute


@dataclass
class _Row:
    number: int
    open: Tag
    end: int = -1
    close_start: int = -1  # where </row> starts; -1 for <row/>
    cells: list[_Cell] = field(default_factory=list)


def _attr(tag: Tag, name: bytes) -> bytes | None:
    for m in ATTR.finditer(tag.attrs):
        if m.group(1) == name:
            return m.group(2)[1:-1]
    return None


def _rows(segment: bytes, base: int, where: str) -> list[_Row]:
    """The <row>s in a <sheetData> body (positions offset by base), each with its cells."""
    rows: list[_Row] = []
    depth, number = 0, 0
    cell: _Cell | None = None
    for tag in tags(segment):
        start, end = tag.start + base, tag.end + base
        if tag.closing:
            depth -= 1
            if depth == 0 and tag.local == b"row" and rows:
                rows[-1].close_start, rows[-1].end = start, end
            elif depth == 1 and tag.local == b"c" and cell is not None:
                cell.end = end
            continue
        if depth == 0 and tag.local == b"row":
            r = _attr(tag, b"r")
            number = int(r) if r and r.isdigit() else number + 1
            rows.append(_Row(number, Tag(start, end, *tag[2:]), end=end if tag.empty else -1))
        elif depth == 1 and tag.local == b"c" and rows:
            ref = _attr(tag, b"r")
            try:
                col = parse_range(ref.decode("ascii"))[1] if ref else 0
            except (ValueError, UnicodeDecodeError):
                col = 0
            cell = _Cell(col, start, end, _attr(tag, b"s"))
            rows[-1].cells.append(cell)
        if not tag.empty:
            depth += 1
    for row in rows:
        if row.end < 0:
            raise WorkbookFileError(f"{where} is damaged (row {row.number} never ends)")
    return rows


def _cell_xml(p: str, ref: str, value: object, style: bytes | None, date1904: bool) -> bytes:
    s = f' s="{style.decode()}"' if style else ""
    kind, v = classify(value, ref, date1904)
    if kind == "":
        return f'<{p}c r="{ref}"{s}/>'.encode()
    if kind == "b":
        return f'<{p}c r="{ref}"{s} t="b"><{p}v>{int(bool(v))}</{p}v></{p}c>'.encode()
    if kind == "n":
        text = str(v) if isinstance(v, int) else repr(v)
        return f'<{p}c r="{ref}"{s}><{p}v>{text}</{p}v></{p}c>'.encode()
    return (f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">{xml_text(str(v))}'
            f"</{p}t></{p}is></{p}c>").encode()


def _inherited_style(rows: list[_Row], row: int, col: int, first_data_row: int) -> bytes | None:
    """The style of the nearest data cell above (row, col): new rows look like the rows before them."""
    for candidate in reversed(rows):
        if first_data_row <= candidate.number < row:
            for cell in candidate.cells:
                if cell.col == col:
                    return cell.style
    return None


def render_cells(xml: bytes, plan: TablePlan, date1904: bool, where: str) -> bytes:
    """The worksheet part with the plan's cells written; every other byte kept."""
    if not is_utf8(xml):
        raise WorkbookFileError(f"{where} is stored in an unusual text encoding: open and save the workbook "
                                "in Excel, then try again")
    layout = _sheet_layout(xml, where)
    p = layout.data_start.prefix.decode()
    if layout.data_end is None:  # <sheetData/>: open it up
        rows: list[_Row] = []
        head = (layout.data_start.start, layout.data_start.end, f"<{p}sheetData>".encode())
        tail_at, tail = layout.data_start.end, f"</{p}sheetData>".encode()
    else:
        rows = _rows(xml[layout.data_start.end:layout.data_end.start], layout.data_start.end, where)
        head, tail_at, tail = None, layout.data_end.start, b""
    by_number = {row.number: row for row in rows}
    edits: list[tuple[int, int, bytes]] = [head] if head else []
    inserts: dict[int, list[bytes]] = {}
    targets: dict[int, dict[int, object]] = {}
    for (r, c), value in plan.cells.items():
        targets.setdefault(r, {})[c] = value
    for number in sorted(targets):
        row = by_number.get(number)
        values = targets[number]
        if row is None:
            cells = b"".join(_cell_xml(p, cell_ref(number, c), values[c],
                                       _inherited_style(rows, number, c, plan.first_data_row), date1904)
                             for c in sorted(values))
            at = next((r.open.start for r in rows if r.number > number), tail_at)
            inserts.setdefault(at, []).append(f'<{p}row r="{number}">'.encode() + cells + f"</{p}row>".encode())
            continue
        if any(cell.col == 0 for cell in row.cells):
            raise WorkbookFileError(f"{where}: row {number} has cells without an address (written by an unusual "
                                    "program): open and save the workbook in Excel, then try again")
        existing = {cell.col: cell for cell in row.cells}
        row_inserts: dict[int, list[bytes]] = {}
        for c in sorted(values):
            old = existing.get(c)
            if old is not None:
                edits.append((old.start, old.end, _cell_xml(p, cell_ref(number, c), values[c], old.style, date1904)))
                continue
            style = _inherited_style(rows, number, c, plan.first_data_row)
            at = next((cell.start for cell in row.cells if cell.col > c), row.close_start)
            row_inserts.setdefault(at, []).append(_cell_xml(p, cell_ref(number, c), values[c], style, date1904))
        tag = _open_tag(xml, row, min(values), max(values))
        if row_inserts and row.close_start < 0:  # <row .../> becomes <row ...>cells</row>
            opened = tag[:-1].rstrip().rstrip(b"/") + b">"
            edits.append((row.open.start, row.open.end,
                          opened + b"".join(row_inserts.pop(-1)) + f"</{p}row>".encode()))
        elif tag != xml[row.open.start:row.open.end]:
            edits.append((row.open.start, row.open.end, tag))
        for at, parts in row_inserts.items():
            inserts.setdefault(at, []).extend(parts)
    edits.extend((at, at, b"".join(parts)) for at, parts in inserts.items())
    if tail:
        edits.append((tail_at, tail_at, tail))
    if layout.dimension is not None:
        edits.extend(_dimension_edit(xml, layout.dimension, plan.cells))
    return apply_edits(xml, _merge_same_point(edits))


def _merge_same_point(edits: list[tuple[int, int, bytes]]) -> list[tuple[int, int, bytes]]:
    """Insertions at one point keep the order they were made in (apply_edits would sort them by content)."""
    merged: dict[tuple[int, int], bytes] = {}
    for start, end, new in edits:
        merged[(start, end)] = merged.get((start, end), b"") + new
    return [(start, end, new) for (start, end), new in merged.items()]


def _open_tag(xml: bytes, row: _Row, first_col: int, last_col: int) -> bytes:
    """The row's start tag, its optional spans="a:b" hint widened when new cells fall outside it."""
    tag = xml[row.open.start:row.open.end]
    attrs_start = 1 + len(row.open.prefix) + len(row.open.local)
    for m in ATTR.finditer(row.open.attrs):
        if m.group(1) != b"spans":
            continue
        try:
            a, b = (int(x) for x in m.group(2)[1:-1].split(b":"))
        except ValueError:
            break
        if first_col < a or last_col > b:
            new = f'"{min(a, first_col)}:{max(b, last_col)}"'.encode()
            tag = tag[:attrs_start + m.start(2)] + new + tag[attrs_start + m.end(2):]
        break
    return tag


def _dimension_edit(xml: bytes, tag: Tag, cells: Mapping[tuple[int, int], object]) -> list[tuple[int, int, bytes]]:
    ref = _attr(tag, b"ref")
    try:
        r0, c0, r1, c1 = parse_range(ref.decode("ascii")) if ref else (0, 0, 0, 0)
    except (ValueError, UnicodeDecodeError):
        return []  # an odd dimension is only a hint: leave it as the user's file has it
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    if r0 == 0:
        r0, c0, r1, c1 = min(rows), min(cols), max(rows), max(cols)
    new = (min(r0, *rows), min(c0, *cols), max(r1, *rows), max(c1, *cols))
    if new == (r0, c0, r1, c1) and ref:
        return []
    text = f"{col_letters(new[1])}{new[0]}:{col_letters(new[3])}{new[2]}"
    p = tag.prefix.decode()
    return [(tag.start, tag.end, f'<{p}dimension ref="{text}"/>'.encode())]


# --------------------------------------------------------------------------------------------
# The table part: <table ref> and <autoFilter ref>
# --------------------------------------------------------------------------------------------


def _ref_spans(xml: bytes) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """Spans of the ref attribute values (inside the quotes) of <table> and of its <autoFilter>."""
    table = auto = None
    depth = 0
    for tag in tags(xml):
        if tag.closing:
            depth -= 1
            continue
        if tag.local in (b"table", b"autoFilter") and depth <= 1:
            attrs_start = tag.start + 1 + len(tag.prefix) + len(tag.local)
            for m in ATTR.finditer(tag.attrs):
                if m.group(1) == b"ref":
                    span = (attrs_start + m.start(2) + 1, attrs_start + m.end(2) - 1)
                    if tag.local == b"table" and depth == 0:
                        table = span
                    elif depth == 1:
                        auto = span
        if not tag.empty:
            depth += 1
    return table, auto


def render_table_ref(xml: bytes, old_ref: str, new_ref: str, where: str) -> bytes:
    table, auto = _ref_spans(xml)
    if table is None:
        raise WorkbookFileError(f"{where} is damaged (a table without a range)")
    edits = [(table[0], table[1], new_ref.encode())]
    if auto is not None:
        current = xml[auto[0]:auto[1]].decode("ascii", "replace")
        try:
            r0, c0, r1, c1 = parse_range(current)
            _, _, old_last, _ = parse_range(old_ref)
            _, _, new_last, _ = parse_range(new_ref)
        except ValueError:
            return apply_edits(xml, edits)
        if r1 == old_last:  # the filter covers the data: it grows with it
            edits.append((auto[0], auto[1], f"{cell_ref(r0, c0)}:{cell_ref(new_last, c1)}".encode()))
    return apply_edits(xml, edits)


def table_skeleton(xml: bytes) -> bytes:
    """The table part minus the two ref values render_table_ref may change (for verification)."""
    return apply_edits(xml, [(a, b, b"") for a, b in _ref_spans(xml) if a is not None])


# --------------------------------------------------------------------------------------------
# Verification: nothing but the planned cells changed
# --------------------------------------------------------------------------------------------


def _canonical_without(xml: bytes, positions: set[tuple[int, int]], where: str) -> bytes:
    """<sheetData>'s rows with the given cells removed, spans dropped and empty bare rows left out."""
    layout = _sheet_layout(xml, where)
    if layout.data_end is None:
        return b""
    rows = _rows(xml[layout.data_start.end:layout.data_end.start], layout.data_start.end, where)
    out: list[bytes] = []
    for row in rows:
        kept = [xml[c.start:c.end] for c in row.cells if (row.number, c.col) not in positions]
        attrs = b" ".join(m.group(0) for m in ATTR.finditer(row.open.attrs) if m.group(1) not in (b"spans",))
        if not kept and attrs.strip() == f'r="{row.number}"'.encode():
            continue
        out.append(b"<row " + attrs + b">" + b"".join(kept) + b"</row>")
    return b"".join(out)


def verify_sheet(old: bytes, new: bytes, plan: TablePlan, where: str) -> str | None:
    """Why the new worksheet part is not the old one plus exactly the plan's cells, or None."""
    if _sheet_skeleton(old) != _sheet_skeleton(new):
        return f"{where} changed outside its cell data"
    positions = set(plan.cells)
    if _canonical_without(old, positions, where) != _canonical_without(new, positions, where):
        return f"{where} changed in cells xlcost did not mean to write"
    return None


def verify_table(old: bytes, new: bytes, plan: TablePlan) -> str | None:
    if table_skeleton(old) != table_skeleton(new):
        return f"{plan.table.part} changed outside its range"
    table, _ = _ref_spans(new)
    expected = plan.new_ref or plan.table.ref
    if table is None or new[table[0]:table[1]].decode("ascii", "replace") != expected:
        return f"{plan.table.part} does not hold the new range {expected}"
    return None
