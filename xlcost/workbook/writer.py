"""Surgical result writer: replace the cells of the result sheets and nothing else, then save atomically.

Why surgical: an openpyxl load+save rebuilds the package and silently drops shapes, controls,
cached values and more (shared/notes/openpyxl.md §1). Here every zip member is copied unchanged
except the target sheets' worksheet parts, plus two narrow, verified edits: ``fullCalcOnLoad`` in
the workbook's ``<calcPr>`` (so Excel recalculates the user's formulas that read our results) and
the ranges of charts that sit on a result sheet (so a chart follows its block's new length).

Edits are made on the raw bytes of those parts, never by re-serializing a parsed tree, so every
byte we do not mean to change stays as the user's Excel wrote it.

Saving follows §4.2 of the notes: refuse while Excel/LibreOffice has the file open, take an
exclusive lock against other xlcost runs, re-check the file is unchanged, write a temp file in the
same folder, fsync, verify it, copy the permissions and ``os.replace`` it over the original.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import math
import numbers
import os
import re
import secrets
import shutil
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .package import (
    Package,
    WorkbookFileError,
    cell_ref,
    datetime_to_serial,
    serial_to_datetime,
)

try:
    import fcntl
except ImportError:  # Windows: no flock; the lock-file and changed-on-disk checks still apply
    fcntl = None  # type: ignore[assignment]

MAX_ROW = 1_048_576
MAX_COL = 16_384
MAX_TEXT = 32_767  # Excel's limit for one cell; longer text makes Excel "repair" the file


@dataclass(frozen=True)
class OutCell:
    value: float | int | str | bool | dt.date | None  # a date/datetime is written as an Excel serial
    style: str  # name of a named cell style (cellStyles in styles.xml), e.g. "xlcost usd"


@dataclass
class SheetOutput:
    cells: dict[tuple[int, int], OutCell]  # (row, col) 1-based -> cell; the sheet's whole new content
    blocks: list[tuple[int, int]] = field(default_factory=list)  # (first_data_row, last_data_row)


class WorkbookBusyError(WorkbookFileError):
    """The workbook is open elsewhere, another xlcost run is writing it, or it changed on disk."""


# --------------------------------------------------------------------------------------------
# A byte-level XML tag scanner (enough for the few well-known parts we edit)
# --------------------------------------------------------------------------------------------

_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_TOKEN = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!" + _ATTRS + rb">"
    rb"|<(/?)((?:[A-Za-z_][\w.\-]*:)?)([A-Za-z_][\w.\-]*)(" + _ATTRS + rb")>",
    re.S,
)
_ATTR = re.compile(rb"""([\w:.\-]+)\s*=\s*("[^"]*"|'[^']*')""")


class _Tag(NamedTuple):
    start: int
    end: int
    closing: bool
    empty: bool
    prefix: bytes  # "x:" or b""
    local: bytes
    attrs: bytes


def _tags(data: bytes) -> Iterator[_Tag]:
    """Start/end tags in document order; comments, PIs and CDATA are skipped, not mistaken for tags."""
    for m in _TOKEN.finditer(data):
        if m.group(3) is None:
            continue
        attrs = m.group(4)
        yield _Tag(m.start(), m.end(), m.group(1) == b"/", attrs.rstrip().endswith(b"/"),
                   m.group(2), m.group(3), attrs)


def _walk(data: bytes) -> Iterator[tuple[int, _Tag]]:
    """(depth, tag) pairs; the root element is depth 0 and its end tag reports depth 0 too."""
    depth = 0
    for tag in _tags(data):
        if tag.closing:
            depth -= 1
            yield depth, tag
        else:
            yield depth, tag
            if not tag.empty:
                depth += 1


