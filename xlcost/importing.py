"""``xlcost import``: load-test results into the Benchmarks table, slime settings into a Models row.

The readers (``xlcost.importers``) turn each file into runs; this module decides what they become in the
workbook: which model a run belongs to, the GPU count and type it ran on, a stable run id, whether the
run is already there (the same file's same run is never added twice), and that every value is one the
workbook accepts. Then it hands the rows to the surgical writer, which appends them to the Benchmarks
table and changes nothing else. Every problem in every file is listed before anything is written.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import contract
from .contract import InputTable, ProblemList
from .importers import BenchmarkFileError, BenchmarkRun, ParsedFile, SlimeScript, parse
from .importers.base import read_bounded
from .labels import count
from .workbook.package import Package, parse_ref
from .workbook.parse import RawCell, _Invalid, clean_value, parse_table
from .workbook.read import raw_table
from .workbook.table_edit import TableEdit
from .workbook.writer import write_results

BENCH, MODELS = contract.BENCHMARKS, contract.MODELS
# The columns a slime script fills; QPS, latency and GPUs per instance are serving inputs and stay as typed.
SLIME_COLUMNS = ("parallelism", "max_tokens_per_gpu", "mem_fraction_static", "global_batch_size",
                 "rollout_batch_size", "samples_per_prompt", "source")
# What identifies a run within its file: values read from the file, never from the command's options.
_IDENTITY = ("request_throughput", "max_concurrency", "request_rate", "completed_requests")
MAX_RUN_ID = 64


class ImportProblems(Exception):
    """Files (or the workbook) that cannot be imported; ``problems`` lists every one, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(count(len(problems), "problem"))


@dataclass(frozen=True)
class RunLine:
    """One run of one file, and what the import does with it."""

    file: str
    run: BenchmarkRun
    row: dict[str, Any]  # Benchmarks column key -> value
    added: bool
    why_skipped: str = ""


@dataclass(frozen=True)
class SlimeLine:
    file: str
    model: str
    script: SlimeScript
    changes: dict[str, tuple[Any, Any]]  # Models column key -> (old, new), only the columns that change


@dataclass
class ImportReport:
    book: Path
    formats: dict[str, str] = field(default_factory=dict)  # file name -> format recognised
    runs: list[RunLine] = field(default_factory=list)
    slime: list[SlimeLine] = field(default_factory=list)
    written: bool = False

    @property
    def added(self) -> list[RunLine]:
        return [r for r in self.runs if r.added]


@dataclass(frozen=True)
class Options:
    model: str | None = None
    gpus: int | None = None
    gpu_type: str | None = None
    input_tokens: float | None = None
    output_tokens: float | None = None


# ---------------------------------------------------------------------------------------------
# The workbook side: the Models and Benchmarks tables as they are now
# ---------------------------------------------------------------------------------------------


@dataclass
class _Table:
    spec: InputTable
    rows: list[dict[str, Any]]  # contract key -> value
    sheet_rows: list[int]  # each row's sheet row number


def _read_table(pkg: Package, spec: InputTable, problems: list[str]) -> _Table | None:
    ref = pkg.table(spec.name)
    if ref is None:
        problems.append(f"{pkg.name} has no table {spec.name} (on a sheet {spec.sheet!r}); it was made by an older "
                        "xlcost: `xlcost upgrade` carries its inputs into a workbook of this version")
        return None
    found = ProblemList()
    parsed = parse_table(spec, raw_table(pkg, ref), found)
    problems.extend(str(p) for p in found.errors)
    if parsed is None or found.errors:
        return None
    keys = [c.key for c in spec.columns]
    rows = [dict(zip(keys, values, strict=True)) for values in parsed.rows]
    sheet_rows = [parse_ref(refs[0])[0] for refs in parsed.refs]
    return _Table(spec, rows, sheet_rows)


def _model_for(name: str | None, models: _Table) -> str | None:
    """The Models id a file's model name means: an id or display name, also after the org/ prefix."""
    if not name:
        return None
    wanted = {name.strip().casefold(), name.strip().rsplit("/", 1)[-1].casefold()}
    for row in models.rows:
        if {str(row["id"]).casefold(), str(row["name"] or "").casefold()} & wanted:
            return row["id"]
    return None


# ---------------------------------------------------------------------------------------------
# Runs -> Benchmarks rows
# ---------------------------------------------------------------------------------------------


def _validated(values: dict[str, Any], spec: InputTable, where: str, problems: list[str]) -> dict[str, Any]:
    """The row as the workbook will read it back; problems name the file, the run and the column."""
    out = {}
    for column in spec.columns:
        value = values.get(column.key)
        kind = "blank" if value is None else "text" if isinstance(value, str) else "number"
        try:
            out[column.key] = clean_value(column, RawCell("", value, kind))
        except _Invalid as err:
            problems.append(f"{where}: column '{column.header}' {err}")
            out[column.key] = None
    return out


