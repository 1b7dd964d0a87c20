"""Safe intake of an .xlsx/.xlsm package and fast, read-only access to its cells and tables.

Why not openpyxl: a load+save loses parts of the user's file, and even a read-only load is ~20x
slower than reading the few parts we need with lxml. Everything here reads the zip in memory and
never writes; ``writer.py`` edits the package surgically.

Safety rules (see shared/notes/openpyxl.md §2): every bad file becomes one WorkbookFileError with
a one-line message, zip bombs are refused from the central directory before anything is
decompressed, and any XML part with a DOCTYPE is refused (OOXML never needs one, so a DTD can only
be an entity-expansion or XXE attempt).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import posixpath
import re
import stat as stat_mod
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Literal
from urllib.parse import unquote

from lxml import etree

# Intake limits. Real workbooks have 20-200 parts and compress 5-10:1; these leave room for big
# models while keeping a hostile file from exhausting memory.
MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200
RATIO_MIN_BYTES = 1024 * 1024
MAX_CENTRAL_DIR_BYTES = MAX_ENTRIES * 300  # bounds zipfile's own parse of the directory
PROLOG_BYTES = 8192  # a DOCTYPE can only sit in the prolog; no legitimate prolog is this long
STREAM_BYTES = 4 * 1024 * 1024  # sheet parts larger than this are streamed, not parsed whole

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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

CellValue = float | str | bool | dt.datetime | None
Span = tuple[int, int, int, int]  # (min_row, min_col, max_row, max_col)
CellKind = Literal["number", "text", "bool", "error", "date", "blank"]


class WorkbookFileError(Exception):
    """A problem with the file itself; str(e) is ONE line a finance user understands."""


@dataclass(frozen=True, slots=True)
class Cell:
    ref: str
    row: int
    col: int
    value: CellValue
    kind: CellKind
    formula: str | None  # "" for a shared-formula follower (its master cell holds the text)
    has_cached_value: bool


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
# Cell references
# --------------------------------------------------------------------------------------------

_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


@lru_cache(maxsize=512)
def col_letters(col: int) -> str:
    """1 -> 'A', 28 -> 'AB'."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=512)
