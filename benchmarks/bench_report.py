"""Benchmark: a cold `xlcost report` against a bare WeasyPrint render of the same HTML, in one run, for
the English and the Chinese edition.

Targets: each edition's cold report within 1.3x the bare render of its own HTML (the report's own
work: the model, the thresholds, the charts, the template); the English one within 3 seconds on a
2-core machine; peak memory under 400 MB.

    python benchmarks/bench_report.py [--repeat 5] [--book workbooks/llm_cost_model.xlsx] [--lang en zh]

"cold report": a fresh interpreter that imports xlcost, computes the workbook (or the defaults if
there is no workbook) and writes the PDF; that is `python -m xlcost report BOOK -o OUT` when the
CLI is importable, else this file's own `--target report`. "bare render": a fresh interpreter that
imports WeasyPrint and writes the same HTML (same stylesheet, same charts) with
`HTML(string=..., base_url=templates).write_pdf()`. Each is the median of --repeat runs; wall and
CPU time (user + sys of the child) are shown because a shared machine inflates wall time. Peak
memory is the children's ru_maxrss (the largest child of each kind).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "workbooks" / "llm_cost_model.xlsx"
TARGET_SECONDS = 3.0
TARGET_RATIO = 1.3
TARGET_MB = 400


# ----------------------------------------------------------------------------- subprocess targets


def _inputs_and_book(book: str | None):
    """(results, name, bytes, sha256, problems) from the workbook when the reader exists, else defaults."""
    if book:
        data = Path(book).read_bytes()
        try:
            from xlcost import api

            outcome = api.check(Path(book))
            if outcome.ok:
                return outcome.results, Path(book).name, data, hashlib.sha256(data).hexdigest(), outcome.problems
        except ImportError:
            pass
    from xlcost.engine.model import compute
    from xlcost.inputs import defaults

    data = b"defaults"
    return compute(defaults()), "defaults.xlsx", data, hashlib.sha256(data).hexdigest(), []


def target_report(book: str | None, out: str, lang: str) -> None:
    """What `xlcost report` does: compute, render, write (used when the CLI is not importable)."""
    results, name, data, sha, problems = _inputs_and_book(book)
    from xlcost.report import render_pdf

    pdf = render_pdf(results, workbook_name=name, workbook_bytes=data, workbook_sha256=sha, problems=problems,
                     command_line="bench_report.py --target report", lang=lang)
    Path(out).write_bytes(pdf)


def target_html(book: str | None, out: str, lang: str) -> None:
    """Write the report's HTML (not timed) for the bare render."""
    results, name, _data, sha, problems = _inputs_and_book(book)
    from xlcost.report import render_html

    html = render_html(results, workbook_name=name, workbook_sha256=sha, problems=problems,
                       command_line="bench_report.py --target report", lang=lang)
    Path(out).write_text(html, encoding="utf-8")


def target_bare(html_path: str, out: str) -> None:
    """A bare WeasyPrint render of the same HTML, to the same kind of PDF (tagged PDF/A-3b): no xlcost,
    numpy, matplotlib or Jinja2. The ratio is then xlcost's own work, not the PDF options it asks for."""
    from weasyprint import HTML

    templates = ROOT / "templates"
    html = Path(html_path).read_text(encoding="utf-8")
    document = HTML(string=html, base_url=templates.as_uri() + "/").render(pdf_tags=True)
    Path(out).write_bytes(document.write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True))


# ----------------------------------------------------------------------------- the benchmark


def _run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


