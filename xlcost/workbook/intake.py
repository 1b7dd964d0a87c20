"""Intake of a workbook file: every kind of bad file (missing, a folder, huge, not a zip, truncated,
encrypted, legacy .xls, .xlsb, OpenDocument, a CSV or HTML renamed, a zip bomb) becomes one
WorkbookFileError with a one-line message, decided from the bytes and the zip's central directory
before anything is decompressed."""

from __future__ import annotations

import io
import os
import stat as stat_mod
import struct
import zipfile
from pathlib import Path


class WorkbookFileError(Exception):
    """The file cannot be used as a workbook; the message says why in one line."""


# Intake limits. Real workbooks have 20-200 parts and compress 5-10:1; these leave room for big
# models while keeping a hostile file from exhausting memory.
MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200
RATIO_MIN_BYTES = 1024 * 1024
MAX_CENTRAL_DIR_BYTES = MAX_ENTRIES * 300  # bounds zipfile's own parse of the directory

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"




def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.1f} KB"


def read_file(path: Path) -> tuple[bytes, os.stat_result]:
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
            f"{name} is {megabytes(st.st_size)}; xlcost reads workbooks up to {megabytes(MAX_TOTAL_BYTES)}")
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


def ole_error(name: str, data: bytes) -> WorkbookFileError:
    streams = ole_stream_names(data)
    if {"encryptioninfo", "encryptedpackage"} & streams:
        return WorkbookFileError(
            f"{name} is an encrypted workbook: remove the password in Excel "
            "(File > Info > Protect Workbook) and try again")
    if {"workbook", "book"} & streams:
        return WorkbookFileError(
            f"{name} is a legacy Excel 97-2003 (.xls) workbook: open it in Excel and save it as .xlsx")
    return WorkbookFileError(f"{name} is an older Office file (e.g. a Word .doc), not an Excel workbook")


def non_zip_error(name: str, data: bytes) -> WorkbookFileError:
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


def open_zip(name: str, data: bytes) -> zipfile.ZipFile:
    directory = _central_directory_size(data)
    if directory is None:
        raise non_zip_error(name, data)
    count, size = directory
    if count > MAX_ENTRIES or size > MAX_CENTRAL_DIR_BYTES:
        raise WorkbookFileError(
            f"{name} has {count:,} parts inside (limit {MAX_ENTRIES:,}); "
            "it is not a workbook xlcost can read")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error):
        raise non_zip_error(name, data) from None


def check_members(name: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise WorkbookFileError(f"{name} has {len(infos):,} parts inside (limit {MAX_ENTRIES:,})")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise WorkbookFileError(f"{name} is damaged (a part appears twice in the zip): use an intact copy")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise WorkbookFileError(
            f"{name}: the file expands to {megabytes(total)} when unpacked (limit {megabytes(MAX_TOTAL_BYTES)}); "
            "xlcost refuses it as a possible zip bomb")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise WorkbookFileError(
                f"{name}: the file expands to {megabytes(total)} when unpacked ({info.filename} is compressed "
                f"{ratio:,.0f}:1); xlcost refuses it as a possible zip bomb")
        if info.flag_bits & 0x1:
            raise WorkbookFileError(
                f"{name} is an encrypted zip: remove the password and save it as .xlsx in Excel")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookFileError(f"{name} uses a compression method Excel files never use; it is damaged")


def kind_error(name: str, names: set[str], mimetype: bytes = b"") -> WorkbookFileError | None:
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return WorkbookFileError(f"{name} is an OpenDocument spreadsheet: save it as Excel (.xlsx) from LibreOffice "
                                 "(File > Save As, file type Excel 2007-365)")
    if mimetype.startswith(b"application/vnd.oasis.opendocument."):
        return WorkbookFileError(f"{name} is an OpenDocument text or presentation file, not an Excel workbook")
    if "xl/workbook.bin" in names:
        return WorkbookFileError(
            f"{name} is a binary workbook (.xlsb): open it in Excel and save it as .xlsx or .xlsm")
    if "word/document.xml" in names:
        return WorkbookFileError(f"{name} is a Word document, not an Excel workbook")
    if "ppt/presentation.xml" in names:
        return WorkbookFileError(f"{name} is a PowerPoint file, not an Excel workbook")
    return None
