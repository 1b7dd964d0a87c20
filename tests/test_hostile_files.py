"""Hostile files through the real command line (issue 5): one line, exit 2, bounded time and memory.

``tests/test_package.py`` unit-tests the intake guard on small hand-made packages. Here the same kinds
of file (and a few more) go through ``python -m xlcost`` as a user would run it, most of them built
from the shipped workbook so they are otherwise complete: the answer must be ONE line on stderr naming
the file's problem, exit status 2, no traceback, the file's bytes unchanged, within a wall-clock
bound and a peak memory (RSS) bound measured for that very process with ``os.wait4``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAX_RSS_BYTES = 500 * 1024 * 1024
COMMANDS = ("check", "recalc", "export", "report")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int  # bytes, of this process alone


# Runs the CLI and records the process's own peak memory. VmHWM belongs to the image after exec;
# wait4's ru_maxrss would also count the pre-exec copy of this (large, late-in-the-run) pytest process.
_MEASURED_CLI = """
import atexit, os, runpy, sys

def _record_peak():
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(os.environ["XLCOST_TEST_PEAK_FILE"], "w") as out:
        out.write(str(kb))

atexit.register(_record_peak)
sys.argv = ["xlcost", *sys.argv[1:]]
runpy.run_module("xlcost", run_name="__main__")
"""


def xlcost(*args: str | Path, timeout: float = 60, cwd: Path | None = None) -> Run:
    """Run `python -m xlcost ...` and measure its own peak RSS."""
    with open(os.devnull, "rb") as stdin, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak-kb"
        env = {**os.environ, "XLCOST_TEST_PEAK_FILE": str(peak_file)}
        start = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-c", _MEASURED_CLI, *map(str, args)], stdin=stdin, stdout=out,
                                  stderr=err, cwd=cwd or ROOT, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"xlcost {args} did not finish in {timeout} s") from None
        seconds = time.perf_counter() - start
        assert peak_file.exists(), f"xlcost {args} ended without recording its peak memory: {err}"
        peak = int(peak_file.read_text()) * 1024
        out.seek(0)
        err.seek(0)
        return Run(proc.returncode, out.read().decode(), err.read().decode(), seconds, peak)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (v3, 512-byte sectors) with top-level streams of 4 KiB each.

    olefile can only read, so the container is laid out by hand: header, one FAT sector, one
    directory sector, then each stream in 8 consecutive sectors (4 KiB: above the mini-stream cutoff).
    """
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat, data, entries = [fat_sector, end], [], []
    names = list(streams)
    for i, name in enumerate(names):
        first = 2 + len(data)
        fat += [first + k + 1 for k in range(7)] + [end]
        payload = streams[name].ljust(4096, b"\0")[:4096]
        data += [payload[k * 512:(k + 1) * 512] for k in range(8)]
        entries.append(_entry(name, 2, right=i + 2 if i + 1 < len(names) else free, start=first, size=4096))
    root = _entry("Root Entry", 5, child=1 if names else free, start=end, size=0)
    directory = b"".join([root, *entries]).ljust(512, b"\0")
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), bytes(16), 0x3E, 3,
                         0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + b"\xff" * (4 * 108)
    return header + fat_bytes + directory + b"".join(data)


def _entry(name: str, kind: int, *, right: int = 0xFFFFFFFF, child: int = 0xFFFFFFFF, start: int, size: int) -> bytes:
    raw = (name + "\0").encode("utf-16-le")
    return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, 0xFFFFFFFF, right, child, bytes(16), 0, 0, 0,
                       start, size)


def copy_with(data: bytes, replace: dict[str, bytes] | None = None,
              add: dict[str, Callable[[io.BufferedIOBase], None]] | None = None) -> bytes:
    """The package with some members replaced and some streamed in (zip64 allowed, level 1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                  compresslevel=1) as dst:
        for info in src.infolist():
            dst.writestr(info, (replace or {}).get(info.filename, src.read(info)))
        for name, write in (add or {}).items():
            with dst.open(name, "w", force_zip64=True) as member:
                write(member)
    return out.getvalue()


def with_extra_sheet(data: bytes, name: str, part: str, write: Callable[[io.BufferedIOBase], None]) -> bytes:
    """Register a new worksheet (workbook.xml, its rels, content types) whose part is streamed in."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        workbook = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
        types = zf.read("[Content_Types].xml")
    workbook = workbook.replace(b"</sheets>", f'<sheet xmlns:r="{R_NS}" name="{name}" sheetId="999" '
                                f'r:id="rId999"/></sheets>'.encode())
    rels = rels.replace(b"</Relationships>", f'<Relationship Id="rId999" Type="{R_NS}/worksheet" '
                        f'Target="/{part}"/></Relationships>'.encode())
    types = types.replace(b"</Types>", f'<Override PartName="/{part}" ContentType="application/'
                          'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'.encode())
    return copy_with(data, {"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels,
                            "[Content_Types].xml": types}, {part: write})


