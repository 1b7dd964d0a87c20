"""Reading a worksheet part into cells, with its styles (to tell dates from numbers) and its strings.

Small parts are parsed whole; parts above ``STREAM_BYTES`` are streamed so memory stays bounded by the
cells kept, not by the size of the XML.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from lxml import etree

from .cells import (
    EPOCH_1900,
    Cell,
    CellKind,
    CellValue,
    boolean_constant,
    cell_ref,
    col_number,
    decode_ooxml_text,
    is_date_format,
    local_name,
    parse_range,
    serial_to_datetime,
)
from .intake import WorkbookFileError

if TYPE_CHECKING:
    from .package import Package

STREAM_BYTES = 4 * 1024 * 1024  # sheet parts larger than this are streamed, not parsed whole




def rich_text(el: etree._Element) -> str:
    """Text of an <si>/<is>: its <t> plus every run's <t>, leaving out phonetic (<rPh>) hints."""
    parts: list[str] = []
    for child in el:
        local = local_name(child.tag)
        if local == "t":
            parts.append(child.text or "")
        elif local == "r":
            parts.extend(t.text or "" for t in child if local_name(t.tag) == "t")
    return decode_ooxml_text("".join(parts))


@dataclass
class Styles:
    xf_formats: list[int]  # cellXfs index -> numFmtId
    xf_style: list[int]  # cellXfs index -> xfId (its named style)
    custom_formats: dict[int, str]
    named_xf: dict[str, int]
    _date_cache: dict[int, bool]

    @classmethod
    def empty(cls) -> Styles:
        return cls([], [], {}, {}, {})

    @classmethod
    def parse(cls, root: etree._Element) -> Styles:
        formats: dict[int, str] = {}
        xf_formats: list[int] = []
        xf_style: list[int] = []
        style_ids: dict[str, int] = {}
        for section in root:
            local = local_name(section.tag)
            if local == "numFmts":
                for nf in section:
                    fmt_id = nf.get("numFmtId", "")
                    if fmt_id.isdigit():
                        formats[int(fmt_id)] = nf.get("formatCode", "")
            elif local == "cellXfs":
                for xf in section:
                    xf_formats.append(whole(xf.get("numFmtId")))
                    xf_style.append(whole(xf.get("xfId")))
            elif local == "cellStyles":
                for cs in section:
                    style_ids.setdefault(cs.get("name", ""), whole(cs.get("xfId")))
        named = {}
        for style_name, xf_id in style_ids.items():
            if xf_id in xf_style:
                named[style_name] = xf_style.index(xf_id)
        return cls(xf_formats, xf_style, formats, named, {})

    def is_date(self, xf_index: int) -> bool:
        cached = self._date_cache.get(xf_index)
        if cached is None:
            fmt = self.xf_formats[xf_index] if 0 <= xf_index < len(self.xf_formats) else 0
            cached = is_date_format(fmt, self.custom_formats.get(fmt))
            self._date_cache[xf_index] = cached
        return cached

    def format_code(self, xf_index: int) -> str:
        fmt = self.xf_formats[xf_index] if 0 <= xf_index < len(self.xf_formats) else 0
        return self.custom_formats.get(fmt, "General")