def _apply(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Replace non-overlapping (start, end) spans."""
    out, pos = [], 0
    for start, end, new in sorted(edits):
        out += [data[pos:start], new]
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def _is_utf8(data: bytes) -> bool:
    """Our byte edits assume UTF-8 (what Excel always writes); UTF-16 or legacy encodings are skipped."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return False
    m = re.match(rb"""(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*["']([^"']+)""", data)
    return m is None or m.group(1).lower() in (b"utf-8", b"utf8")


# --------------------------------------------------------------------------------------------
# Cell values -> XML
# --------------------------------------------------------------------------------------------

_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def clean_text(text: str) -> str:
    """The string as it will read back: XML-illegal characters removed (tabs/newlines kept)."""
    return _ILLEGAL_XML.sub("", text)


def _xml_text(text: str) -> str:
    # A literal "_x0041_" would be shown by Excel as "A"; escape its underscore the OOXML way
    text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")  # a raw CR would be normalized to LF by every XML parser


def _classify(value: object, where: str, date1904: bool) -> tuple[str, object]:
    """('b'|'n'|'s'|'', normalized value); raises ValueError for values Excel cannot hold."""
    if value is None:
        return "", None
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return "b", bool(value)
    if isinstance(value, numbers.Integral):
        return "n", int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{where}: {number} is not a number Excel can store "
                             "(the engine must not produce it)")
        return "n", number
    if isinstance(value, str):
        text = clean_text(value)
        if len(text) > MAX_TEXT:
            raise ValueError(f"{where}: text of {len(text):,} characters exceeds Excel's {MAX_TEXT:,}")
        return "s", text
    if isinstance(value, dt.date):
        return "n", datetime_to_serial(value, date1904)
    raise TypeError(f"{where}: cannot write a {type(value).__name__} into a cell")


def _cell_xml(p: str, ref: str, cell: OutCell, style: int, date1904: bool) -> str:
    s = f' s="{style}"' if style else ""
    kind, value = _classify(cell.value, ref, date1904)
    if kind == "":
        return f'<{p}c r="{ref}"{s}/>' if cell.style else ""
    if kind == "b":
        return f'<{p}c r="{ref}"{s} t="b"><{p}v>{int(bool(value))}</{p}v></{p}c>'
    if kind == "n":
        text = str(value) if isinstance(value, int) else repr(value)
        return f'<{p}c r="{ref}"{s}><{p}v>{text}</{p}v></{p}c>'
    # Every string is an inline string, never a formula: "=1+1" stays the text "=1+1"
    return (f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
            f"{_xml_text(str(value))}</{p}t></{p}is></{p}c>")


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
    dimension: _Tag | None
    data_start: _Tag
    data_end: _Tag | None  # None when <sheetData/> is empty
    row_attrs: dict[int, str]  # row -> the user's row formatting (height, hidden, outline...)


_ROW_TAG = re.compile(rb"<(?:[\w.\-]+:)?row\b([^>]*)>")


def _sheet_layout(xml: bytes, where: str) -> _SheetLayout:
    """Find <dimension> and the <sheetData> span without tokenizing every cell.

    Tags are walked only up to <sheetData>; its end is the last </sheetData> in the part (cell text
    cannot contain '<'), and the rows' own attributes are picked out with one regex pass.
    """
    dimension = data_start = None
    for depth, tag in _walk(xml):
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
    data_end = _Tag(end, end + len(closing), True, False, data_start.prefix, b"sheetData", b"")
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
    for m in _ATTR.finditer(attrs):
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


def _dimension_edit(tag: _Tag, used: tuple[int, int, int, int] | None) -> tuple[int, int, bytes]:
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
    if not _is_utf8(xml):
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
    return _apply(xml, edits)