def million_rows(f: io.BufferedIOBase) -> None:
    f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}">'
            f'<dimension ref="A1:C1000000"/><sheetData>'.encode())
    for start in range(1, 1_000_001, 20_000):
        f.write("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>log line</t>'
                        f'</is></c><c r="C{r}" t="b"><v>1</v></c></row>'
                        for r in range(start, start + 20_000)).encode())
    f.write(b"</sheetData></worksheet>")


def zeros(total: int) -> Callable[[io.BufferedIOBase], None]:
    def write(f: io.BufferedIOBase) -> None:
        block = bytes(4 << 20)
        for _ in range(total // len(block)):
            f.write(block)
    return write


def part_of_sheet(data: bytes, sheet: str) -> str:
    from xlcost.workbook.package import Package

    return Package.from_bytes(data).sheet_part(sheet)


def patch_sizes(data: bytes, member: str, *, uncompressed: int, local_too: bool = False) -> bytes:
    """Rewrite a member's declared uncompressed size in the central directory (and its local header)."""
    out = bytearray(data)
    name = member.encode()
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46:pos + 46 + name_len]) == name:
            struct.pack_into("<I", out, pos + 24, uncompressed)
            if local_too:
                local = struct.unpack_from("<I", out, pos + 42)[0]
                struct.pack_into("<I", out, local + 22, uncompressed)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def _entity_bomb(data: bytes) -> bytes:
    part = part_of_sheet(data, "Models")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read(part)
    xml = BILLION_LAUGHS.encode() + re.sub(rb"<t>Qwen3-4B</t>", b"<t>&lol9;</t>", xml)
    return copy_with(data, {part: xml})


def _xxe(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read("xl/workbook.xml")
    xxe = b'<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    xml = xxe + xml.replace(b'name="Cover"', b'name="&x;"')
    return copy_with(data, {"xl/workbook.xml": xml})


def _xlsb(_: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.'
                    'binary.macroEnabled.main"/></Types>')
        zf.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    f'relationships"><Relationship Id="rId1" Type="{R_NS}/officeDocument" '
                    'Target="xl/workbook.bin"/></Relationships>')
        zf.writestr("xl/workbook.bin", bytes.fromhex("8301 0000") * 64)
        zf.writestr("xl/worksheets/sheet1.bin", bytes(512))
    return out.getvalue()


def _encrypted_msoffcrypto(data: bytes) -> bytes:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    out = io.BytesIO()
    ooxml.OOXMLFile(io.BytesIO(data)).encrypt("secret", out)
    return out.getvalue()


@dataclass(frozen=True)
class Hostile:
    id: str
    filename: str
    build: Callable[[bytes], bytes]
    fragments: tuple[str, ...]  # all in the one line on stderr
    seconds: float = 20.0  # generous: each takes well under a second alone, but CI machines are shared