def whole(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


# --------------------------------------------------------------------------------------------
# Streaming sheet reader
# --------------------------------------------------------------------------------------------


class SheetReader:
    """Reads one worksheet part into Cells.

    Small parts are parsed whole (lxml's C tree walk is ~3x faster than iterparse events); parts
    above STREAM_BYTES are streamed with iterparse and read rows are freed, so memory stays bounded
    by the cells kept rather than by the size of the XML.
    """

    def __init__(self, pkg: Package, sheet: str, ns: str) -> None:
        self.pkg = pkg
        self.sheet = sheet
        self.cells: dict[tuple[int, int], Cell] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self._row = 0
        self._col = 0
        self._v, self._f, self._is = f"{{{ns}}}v", f"{{{ns}}}f", f"{{{ns}}}is"
        self._sheet_data, self._merge_cells = f"{{{ns}}}sheetData", f"{{{ns}}}mergeCells"
        self._styles = pkg.styles()
        self._date_xf: dict[str | None, bool] = {}
        self._shared_constants: dict[str, bool | None] = {}  # shared-formula si -> its constant

    def run_tree(self, root: etree._Element) -> None:
        for section in root:
            if section.tag == self._sheet_data:
                for row in section:
                    self._start_row(row.get("r"))
                    for cell in row:
                        self._cell(cell)
            elif section.tag == self._merge_cells:
                for merge in section:
                    self._merge(merge.get("ref", ""))

    def run_stream(self, source: IO[bytes]) -> None:
        ns = self._v[:-1]
        tags = [ns + "row", ns + "c", ns + "mergeCell"]
        events = etree.iterparse(source, events=("start", "end"), tag=tags, resolve_entities=False,
                                 no_network=True, huge_tree=False, load_dtd=False)
        for event, el in events:
            local = el.tag[len(ns):]
            if local == "c":
                if event == "end":
                    self._cell(el)
                    el.clear(keep_tail=False)
            elif local == "row":
                if event == "start":
                    self._start_row(el.get("r"))
                else:
                    el.clear(keep_tail=False)
                    parent = el.getparent()
                    while el.getprevious() is not None and parent is not None:
                        del parent[0]  # rows already read: drop them to keep memory flat
            elif event == "start":
                self._merge(el.get("ref", ""))

    def _start_row(self, r: str | None) -> None:
        self._row = int(r) if r and r.isascii() and r.isdigit() else self._row + 1  # r is optional
        self._col = 0

    def _merge(self, ref: str) -> None:
        with suppress(ValueError):  # Excel ignores a malformed merge; so do we
            self.merged.append(parse_range(ref))

    def _position(self, r: str | None) -> tuple[int, int, str]:
        """(row, col, canonical ref) of a cell."""
        if not r:  # r is optional: the cell follows its left neighbour
            self._col += 1
            return self._row, self._col, cell_ref(self._row, self._col)
        letters = r.rstrip("0123456789")  # faster than a regex on every cell
        digits = r[len(letters):]
        if not (digits and letters.isascii() and letters.isalpha() and len(letters) <= 3):
            raise self._error(r, "has an invalid cell reference")
        self._col = col_number(letters)
        return int(digits), self._col, (r if letters.isupper() else r.upper())

    def _error(self, ref: str, what: str) -> WorkbookFileError:
        return WorkbookFileError(f"{self.pkg.name} is damaged: {self.sheet}!{ref} {what}")

    def _cell(self, el: etree._Element) -> None:
        attrib = el.attrib
        row, col, ref = self._position(attrib.get("r"))
        v_text: str | None = None
        formula: str | None = None
        inline: etree._Element | None = None
        constant: bool | None = None
        for child in el:
            tag = child.tag
            if tag == self._v:
                v_text = child.text or ""
            elif tag == self._f:
                formula = child.text or ""
                constant = self._constant_formula(child, formula)
            elif tag == self._is:
                inline = child
        if constant is not None:  # =TRUE() / =FALSE(): the value itself, whatever (if anything) was cached
            self.cells[(row, col)] = Cell(ref, row, col, constant, "bool", None, True)
            return
        t = attrib.get("t", "n")
        if v_text is not None and t not in ("s", "str", "inlineStr") and not v_text.strip():
            v_text = None  # openpyxl saves formulas as <f>..</f><v></v>: there is no cached value
        value, kind = self._value(ref, t, v_text, inline, attrib.get("s"))
        has_cached = v_text is not None or inline is not None
        self.cells[(row, col)] = Cell(ref, row, col, value, kind, formula, has_cached)

    def _constant_formula(self, f: etree._Element, text: str) -> bool | None:
        """The boolean a formula always evaluates to, or None for a real formula.

        A shared formula's followers carry no text, only the master's ``si``; the master comes first
        in the file, so its verdict is remembered for them.
        """
        kind = f.get("t", "normal")
        if kind == "dataTable":
            return None
        constant = boolean_constant(text) if text else None
        if kind == "shared":
            si = f.get("si", "")
            if text:
                self._shared_constants[si] = constant
            else:
                constant = self._shared_constants.get(si)
        return constant

    def _value(self, ref: str, t: str, v: str | None, inline: etree._Element | None,
               s: str | None) -> tuple[CellValue, CellKind]:
        if t == "n" and v is not None:
            return self._number(ref, v, s)
        if t == "inlineStr":
            return (rich_text(inline), "text") if inline is not None else (None, "blank")
        if v is None:
            return None, "blank"
        if t == "s":
            return self._shared(ref, v), "text"
        if t == "str":
            return decode_ooxml_text(v), "text"
        if t == "b":
            return v.strip() in ("1", "true"), "bool"
        if t == "e":
            return v, "error"
        if t == "d":
            return _iso_datetime(v)
        return self._number(ref, v, s)

    def _shared(self, ref: str, v: str) -> str:
        strings = self.pkg.shared_strings()
        try:
            return strings[int(v)]
        except (ValueError, IndexError):
            raise self._error(ref, "refers to a shared string that does not exist") from None

    def _number(self, ref: str, v: str, s: str | None) -> tuple[CellValue, CellKind]:
        try:
            number = float(v)
        except ValueError:
            raise self._error(ref, f"holds an unreadable number ({v[:20]!r})") from None
        is_date = self._date_xf.get(s)
        if is_date is None:  # a cell without s uses cellXfs[0], which can itself be a date format
            is_date = self._date_xf[s] = self._styles.is_date(whole(s))
        if is_date:
            when = serial_to_datetime(number, self.pkg.date1904)
            if when is not None:
                return when, "date"
        return number, "number"


def _iso_datetime(text: str) -> tuple[CellValue, CellKind]:
    try:
        return dt.datetime.fromisoformat(text.strip().rstrip("Z")), "date"
    except ValueError:
        try:  # a time-only value such as "T10:30:00"
            t = dt.time.fromisoformat(text.strip().lstrip("T"))
            return dt.datetime.combine(EPOCH_1900.date(), t), "date"
        except ValueError:
            return text, "text"