def _load_label(row: dict[str, Any], run: BenchmarkRun) -> str:
    """c<max concurrency>, r<request rate>, inf (all requests at once) or na (the file does not say)."""
    if row.get("max_concurrency"):
        return f"c{row['max_concurrency']:g}"
    if row.get("request_rate"):
        return f"r{row['request_rate']:g}"
    return "inf" if run.load_recorded else "na"


def _run_id(row: dict[str, Any], run: BenchmarkRun, several: bool, taken: set[str]) -> str:
    """<engine>-<model>-<load>-<sha8>[-<position in file>]: readable, stable for the same file, unique."""
    model = re.sub(r"[^A-Za-z0-9._-]", "-", str(row["model"]))[:28]
    suffix = f"-{run.position}" if several else ""
    base = f"{row['engine']}-{model}-{_load_label(row, run)}-{str(row['sha256'])[:8]}{suffix}"
    base = base[:MAX_RUN_ID]
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f"-{n}"
        candidate, n = base[:MAX_RUN_ID - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def _same_run(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if not a.get("sha256") or str(a["sha256"]).casefold() != str(b.get("sha256") or "").casefold():
        return False
    for key in _IDENTITY:
        x, y = a.get(key), b.get(key)
        if (x is None) != (y is None) or (x is not None and not math.isclose(x, y, rel_tol=1e-9)):
            return False
    return True


def _benchmark_rows(name: str, sha: str, parsed: ParsedFile, options: Options, models: _Table,
                    problems: list[str]) -> list[tuple[BenchmarkRun, dict[str, Any]]]:
    """Each run as a validated Benchmarks row (without its id); problems for what is missing."""
    model_ids = ", ".join(str(r["id"]) for r in models.rows)
    names = {r.model_name for r in parsed.runs}
    model = options.model
    if model is None:
        found = {_model_for(n, models) for n in names}
        if len(found) == 1 and None not in found:
            model = found.pop()
        else:
            shown = ", ".join(repr(n) for n in sorted(n for n in names if n))
            what = (f"names the model {shown}, which matches no Models id or display name" if shown
                    else "does not record the model")
            problems.append(f"{name} ({parsed.format}) {what}; pass --model ID (one of {model_ids})")
    profile = {str(r["id"]): r for r in models.rows}.get(model or "", {"gpu_model": None, "gpus_per_instance": None})
    out = []
    several = len(parsed.runs) > 1
    for run in parsed.runs:
        where = f"{name} run {run.position}" if several else name
        values = {
            "model": model, "engine": run.engine,
            "gpu_type": options.gpu_type or run.gpu_type or profile["gpu_model"],
            "gpus": options.gpus if options.gpus is not None else run.gpus or profile["gpus_per_instance"],
            "mean_input_tokens": options.input_tokens if options.input_tokens is not None else run.mean_input_tokens,
            "mean_output_tokens": options.output_tokens if options.output_tokens is not None
            else run.mean_output_tokens,
            "max_concurrency": run.max_concurrency, "request_rate": run.request_rate,
            "completed_requests": run.completed_requests, "request_throughput": run.request_throughput,
            "output_throughput": run.output_throughput, "p99_ttft_ms": run.p99_ttft_ms,
            "p99_tpot_ms": run.p99_tpot_ms, "p99_e2e_ms": run.p99_e2e_ms, "mean_e2e_ms": run.mean_e2e_ms,
            "source_file": name, "sha256": sha, "run_date": run.run_date, "id": "pending",
        }
        for key, option in (("mean_input_tokens", "--input-tokens"), ("mean_output_tokens", "--output-tokens")):
            if values[key] is None:
                problems.append(f"{where} ({parsed.format}) does not record the {key.replace('_', ' ')}; "
                                f"pass {option} N (the run's mean per request)")
        if model is None or any(values[k] is None for k in ("mean_input_tokens", "mean_output_tokens")):
            continue
        out.append((run, _validated(values, BENCH, where, problems)))
    return out


# ---------------------------------------------------------------------------------------------
# slime script -> the model's descriptive columns
# ---------------------------------------------------------------------------------------------


def slime_source(name: str, script: SlimeScript) -> str:
    gpus = f"{script.gpus} GPUs" if script.gpus is not None else "GPUs not stated"
    return (f"slime {name} (sha256 {script.sha256}): RL-training job, {gpus} ({script.gpus_detail}); "
            "describes training, not serving capacity")


def _slime_line(path: Path, script: SlimeScript, options: Options, models: _Table,
                problems: list[str]) -> tuple[SlimeLine, int] | None:
    name = path.name
    model_ids = ", ".join(str(r["id"]) for r in models.rows)
    if options.model is None:
        problems.append(f"{name} is a slime training script: pass --model ID to say whose SLIME columns it fills "
                        f"(one of {model_ids})")
        return None
    index = next(i for i, r in enumerate(models.rows) if r["id"] == options.model)
    current = models.rows[index]
    values = {"parallelism": script.parallelism, "max_tokens_per_gpu": script.max_tokens_per_gpu,
              "mem_fraction_static": script.mem_fraction_static, "global_batch_size": script.global_batch_size,
              "rollout_batch_size": script.rollout_batch_size, "samples_per_prompt": script.samples_per_prompt,
              "source": slime_source(name, script)}
    spec = replace(MODELS, columns=tuple(MODELS.column(k) for k in SLIME_COLUMNS), rows=())
    checked = _validated(values, spec, name, problems)
    changes = {k: (current[k], checked[k]) for k in SLIME_COLUMNS if current[k] != checked[k]}
    return SlimeLine(str(path), options.model, script, changes), models.sheet_rows[index]


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def import_files(book: str | os.PathLike[str], files: list[str | os.PathLike[str]], options: Options = Options(),
                 *, dry_run: bool = False) -> ImportReport:
    """Read every file, then append its runs (or, for a slime script, fill a model's SLIME columns).

    Raises ImportProblems (nothing written) listing every problem, WorkbookFileError / WorkbookBusyError
    for the workbook file itself. With dry_run, nothing is written either.
    """
    pkg = Package.open(book)
    problems: list[str] = []
    models = _read_table(pkg, MODELS, problems)
    bench = _read_table(pkg, BENCH, problems)
    if models is None or bench is None:
        raise ImportProblems(problems)
    if options.model is not None and options.model not in {r["id"] for r in models.rows}:
        problems.append(f"--model {options.model!r} is not a model id in the Models table; expected one of "
                        + ", ".join(str(r["id"]) for r in models.rows))
        raise ImportProblems(problems)
    report = ImportReport(Path(book))
    new_rows: list[tuple[str, BenchmarkRun, dict[str, Any], bool]] = []
    slime_updates: dict[int, dict[str, Any]] = {}
    for path in map(Path, files):
        try:
            data = read_bounded(path)
            parsed = parse(path.name, data)
        except BenchmarkFileError as e:
            problems.append(str(e))
            continue
        report.formats[str(path)] = parsed.format
        if isinstance(parsed, SlimeScript):
            found = _slime_line(path, parsed, options, models, problems)
            if found is not None:
                line, sheet_row = found
                if sheet_row in slime_updates:
                    problems.append(f"{path.name}: a second slime script for model {line.model}; import one")
                report.slime.append(line)
                slime_updates[sheet_row] = {MODELS.column(k).header: new for k, (_, new) in line.changes.items()}
            continue
        sha = hashlib.sha256(data).hexdigest()
        several = len(parsed.runs) > 1
        new_rows.extend((str(path), run, row, several)
                        for run, row in _benchmark_rows(path.name, sha, parsed, options, models, problems))
    if problems:
        raise ImportProblems(problems)
    taken = {str(r["id"]).casefold() for r in bench.rows}
    existing, added = list(bench.rows), []
    for shown, run, row, several in new_rows:
        twin = None
        for pool, where in ((existing, "already in Benchmarks"), (added, "earlier in this import")):
            twin = next((r for r in pool if _same_run(r, row)), None)
            if twin is not None:
                report.runs.append(RunLine(shown, run, {**row, "id": twin["id"]}, False, f"{where} as {twin['id']}"))
                break
        if twin is not None:
            continue
        row = {**row, "id": _run_id(row, run, several, taken)}
        added.append(row)
        report.runs.append(RunLine(shown, run, row, True))
    appended = tuple({c.header: line.row[c.key] for c in BENCH.columns} for line in report.added)
    edits = {}
    if appended:
        edits[BENCH.name] = TableEdit(append=appended)
    updates = {row: values for row, values in slime_updates.items() if values}
    if updates:
        edits[MODELS.name] = TableEdit(update=updates)
    if edits and not dry_run:
        write_results(pkg, {}, edits=edits)
        report.written = True
    return report


# ---------------------------------------------------------------------------------------------
# What the command prints
# ---------------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.3g} ms"


def describe_run(line: RunLine) -> str:
    row = line.row
    label = _load_label(row, line.run)
    load = {"inf": "all at once", "na": "load not recorded"}.get(label) or (
        f"concurrency {label[1:]}" if label.startswith("c") else f"rate {label[1:]} req/s")
    text = (f"{row['engine']:<10} {row['model']:<16} {load:<17} in {row['mean_input_tokens']:,.0f} / out "
            f"{row['mean_output_tokens']:,.0f} tok  {row['request_throughput']:,.3g} req/s  "
            f"p99 TTFT {_ms(row['p99_ttft_ms'])} / TPOT {_ms(row['p99_tpot_ms'])}")
    return f"{text}  -> {row['id']}" if line.added else f"{text}  (skipped: {line.why_skipped})"


def describe_slime(line: SlimeLine) -> list[str]:
    script = line.script
    head = (f"{line.model}: SLIME columns from {line.file}, an RL-training job "
            f"({script.gpus if script.gpus is not None else '?'} GPUs: {script.gpus_detail}). These settings describe "
            "training, not serving capacity: QPS per instance and latency are not changed.")
    if not line.changes:
        return [head, "  already up to date (skipped)"]
    out = [head]
    for key, (old, new) in line.changes.items():
        header = MODELS.column(key).header
        shown = "blank" if new is None else new
        out.append(f"  {header}: {shown}" + ("" if old is None else f" (was {old})"))
    out.extend(f"  note: {note}" for note in script.notes)
    return out