HOSTILE = (
    Hostile("not-a-zip", "model.xlsx", lambda _: bytes(range(256)) * 64, ("not an Excel workbook",)),
    Hostile("empty", "model.xlsx", lambda _: b"", ("is empty (0 bytes)",)),
    Hostile("truncated-zip", "model.xlsx", lambda d: d[: len(d) * 3 // 5],
            ("damaged or incomplete", "use an intact copy")),
    Hostile("encrypted-ole", "budget.xlsx", lambda _: cfb({"EncryptionInfo": b"\x04\x00\x04\x00",
                                                          "EncryptedPackage": b"\x00" * 64}),
            ("budget.xlsx is an encrypted workbook: remove the password in Excel", "try again")),
    Hostile("encrypted-real", "budget.xlsx", _encrypted_msoffcrypto,
            ("budget.xlsx is an encrypted workbook: remove the password in Excel", "try again")),
    Hostile("legacy-xls", "old.xls", lambda _: cfb({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"}),
            ("legacy Excel 97-2003 (.xls)", "save it as .xlsx")),
    Hostile("legacy-xls-renamed", "old.xlsx", lambda _: cfb({"Book": b"\x09\x08"}),
            ("legacy Excel 97-2003 (.xls)",)),
    Hostile("xlsb", "model.xlsb", _xlsb, ("binary workbook (.xlsb)", "save it as .xlsx")),
    Hostile("csv-renamed", "costs.xlsx", lambda _: b"item,usd\ngpu,2.5\nengineering,90000\n",
            ("looks like a CSV/text file", "save it as .xlsx")),
    Hostile("html-renamed", "export.xlsx", lambda _: b"<html><body><table><tr><td>1</td></tr></table></body></html>",
            ("looks like an HTML/XML file",)),
    Hostile("entity-bomb", "model.xlsx", _entity_bomb, ("contains a DTD (possible XML entity attack)",)),
    Hostile("xxe", "model.xlsx", _xxe, ("xl/workbook.xml contains a DTD", "refuses it")),
    Hostile("zip-bomb-real", "model.xlsx", lambda d: copy_with(d, add={"xl/media/image1.png": zeros(256 << 20)}),
            ("xl/media/image1.png is compressed", "zip bomb")),
    Hostile("zip-bomb-declared", "model.xlsx",
            lambda d: patch_sizes(d, "xl/styles.xml", uncompressed=0xFFFFFF00),
            ("expands to", "zip bomb")),
    Hostile("zip-lying-sizes", "model.xlsx",  # says 100 bytes, holds 64 MB: never inflated past what it says
            lambda d: patch_sizes(copy_with(d, add={"customXml/item9.xml": zeros(64 << 20)}), "customXml/item9.xml",
                                  uncompressed=100, local_too=True),
            ("damaged",)),
)


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    shipped = SHIPPED.read_bytes()
    paths = {}
    for case in HOSTILE:
        folder = tmp_path_factory.mktemp(case.id)
        path = folder / case.filename
        path.write_bytes(case.build(shipped))
        paths[case.id] = path
    return paths


def assert_one_line_refusal(run: Run, path: Path, fragments: tuple[str, ...], seconds: float) -> None:
    assert run.code == 2, (run.code, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert run.stdout == ""
    assert run.seconds < seconds, f"took {run.seconds:.1f} s"
    assert run.peak_rss < MAX_RSS_BYTES, f"peak RSS {run.peak_rss / 2**20:.0f} MB"


@pytest.mark.parametrize("case", HOSTILE, ids=[c.id for c in HOSTILE])
def test_hostile_file_gets_one_line_and_is_untouched(case: Hostile, hostile_files: dict[str, Path]) -> None:
    path = hostile_files[case.id]
    before = sha(path)

    def run(command: str) -> Run:
        extra = ["-o", path.with_suffix(".pdf")] if command == "report" else []
        return xlcost(command, path, *extra, timeout=120, cwd=path.parent)

    with ThreadPoolExecutor(len(COMMANDS)) as pool:  # the four commands at once: they only read
        runs = dict(zip(COMMANDS, pool.map(run, COMMANDS), strict=True))
    for command, result in runs.items():
        assert_one_line_refusal(result, path, case.fragments, case.seconds)
        assert "root:" not in result.stderr, command  # the XXE target was never read
    assert sha(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file, no PDF


def test_zip_bomb_is_small_on_disk(hostile_files: dict[str, Path]) -> None:
    assert hostile_files["zip-bomb-real"].stat().st_size < 2 << 20
    assert hostile_files["zip-lying-sizes"].stat().st_size < 2 << 20


# ---------------------------------------------------------------------------------------------
# Big but legitimate: a million used rows in a sheet xlcost does not need
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def million_row_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("million") / "model with log.xlsx"
    path.write_bytes(with_extra_sheet(SHIPPED.read_bytes(), "Log", "xl/worksheets/sheet999.xml", million_rows))
    return path


def test_million_rows_in_an_unrelated_sheet(million_row_book: Path) -> None:
    """Valid inputs: check/export answer fast without parsing the big sheet; recalc keeps it byte for byte."""
    path = million_row_book
    with zipfile.ZipFile(path) as zf:
        big = zf.getinfo("xl/worksheets/sheet999.xml")
        assert big.file_size > 50_000_000
        big_crc = big.CRC
    before = sha(path)
    for command in ("check", "export"):
        run = xlcost(command, path, timeout=60)
        assert run.code == 0, run.stderr
        assert run.seconds < 30 and run.peak_rss < MAX_RSS_BYTES, (command, run.seconds, run.peak_rss >> 20)
        assert sha(path) == before
    run = xlcost("recalc", path, timeout=120)
    print(f"\nrecalc beside a 1,000,000-row sheet: {run.seconds:.1f} s, peak RSS {run.peak_rss >> 20} MB")
    assert run.code == 0, run.stderr
    assert run.seconds < 60, run.seconds
    with zipfile.ZipFile(path) as zf:
        assert big_crc == zf.getinfo("xl/worksheets/sheet999.xml").CRC
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_recalc_memory_does_not_grow_with_an_unrelated_sheet(million_row_book: Path) -> None:
    run = xlcost("recalc", million_row_book, timeout=120)
    assert run.code == 0, run.stderr
    assert run.peak_rss < 400 << 20, f"peak RSS {run.peak_rss >> 20} MB"


def test_million_rows_in_an_input_sheet(tmp_path: Path) -> None:
    """A million used rows far below an input table (on the Published sheet): bounded, and still valid."""
    data = SHIPPED.read_bytes()
    part = part_of_sheet(data, "Published")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read(part)
    head, tail = xml.split(b"</sheetData>")

    def write(f: io.BufferedIOBase) -> None:
        f.write(head)
        for start in range(100_000, 1_100_000, 20_000):
            f.write("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(start, start + 20_000))
                    .encode())
        f.write(b"</sheetData>" + tail)

    path = tmp_path / "model.xlsx"
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                                   compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename == part:
                with dst.open(info.filename, "w", force_zip64=True) as member:
                    write(member)
            else:
                dst.writestr(info, src.read(info))
    before = sha(path)
    run = xlcost("check", path, timeout=120)
    print(f"\ncheck with 1,000,000 rows on an input sheet: {run.seconds:.1f} s, peak RSS {run.peak_rss >> 20} MB")
    assert run.code == 0, run.stderr
    assert run.seconds < 60 and run.peak_rss < MAX_RSS_BYTES, (run.seconds, run.peak_rss >> 20)
    assert sha(path) == before


def test_table_stretched_over_a_million_empty_rows(tmp_path: Path) -> None:
    """A table whose range runs to the last row of the sheet is read in well under a second."""
    data = SHIPPED.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        part = next(n for n in zf.namelist() if n.startswith("xl/tables/") and b'displayName="Models"' in zf.read(n))
        xml = zf.read(part)
    xml = xml.replace(b'ref="A4:T8"', b'ref="A4:T1048576"')
    path = tmp_path / "model.xlsx"
    path.write_bytes(copy_with(data, {part: xml}))
    run = xlcost("check", path, timeout=60)
    assert run.code == 0, run.stderr
    # before read.py skipped empty rows this took 68 s and 3.9 GB
    assert run.seconds < 20 and run.peak_rss < 300 << 20, (run.seconds, run.peak_rss >> 20)


# ---------------------------------------------------------------------------------------------
# A real legacy .xls, written by LibreOffice
# ---------------------------------------------------------------------------------------------


def _soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    profile = outdir / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)
    out = outdir / f"{src.stem}.{fmt.split(':')[0]}"
    assert out.exists(), list(outdir.iterdir())
    return out


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_real_xls_saved_by_libreoffice(tmp_path: Path) -> None:
    src = tmp_path / "src" / "model.xlsx"
    src.parent.mkdir()
    shutil.copy(SHIPPED, src)
    xls = _soffice_convert(src, "xls", tmp_path)
    renamed = tmp_path / "renamed" / "model.xlsx"  # the same file with the extension a user gave it
    renamed.parent.mkdir()
    shutil.copy(xls, renamed)
    for path in (xls, renamed):
        before = sha(path)
        run = xlcost("check", path)
        assert_one_line_refusal(run, path, ("legacy Excel 97-2003 (.xls)", "save it as .xlsx"), 20)
        assert sha(path) == before
