"""Intake and reading tests for xlcost.workbook.package, on real files built in tmp_path."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import random
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from xlcost.workbook.intake import _scan_ole_names
from xlcost.workbook.package import (
    Package,
    WorkbookFileError,
    is_date_format,
    ole_stream_names,
    serial_to_datetime,
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XLWINGS_STANDALONE = "quickstart_standalone.xlsm"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(path: Path, *fragments: str) -> str:
    """Package.open must refuse with one line containing every fragment, leaving the file alone."""
    before = sha(path) if path.is_file() else None
    with pytest.raises(WorkbookFileError) as info:
        Package.open(path)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    if before is not None:
        assert sha(path) == before
    return message


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------


def build_xlsxwriter_book(path: Path, date1904: bool = False) -> Path:
    """Shared strings, dates, cached formula values, errors, rich text, merges and a table."""
    wb = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = wb.add_format({"num_format": "h:mm"})
    custom_date = wb.add_format({"num_format": '[$-409]d mmm yyyy;@'})
    money = wb.add_format({"num_format": '"$"#,##0.00'})
    days = wb.add_format({"num_format": '0 "days"'})
    ws = wb.add_worksheet("Inputs")
    ws.write("A1", "Name")
    ws.write("B1", 12.5, money)
    ws.write("C1", True)
    ws.write("D1", 42)
    ws.write_datetime("A2", dt.datetime(2025, 3, 14), date_fmt)
    ws.write_datetime("B2", dt.datetime(1899, 12, 31, 12, 30), time_fmt)
    ws.write_datetime("C2", dt.datetime(2024, 2, 29), custom_date)
    ws.write_number("D2", 7, days)
    ws.write_formula("A3", "=B1*2", None, 25)
    ws.write_formula("B3", "=1/0", None, "#DIV/0!")
    ws.write_formula("C3", '=A1&"x"', None, "Namex")
    ws.write_formula("D3", "=C1", None, True)
    ws.write_rich_string("A4", "plain ", wb.add_format({"bold": True}), "bold", " end")
    ws.write("B4", "Name")  # the same shared string again
    ws.merge_range("A6:C7", "merged title")
    ws.add_table("A9:C12", {"name": "Costs", "columns": [{"header": "Item"}, {"header": "USD"},
                                                         {"header": "Note\nline"}],
                            "data": [["a", 1, "x"], ["b", 2, "y"], ["c", 3, "z"]]})
    other = wb.add_worksheet("Other")
    other.write("A1", "only here")
    wb.add_worksheet("Empty")
    chartsheet = wb.add_chartsheet("Chart1")
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=Inputs!$B$10:$B$12"})
    chartsheet.set_chart(chart)
    wb.close()
    return path


def build_openpyxl_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Params"
    ws.append(["Name", "Value"])
    ws.append(["rate", 0.05])
    ws.append(["years", 10])
    from openpyxl.worksheet.table import Table

    ws.add_table(Table(displayName="Parameters", ref="A1:B3"))
    ws.merge_cells("D1:E2")
    ws["D1"] = "note"
    wb.save(path)
    return path


def raw_package(path: Path, sheets: dict[str, str], *, workbook_extra: str = "", workbook_pr: str = "",
                shared: list[str] | None = None, styles: str | None = None,
                extra: dict[str, bytes] | None = None, absolute_targets: bool = False) -> Path:
    """A hand-written package: sheet name -> <sheetData> inner XML (or a full part if it starts with '<?')."""
    rels, entries, members = [], [], {}
    for i, (name, body) in enumerate(sheets.items(), start=1):
        target = f"/xl/worksheets/sheet{i}.xml" if absolute_targets else f"worksheets/sheet{i}.xml"
        rels.append(f'<Relationship Id="rId{i}" Type="{R_NS}/worksheet" Target="{target}"/>')
        entries.append(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>')
        xml = body if body.startswith("<?") else (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
            f"<sheetData>{body}</sheetData></worksheet>")
        members[f"xl/worksheets/sheet{i}.xml"] = xml.encode("utf-8")
    n = len(sheets)
    if shared is not None:
        rels.append(f'<Relationship Id="rId{n + 1}" Type="{R_NS}/sharedStrings" Target="sharedStrings.xml"/>')
        items = "".join(f"<si>{s}</si>" for s in shared)
        members["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN_NS}">{items}</sst>'.encode()
    if styles is not None:
        rels.append(f'<Relationship Id="rId{n + 2}" Type="{R_NS}/styles" Target="styles.xml"/>')
        members["xl/styles.xml"] = f'<styleSheet xmlns="{MAIN_NS}">{styles}</styleSheet>'.encode()
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN_NS}" xmlns:r="{R_NS}">'
                f'{workbook_pr}<sheets>{"".join(entries)}</sheets>{workbook_extra}</workbook>')
    package = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": (f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
                        f'Type="{R_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode(),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{REL_NS}">{"".join(rels)}</Relationships>'.encode(),
        **members,
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in package.items():
            zf.writestr(name, data)
    return path


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (v3, 512-byte sectors) holding top-level streams.

    Streams are padded to 4 KiB so they live in normal sectors and no mini stream is needed.
    """
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    fat = [fat_sect, end]  # sector 0 = FAT, sector 1 = directory
    data_sectors: list[bytes] = []
    entries = []
    for i, (name, payload) in enumerate(streams.items()):
        payload = payload.ljust(4096, b"\0")
        count = len(payload) // 512
        first = 2 + len(data_sectors)
        fat += [first + k + 1 for k in range(count - 1)] + [end]
        data_sectors += [payload[k * 512:(k + 1) * 512] for k in range(count)]
        right = i + 2 if i + 1 < len(streams) else free
        entries.append(_dir_entry(name, 2, free, right, free, first, len(payload)))
    root = _dir_entry("Root Entry", 5, free, free, 1 if streams else free, end, 0)
    directory = b"".join([root, *entries]).ljust(512, b"\0")
    assert len(directory) == 512 and len(fat) <= 128
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + b"\xff" * (512 - 4 * len(fat))
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16,
                         0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + b"\xff" * (4 * 108)
    return header + fat_bytes + directory + b"".join(data_sectors)