PEAK_PROBE = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def _peak_mb(cmd: list[str]) -> float:
    """Peak RSS of one run of ``cmd``, measured as the children's ru_maxrss of a fresh wrapper."""
    done = subprocess.run([sys.executable, "-c", PEAK_PROBE, *cmd], check=True, capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    kib = int(done.stdout.strip().splitlines()[-1])
    return kib / 1024 if sys.platform != "darwin" else kib / 1024 / 1024  # Linux KiB, macOS bytes


def _cli_available() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import xlcost.cli"], capture_output=True, cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    return probe.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--book", default=str(BOOK) if BOOK.exists() else None)
    parser.add_argument("--lang", nargs="+", default=["en", "zh"], choices=("en", "zh"))
    parser.add_argument("--target", choices=("report", "html", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--html", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.target == "report":
        return target_report(args.book, args.out, args.lang[0])
    if args.target == "html":
        return target_html(args.book, args.out, args.lang[0])
    if args.target == "bare":
        return target_bare(args.html, args.out)

    work = Path(tempfile.mkdtemp(prefix="xlcost-bench-report-"))
    me = [sys.executable, str(Path(__file__).resolve())]
    book = ["--book", args.book] if args.book else []
    use_cli = bool(args.book) and _cli_available()
    _run([sys.executable, "-c", "import weasyprint, matplotlib.figure"])  # warm the OS file cache only
    print(f"{os.cpu_count()} CPUs; median of {args.repeat} interleaved runs (best in brackets)")
    for lang in args.lang:
        html, out_report = work / f"report-{lang}.html", work / f"report-{lang}.pdf"
        out_bare = work / f"bare-{lang}.pdf"
        subprocess.run([*me, "--target", "html", "--out", str(html), "--lang", lang, *book], check=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        if use_cli:
            report_cmd = [sys.executable, "-m", "xlcost", "report", args.book, "-o", str(out_report), "--lang", lang]
            label = f"cold `xlcost report --lang {lang}`"
        else:
            report_cmd = [*me, "--target", "report", "--out", str(out_report), "--lang", lang, *book]
            label = f"cold report {lang} (bench target)"
        bare_cmd = [*me, "--target", "bare", "--html", str(html), "--out", str(out_bare)]
        report_runs, bare_runs = [], []
        for _ in range(args.repeat):  # interleaved, so a busy moment hurts both alike
            report_runs.append(_run(report_cmd))
            bare_runs.append(_run(bare_cmd))
        peak, peak_bare = _peak_mb(report_cmd), _peak_mb(bare_cmd)
        rep_wall = statistics.median(w for w, _ in report_runs)
        rep_cpu = statistics.median(c for _, c in report_runs)
        bare_wall = statistics.median(w for w, _ in bare_runs)
        bare_cpu = statistics.median(c for _, c in bare_runs)
        best_rep, best_bare = min(w for w, _ in report_runs), min(w for w, _ in bare_runs)

        from pypdf import PdfReader

        pages = len(PdfReader(out_report).pages)
        print(f"\n[{lang}] report: {pages} pages, {out_report.stat().st_size / 1024:,.0f} KB; "
              f"HTML {html.stat().st_size / 1024:,.0f} KB")
        wall_target = (f"target <= {TARGET_SECONDS:.1f} s: {_verdict(rep_wall <= TARGET_SECONDS)}"
                       if lang == "en" else "")
        print(f"{label:40s} wall {rep_wall:6.2f} s ({best_rep:.2f})  cpu {rep_cpu:6.2f} s   {wall_target}")
        print(f"{'cold bare WeasyPrint render (same HTML)':40s} wall {bare_wall:6.2f} s ({best_bare:.2f})  "
              f"cpu {bare_cpu:6.2f} s")
        print(f"{'ratio report / bare':40s} wall {rep_wall / bare_wall:6.2f}           "
              f"cpu {rep_cpu / bare_cpu:6.2f}     target <= {TARGET_RATIO:.1f}: "
              f"{_verdict(rep_wall / bare_wall <= TARGET_RATIO)}")
        print(f"{'peak RSS, cold report':40s} {peak:8.0f} MB (bare render {peak_bare:.0f} MB)     "
              f"target < {TARGET_MB} MB: {_verdict(peak < TARGET_MB)}")
    python_runs = [_run([sys.executable, "-c", "pass"]) for _ in range(args.repeat)]
    print(f"\n{'python -c pass (interpreter start-up)':40s} wall {statistics.median(w for w, _ in python_runs):6.2f} s")
    for p in work.iterdir():
        p.unlink()
    work.rmdir()


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


if __name__ == "__main__":
    main()
