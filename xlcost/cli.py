"""The ``xlcost`` command: a thin shell over ``xlcost.api``.

Exit status: 0 done; 2 the workbook, its inputs or the command line need fixing (every problem is listed,
nothing was changed); 70 an internal error (a bug: please report it with --debug output); 130 interrupted.
A reader that stops early (``xlcost export ... | head``) is normal use: xlcost stops writing quietly and
the status stays the outcome's (0 for results).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from . import __version__, labels

EXIT_INPUT = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
# A reader that stops early (`| head`) is normal use. Not 141 (a shell's status for a tool killed by SIGPIPE):
# when the reader leaves during xlcost's last write, Python reports a short write, not an error, so xlcost
# cannot always tell; 0 is what it can report every time.
EXIT_CLOSED_PIPE = 0

EXIT_CODES = """exit status:
  0    done
  2    the workbook, its inputs or the command line need fixing: every problem is printed
       (Sheet!Cell, what is wrong, what is expected) and nothing was changed
  70   internal error: a bug; run again with --debug and report the output
  130  interrupted (Ctrl-C); nothing was changed
A reader that stops early (`xlcost export BOOK | head`) is not an error: the status stays 0."""

EXAMPLES = {
    "new": "example:\n  xlcost new my_model.xlsx       # fresh workbook with the seed's assumptions\n"
           "  xlcost new my_model.xlsm       # the same, macro-enabled, with the Recalculate button",
    "recalc": "example:\n  xlcost recalc my_model.xlsx\n\n"
              "Only the result sheets change; everything else in the file stays byte-identical.\n"
              "Refuses while the workbook is open in Excel or LibreOffice.",
    "check": "example:\n  xlcost check my_model.xlsx && echo valid",
    "export": "examples:\n  xlcost export my_model.xlsx --format json > results.json\n"
              "  xlcost export my_model.xlsx --format json --table deployment --output deployment.json\n"
              "  xlcost export my_model.xlsx --format csv --table deployment\n"
              "  xlcost export my_model.xlsx --format csv --output results/   # one CSV per table\n\n"
              "CSV numbers carry 12 significant digits (float noise such as 10848816.000000002 is rounded\n"
              "away); JSON carries every digit.",
    "import": "examples:\n  xlcost import my_model.xlsx results/*.json sglang.jsonl --model qwen3-4b\n"
              "  xlcost import my_model.xlsx profile_export_aiperf.csv --model qwen3-4b --gpus 2 --dry-run\n"
              "  xlcost import my_model.xlsx run-qwen3-4B.sh --model qwen3-4b   # slime: the model's SLIME columns\n\n"
              "Reads vLLM --save-result JSON, SGLang bench_serving JSONL, GenAI-Perf and AIPerf profile_export\n"
              "JSON/CSV (recognised by content) and slime launch scripts. Appends one Benchmarks row per run; a\n"
              "run already there (same file, same run) is skipped. Only the Benchmarks table (and, for a slime\n"
              "script, the model's SLIME cells) change. Refuses while the workbook is open in Excel or LibreOffice.",
    "upgrade": "examples:\n  xlcost upgrade old_model.xlsx                  # writes old_model-upgraded.xlsx\n"
               "  xlcost upgrade old_model.xlsm -o board_model.xlsm\n\n"
               "For a workbook made by an earlier xlcost, which lacks this version's sheets, columns or\n"
               "parameters: writes a fresh workbook holding the old one's inputs (by column header; values, not\n"
               "formulas), with the shipped defaults for everything new, and recalculates it. The old workbook is\n"
               "only read. Lists what was carried, what is new, and what stayed behind (your own sheets and\n"
               "columns, formulas): copy those by hand.",
    "report": "examples:\n  xlcost report                                   # the shipped default workbook\n"
              "  xlcost report my_model.xlsx -o output/board.pdf\n"
              "  xlcost report my_model.xlsx -o output/          # writes output/my_model.pdf\n"
              "  xlcost report my_model.xlsx --templates my_templates/   # restyled or re-worded report\n"
              "  xlcost report my_model.xlsx --lang zh -o output/board_zh.pdf   # the Chinese edition",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlcost", description="Plan/Act LLM serving cost model: workbook in, results and PDF out.",
        epilog=f"Run 'xlcost COMMAND --help' for each command's options and an example.\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"xlcost {__version__}")
    debug_help = "show a traceback on internal errors"
    parser.add_argument("--debug", action="store_true", help=debug_help)
    # --debug also after the command (`xlcost check --debug BOOK`); SUPPRESS keeps an absent one from
    # overwriting the one given before the command.
    after_command = argparse.ArgumentParser(add_help=False)
    after_command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")  # no command: main() prints this help

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES[name],
                              formatter_class=argparse.RawDescriptionHelpFormatter, parents=[after_command])

    p = command("new", "Write a fresh workbook with default assumptions and computed results.")
    p.add_argument("path", type=Path, help="file to create (.xlsx or .xlsm)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    p = command("recalc", "Compute the model and write the result sheets of the workbook.")
    p.add_argument("book", type=Path, help="workbook (.xlsx or .xlsm)")
    _simulation_options(p)

    p = command("check", "Validate the workbook's inputs without changing anything.")
    p.add_argument("book", type=Path, help="workbook (.xlsx or .xlsm)")
    _simulation_options(p)

    p = command("export", "Compute and print the results without touching the workbook.")
    p.add_argument("book", type=Path, help="workbook (.xlsx or .xlsm)")
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.add_argument("--table", metavar="NAME", help="only this result table (CSV default: key_figures; "
                   "JSON default: every table)")
    p.add_argument("--output", type=Path, help="JSON: write to this file (or FOLDER/<workbook name>.json); "
                   "CSV: write each table (or only --table) into this folder")
    _simulation_options(p)

    p = command("import", "Add load-test results (or a slime script's settings) to the workbook.")
    p.add_argument("book", type=Path, help="workbook (.xlsx or .xlsm)")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE", help="result files and/or slime launch scripts")
    p.add_argument("--model", metavar="ID", help="Models id the runs belong to (needed unless a file names the "
                   "model by its id or display name; always for a slime script)")
    p.add_argument("--gpus", type=int, metavar="N", help="GPUs the engine ran on (default: the file's, else the "
                   "model's GPUs per instance)")
    p.add_argument("--gpu-type", metavar="T", help="GPU type (default: the file's, else the model's GPU model)")
    p.add_argument("--input-tokens", type=float, metavar="N", help="mean input tokens per request, for files that "
                   "do not record it (overrides the file)")
    p.add_argument("--output-tokens", type=float, metavar="N", help="mean output tokens per request (overrides "
                   "the file)")
    p.add_argument("--dry-run", action="store_true", help="show what would be added; change nothing")

    p = command("upgrade", "Carry a workbook from an earlier xlcost into a fresh one of this version.")
    p.add_argument("book", type=Path, help="the old workbook (.xlsx or .xlsm); only read")
    p.add_argument("-o", "--output", type=Path, metavar="NEW", help="the new workbook (default: "
                   "<book name>-upgraded.xlsx, or .xlsm, next to the old one)")
    p.add_argument("--force", action="store_true", help="overwrite an existing NEW")

    p = command("report", "Compute the workbook (without changing it) and write the PDF decision report.")
    p.add_argument("book", type=Path, nargs="?", help="workbook (default: the shipped default workbook)")
    p.add_argument("-o", "--output", metavar="PDF", help="a .pdf file, or a folder for <workbook name>.pdf "
                   "(default: output/<workbook name>.pdf)")
    p.add_argument("--templates", type=Path, help="folder of report templates overriding the shipped ones")
    p.add_argument("--lang", choices=("en", "zh"), help="language of the report: en (English) or zh (Simplified "
                   "Chinese); default: the workbook's report_language parameter, else en")
    _simulation_options(p)
    return parser


def _whole_number(key: str):
    """An argparse type: a whole number within the bounds of parameter ``key``."""
    from .contract import PARAMS

    param = PARAMS[key]

    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", "").replace(",", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not param.min <= value <= param.max:
            raise argparse.ArgumentTypeError(f"{value:,} is out of range; expected {param.min:,.0f} to "
                                             f"{param.max:,.0f}")
        return value

    return parse


def _simulation_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--trials", type=_whole_number("mc_trials"), metavar="N", help="Monte Carlo trials for this run "
                   "(0 = no simulation), instead of the workbook's mc_trials; the workbook is not changed")
    p.add_argument("--seed", type=_whole_number("mc_seed"), metavar="S", help="seed of the simulation's random "
                   "numbers for this run, instead of the workbook's mc_seed")


@contextmanager
def _simulation(args: argparse.Namespace):
    """The simulation settings of the command line, with a counter of trials on stderr once they have run for
    about a second (when stderr is a terminal: see ``xlcost.progress``)."""
    from . import progress

    started = time.monotonic()
    counter: list[progress.Counter] = []

    def on_progress(done: int, total: int) -> None:
        if not counter and done < total and time.monotonic() - started >= 1.0:
            counter.append(progress.counter(total, "Monte Carlo trials"))
        if counter:
            counter[0](done, total)

    try:
        yield {"trials": getattr(args, "trials", None), "seed": getattr(args, "seed", None),
               "on_progress": on_progress}
    finally:
        if counter:
            counter[0].close()


class _Refused(Exception):
    """A command line xlcost cannot carry out as given; str() is the one-line reason and what to do (exit 2)."""


def _print_problems(book: Path, problems, *, changed: bool = False, headline: str = "") -> None:
    errors = [p for p in problems if p.severity == "error"]
    status = "" if changed else " Nothing was changed."
    with _unless_the_reader_left(sys.stderr):
        errors_found = labels.count(len(errors), "input error")
        print(f"xlcost: {book.name} has {errors_found}.{headline or status + ' Fix these and run again:'}",
              file=sys.stderr)
        for p in problems:
            where = f"{p.sheet}!{p.cell}" if p.cell else p.sheet
            print(f"  {p.severity:<8} {where:<22} {p.message}", file=sys.stderr)


def _print_notes(problems) -> None:
    """The warnings of a valid workbook (they are on its Checks sheet too)."""
    for p in problems:
        print(f"  {p.severity:<8} {p}")


def _summary(outcome) -> str:
    from .present import key_figures

    r = outcome.results
    primary = r.primary_scenario
    figures = {k.id: k for k in key_figures(r)}

    def money(key: str) -> str:
        value = figures[key].value
        return "n/a" if value is None else f"${value / 1e6:,.2f}M"

    savings = figures[f"deployment.{primary}.savings_pct"].value
    return (f"{primary}: pure large {money(f'deployment.{primary}.pure.usd_per_year')}/yr, heterogeneous "
            f"{money(f'deployment.{primary}.hetero.usd_per_year')}/yr ({savings:.1%} saved); "
            f"NPV {money(f'finance.{primary}.npv')}, risk-adjusted {money(f'finance.{primary}.risk_adjusted_npv')}")


def _run(args: argparse.Namespace) -> int:
    from . import api
    from .workbook.package import WorkbookFileError

    try:
        if args.command == "new":
            if args.path.exists() and not args.force:
                print(f"xlcost: {args.path} already exists; use --force to overwrite it", file=sys.stderr)
                return EXIT_INPUT
            shim_existed = args.path.with_suffix(".py").exists()
            api.new(args.path)
            print(f"Wrote {args.path}")
            if args.path.suffix.lower() == ".xlsm":
                if args.path.stem.isidentifier():
                    done = "Kept the existing" if shim_existed else "Wrote"
                    print(f"{done} {args.path.with_suffix('.py')} (the Recalculate button runs its main())")
                else:
                    print(f"Note: the Recalculate button imports a Python module named like the workbook, and "
                          f"{args.path.stem!r} is not a Python name: rename the workbook (letters, digits, _).")
            return 0
        if args.command == "recalc":
            started = time.perf_counter()
            try:
                with _simulation(args) as simulation:
                    outcome = api.recalc(args.book, **simulation)
            except api.InputError as err:
                _print_problems(args.book, err.outcome.problems)
                return EXIT_INPUT
            print(f"Recalculated {args.book} in {time.perf_counter() - started:.2f} s. {_summary(outcome)}")
            _print_notes(outcome.problems)
            if outcome.problems:
                print("These are on the Checks sheet too.")
            return 0
        if args.command == "check":
            with _simulation(args) as simulation:
                outcome = api.check(args.book, **simulation)
            if not outcome.ok:
                _print_problems(args.book, outcome.problems)
                return EXIT_INPUT
            print(f"{args.book}: valid. {_summary(outcome)}")
            _print_notes(outcome.problems)
            return 0
        if args.command == "export":
            return _export(args)
        if args.command == "report":
            return _report(args)
        if args.command == "import":
            return _import(args)
        if args.command == "upgrade":
            return _upgrade(args)
    except (WorkbookFileError, _Refused) as err:
        with _unless_the_reader_left(sys.stderr):
            print(f"xlcost: {err}", file=sys.stderr)
        return EXIT_INPUT
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from . import api

    report, outcome = api.upgrade(args.book, args.output, force=args.force)
    new = report.target
    print(f"Wrote {new} with the inputs of {args.book} ({args.book.name} is unchanged).")
    for title, lines in (("Carried", report.carried), ("New in this version, at the shipped defaults", report.added),
                         ("Not carried (copy by hand from the old workbook)", report.left_behind)):
        if lines:
            print(f"{title}:")
            for line in lines:
                print(f"  {line}")
    if not outcome.ok:
        _print_problems(new, outcome.problems, headline=f" Its results are still the shipped defaults'. Fix "
                        f"these in {new.name}, then run `xlcost recalc {new}`:")
        return EXIT_INPUT
    print(f"Recalculated {new}. {_summary(outcome)}")
    _print_notes(outcome.problems)
    return 0


def _export(args: argparse.Namespace) -> int:
    from . import api

    with _simulation(args) as simulation:
        outcome = api.check(args.book, **simulation)
    if not outcome.ok:
        _print_problems(args.book, outcome.problems)
        return EXIT_INPUT
    data = api.export_data(outcome)
    tables = data["tables"]
    if args.table is not None and args.table not in tables:
        raise _Refused(f"no result table {args.table!r}; choose one of {', '.join(tables)}")
    if args.format == "json":
        if args.table is not None:  # the same document, narrowed to that one table
            data = {**data, "tables": {args.table: tables[args.table]}}
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        if args.output:
            target = args.output / f"{args.book.stem}.json" if args.output.is_dir() else args.output
            _write_file(target, text.encode("utf-8"))
            print(f"Wrote {target}")
        else:
            sys.stdout.write(text)
        return 0
    if args.output:
        chosen = {args.table: tables[args.table]} if args.table else tables
        if args.output.exists() and not args.output.is_dir():
            raise _Refused(f"--output {args.output} is a file; CSV export writes one file per table into a folder")
        for name, rows in chosen.items():
            _write_file(args.output / f"{name}.csv", _csv(rows).encode("utf-8"))
        print(f"Wrote {args.output / (args.table + '.csv')}" if args.table
              else f"Wrote {len(chosen)} CSV files to {args.output}")
        return 0
    sys.stdout.write(_csv(tables[args.table or "key_figures"]))
    return 0


# A CSV opened in Excel runs a cell starting with these as a formula ("CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Digits a CSV number keeps: float arithmetic leaves noise in the last of a double's ~16 digits
# (10848816.000000002, -0.06250000000000022); 12 keep every digit the inputs can justify.
CSV_SIGNIFICANT_DIGITS = 12


def _csv_value(value: object) -> object:
    """Workbook text is data: text a spreadsheet would execute gets an apostrophe. Numbers lose float noise:
    rounded to CSV_SIGNIFICANT_DIGITS, then written in the shortest form that reads back as that number."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    if isinstance(value, float):  # bool and int are not floats: they stay as they are
        return repr(float(f"{value:.{CSV_SIGNIFICANT_DIGITS}g}") + 0.0)  # + 0.0: no "-0.0"
    return value


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        fields = list(dict.fromkeys(k for row in rows for k in row))
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _csv_value(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def _write_file(path: Path, data: bytes) -> None:
    """Write a temp file next to ``path`` and rename it over: never half a file, and a failure keeps the old one.
    A problem with the place (no permission, a full disk, a file where a folder should be) is _Refused."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise _Refused(f"cannot write {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp's 0600 would hide the file from the user's group
        os.replace(tmp, path)
    except OSError as err:
        raise _Refused(f"cannot write {path}: {err.strerror or err}; nothing was written") from None
    finally:
        with suppress(OSError):
            os.unlink(tmp)


def _import(args: argparse.Namespace) -> int:
    from . import api, importing

    if args.book.suffix.lower() not in (".xlsx", ".xlsm"):
        print(f"xlcost: {args.book.name} is not a workbook (.xlsx or .xlsm): the workbook comes first, "
              "as in xlcost import BOOK FILE...", file=sys.stderr)
        return EXIT_INPUT
    try:
        report = api.import_files(args.book, args.files, model=args.model, gpus=args.gpus, gpu_type=args.gpu_type,
                                  input_tokens=args.input_tokens, output_tokens=args.output_tokens,
                                  dry_run=args.dry_run)
    except importing.ImportProblems as err:
        print(f"xlcost: nothing was imported into {args.book.name}; fix these and run again:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INPUT
    for name, fmt in report.formats.items():
        print(f"{name}: {fmt}")
        for line in (r for r in report.runs if r.file == name):
            print(f"  {importing.describe_run(line)}")
        for line in (s for s in report.slime if s.file == name):
            for text in importing.describe_slime(line):
                print(f"  {text}")
    added = len(report.added)
    skipped = len(report.runs) - added
    done = [f"{labels.count(added, 'run')} to Benchmarks"] if report.runs else []
    done += [f"the SLIME columns of {line.model}" for line in report.slime if line.changes]
    what = " and ".join(done) or "nothing"
    tail = f" ({labels.count(skipped, 'run')} already there, skipped)" if skipped else ""
    if args.dry_run:
        print(f"Dry run: would add {what}{tail}. {args.book} was not changed.")
    elif report.written:
        hint = " Set a model's Capacity source to 'benchmark' to size it from its runs." if added else ""
        print(f"Added {what} in {args.book}{tail}.{hint}")
    else:
        print(f"Nothing new for {args.book}{tail}; it was not changed.")
    return 0


def _report(args: argparse.Namespace) -> int:
    from jinja2 import TemplateError

    from . import api, progress
    from .report import render_pdf

    book = args.book or api.default_workbook()
    output = _report_path(args.output, book)  # a wrong -o or --templates is refused before the work
    if args.templates is not None and not args.templates.is_dir():
        raise _Refused(f"--templates {args.templates}: no such folder; expected a folder of report templates "
                       "(a copy of the shipped templates/ folder with your changes)")
    progress.stage("computing the model")
    with _simulation(args) as simulation:
        outcome = api.check(book, **simulation)
    if not outcome.ok:
        _print_problems(book, outcome.problems)
        return EXIT_INPUT
    try:
        pdf = render_pdf(
            outcome.results, workbook_name=book.name, workbook_bytes=outcome.package.data,
            workbook_sha256=outcome.package.sha256, problems=outcome.problems,
            command_line=" ".join(["xlcost", *sys.argv[1:]]), templates_dir=args.templates,
            progress=progress.stage, lang=args.lang,
        )
    except TemplateError as err:
        if args.templates is None:
            raise  # the shipped templates are xlcost's own: a bug
        raise _Refused(_template_problem(args.templates, err)) from None
    _write_file(output, pdf)
    print(f"Wrote {output} ({len(pdf) / 1024:,.0f} KB). {_summary(outcome)}")
    return 0


def _report_path(output: str | None, book: Path) -> Path:
    """-o FILE.pdf, -o FOLDER (one that exists, or any path ending in a slash) for FOLDER/<book>.pdf, or by
    default output/<book>.pdf."""
    if output is None:
        return Path("output") / f"{book.stem}.pdf"
    path = Path(output)
    if path.is_dir() or output.endswith(("/", os.sep)):
        return path / f"{book.stem}.pdf"
    if path.suffix.lower() != ".pdf":
        raise _Refused(f"-o {output}: the report is a PDF; expected a file name ending in .pdf, or a folder")
    return path


def _template_problem(folder: Path, err: Exception) -> str:
    """One line naming the template, the line and what Jinja2 found wrong."""
    where = getattr(err, "filename", None) or getattr(err, "name", None) or ""
    line = getattr(err, "lineno", None)
    at = f" ({Path(where).name}{f', line {line}' if line else ''})" if where else ""
    return (f"--templates {folder}: a template has an error{at}: {getattr(err, 'message', None) or err}; "
            "fix it, or remove the file to use the shipped one")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:  # bare `xlcost`: what it does and how to use it
            parser.print_help()
            return 0
        status = _run(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at the interpreter's exit
        return status
    except BrokenPipeError:  # the reader of the results went away (`| head`): normal use
        _lead_nowhere(sys.stdout)
        _lead_nowhere(sys.stderr)
        return EXIT_CLOSED_PIPE
    except KeyboardInterrupt:
        print("xlcost: interrupted; the workbook was not changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:  # a bug, not bad input: say so plainly, keep the traceback for --debug
        if args.debug:
            raise
        print(f"xlcost: internal error ({type(err).__name__}: {err}). The workbook was not changed. "
              "Run again with --debug and report the output.", file=sys.stderr)
        return EXIT_INTERNAL


def _lead_nowhere(stream) -> None:
    """Point a stream whose reader went away at the null device: later writes, and the interpreter's flush
    at exit (which would otherwise fail and turn the exit status into 120), stay quiet."""
    with suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())


@contextmanager
def _unless_the_reader_left(stream):
    """Messages whose reader may go away (`2>&1 | head`): stop writing quietly; the exit status stays the
    outcome's (2 for a workbook that needs fixing), not the pipe's."""
    try:
        yield
    except BrokenPipeError:
        _lead_nowhere(stream)


if __name__ == "__main__":
    sys.exit(main())
