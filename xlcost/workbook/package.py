"""Safe intake of an .xlsx/.xlsm package and fast, read-only access to its cells and tables.

Why not openpyxl: a load+save loses parts of the user's file, and even a read-only load is ~20x
slower than reading the few parts we need with lxml. Everything here reads the zip in memory and
never writes; ``writer.py`` edits the package surgically.

Safety rules: every bad file becomes one WorkbookFileError with
a one-line message, zip bombs are refused from the central directory before anything is
decompressed, and any XML part with a DOCTYPE is refused (OOXML never needs one, so a DTD can only
be an entity-expansion or XXE attempt).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from lxml import etree

from .cells import (  # noqa: F401  (re-exported: the package's cell helpers are imported from here)
    EPOCH_1900,
    Cell,
    CellKind,
    CellValue,
    boolean_constant,
    cell_ref,
    col_letters,
    col_number,
    datetime_to_serial,
    decode_ooxml_text,
    is_date_format,
    local_name,
    parse_range,
    parse_ref,
    serial_to_datetime,
)
from .intake import (  # noqa: F401  (re-exported)
    MAX_TOTAL_BYTES,
    OLE_MAGIC,
    WorkbookFileError,
    check_members,
    kind_error,
    non_zip_error,
    ole_error,
    ole_stream_names,
    open_zip,
    read_file,
)
from .sheet_reader import STREAM_BYTES, SheetReader, Styles, rich_text, whole

Span = tuple[int, int, int, int]  # (min_row, min_col, max_row, max_col)
PROLOG_BYTES = 8192  # a DOCTYPE can only sit in the prolog; no legitimate prolog is this long

SML_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # ISO "Strict" files saved by Excel
)
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R_ID_ATTRS = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_XML_SUFFIXES = (".xml", ".rels", ".vml")
# What zipfile and zlib raise on a damaged member (zlib.error is not an OSError)
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError,
               ValueError, struct.error)

@dataclass(frozen=True)
class TableRef:
    name: str
    sheet: str
    ref: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int
    header_row_count: int
    columns: tuple[str, ...]
    part: str = ""  # the table part (xl/tables/tableN.xml), for the writer
    totals_row_count: int | None = None  # rows of a Total Row (None: not read)


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str  # resolved part name (no leading "/"), or the raw target when external
    external: bool


@dataclass(frozen=True)
class _SheetEntry:
    name: str
    part: str
    kind: str  # "worksheet", "chartsheet", "dialogsheet", "macrosheet"


# --------------------------------------------------------------------------------------------
# Safe XML
# --------------------------------------------------------------------------------------------

def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def _prolog_problem(head: bytes) -> str | None:
    """Why a part's head is refused (a DTD, or a prolog too long to check), else None."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="ignore")
    elif head[:1] == b"\x00":
        text = head.decode("utf-16-be", errors="ignore")
    elif head[1:2] == b"\x00":
        text = head.decode("utf-16-le", errors="ignore")
    else:
        text = head.decode("latin-1")  # UTF-8 and its ASCII-compatible kin: the markup is ASCII
    pos = 0
    while True:
        pos = text.find("<", pos)
        if pos < 0:
            return "has an XML prolog too long to check" if len(head) >= PROLOG_BYTES else None
        if text.startswith("<?", pos):
            end, step = text.find("?>", pos), 2
        elif text.startswith("<!--", pos):
            end, step = text.find("-->", pos), 3
        elif text.startswith("<!", pos):
            if text[pos + 2:pos + 9].upper() == "DOCTYPE":
                return "contains a DTD (possible XML entity attack)"
            return "is not valid XML (markup before its root element)"
        else:
            return None  # the root element starts: no DTD can follow
        if end < 0:
            return "has an XML prolog too long to check" if len(head) >= PROLOG_BYTES else None
        pos = end + step


def _r_id(el: etree._Element) -> str | None:
    for attr in R_ID_ATTRS:
        value = el.get(attr)
        if value is not None:
            return value
    return None


def resolve_target(source_part: str, target: str) -> str:
    """A relationship target -> zip member name (targets are relative to the source's folder)."""
    target = unquote(target.split("#", 1)[0])
    joined = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(source_part), target)
    return posixpath.normpath(joined).lstrip("/")


