"""Benchmark: `xlcost recalc` against a plain openpyxl load+save of the same workbook, in one run.

Targets (issue 2): recalc (read, compute everything, write) takes no longer than the plain
load+save; a cold `xlcost recalc` process finishes within 1 second on a 2-core machine.

    python benchmarks/bench_recalc.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "workbooks" / "llm_cost_model.xlsx"
OPENPYXL_ROUND_TRIP = "import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); wb.save(sys.argv[2])"


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import openpyxl

    from xlcost import api

    work = Path(tempfile.mkdtemp(prefix="xlcost-bench-"))
    book = work / "book.xlsx"
    shutil.copy(BOOK, book)

    def round_trip() -> None:
        wb = openpyxl.load_workbook(book)
        wb.save(work / "saved.xlsx")

    api.recalc(book)  # warm caches and imports
    warm_recalc = median_seconds(lambda: api.recalc(book), args.repeat)
    warm_openpyxl = median_seconds(round_trip, args.repeat)

    cold_recalc = median_seconds(
        lambda: subprocess.run([sys.executable, "-m", "xlcost", "recalc", str(book)], check=True,
                               capture_output=True), args.repeat)
    cold_openpyxl = median_seconds(
        lambda: subprocess.run([sys.executable, "-c", OPENPYXL_ROUND_TRIP, str(book), str(work / "saved.xlsx")],
                               check=True, capture_output=True), args.repeat)
    cold_python = median_seconds(
        lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), args.repeat)

    print(f"workbook: {BOOK.name} ({BOOK.stat().st_size / 1024:.0f} KB), median of {args.repeat} runs")
    print(f"in-process  xlcost recalc          {warm_recalc * 1000:8.1f} ms")
    print(f"in-process  openpyxl load+save     {warm_openpyxl * 1000:8.1f} ms")
    print(f"ratio recalc / openpyxl (in-process)   {warm_recalc / warm_openpyxl:6.2f}   (target <= 1.00)")
    print(f"cold        xlcost recalc process  {cold_recalc * 1000:8.1f} ms   (target <= 1000 ms)")
    print(f"cold        openpyxl load+save     {cold_openpyxl * 1000:8.1f} ms")
    print(f"cold        python -c pass         {cold_python * 1000:8.1f} ms   (interpreter start-up)")
    print(f"ratio recalc / openpyxl (cold)         {cold_recalc / cold_openpyxl:6.2f}   (target <= 1.00)")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