def col_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def cell_ref(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


def parse_ref(ref: str) -> tuple[int, int]:
    """'B7' or '$B$7' -> (7, 2)."""
    m = _REF_RE.fullmatch(ref.strip())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_number(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A3:H6' -> (3, 1, 6, 8); a single cell is a 1x1 range."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


# --------------------------------------------------------------------------------------------
# Excel dates
# --------------------------------------------------------------------------------------------

_DATE_FMT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# Pieces of a format code that cannot be date tokens: quoted text, [colour]/[condition]/[$-locale]
# brackets, backslash escapes, and the _x (padding) and *x (fill) pairs.
_FMT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', re.S)
_ELAPSED = re.compile(r"\[(h+|m+|s+)\]", re.I)
_DATE_TOKEN = re.compile(r"[dmyhs]", re.I)
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def is_date_format(num_fmt_id: int, code: str | None) -> bool:
    """True if a cell with this number format shows a date or time."""
    if code is None:
        return num_fmt_id in _DATE_FMT_IDS
    code = _ELAPSED.sub(r"\1", code)  # [h]:mm is an elapsed time; keep its tokens
    code = re.sub("general", "", _FMT_NOISE.sub("", code), flags=re.I)
    return bool(_DATE_TOKEN.search(code))


def serial_to_datetime(serial: float, date1904: bool) -> dt.datetime | None:
    """Excel serial -> datetime; None when out of datetime's range."""
    if date1904:
        base = _EPOCH_1904
    else:
        base = _EPOCH_1900
        if serial < 60:  # Excel counts the non-existent 1900-02-29; dates before it are one day off
            serial += 1
    try:
        # Excel keeps times to the millisecond; rounding hides float noise such as 12:30:00.000001
        return base + dt.timedelta(milliseconds=round(serial * 86_400_000))
    except (OverflowError, ValueError):
        return None


def datetime_to_serial(value: dt.date, date1904: bool) -> float:
    """The inverse of serial_to_datetime (used by the writer for date results)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    base = _EPOCH_1904 if date1904 else _EPOCH_1900
    serial = (value.replace(tzinfo=None) - base) / dt.timedelta(days=1)
    if not date1904 and serial < 61:
        serial -= 1
    return serial


# --------------------------------------------------------------------------------------------
# Safe XML
# --------------------------------------------------------------------------------------------

_ESCAPED_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decode_ooxml_text(text: str) -> str:
    """Undo OOXML's _xHHHH_ escaping of characters XML cannot carry (Excel reads it this way)."""
    if "_x" not in text:
        return text
    return _ESCAPED_CHAR.sub(lambda m: chr(int(m.group(1), 16)), text)


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


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


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
# Intake: turn every kind of bad file into one clear line
# --------------------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.1f} KB"


def _read_file(path: Path) -> tuple[bytes, os.stat_result]:
    name = path.name
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise WorkbookFileError(f"{path} does not exist: check the file name and folder") from None
    except PermissionError:
        raise WorkbookFileError(f"{name} cannot be read: permission denied") from None
    except OSError as e:
        raise WorkbookFileError(f"{name} cannot be read: {e.strerror or e}") from None
    if stat_mod.S_ISDIR(st.st_mode):
        raise WorkbookFileError(f"{path} is a folder, not a workbook: give the path of the .xlsx/.xlsm file")
    if not stat_mod.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
        raise WorkbookFileError(f"{name} is not a regular file: give the path of the .xlsx/.xlsm file")
    if st.st_size > MAX_TOTAL_BYTES:
        raise WorkbookFileError(
            f"{name} is {_mb(st.st_size)}; xlcost reads workbooks up to {_mb(MAX_TOTAL_BYTES)}")
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())  # the stat of exactly what we read
            data = f.read(st.st_size)  # read(n) preallocates n bytes, so ask for exactly the size
            grew = f.read(1)
    except PermissionError:
        raise WorkbookFileError(f"{name} cannot be read: permission denied") from None
    except OSError as e:
        raise WorkbookFileError(f"{name} cannot be read: {e.strerror or e}") from None
    if grew or len(data) != st.st_size:
        raise WorkbookFileError(f"{name} is being written by another program: wait for it to finish "
                                "and try again")
    return data, st


def ole_stream_names(data: bytes) -> set[str]:
    """Top-level stream names of an OLE2 (Compound File) container, lower-cased."""
    try:
        import olefile  # optional: a precise directory walk
    except ImportError:  # pragma: no cover - exercised through _scan_ole_names in tests
        return _scan_ole_names(data)
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return {entry[0].lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # olefile raises many types on damaged containers; fall back to a scan
        return _scan_ole_names(data)


def _scan_ole_names(data: bytes) -> set[str]:
    """Fallback: find the UTF-16LE directory-entry names we care about anywhere in the bytes."""
    wanted = ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book", "WordDocument")
    found = set()
    for name in wanted:
        # A directory entry stores the name NUL-terminated, so Book does not match inside Workbook
        if b"\x00\x00" + (name + "\x00").encode("utf-16-le") in data:
            found.add(name.lower())
    return found


def _ole_error(name: str, data: bytes) -> WorkbookFileError:
    streams = ole_stream_names(data)
    if {"encryptioninfo", "encryptedpackage"} & streams:
        return WorkbookFileError(
            f"{name} is an encrypted workbook: remove the password in Excel "
            "(File > Info > Protect Workbook) and try again")
    if {"workbook", "book"} & streams:
        return WorkbookFileError(
            f"{name} is a legacy Excel 97-2003 (.xls) workbook: open it in Excel and save it as .xlsx")
    return WorkbookFileError(f"{name} is an older Office file (e.g. a Word .doc), not an Excel workbook")


def _non_zip_error(name: str, data: bytes) -> WorkbookFileError:
    head = data[:4096]
    if head.startswith(b"PK"):
        return WorkbookFileError(
            f"{name} is damaged or incomplete (perhaps a copy or download was cut short): "
            "use an intact copy")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        text = head[: e.start].decode("utf-8") if e.start > len(head) - 4 else ""
    printable = text and sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text)
    if printable and text.lstrip().startswith("<"):
        return WorkbookFileError(
            f"{name} looks like an HTML/XML file, not an Excel workbook: "
            "open it in Excel and save it as .xlsx")
    if printable:
        return WorkbookFileError(
            f"{name} looks like a CSV/text file, not an Excel workbook: "
            "open it in Excel and save it as .xlsx")
    return WorkbookFileError(f"{name} is not an Excel workbook (unrecognised file format)")


def _central_directory_size(data: bytes) -> tuple[int, int] | None:
    """(entry count, directory bytes) from the end-of-central-directory record, or None."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if pos < 0 or len(data) - pos < 22:
        return None
    count, size = struct.unpack_from("<HL", data, pos + 10)
    locator = pos - 20
    zip64 = count == 0xFFFF or size == 0xFFFFFFFF
    if zip64 and locator >= 56 and data[locator:locator + 4] == b"PK\x06\x07":
        rec = locator - 56  # the zip64 record sits just before its locator (as zipfile assumes)
        if data[rec:rec + 4] == b"PK\x06\x06":
            count, size = struct.unpack_from("<QQ", data, rec + 32)
    return count, size


def _open_zip(name: str, data: bytes) -> zipfile.ZipFile:
    directory = _central_directory_size(data)
    if directory is None:
        raise _non_zip_error(name, data)
    count, size = directory
    if count > MAX_ENTRIES or size > MAX_CENTRAL_DIR_BYTES:
        raise WorkbookFileError(
            f"{name} has {count:,} parts inside (limit {MAX_ENTRIES:,}); "
            "it is not a workbook xlcost can read")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error):
        raise _non_zip_error(name, data) from None


def _check_members(name: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise WorkbookFileError(f"{name} has {len(infos):,} parts inside (limit {MAX_ENTRIES:,})")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise WorkbookFileError(f"{name} is damaged (a part appears twice in the zip): use an intact copy")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise WorkbookFileError(
            f"{name}: the file expands to {_mb(total)} when unpacked (limit {_mb(MAX_TOTAL_BYTES)}); "
            "xlcost refuses it as a possible zip bomb")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise WorkbookFileError(
                f"{name}: the file expands to {_mb(total)} when unpacked ({info.filename} is compressed "
                f"{ratio:,.0f}:1); xlcost refuses it as a possible zip bomb")
        if info.flag_bits & 0x1:
            raise WorkbookFileError(
                f"{name} is an encrypted zip: remove the password and save it as .xlsx in Excel")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookFileError(f"{name} uses a compression method Excel files never use; it is damaged")


def _kind_error(name: str, names: set[str]) -> WorkbookFileError | None:
    if "xl/workbook.bin" in names:
        return WorkbookFileError(
            f"{name} is a binary workbook (.xlsb): open it in Excel and save it as .xlsx or .xlsm")
    if "word/document.xml" in names:
        return WorkbookFileError(f"{name} is a Word document, not an Excel workbook")
    if "ppt/presentation.xml" in names:
        return WorkbookFileError(f"{name} is a PowerPoint file, not an Excel workbook")
    return None


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
        self._zip = _open_zip(self.name, data)
        self._infos = self._zip.infolist()
        _check_members(self.name, self._infos)
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
        self._styles: _Styles | None = None
        self._tables: dict[str, TableRef] | None = None

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Package:
        """Read and check a workbook file; every problem is a WorkbookFileError."""
        p = Path(path)
        data, st = _read_file(p)
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
            raise _ole_error(name, data)
        if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise _non_zip_error(name, data)
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
        kind = _kind_error(self.name, names)
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
        if _local(root.tag) != "workbook":
            raise WorkbookFileError(f"{self.name} is not an Excel workbook (its main part is not a workbook)")
        self._workbook_rels = self.rels(self._workbook_part)
        by_id = {r.id: r for r in self._workbook_rels}
        for el in root:
            if _local(el.tag) == "workbookPr":
                self.date1904 = el.get("date1904", "0").lower() in ("1", "true")
            elif _local(el.tag) == "sheets":
                self._sheets = [self._sheet_entry(s, by_id) for s in el if _local(s.tag) == "sheet"]

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
            if _local(el.tag) != "Relationship":
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
                reader = _SheetReader(self, entry.name, root.tag.partition("}")[0].lstrip("{"))
                reader.run_tree(root)
            else:
                with self.member(entry.part) as f:
                    strict = SML_NS[1].encode() in f.read(PROLOG_BYTES)
                reader = _SheetReader(self, entry.name, SML_NS[1] if strict else SML_NS[0])
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

    def styles(self) -> _Styles:
        if self._styles is None:
            part = self._workbook_target("/styles")
            self._styles = _Styles.parse(self.xml(part)) if part else _Styles.empty()
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

    def _read_table(self, sheet: str, part: str) -> TableRef:
        root = self.xml(part)
        name = root.get("displayName") or root.get("name") or ""
        ref = root.get("ref", "")
        try:
            min_row, min_col, max_row, max_col = parse_range(ref)
        except ValueError:
            raise WorkbookFileError(f"{self.name} is damaged: table {name!r} has no valid range") from None
        columns = tuple(decode_ooxml_text(c.get("name", "")) for c in root.iter()
                        if _local(c.tag) == "tableColumn")
        return TableRef(name, sheet, ref, min_row, min_col, max_row, max_col,
                        _int(root.get("headerRowCount", "1")), columns)


# --------------------------------------------------------------------------------------------
# Styles and strings
# --------------------------------------------------------------------------------------------


def rich_text(el: etree._Element) -> str:
    """Text of an <si>/<is>: its <t> plus every run's <t>, leaving out phonetic (<rPh>) hints."""
    parts: list[str] = []
    for child in el:
        local = _local(child.tag)
        if local == "t":
            parts.append(child.text or "")
        elif local == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return decode_ooxml_text("".join(parts))


@dataclass
class _Styles:
    xf_formats: list[int]  # cellXfs index -> numFmtId
    xf_style: list[int]  # cellXfs index -> xfId (its named style)
    custom_formats: dict[int, str]
    named_xf: dict[str, int]
    _date_cache: dict[int, bool]

    @classmethod
    def empty(cls) -> _Styles:
        return cls([], [], {}, {}, {})

    @classmethod
    def parse(cls, root: etree._Element) -> _Styles:
        formats: dict[int, str] = {}
        xf_formats: list[int] = []
        xf_style: list[int] = []
        style_ids: dict[str, int] = {}
        for section in root:
            local = _local(section.tag)
            if local == "numFmts":
                for nf in section:
                    fmt_id = nf.get("numFmtId", "")
                    if fmt_id.isdigit():
                        formats[int(fmt_id)] = nf.get("formatCode", "")
            elif local == "cellXfs":
                for xf in section:
                    xf_formats.append(_int(xf.get("numFmtId")))
                    xf_style.append(_int(xf.get("xfId")))
            elif local == "cellStyles":
                for cs in section:
                    style_ids.setdefault(cs.get("name", ""), _int(cs.get("xfId")))
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


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


# --------------------------------------------------------------------------------------------
# Streaming sheet reader
# --------------------------------------------------------------------------------------------


class _SheetReader:
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
        for child in el:
            tag = child.tag
            if tag == self._v:
                v_text = child.text or ""
            elif tag == self._f:
                formula = child.text or ""
            elif tag == self._is:
                inline = child
        t = attrib.get("t", "n")
        if v_text is not None and t not in ("s", "str", "inlineStr") and not v_text.strip():
            v_text = None  # openpyxl saves formulas as <f>..</f><v></v>: there is no cached value
        value, kind = self._value(ref, t, v_text, inline, attrib.get("s"))
        has_cached = v_text is not None or inline is not None
        self.cells[(row, col)] = Cell(ref, row, col, value, kind, formula, has_cached)

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
            is_date = self._date_xf[s] = self._styles.is_date(_int(s))
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
            return dt.datetime.combine(_EPOCH_1900.date(), t), "date"
        except ValueError:
            return text, "text"