def _dir_entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
    raw = (name + "\0").encode("utf-16-le")
    return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, left, right, child,
                       b"\0" * 16, 0, 0, 0, start, size)


# ---------------------------------------------------------------------------------------------
# Intake: every bad file is one clear line, and the file is left alone
# ---------------------------------------------------------------------------------------------


def test_missing_file_and_directory(tmp_path: Path) -> None:
    refused(tmp_path / "nope.xlsx", "does not exist")
    refused(tmp_path, "is a folder")


def test_unreadable_file(tmp_path: Path) -> None:
    path = build_openpyxl_book(tmp_path / "secret.xlsx")
    if os.geteuid() != 0:
        path.chmod(0)
        try:
            refused(path, "secret.xlsx cannot be read: permission denied")
        finally:
            path.chmod(0o644)
        return
    # root ignores file modes: check as an unprivileged user in a child process
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                Package.open(path)
                message = "opened"
            except WorkbookFileError as e:
                message = str(e)
            os.write(write_fd, message.encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    _, status = os.waitpid(pid, 0)
    message = os.read(read_fd, 4096).decode()
    os.close(read_fd)
    assert "cannot be read: permission denied" in message, message


def test_empty_text_and_garbage_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    refused(empty, "empty.xlsx is empty")
    csv = tmp_path / "costs.xlsx"
    csv.write_text("item,usd\ngpu,2.5\n", encoding="utf-8")
    refused(csv, "looks like a CSV/text file", "save it as .xlsx")
    html = tmp_path / "export.xlsx"
    html.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    refused(html, "HTML/XML")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(bytes(range(256)) * 4)
    refused(junk, "not an Excel workbook")


def test_truncated_zip(tmp_path: Path) -> None:
    good = build_xlsxwriter_book(tmp_path / "good.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good[: len(good) // 2])
    refused(cut, "damaged or incomplete")


def test_encrypted_workbook_real_msoffcrypto(tmp_path: Path) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = build_openpyxl_book(tmp_path / "plain.xlsx")
    enc = tmp_path / "budget.xlsx"
    with open(plain, "rb") as f, open(enc, "wb") as out:
        ooxml.OOXMLFile(f).encrypt("secret", out)
    refused(enc, "budget.xlsx is an encrypted workbook: remove the password in Excel", "try again")


def test_ole_containers(tmp_path: Path) -> None:
    cases = {
        "enc.xlsx": ({"EncryptionInfo": b"i", "EncryptedPackage": b"p"}, "encrypted workbook"),
        "old.xlsx": ({"Workbook": b"BIFF8"}, "legacy Excel 97-2003 (.xls)"),
        "older.xls": ({"Book": b"BIFF5"}, "save it as .xlsx"),
        "letter.xlsx": ({"WordDocument": b"w"}, "not an Excel workbook"),
    }
    for name, (streams, fragment) in cases.items():
        path = tmp_path / name
        data = cfb(streams)
        path.write_bytes(data)
        refused(path, fragment)
        # olefile and the fallback byte scan agree on the streams that matter
        wanted = {s.lower() for s in streams}
        assert wanted <= ole_stream_names(data)
        assert _scan_ole_names(data) == wanted


def test_xlsb_docx_and_plain_zip(tmp_path: Path) -> None:
    for name, members, fragment in [
        ("b.xlsb", {"xl/workbook.bin": b"\0", "[Content_Types].xml": b"<Types/>"}, "binary workbook"),
        ("d.xlsx", {"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}, "Word document"),
        ("z.xlsx", {"readme.txt": b"hi"}, "not an Excel workbook (no xl/workbook.xml)"),
    ]:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            for member, data in members.items():
                zf.writestr(member, data)
        refused(path, fragment)


def test_opendocument_spreadsheet_named_and_told_how_to_convert(tmp_path: Path) -> None:
    path = tmp_path / "book.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
        zf.writestr("META-INF/manifest.xml", "<manifest/>")
    refused(path, "is an OpenDocument spreadsheet: save it as Excel (.xlsx) from LibreOffice")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    refused(path, "OpenDocument text or presentation file, not an Excel workbook")


def test_true_and_false_formulas_are_boolean_values(tmp_path: Path) -> None:
    """LibreOffice saves every boolean as the formula TRUE() or FALSE(); openpyxl drops the cached value."""
    body = (
        '<row r="1"><c r="A1" t="b"><f aca="false">TRUE()</f><v>1</v></c>'  # as LibreOffice writes it
        '<c r="B1" t="b"><f>FALSE()</f><v>0</v></c>'
        '<c r="C1"><f>TRUE()</f><v></v></c>'  # after an openpyxl load+save: no cached value
        '<c r="D1"><f> false ( ) </f></c>'
        '<c r="E1" t="b"><f t="shared" ref="E1:E2" si="0">TRUE()</f><v>1</v></c></row>'
        '<row r="2"><c r="E2" t="b"><f t="shared" si="0"/><v>1</v></c>'  # a shared formula's follower
        '<c r="F2" t="b"><f>NOT(TRUE())</f><v>0</v></c>'  # a real formula stays one
        '<c r="G2"><f t="shared" ref="G2:G3" si="1">A1+1</f><v>2</v></c></row>'
        '<row r="3"><c r="G3"><f t="shared" si="1"/><v>1</v></c></row>'
    )
    cells = Package.open(raw_package(tmp_path / "lo.xlsx", {"S": body})).cells("S")
    constants = [cells[key] for key in ((1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (2, 5))]
    assert [(c.value, c.kind, c.formula, c.has_cached_value) for c in constants] == [
        (True, "bool", None, True), (False, "bool", None, True), (True, "bool", None, True),
        (False, "bool", None, True), (True, "bool", None, True), (True, "bool", None, True)]
    assert (cells[(2, 6)].formula, cells[(2, 6)].value) == ("NOT(TRUE())", False)
    assert cells[(2, 7)].formula == "A1+1" and cells[(3, 7)].formula == ""


def test_zip_bomb_refused_without_decompressing(tmp_path: Path) -> None:
    path = raw_package(tmp_path / "bomb.xlsx", {"Sheet1": ""})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open("xl/media/blank.xml", "w", force_zip64=True) as member:
        block = b" " * (4 << 20)
        for _ in range(75):  # 300 MB of spaces, about 0.3 MB on disk
            member.write(block)
    assert path.stat().st_size < 2 << 20
    tracemalloc.start()
    start = time.perf_counter()
    message = refused(path, "the file expands to", "MB", "zip bomb")
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "xl/media/blank.xml" in message
    assert elapsed < 0.5 and peak < 32 << 20, (elapsed, peak)


def test_declared_total_size_limit(tmp_path: Path) -> None:
    """Sizes come from the central directory: a directory claiming 600 MB is refused up front."""
    path = raw_package(tmp_path / "big.xlsx", {"Sheet1": ""})
    data = bytearray(path.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        struct.pack_into("<I", data, pos + 24, 200 << 20)  # uncompressed size
        struct.pack_into("<I", data, pos + 20, 50 << 20)  # compressed size keeps the ratio at 4:1
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))
    refused(path, "the file expands to", "zip bomb")


def test_too_many_entries(tmp_path: Path) -> None:
    path = raw_package(tmp_path / "many.xlsx", {"Sheet1": ""})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as zf:
        for i in range(10_001):
            zf.writestr(f"xl/junk/{i}.bin", b"")
    refused(path, "10,0", "parts inside")


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def test_billion_laughs_and_xxe_refused(tmp_path: Path) -> None:
    bomb_sheet = BILLION_LAUGHS + f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" ' \
        't="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    xxe_sheet = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
                 f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                 "<is><t>&xxe;</t></is></c></row></sheetData></worksheet>")
    cases = {
        "bomb_sheet.xlsx": dict(sheets={"S": bomb_sheet}),
        "xxe_sheet.xlsx": dict(sheets={"S": xxe_sheet}),
        "custom.xlsx": dict(sheets={"S": ""}, extra={"customXml/item1.xml": BILLION_LAUGHS.encode() + b"<a/>"}),
        "utf16.xlsx": dict(sheets={"S": ""}, extra={
            "customXml/item2.xml": ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a/>')
            .encode("utf-16")}),
    }
    for name, kwargs in cases.items():
        path = raw_package(tmp_path / name, **kwargs)
        start = time.perf_counter()
        message = refused(path, "contains a DTD (possible XML entity attack); xlcost refuses it")
        assert time.perf_counter() - start < 0.5
        assert "part " in message
    # a DOCTYPE hidden behind a long comment is refused too
    hidden = f"<?xml version='1.0'?><!--{'x' * 10_000}-->" + BILLION_LAUGHS.split("\n", 1)[1] + "<a/>"
    path = raw_package(tmp_path / "hidden.xlsx", {"S": ""}, extra={"xl/custom.xml": hidden.encode()})
    refused(path, "prolog too long")
    # an undeclared entity is never resolved: the sheet is reported as damaged when read
    path = raw_package(tmp_path / "entity.xlsx",
                       {"S": '<row r="1"><c r="A1" t="inlineStr"><is><t>&foo;</t></is></c></row>'})
    with pytest.raises(WorkbookFileError, match="not valid XML"):
        Package.open(path).cells("S")


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def test_typed_values_from_xlsxwriter(tmp_path: Path) -> None:
    pkg = Package.open(build_xlsxwriter_book(tmp_path / "book.xlsx"))
    assert pkg.sheet_names == ["Inputs", "Other", "Empty", "Chart1"]
    cells = pkg.cells("Inputs")

    def v(ref: str) -> object:
        return next(c for c in cells.values() if c.ref == ref).value

    assert (v("A1"), v("B1"), v("C1"), v("D1")) == ("Name", 12.5, True, 42.0)
    assert cells[(1, 1)].kind == "text" and cells[(1, 3)].kind == "bool" and cells[(1, 2)].kind == "number"
    assert v("A2") == dt.datetime(2025, 3, 14) and cells[(2, 1)].kind == "date"
    assert v("B2") == dt.datetime(1899, 12, 31, 12, 30)
    assert v("C2") == dt.datetime(2024, 2, 29)
    assert v("D2") == 7.0 and cells[(2, 4)].kind == "number"  # '0 "days"' is not a date format
    a3 = cells[(3, 1)]
    assert (a3.value, a3.formula, a3.has_cached_value, a3.kind) == (25.0, "B1*2", True, "number")
    assert (cells[(3, 2)].kind, cells[(3, 2)].value) == ("error", "#DIV/0!")
    assert (cells[(3, 3)].kind, cells[(3, 3)].value) == ("text", "Namex")
    assert cells[(3, 4)].value is True
    assert v("A4") == "plain bold end" and v("B4") == "Name"
    assert pkg.merged_ranges("Inputs") == [(6, 1, 7, 3)]
    assert pkg.cells("Empty") == {} and pkg.cells("Chart1") == {}
    assert pkg.sheet_part("Other") == "xl/worksheets/sheet2.xml"
    assert pkg.part("xl/worksheets/sheet2.xml").startswith(b"<?xml")
    assert "xl/sharedStrings.xml" in pkg.part_names
    table = pkg.tables()["Costs"]
    assert (table.sheet, table.ref, table.min_row, table.min_col, table.max_row, table.max_col) == (
        "Inputs", "A9:C12", 9, 1, 12, 3)
    assert table.header_row_count == 1 and table.columns == ("Item", "USD", "Note\nline")


def test_date1904(tmp_path: Path) -> None:
    pkg = Package.open(build_xlsxwriter_book(tmp_path / "mac.xlsx", date1904=True))
    assert pkg.date1904
    assert pkg.cells("Inputs")[(2, 1)].value == dt.datetime(2025, 3, 14)


def test_openpyxl_book_table_and_merges(tmp_path: Path) -> None:
    pkg = Package.open(build_openpyxl_book(tmp_path / "p.xlsx"))
    table = pkg.tables()["Parameters"]
    assert table.columns == ("Name", "Value") and table.sheet == "Params"
    cells = pkg.cells("Params")
    assert cells[(2, 1)].value == "rate" and cells[(2, 2)].value == 0.05 and cells[(3, 2)].value == 10
    assert pkg.merged_ranges("Params") == [(1, 4, 2, 5)]
    assert pkg.cells("params") is cells  # sheet names are case-insensitive, and parsing is cached


def test_hand_written_edge_cases(tmp_path: Path) -> None:
    styles = ('<numFmts count="1"><numFmt numFmtId="164" formatCode="[h]:mm:ss"/></numFmts>'
              '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs>')
    body = (
        '<row r="2"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c s="1"><v>45366</v></c>'
        '<c s="2"><v>1.5</v></c></row>'
        "<row><c><v>3</v></c>"  # no r attributes anywhere: positions follow their neighbours
        '<c t="inlineStr"><is><r><t>in</t></r><r><rPr><b/></rPr><t>line</t></r></is></c>'
        '<c t="d"><v>2024-05-06T07:08:09</v></c><c t="str"><f>A1&amp;"!"</f><v>x!</v></c>'
        '<c><f>SUM(A1:A2)</f></c><c t="e"><v>#N/A</v></c><c t="b"><v>0</v></c>'
        '<c><f t="shared" si="0"/><v>4</v></c><c s="1"/></row>'
    )
    shared = ["<t>tab\there_x000D_</t>",
              "<r><t>ru</t></r><r><t>n</t></r><rPh sb='0' eb='1'><t>phonetic</t></rPh>"]
    path = raw_package(tmp_path / "edge.xlsx", {"S": body}, shared=shared, styles=styles,
                       absolute_targets=True, workbook_pr='<workbookPr date1904="false"/>')
    cells = Package.open(path).cells("S")
    assert cells[(2, 1)].value == "tab\there\r" and cells[(2, 2)].value == "run"
    assert cells[(2, 3)].value == dt.datetime(2024, 3, 15)
    assert cells[(2, 4)].value == dt.datetime(1900, 1, 1, 12) and cells[(2, 4)].kind == "date"
    row3 = [cells[(3, c)] for c in range(1, 10)]
    assert [c.value for c in row3[:3]] == [3.0, "inline", dt.datetime(2024, 5, 6, 7, 8, 9)]
    assert (row3[3].value, row3[3].formula) == ("x!", 'A1&"!"')
    assert (row3[4].formula, row3[4].has_cached_value, row3[4].kind) == ("SUM(A1:A2)", False, "blank")
    assert (row3[5].kind, row3[6].value, row3[7].formula, row3[8].kind) == ("error", False, "", "blank")
    assert row3[0].ref == "A3" and row3[8].ref == "I3" and len(cells) == 13


def test_strict_namespace_and_rels_variants(tmp_path: Path) -> None:
    strict = "http://purl.oclc.org/ooxml/spreadsheetml/main"
    sheet = (f'<?xml version="1.0"?><worksheet xmlns="{strict}"><sheetData><row r="1"><c r="B1">'
             "<v>2</v></c></row></sheetData><mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>")
    pkg = Package.open(raw_package(tmp_path / "strict.xlsx", {"S p a c e": sheet}))
    assert pkg.cells("S p a c e")[(1, 2)].value == 2.0
    assert pkg.merged_ranges("S p a c e") == [(1, 1, 1, 2)]


def test_date_format_detection() -> None:
    for fmt_id in (14, 15, 22, 27, 36, 45, 47, 50, 58):
        assert is_date_format(fmt_id, None)
    for fmt_id in (0, 1, 2, 9, 10, 11, 37, 44, 48, 49):
        assert not is_date_format(fmt_id, None)
    for code in ("yyyy-mm-dd", "d mmm", "h:mm AM/PM", "[h]:mm", "[$-409]mmmm d, yyyy", "mm:ss.0"):
        assert is_date_format(164, code), code
    for code in ('0 "days"', '"$"#,##0', "0.00E+00", "General", "[Red]0.0;[Blue]-0.0", "#,##0_);(#,##0)",
                 "0\\d", '[$USD] #,##0', "@"):
        assert not is_date_format(164, code), code
    assert serial_to_datetime(1, False) == dt.datetime(1900, 1, 1)
    assert serial_to_datetime(61, False) == dt.datetime(1900, 3, 1)
    assert serial_to_datetime(0, True) == dt.datetime(1904, 1, 1)
    assert serial_to_datetime(1e12, False) is None


def test_excel_saved_workbook_with_vba() -> None:
    import importlib.util

    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("xlwings is not installed")
    path = Path(spec.submodule_search_locations[0]) / XLWINGS_STANDALONE
    if not path.exists():
        pytest.skip("xlwings' standalone template is missing")
    pkg = Package.open(path)
    assert pkg.sheet_names == ["Sheet1", "_xlwings.conf"]
    assert "xl/vbaProject.bin" in pkg.part_names
    assert pkg.cells("_xlwings.conf")[(1, 1)].value == "Interpreter_Win"


# ---------------------------------------------------------------------------------------------
# Speed: reading is lazy, and a huge unrelated sheet costs nothing
# ---------------------------------------------------------------------------------------------


def test_huge_unrelated_sheet_costs_nothing(tmp_path: Path) -> None:
    path = raw_package(tmp_path / "huge.xlsx", {"Small": '<row r="1"><c r="A1"><v>1</v></c></row>'})
    # a 1,000,000-row sheet streamed straight into the zip (openpyxl would take minutes)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/worksheets/sheet9.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            for start in range(1, 1_000_001, 50_000):
                f.write("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="b"><v>1</v></c></row>'
                                for r in range(start, start + 50_000)).encode())
            f.write(b"</sheetData></worksheet>")
        data = {n: zf.read(n) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")}
    # register the big sheet in a rebuilt copy (zip members cannot be rewritten in place)
    wb = data["xl/workbook.xml"].replace(b"</sheets>", b'<sheet name="Big" sheetId="9" r:id="rId9"/></sheets>')
    rels = data["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rId9" Type="{R_NS}/worksheet" Target="worksheets/sheet9.xml"/></Relationships>'
        .encode())
    final = tmp_path / "huge2.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(final, "w") as dst:
        for info in src.infolist():
            if info.filename in data:
                dst.writestr(info, {"xl/workbook.xml": wb, "xl/_rels/workbook.xml.rels": rels}[info.filename])
            else:
                with src.open(info) as f_in, dst.open(info, "w", force_zip64=True) as f_out:
                    while chunk := f_in.read(1 << 20):
                        f_out.write(chunk)
    start = time.perf_counter()
    pkg = Package.open(final)
    assert pkg.cells("Small")[(1, 1)].value == 1.0
    elapsed = time.perf_counter() - start
    print(f"\nopen + read a small sheet beside a 1,000,000-row sheet: {elapsed * 1000:.1f} ms "
          f"(file {final.stat().st_size / 1e6:.1f} MB)")
    assert pkg.sheet_names == ["Small", "Big"]
    assert elapsed < 5.0


def test_typical_read_is_fast(tmp_path: Path) -> None:
    path = tmp_path / "fifteen.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for s in range(15):
        ws = wb.add_worksheet(f"Sheet {s}")
        for r in range(30):
            ws.write_row(r, 0, [f"id{r}", r * 1.5, r % 2 == 0, "text", r])
    wb.close()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        pkg = Package.open(path)
        for name in pkg.sheet_names:
            pkg.cells(name)
        best = min(best, time.perf_counter() - start)
    print(f"\nopen + read 15 sheets x 30 rows x 5 cols: {best * 1000:.1f} ms")
    assert best < 0.25


def test_from_bytes_matches_open(tmp_path: Path) -> None:
    path = build_openpyxl_book(tmp_path / "x.xlsx")
    a = Package.open(path)
    b = Package.from_bytes(path.read_bytes(), path)
    assert a.sha256 == b.sha256 and a.cells("Params") == b.cells("Params")
    assert a.stat.st_size == len(a.data)
    with pytest.raises(WorkbookFileError, match="no sheet named 'Nope'"):
        a.cells("Nope")
    with pytest.raises(WorkbookFileError, match="missing"):
        a.part("xl/nothing.xml")
    assert io.BytesIO(a.data).read(2) == b"PK"


def test_damaged_parts_only_ever_raise_workbook_file_error(tmp_path: Path) -> None:
    """Random damage inside XML parts (zip kept valid) and inside the zip bytes themselves."""
    base = build_xlsxwriter_book(tmp_path / "base.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        infos = zf.infolist()
        parts = {i.filename: zf.read(i.filename) for i in infos}
    xml_names = [n for n in parts if n.endswith((".xml", ".rels"))]
    tokens = [b"<", b">", b'"', b"&", b"/", b"<row>", b"</c>", b'<c r="Z">', b't="s"', b't="d"', b"<v>",
              b's="999"', b"<f>", b'r="XFD1048577"', b"\xff", b"-1", b"99999999999999999999"]
    rng = random.Random(7)

    def exercise(data: bytes) -> None:
        try:
            pkg = Package.from_bytes(data, "damaged.xlsx")
            for sheet in pkg.sheet_names:
                pkg.cells(sheet)
                pkg.merged_ranges(sheet)
            pkg.tables()
            pkg.named_styles()
            for name in pkg.part_names:
                pkg.part(name)
        except WorkbookFileError as e:
            assert "\n" not in str(e)

    for _ in range(150):
        name = rng.choice(xml_names)
        damaged = bytearray(parts[name])
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(damaged))
            if rng.random() < 0.5:
                damaged[pos:pos + 1] = rng.choice(tokens)
            else:
                del damaged[pos:pos + rng.randint(1, 30)]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for info in infos:
                zf.writestr(info.filename, bytes(damaged) if info.filename == name else parts[info.filename])
        exercise(buf.getvalue())
    for _ in range(150):  # flipped bytes in the compressed stream: bad CRCs, bad deflate data, bad headers
        raw = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        exercise(bytes(raw))