def _sheet_skeleton(xml: bytes) -> bytes:
    """The part minus what render_sheet may change (for verification)."""
    layout = _sheet_layout(xml, "sheet")
    end = layout.data_end.end if layout.data_end is not None else layout.data_start.end
    edits = [(layout.data_start.start, end, b"<sheetData/>")]  # <sheetData/> may have become a pair
    if layout.dimension is not None:
        edits.append((layout.dimension.start, layout.dimension.end, b""))
    return _apply(xml, edits)


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
    for depth, tag in _walk(xml):
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
    if not _is_utf8(xml):
        return xml  # optional nicety; never risk re-encoding the workbook part
    span, insert_at, prefix = _calcpr_span(xml)
    if span is None:
        return _apply(xml, [(insert_at, insert_at, b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>')])
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
# Charts on a result sheet: stretch a block's series ranges, drop their stale caches
# --------------------------------------------------------------------------------------------

_CHART_NS = (b"http://schemas.openxmlformats.org/drawingml/2006/chart", b"http://purl.oclc.org/ooxml/drawingml/chart")
_REF_TAGS = {b"numRef", b"strRef", b"multiLvlStrRef"}
_CACHE_TAGS = {b"numCache", b"strCache", b"multiLvlStrCache"}
_AREA = re.compile(r"(?P<sheet>'(?:[^']|'')+'|[^'!:(),\s]+)!(?P<c1>\$?[A-Za-z]{1,3})(?P<r1>\$?\d+)"
                   r"(?::(?P<c2>\$?[A-Za-z]{1,3})(?P<r2>\$?\d+))?")
_XML_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


@dataclass
class _ChartRef:
    parent: bytes  # local name of the element holding the ref ("tx" for a series name)
    formula: tuple[int, int] | None = None  # span of the <c:f> text
    caches: list[tuple[int, int]] = field(default_factory=list)


def _chart_prefixes(xml: bytes) -> set[bytes]:
    found = set()
    for m in re.finditer(rb"""xmlns(?::([\w.\-]+))?\s*=\s*["']([^"']*)["']""", xml):
        if m.group(2) in _CHART_NS:
            found.add(m.group(1) + b":" if m.group(1) else b"")
    return found


def _chart_refs(xml: bytes) -> list[_ChartRef]:
    """Every numRef/strRef/multiLvlStrRef with the span of its formula and of its caches."""
    prefixes = _chart_prefixes(xml)
    stack: list[tuple[_Tag, _ChartRef | None]] = []
    refs: list[_ChartRef] = []
    for tag in _tags(xml):
        chart = tag.prefix in prefixes
        if tag.closing:
            opened, _ = stack.pop() if stack else (tag, None)
            owner = stack[-1][1] if stack else None
            if chart and owner is not None and tag.local == b"f":
                owner.formula = (opened.end, tag.start)
            elif chart and owner is not None and tag.local in _CACHE_TAGS:
                owner.caches.append((opened.start, tag.end))
            continue
        owner = stack[-1][1] if stack else None
        ref = None
        if chart and tag.local in _REF_TAGS:
            ref = _ChartRef(stack[-1][0].local if stack else b"")
            refs.append(ref)
        elif chart and owner is not None and tag.empty and tag.local in _CACHE_TAGS:
            owner.caches.append((tag.start, tag.end))
        if not tag.empty:
            stack.append((tag, ref))
    return refs


def _xml_unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        try:
            if name.startswith("#x"):
                return chr(int(name[2:], 16))
            if name.startswith("#"):
                return chr(int(name[1:]))
        except (ValueError, OverflowError):
            return m.group(0)  # not a character: the formula will not parse and is left alone
        return _ENTITIES[name]
    return _XML_ENTITY.sub(one, text)


def _sheet_of(token: str) -> str:
    return token[1:-1].replace("''", "'") if token.startswith("'") else token


def _split_areas(body: str) -> list[str]:
    """Split 'A!$A$1:$A$3,'B, c'!$B$1' at commas outside quotes."""
    areas: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in body:
        if ch == "'":
            quoted = not quoted
        if ch == "," and not quoted:
            areas.append("".join(current))
            current = []
        else:
            current.append(ch)
    areas.append("".join(current))
    return areas


def adjust_chart_formula(formula: str, blocks: dict[str, list[tuple[int, int]]],
                         stretch: bool = True) -> tuple[str, bool]:
    """(new formula, whether it reads a target sheet). blocks: casefolded sheet -> (first, last) rows.

    An area whose first row is a block's first data row gets the block's last data row as its end
    row; columns and '$' marks are kept. Anything we cannot parse is left alone.
    """
    text = formula.strip()
    paren = text.startswith("(") and text.endswith(")")
    areas = _split_areas(text[1:-1] if paren else text)
    matches = []
    for area in areas:
        m = _AREA.fullmatch(area.strip())
        if m is None:
            return formula, False
        matches.append(m)
    into_target, out = False, []
    for area, m in zip(areas, matches, strict=True):
        sheet_blocks = blocks.get(_sheet_of(m.group("sheet")).casefold())
        if sheet_blocks is None:
            out.append(area)
            continue
        into_target = True
        out.append(_stretch_area(m, sheet_blocks) if stretch else area)
    new = ",".join(out)
    return (f"({new})" if paren else new), into_target


def _stretch_area(m: re.Match[str], sheet_blocks: list[tuple[int, int]]) -> str:
    first_row = int(m.group("r1").lstrip("$"))
    for first, last in sheet_blocks:
        if first == first_row and last >= first:
            c2 = m.group("c2") or m.group("c1")
            dollar = "$" if (m.group("r2") or m.group("r1")).startswith("$") else ""
            return f"{m.group('sheet')}!{m.group('c1')}{m.group('r1')}:{c2}{dollar}{last}"
    return m.group(0)


def edit_chart(xml: bytes, blocks: dict[str, list[tuple[int, int]]]) -> bytes:
    """Stretch block ranges and drop caches of every series ref into a target sheet."""
    if not _is_utf8(xml):
        return xml
    edits: list[tuple[int, int, bytes]] = []
    for ref in _chart_refs(xml):
        if ref.formula is None:
            continue
        start, end = ref.formula
        try:
            old = _xml_unescape(xml[start:end].decode("utf-8"))
        except UnicodeDecodeError:
            continue  # a damaged formula: leave it (and its cache) exactly as it is
        new, into_target = adjust_chart_formula(old, blocks, stretch=ref.parent != b"tx")
        if not into_target:
            continue
        if new != old:
            escaped = new.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            edits.append((start, end, escaped.encode("utf-8")))
        edits.extend((a, b, b"") for a, b in ref.caches)  # Excel rebuilds them from the cells
    return _apply(xml, edits) if edits else xml


def _chart_skeleton(xml: bytes) -> bytes:
    """The chart minus every series formula and cache (what edit_chart may change)."""
    edits: list[tuple[int, int, bytes]] = []
    for ref in _chart_refs(xml):
        if ref.formula is not None:
            edits.append((ref.formula[0], ref.formula[1], b""))
        edits.extend((a, b, b"") for a, b in ref.caches)
    return _apply(xml, edits)


def _charts_of_sheet(pkg: Package, sheet_part: str) -> list[str]:
    """Chart parts drawn on a sheet: sheet rels -> drawing -> drawing rels -> chart."""
    charts = []
    for rel in pkg.rels(sheet_part):
        if rel.external or not rel.type.endswith("/drawing") or not pkg.has_part(rel.target):
            continue
        for drel in pkg.rels(rel.target):
            if not drel.external and drel.type.endswith("/chart") and pkg.has_part(drel.target):
                charts.append(drel.target)
    return charts


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


def _changed_parts(pkg: Package, outputs: dict[str, SheetOutput]) -> dict[str, bytes]:
    targets = _target_parts(pkg, outputs)
    styles = _style_indices(pkg, outputs)
    replaced: dict[str, bytes] = {}
    for sheet, part in targets.items():
        where = f"{pkg.name}: sheet {sheet!r}"
        replaced[part] = render_sheet(pkg.part(part), outputs[sheet], styles, pkg.date1904, where)
    workbook = pkg.part(pkg.workbook_part)
    new_workbook = set_full_calc_on_load(workbook)
    if new_workbook != workbook:
        replaced[pkg.workbook_part] = new_workbook
    blocks = _block_map(outputs)
    for chart in dict.fromkeys(c for part in targets.values() for c in _charts_of_sheet(pkg, part)):
        old = pkg.part(chart)
        new = edit_chart(old, blocks)
        if new != old:
            replaced[chart] = new
    return replaced


def render_package(pkg: Package, outputs: dict[str, SheetOutput]) -> bytes:
    """The new package bytes, with only those sheets' data replaced (pure; no file I/O)."""
    return _assemble(pkg, _changed_parts(pkg, outputs))


# --------------------------------------------------------------------------------------------
# Verification of a rendered package
# --------------------------------------------------------------------------------------------


def _internal(pkg: Package, what: str) -> WorkbookFileError:
    return WorkbookFileError(f"{pkg.name} was not changed: xlcost's safety check failed ({what}); "
                             "please report this")


def verify_rendered(pkg: Package, data: bytes, outputs: dict[str, SheetOutput], *,
                    rendered: dict[str, bytes] | None = None) -> None:
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
    charts = {c for part in targets for c in _charts_of_sheet(pkg, part)}
    old_infos = {i.filename: i for i in pkg.zip_infos}
    new_infos = {i.filename: i for i in new.zip_infos}
    for name in pkg.part_names:
        before, after = old_infos[name], new_infos[name]
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


def _allowed_change(pkg: Package, name: str, old: bytes, now: bytes, charts: set[str]) -> bool:
    if name == pkg.workbook_part:
        span, _, _ = _calcpr_span(now)
        full_calc = span is not None and b'fullCalcOnLoad="1"' in now[span[0]:span[1]]
        return full_calc and _without_calcpr(old) == _without_calcpr(now)
    return name in charts and _chart_skeleton(old) == _chart_skeleton(now)


def _verify_cells(pkg: Package, new: Package, sheet: str, output: SheetOutput) -> None:
    got = new.cells(sheet)
    expected = 0
    for (row, col), cell in output.cells.items():
        kind, value = _classify(cell.value, cell_ref(row, col), pkg.date1904)
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


# --------------------------------------------------------------------------------------------
# Saving: lock files, exclusive lock, optimistic concurrency, atomic replace
# --------------------------------------------------------------------------------------------


def _office_lock_files(path: Path) -> list[Path]:
    name = path.name
    names = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        names.append("~$" + name[2:])  # Office's variant for long names
    return [path.parent / n for n in names]


def _refuse_if_open_elsewhere(*paths: Path) -> None:
    for path in dict.fromkeys(paths):
        for lock in _office_lock_files(path):
            if os.path.lexists(lock):
                app = "LibreOffice" if lock.name.startswith(".~lock.") else "Excel"
                raise WorkbookBusyError(
                    f"{path.name} is open in {app} (lock file {lock.name}): close it there and try again; "
                    "if it is not open, the lock file is stale: delete it")


def _refuse_if_read_only(path: Path) -> None:
    """Refuse a read-only drive, folder or file up front, with the reason the user can fix."""
    folder = path.parent
    if hasattr(os, "statvfs") and os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1):
        raise WorkbookFileError(f"{path.name} was not changed: the folder {folder} is on a read-only drive")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WorkbookFileError(f"{path.name} was not changed: the folder {folder} is read-only "
                                "(no permission to write there)")
    st = os.stat(path)
    # os.access alone is not enough: it always says yes to root, and os.replace ignores file modes
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise WorkbookFileError(f"{path.name} is read-only: clear its read-only setting "
                                "(or save a copy under another name) and try again")


def _moved(path: Path) -> WorkbookBusyError:
    return WorkbookBusyError(f"{path.name} was moved or deleted since it was read; run again")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _refuse_if_changed(pkg: Package, path: Path) -> None:
    try:
        st = os.stat(path)
        same = (st.st_size == pkg.stat.st_size and st.st_mtime_ns == pkg.stat.st_mtime_ns
                and _file_sha256(path) == pkg.sha256)
    except FileNotFoundError:
        raise _moved(path) from None
    if not same:
        raise WorkbookBusyError(f"{path.name} changed on disk since it was read; run again")


@contextmanager
def _exclusive_lock(path: Path, wait_seconds: float) -> Iterator[bool]:
    """Hold flock on the workbook itself; yields whether a lock is actually held.

    Why the workbook and not a sidecar file: nothing extra appears in the user's folder (or their
    OneDrive), and there is no stale sidecar to clean up. The file is replaced by rename, so after
    getting the lock we check the path still names the inode we locked; if another run replaced it
    meanwhile we lock the new file instead (and the changed-on-disk check then refuses).
    """
    if fcntl is None:
        yield False
        return
    fd = _acquire(path, wait_seconds)
    try:
        yield fd is not None
    finally:
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock


def _acquire(path: Path, wait_seconds: float) -> int | None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise _moved(path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise WorkbookBusyError(
                    f"another xlcost run is writing {path.name} (waited {wait_seconds:g} s): "
                    "try again when it has finished") from None
            time.sleep(0.02)
            continue
        except OSError:
            os.close(fd)  # e.g. a network share without flock: rely on the changed-on-disk check
            return None
        if _same_inode(fd, path):
            return fd
        os.close(fd)


def _same_inode(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _temp_prefix(path: Path) -> str:
    return f".{path.name[:150]}.xlcost-"


def _remove_stale_temps(path: Path) -> None:
    """Temp files left by a run that was killed; safe only while we hold the lock."""
    for leftover in path.parent.glob(_glob_escape(_temp_prefix(path)) + "*.tmp"):
        with suppress(OSError):
            leftover.unlink()


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _os_error(e: OSError, path: Path) -> WorkbookFileError:
    name = path.name
    if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return WorkbookFileError(f"{name} was not changed: the disk is full: free space and try again")
    if e.errno == errno.EROFS:
        return WorkbookFileError(f"{name} was not changed: the folder {path.parent} is on a read-only drive")
    if e.errno in (errno.EACCES, errno.EPERM):
        return WorkbookFileError(f"{name} was not changed: the folder {path.parent} is read-only "
                                 "(no permission to write there)")
    return WorkbookFileError(f"{name} was not changed: saving failed ({e.strerror or e})")


def _write_temp(path: Path, data: bytes) -> Path:
    tmp = path.parent / f"{_temp_prefix(path)}{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as e:
        raise _os_error(e, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename can make them visible
    except BaseException as e:  # also Ctrl-C: never leave a half-written temp file behind
        with suppress(OSError):
            tmp.unlink()
        if isinstance(e, OSError):
            raise _os_error(e, path) from None
        raise
    return tmp


def _copy_permissions(src: Path, dst: Path) -> None:
    shutil.copymode(src, dst)  # mkstemp-style 0600 would otherwise replace the user's 0644
    st, new = os.stat(src), os.stat(dst)
    if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (new.st_uid, new.st_gid):
        with suppress(OSError):
            os.chown(dst, st.st_uid, st.st_gid)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)  # makes the rename itself durable
        finally:
            os.close(fd)


def _rename_over(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)  # atomic on POSIX and NTFS: readers see the old file or the new one
    except PermissionError:
        if os.name == "nt":  # Windows refuses to replace a file another program holds open
            raise WorkbookBusyError(f"{path.name} is open in another program: close it there and "
                                    "try again") from None
        raise


def _replace(pkg: Package, path: Path, data: bytes, outputs: dict[str, SheetOutput],
             replaced: dict[str, bytes]) -> None:
    tmp = _write_temp(path, data)
    try:
        with open(tmp, "rb") as f:
            # What the disk holds, not what we meant to write.
            verify_rendered(pkg, f.read(), outputs, rendered=replaced)
        _copy_permissions(path, tmp)
        _refuse_if_changed(pkg, path)  # last look, as close to the rename as possible
        _rename_over(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def write_results(pkg: Package, outputs: dict[str, SheetOutput], *, wait_seconds: float = 10.0) -> None:
    """Atomically replace pkg.path with render_package(...)."""
    replaced = _changed_parts(pkg, outputs)
    data = _assemble(pkg, replaced)
    path = Path(os.path.realpath(pkg.path))  # a symlink: replace its target, keep the link
    try:
        _refuse_if_open_elsewhere(Path(os.path.abspath(pkg.path)), path)
        _refuse_if_read_only(path)
        with _exclusive_lock(path, wait_seconds) as locked:
            _refuse_if_changed(pkg, path)
            if locked:
                _remove_stale_temps(path)
            _replace(pkg, path, data, outputs, replaced)
    except FileNotFoundError:
        raise _moved(path) from None
    except WorkbookFileError:
        raise
    except OSError as e:
        raise _os_error(e, path) from None

