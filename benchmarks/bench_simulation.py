"""Benchmark: cold `xlcost export` of the default workbook with 0, 10,000, 100,000 and 1,000,000 Monte Carlo
trials (``--trials``), in one run: each run's time as a ratio to the run without a simulation, and each
process's own peak memory.

Targets: 100,000 trials take at most 1.5x the 0-trial run; 1,000,000 trials at most 5x, in under 500 MB.
Each time is the best of ``--repeat`` runs (the runs are interleaved): on a shared machine the other
processes only ever add time, so the fastest run is the closest to the command's own cost.

    python benchmarks/bench_simulation.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "workbooks" / "llm_cost_model.xlsx"
TRIALS = (0, 10_000, 100_000, 1_000_000)
TARGETS = {100_000: (1.5, None), 1_000_000: (5.0, 500)}  # trials -> (ratio to 0 trials, MB)

# Runs the CLI and records the process's own peak memory (VmHWM: the image after exec, not this script).
MEASURED_CLI = """
import atexit, os, runpy, sys

def record_peak():
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(os.environ["XLCOST_BENCH_PEAK_FILE"], "w") as out:
        out.write(str(kb))

atexit.register(record_peak)
sys.argv = ["xlcost", *sys.argv[1:]]
runpy.run_module("xlcost", run_name="__main__")
"""


def export(trials: int, work: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one cold `xlcost export BOOK --trials N --output FILE`."""
    peak_file = work / "peak-kb"
    env = {**os.environ, "XLCOST_BENCH_PEAK_FILE": str(peak_file), "XLCOST_PROGRESS": "0"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", MEASURED_CLI, "export", str(BOOK), "--trials", str(trials), "--output",
                    str(work / "out.json")], check=True, capture_output=True, env=env)
    seconds = time.perf_counter() - started
    return seconds, int(peak_file.read_text()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per trial count (the fastest is shown)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xlcost-bench-") as folder:
        work = Path(folder)
        export(0, work)  # warm the file system cache and the bytecode
        runs: dict[int, list[tuple[float, float]]] = {n: [] for n in TRIALS}
        for _ in range(args.repeat):  # interleaved, so a busy moment hurts every trial count alike
            for n in TRIALS:
                runs[n].append(export(n, work))
    base = min(s for s, _ in runs[0])
    print(f"cold `xlcost export {BOOK.name} --trials N`, best of {args.repeat} runs")
    print(f"{'trials':>10} {'seconds':>8} {'added':>6} {'ratio':>6} {'peak MB':>8}   target")
    for n in TRIALS:
        seconds = min(s for s, _ in runs[n])
        peak = max(m for _, m in runs[n])
        ratio_target, mb_target = TARGETS.get(n, (None, None))
        target = " and ".join(([f"ratio <= {ratio_target:g}"] if ratio_target else [])
                              + ([f"< {mb_target} MB"] if mb_target else []))
        met = ("" if not target else " (met)" if (ratio_target is None or seconds / base <= ratio_target)
               and (mb_target is None or peak < mb_target) else " (MISSED)")
        print(f"{n:>10,} {seconds:>8.2f} {seconds - base:>6.2f} {seconds / base:>6.2f} {peak:>8.0f}   {target}{met}")


if __name__ == "__main__":
    main()