def rels_part_for(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


# --------------------------------------------------------------------------------------------
# The package
# --------------------------------------------------------------------------------------------


class Package:
    """One workbook file, read once into memory. Parts are decoded lazily and cached."""

    path: Path
    data: bytes
    sha256: str
    stat: os.stat_result

    def __init__(self, path: Path, data: bytes, stat: os.stat_result | None) -> None:
        self.path = path
        self.name = path.name
        self.data = data
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.stat = stat if stat is not None else os.stat_result((0,) * 10)
        self._zip = open_zip(self.name, data)
        self._infos = self._zip.infolist()
        check_members(self.name, self._infos)
        self._names = [i.filename for i in self._infos]
        self._lower_names = {n.lower(): n for n in self._names}
        self._check_xml_prologs()
        self._workbook_part = self._find_workbook_part()
        self._sheets: list[_SheetEntry] = []
        self.date1904 = False
        self._workbook_rels: list[Relationship] = []
        self._read_workbook()
        self._cells: dict[str, dict[tuple[int, int], Cell]] = {}
        self._merged: dict[str, list[tuple[int, int, int, int]]] = {}
        self._shared: list[str] | None = None
        self._styles: Styles | None = None
        self._tables: dict[str, TableRef] | None = None

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Package:
        """Read and check a workbook file; every problem is a WorkbookFileError."""
        p = Path(path)
        data, st = read_file(p)
        return cls.from_bytes(data, p, st)

    @classmethod
    def from_bytes(cls, data: bytes, path: str | os.PathLike[str] = "workbook.xlsx",
                   stat: os.stat_result | None = None) -> Package:
        """A package from bytes already in memory (the writer re-checks its output this way)."""
        name = Path(path).name
        if not data:
            raise WorkbookFileError(f"{name} is empty (0 bytes): it was not saved completely; "
                                    "use another copy")
        if data.startswith(OLE_MAGIC):
            raise ole_error(name, data)
        if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise non_zip_error(name, data)
        try:
            return cls(Path(path), data, stat)
        except WorkbookFileError:
            raise
        except (etree.LxmlError, KeyError, IndexError, *_ZIP_ERRORS) as e:
            raise WorkbookFileError(f"{name} is damaged and cannot be read ({type(e).__name__})") from None

    def _check_xml_prologs(self) -> None:
        """Refuse DTDs in every part that is XML, reading only each part's first few KB."""
        for info in self._infos:
            if info.is_dir() or info.file_size == 0:
                continue
            with self.member(info.filename) as f:
                head = f.read(PROLOG_BYTES)
            looks_xml = info.filename.lower().endswith(_XML_SUFFIXES) or head.lstrip()[:1] == b"<"
            problem = _prolog_problem(head) if looks_xml else None
            if problem:
                raise WorkbookFileError(f"{self.name}: part {info.filename} {problem}; xlcost refuses it")

    def _find_workbook_part(self) -> str:
        names = set(self._names)
        mimetype = b""
        if "mimetype" in names:  # an OpenDocument file names its kind in its first, stored member
            with self.member("mimetype") as f:
                mimetype = f.read(100).strip()
        kind = kind_error(self.name, names, mimetype)
        if kind:
            raise kind
        for rel in self.rels(""):
            if rel.type.endswith("/officeDocument") and not rel.external and self.has_part(rel.target):
                if rel.target.lower().endswith(".bin"):
                    raise WorkbookFileError(f"{self.name} is a binary workbook (.xlsb): "
                                            "open it in Excel and save it as .xlsx or .xlsm")
                return self._real_name(rel.target)
        if "xl/workbook.xml" in names:
            return "xl/workbook.xml"
        raise WorkbookFileError(f"{self.name} is a zip file but not an Excel workbook (no xl/workbook.xml)")

    def _read_workbook(self) -> None:
        root = self.xml(self._workbook_part)
        if local_name(root.tag) != "workbook":
            raise WorkbookFileError(f"{self.name} is not an Excel workbook (its main part is not a workbook)")
        self._workbook_rels = self.rels(self._workbook_part)
        by_id = {r.id: r for r in self._workbook_rels}
        for el in root:
            if local_name(el.tag) == "workbookPr":
                self.date1904 = el.get("date1904", "0").lower() in ("1", "true")
            elif local_name(el.tag) == "sheets":
                self._sheets = [self._sheet_entry(s, by_id) for s in el if local_name(s.tag) == "sheet"]

    def _sheet_entry(self, el: etree._Element, by_id: dict[str, Relationship]) -> _SheetEntry:
        name = el.get("name") or ""
        rel = by_id.get(_r_id(el) or "")
        if rel is None or rel.external or not self.has_part(rel.target):
            raise WorkbookFileError(f"{self.name} is damaged: sheet {name!r} has no content part")
        return _SheetEntry(name, self._real_name(rel.target), rel.type.rpartition("/")[2])

    # -- parts ----------------------------------------------------------------------------

    @property
    def part_names(self) -> list[str]:
        return list(self._names)

    @property
    def zip_infos(self) -> list[zipfile.ZipInfo]:
        """The members' zip metadata, in file order (treat as read-only)."""
        return list(self._infos)

    @property
    def workbook_part(self) -> str:
        return self._workbook_part

    def has_part(self, name: str) -> bool:
        return name.lower() in self._lower_names

    def _real_name(self, name: str) -> str:
        # OPC part names are case-insensitive; zip member names are not
        return self._lower_names.get(name.lower(), name)

    @contextmanager
    def member(self, name: str) -> Iterator[IO[bytes]]:
        """An open member; a damaged one (bad CRC, bad deflate data, lying sizes) is a WorkbookFileError."""
        try:
            f = self._zip.open(self._real_name(name))
        except KeyError:
            raise WorkbookFileError(f"{self.name} is damaged: part {name} is missing") from None
        except _ZIP_ERRORS as e:
            raise self._damaged(name, e) from None
        try:
            with f:
                yield f
        except _ZIP_ERRORS as e:  # raised while the caller reads (decompression happens lazily)
            raise self._damaged(name, e) from None

    def _damaged(self, name: str, e: Exception) -> WorkbookFileError:
        return WorkbookFileError(f"{self.name} is damaged: part {name} cannot be read ({type(e).__name__})")

    def part(self, name: str) -> bytes:
        """A member's decompressed bytes (zipfile enforces the declared size and CRC)."""
        with self.member(name) as f:
            return f.read()

    def xml(self, name: str, label: str = "") -> etree._Element:
        """Parse a whole (small) part with the safe parser; label names it for the user."""
        try:
            return etree.fromstring(self.part(name), _safe_parser())
        except etree.XMLSyntaxError as e:
            what = label or f"part {name}"
            raise WorkbookFileError(f"{self.name} is damaged: {what} is not valid XML ({e})") from None

    def rels(self, part: str) -> list[Relationship]:
        """The relationships of a part ('' for the package root); [] when it has none."""
        rels_name = "_rels/.rels" if part == "" else rels_part_for(part)
        if not self.has_part(rels_name):
            return []
        out = []
        for el in self.xml(rels_name):
            if local_name(el.tag) != "Relationship":
                continue
            external = el.get("TargetMode", "").lower() == "external"
            target = el.get("Target", "")
            out.append(Relationship(el.get("Id", ""), el.get("Type", ""),
                                    target if external else resolve_target(part, target), external))
        return out

    # -- sheets ---------------------------------------------------------------------------

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self._sheets]

    def _sheet(self, sheet: str) -> _SheetEntry:
        for s in self._sheets:
            if s.name == sheet:
                return s
        for s in self._sheets:  # Excel sheet names are case-insensitive
            if s.name.casefold() == sheet.casefold():
                return s
        raise WorkbookFileError(f"{self.name} has no sheet named {sheet!r}")

    def sheet_part(self, sheet: str) -> str:
        return self._sheet(sheet).part

    def sheet_kind(self, sheet: str) -> str:
        """'worksheet', 'chartsheet', 'dialogsheet' or 'macrosheet'."""
        return self._sheet(sheet).kind

    def cells(self, sheet: str) -> dict[tuple[int, int], Cell]:
        """(row, col) -> Cell for every <c> of the sheet; parsed on first use and cached."""
        entry = self._sheet(sheet)
        if entry.name not in self._cells:
            if entry.kind == "chartsheet":
                self._cells[entry.name], self._merged[entry.name] = {}, []
            else:
                self._cells[entry.name], self._merged[entry.name] = self._parse_sheet(entry)
        return self._cells[entry.name]

    def merged_ranges(self, sheet: str) -> list[tuple[int, int, int, int]]:
        self.cells(sheet)
        return list(self._merged[self._sheet(sheet).name])

    def _parse_sheet(self, entry: _SheetEntry) -> tuple[dict[tuple[int, int], Cell], list[Span]]:
        try:
            if self._zip.getinfo(entry.part).file_size <= STREAM_BYTES:
                root = self.xml(entry.part, f"sheet {entry.name!r}")
                reader = SheetReader(self, entry.name, root.tag.partition("}")[0].lstrip("{"))
                reader.run_tree(root)
            else:
                with self.member(entry.part) as f:
                    strict = SML_NS[1].encode() in f.read(PROLOG_BYTES)
                reader = SheetReader(self, entry.name, SML_NS[1] if strict else SML_NS[0])
                with self.member(entry.part) as f:
                    reader.run_stream(f)
        except etree.XMLSyntaxError as e:
            raise WorkbookFileError(
                f"{self.name} is damaged: sheet {entry.name!r} is not valid XML ({e})") from None
        return reader.cells, reader.merged

    # -- shared strings and styles -------------------------------------------------------------

    def _workbook_target(self, suffix: str) -> str | None:
        for rel in self._workbook_rels:
            if rel.type.endswith(suffix) and not rel.external and self.has_part(rel.target):
                return self._real_name(rel.target)
        return None

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            part = self._workbook_target("/sharedStrings")
            self._shared = [] if part is None else self._read_shared_strings(part)
        return self._shared

    def _read_shared_strings(self, part: str) -> list[str]:
        out: list[str] = []
        tags = [f"{{{ns}}}si" for ns in SML_NS]
        with self.member(part) as f:
            try:
                for _, el in etree.iterparse(f, events=("end",), tag=tags, resolve_entities=False,
                                             no_network=True, huge_tree=False, load_dtd=False):
                    out.append(rich_text(el))
                    el.clear(keep_tail=False)
                    while el.getprevious() is not None:
                        del el.getparent()[0]  # keep memory flat on huge string tables
            except etree.XMLSyntaxError as e:
                raise WorkbookFileError(f"{self.name} is damaged: {part} is not valid XML ({e})") from None
        return out

    def styles(self) -> Styles:
        if self._styles is None:
            part = self._workbook_target("/styles")
            self._styles = Styles.parse(self.xml(part)) if part else Styles.empty()
        return self._styles

    def named_styles(self) -> dict[str, int]:
        """Named cell style -> index of the first cellXfs <xf> that uses it (cached)."""
        return self.styles().named_xf

    def number_format(self, xf_index: int) -> str:
        """The number format code of a cellXfs entry ('General' for built-ins we do not spell out)."""
        return self.styles().format_code(xf_index)

    # -- tables ---------------------------------------------------------------------------

    def tables(self) -> dict[str, TableRef]:
        """All tables (ListObjects) of all worksheets, by displayName."""
        if self._tables is None:
            found: dict[str, TableRef] = {}
            for entry in self._sheets:
                for rel in self.rels(entry.part):
                    if rel.type.endswith("/table") and not rel.external and self.has_part(rel.target):
                        table = self._read_table(entry.name, rel.target)
                        found[table.name] = table
            self._tables = found
        return self._tables

    def table(self, name: str) -> TableRef | None:
        """The table named ``name``, matched as Excel matches table names: ignoring case."""
        wanted = name.casefold()
        return next((ref for found, ref in self.tables().items() if found.casefold() == wanted), None)

    def _read_table(self, sheet: str, part: str) -> TableRef:
        root = self.xml(part)
        name = root.get("displayName") or root.get("name") or ""
        ref = root.get("ref", "")
        try:
            min_row, min_col, max_row, max_col = parse_range(ref)
        except ValueError:
            raise WorkbookFileError(f"{self.name} is damaged: table {name!r} has no valid range") from None
        columns = tuple(decode_ooxml_text(c.get("name", "")) for c in root.iter()
                        if local_name(c.tag) == "tableColumn")
        return TableRef(name, sheet, ref, min_row, min_col, max_row, max_col,
                        whole(root.get("headerRowCount", "1")), columns, self._real_name(part),
                        whole(root.get("totalsRowCount")))
