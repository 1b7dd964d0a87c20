"""The ``xlcost`` command: a thin shell over ``xlcost.api``.

Exit status: 0 done; 2 the workbook or its inputs need fixing (every problem is listed, nothing was
changed); 70 an internal error (a bug: please report it with --debug output).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path

from . import __version__

EXIT_INPUT = 2
EXIT_INTERNAL = 70

EXAMPLES = {
    "new": "example:\n  xlcost new my_model.xlsx       # fresh workbook with the seed's assumptions\n"
           "  xlcost new my_model.xlsm       # the same, macro-enabled, with the Recalculate button",
    "recalc": "example:\n  xlcost recalc workbooks/llm_cost_model.xlsx\n\n"
              "Only the result sheets change; everything else in the file stays byte-identical.\n"
              "Refuses while the workbook is open in Excel or LibreOffice.",
    "check": "example:\n  xlcost check workbooks/llm_cost_model.xlsx && echo valid",
    "export": "examples:\n  xlcost export workbooks/llm_cost_model.xlsx --format json > results.json\n"
              "  xlcost export workbooks/llm_cost_model.xlsx --format csv --table deployment\n"
              "  xlcost export workbooks/llm_cost_model.xlsx --format csv --output results/   # one CSV per table",
    "report": "examples:\n  xlcost report                                   # the shipped default workbook\n"
              "  xlcost report my_model.xlsx -o output/board.pdf\n"
              "  xlcost report my_model.xlsx --templates my_templates/   # restyled or re-worded report",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlcost", description="Plan/Act LLM serving cost model: workbook in, results and PDF out.",
        epilog="Run 'xlcost COMMAND --help' for each command's options and an example.",
    )
    parser.add_argument("--version", action="version", version=f"xlcost {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES[name],
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("new", "Write a fresh workbook with default assumptions and computed results.")
    p.add_argument("path", type=Path, help="file to create (.xlsx or .xlsm)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    p = command("recalc", "Compute the model and write the result sheets of the workbook.")
    p.add_argument("book", type=Path, help="workbook (.xlsx or .xlsm)")

    p = command("check", "Validate the workbook's inputs without changing anything.")
    p.add_argument("book", type=Path, help="workbook (.xlsx or .xlsm)")

    p = command("export", "Compute and print the results without touching the workbook.")
    p.add_argument("book", type=Path, help="workbook (.xlsx or .xlsm)")
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.add_argument("--table", default="key_figures", help="CSV: which result table (default key_figures)")
    p.add_argument("--output", type=Path, help="JSON: write to this file; CSV: write every table into this folder")

    p = command("report", "Compute the workbook (without changing it) and write the PDF decision report.")
    p.add_argument("book", type=Path, nargs="?", help="workbook (default: the shipped default workbook)")
    p.add_argument("-o", "--output", type=Path, help="PDF path (default: output/<workbook name>.pdf)")
    p.add_argument("--templates", type=Path, help="folder of report templates overriding the shipped ones")
    return parser


def _print_problems(book: Path, problems, *, changed: bool = False) -> None:
    errors = [p for p in problems if p.severity == "error"]
    status = "" if changed else " Nothing was changed."
    print(f"xlcost: {book.name} has {len(errors)} input error(s).{status} Fix these and run again:", file=sys.stderr)
    for p in problems:
        where = f"{p.sheet}!{p.cell}" if p.cell else p.sheet
        print(f"  {p.severity:<8} {where:<22} {p.message}", file=sys.stderr)


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
            api.new(args.path)
            print(f"Wrote {args.path}")
            if args.path.suffix.lower() == ".xlsm":
                if args.path.stem.isidentifier():
                    print(f"Wrote {args.path.with_suffix('.py')} (the Recalculate button runs its main())")
                else:
                    print(f"Note: the Recalculate button imports a Python module named like the workbook, and "
                          f"{args.path.stem!r} is not a Python name: rename the workbook (letters, digits, _).")
            return 0
        if args.command == "recalc":
            started = time.perf_counter()
            try:
                outcome = api.recalc(args.book)
            except api.InputError as err:
                _print_problems(args.book, err.outcome.problems)
                return EXIT_INPUT
            warnings = [p for p in outcome.problems if p.severity == "warning"]
            print(f"Recalculated {args.book} in {time.perf_counter() - started:.2f} s. {_summary(outcome)}")
            if warnings:
                print(f"{len(warnings)} warning(s); see the Checks sheet.")
            return 0
        if args.command == "check":
            outcome = api.check(args.book)
            if not outcome.ok:
                _print_problems(args.book, outcome.problems)
                return EXIT_INPUT
            print(f"{args.book}: valid. {_summary(outcome)}")
            for p in outcome.problems:
                print(f"  {p.severity:<8} {p}")
            return 0
        if args.command == "export":
            return _export(args)
        if args.command == "report":
            return _report(args)
    except WorkbookFileError as err:
        print(f"xlcost: {err}", file=sys.stderr)
        return EXIT_INPUT
    return 0


def _export(args: argparse.Namespace) -> int:
    from . import api

    outcome = api.check(args.book)
    if not outcome.ok:
        _print_problems(args.book, outcome.problems)
        return EXIT_INPUT
    data = api.export_data(outcome)
    if args.format == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
        if args.output:
            args.output.write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return 0
    tables = data["tables"]
    if args.output:
        args.output.mkdir(parents=True, exist_ok=True)
        for name, rows in tables.items():
            (args.output / f"{name}.csv").write_text(_csv(rows), encoding="utf-8")
        print(f"Wrote {len(tables)} CSV files to {args.output}")
        return 0
    if args.table not in tables:
        print(f"xlcost: no result table {args.table!r}; choose one of {', '.join(tables)}", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(_csv(tables[args.table]))
    return 0


# A CSV opened in Excel runs a cell starting with these as a formula ("CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: object) -> object:
    """Workbook text is data: prefix text that a spreadsheet would execute with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        fields = list(dict.fromkeys(k for row in rows for k in row))
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _csv_safe(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def _report(args: argparse.Namespace) -> int:
    from . import api
    from .report import render_pdf

    book = args.book or api.default_workbook()
    outcome = api.check(book)
    if not outcome.ok:
        _print_problems(book, outcome.problems)
        return EXIT_INPUT
    output = args.output or Path("output") / f"{book.stem}.pdf"
    output.parent.mkdir(parents=True, exist_ok=True)
    pdf = render_pdf(
        outcome.results, workbook_name=book.name, workbook_bytes=outcome.package.data,
        workbook_sha256=outcome.package.sha256, problems=outcome.problems,
        command_line=" ".join(["xlcost", *sys.argv[1:]]), templates_dir=args.templates,
    )
    output.write_bytes(pdf)
    print(f"Wrote {output} ({len(pdf) / 1024:,.0f} KB). {_summary(outcome)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("xlcost: interrupted; the workbook was not changed", file=sys.stderr)
        return 130
    except Exception as err:  # a bug, not bad input: say so plainly, keep the traceback for --debug
        if args.debug:
            raise
        print(f"xlcost: internal error ({type(err).__name__}: {err}). The workbook was not changed. "
              "Run again with --debug and report the output.", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
