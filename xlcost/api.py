"""The library: the CLI's verbs as functions. ``xlcost.cli`` and the Excel adapter are thin shells over it.

    >>> from xlcost import api
    >>> outcome = api.check("workbooks/llm_cost_model.xlsx")
    >>> outcome.ok, [str(p) for p in outcome.problems]
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, contract, labels
from .contract import Problem
from .engine.model import Results, compute
from .engine.simulation import OnProgress
from .inputs import Inputs, defaults
from .present import key_figures, model_checks, result_tables, table_columns
from .workbook.layout import Block, lay_out
from .workbook.package import Package, WorkbookFileError
from .workbook.read import read_inputs
from .workbook.writer import SheetOutput
from .workbook.writer import write_results as write_package

if TYPE_CHECKING:
    from . import importing, upgrading

DEFAULT_WORKBOOK_NAME = "llm_cost_model.xlsx"
# The module the workbook's Recalculate button (and the add-in's "Run main") imports: named like the workbook.
# It names no workbook, so a copy renamed for a renamed workbook (q3_model.py) keeps working.
EXCEL_SHIM = '''from xlcost.excel import main  # noqa: F401  (the button and "Run main" call <this module>.main())

if __name__ == "__main__":  # debugging from an editor: runs main() on the workbook named like this file
    from pathlib import Path

    import xlwings as xw

    xw.Book(Path(__file__).with_suffix(".xlsm")).set_mock_caller()
    main()
'''


def hidden_module(name: str, folder: Path) -> str | None:
    """What a ``<name>.py`` shim in ``folder`` would hide from the button's Python, or None when the name is
    free: xlcost itself, xlwings, a module of Python's standard library, or an installed package."""
    if name == "xlcost":
        return "the xlcost package itself"
    if name == "xlwings":
        return "xlwings, which runs the button"
    if name in sys.builtin_module_names or name in sys.stdlib_module_names:
        return f"Python's own module {name!r}"
    # Installed packages only: not this folder, nor the current one, where an earlier shim may already sit.
    here = {folder.resolve(), Path.cwd().resolve()}
    search = [entry for entry in sys.path if entry and Path(entry).is_dir() and Path(entry).resolve() not in here]
    found = importlib.machinery.PathFinder.find_spec(name, search) is not None
    return f"the installed package {name!r}" if found else None


@dataclass(frozen=True)
class Outcome:
    """What reading and computing a workbook gave: results, or the problems that prevented them."""

    package: Package
    inputs: Inputs | None
    problems: list[Problem]
    results: Results | None

    @property
    def ok(self) -> bool:
        return self.results is not None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class InputError(Exception):
    """The workbook's inputs are invalid; ``problems`` lists every one of them."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        super().__init__(labels.count(len(outcome.errors), "input error"))


def default_workbook() -> Path:
    """The shipped default workbook (inside the installed package, or the repository's workbooks/)."""
    try:
        return Path(str(resources.files("xlcost.workbooks").joinpath(DEFAULT_WORKBOOK_NAME)))
    except ModuleNotFoundError:  # running from a source checkout: the repository's workbooks/ folder
        return Path(__file__).resolve().parents[1] / "workbooks" / DEFAULT_WORKBOOK_NAME


def check(path: str | os.PathLike[str], *, trials: int | None = None, seed: int | None = None,
          on_progress: OnProgress | None = None) -> Outcome:
    """Read and compute without writing anything. Raises WorkbookFileError for a bad file.

    ``trials`` and ``seed`` replace the workbook's mc_trials and mc_seed for this run (the file is not
    changed); ``on_progress(done, total)`` follows the simulation's trials.
    """
    pkg = Package.open(path)
    inputs, problems = read_inputs(pkg)
    inputs = simulation_settings(inputs, trials, seed)
    results, problems = evaluate(inputs, problems, on_progress=on_progress)
    return Outcome(pkg, inputs, problems, results)


def simulation_settings(inputs: Inputs | None, trials: int | None, seed: int | None) -> Inputs | None:
    """The inputs with mc_trials and/or mc_seed replaced (None keeps the workbook's value)."""
    if inputs is None:
        return None
    for key, value in (("mc_trials", trials), ("mc_seed", seed)):
        param = contract.PARAMS[key]
        if value is not None and not param.min <= value <= param.max:
            raise ValueError(f"{key} must be a whole number from {param.min:,.0f} to {param.max:,.0f}, not {value}")
    changed = {k: v for k, v in (("mc_trials", trials), ("mc_seed", seed)) if v is not None}
    return inputs.with_params(**changed) if changed else inputs


def evaluate(inputs: Inputs | None, problems: list[Problem], *,
             on_progress: OnProgress | None = None) -> tuple[Results | None, list[Problem]]:
    """Parsed inputs -> results, with the model checks added to the problems (every front end's one path)."""
    if inputs is None:
        return None, problems
    results = compute(inputs, on_progress=on_progress)
    return results, problems + model_checks(results)


def result_layout(results: Results, problems: list[Problem]) -> tuple[dict[str, SheetOutput], list[Block]]:
    """The result sheets' new content and where each block sits."""
    return lay_out(result_tables(results, problems), table_columns(results))


def sheet_content(results: Results, problems: list[Problem]) -> dict[str, SheetOutput]:
    """What ``recalc`` writes into the result sheets."""
    return result_layout(results, problems)[0]


def recalc(path: str | os.PathLike[str], *, trials: int | None = None, seed: int | None = None,
           on_progress: OnProgress | None = None) -> Outcome:
    """Compute the workbook and write its result sheets. Raises InputError (file untouched) or
    WorkbookFileError / WorkbookBusyError (file untouched). ``trials``, ``seed``, ``on_progress``: as ``check``."""
    outcome = check(path, trials=trials, seed=seed, on_progress=on_progress)
    if not outcome.ok:
        raise InputError(outcome)
    _require_result_sheets(outcome.package)
    write_package(outcome.package, sheet_content(outcome.results, outcome.problems))
    return outcome


def _require_result_sheets(pkg: Package) -> None:
    present = {name.casefold() for name in pkg.sheet_names}
    missing = [s for s in contract.result_sheets() if s.casefold() not in present]
    if missing:
        names = ", ".join(repr(s) for s in missing)
        raise WorkbookFileError(
            f"{pkg.path.name}: the result {'sheet' if len(missing) == 1 else 'sheets'} {names} "
            f"{'is' if len(missing) == 1 else 'are'} missing (deleted or renamed?); expected them back "
            "so xlcost can write its results: rename them back, or carry your inputs into a fresh workbook with "
            "`xlcost upgrade`. `xlcost check`, `export` and `report` work without them.")


def export_data(outcome: Outcome) -> dict[str, Any]:
    """The stable JSON interface: version, workbook identity, key figures, every result table."""
    assert outcome.results is not None
    return {
        "xlcost_version": __version__,
        "workbook": {"name": outcome.package.path.name, "sha256": outcome.package.sha256},
        "key_figures": [vars(k) for k in key_figures(outcome.results)],
        "tables": result_tables(outcome.results, outcome.problems),
    }


def new(path: str | os.PathLike[str]) -> Path:
    """Write a fresh workbook with the seed's defaults and computed results (.xlsx or .xlsm by suffix).

    The skeleton is generated from the contract, then recalculated exactly as ``recalc`` would, so a
    new workbook's results (and its Checks sheet's cell addresses) are what the user will see later.
    """
    from .workbook.template import build_skeleton  # openpyxl is only needed here

    target = Path(path)
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookFileError(f"{target.name}: the workbook name must end in .xlsx or .xlsm")
    hidden = hidden_module(target.stem, target.parent) if target.suffix.lower() == ".xlsm" else None
    if hidden:
        raise WorkbookFileError(
            f"{target.name}: the Recalculate button imports a Python module named like the workbook, and "
            f"{target.stem}.py next to it would hide {hidden}, so the button could not work; choose another "
            "name, e.g. my_model.xlsm")
    results, problems = evaluate(defaults(), [])
    _, blocks = result_layout(results, problems)  # where the charts' data will sit
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        build_skeleton(tmp, blocks, macro_enabled=target.suffix.lower() == ".xlsm")
        recalc(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    if target.suffix.lower() == ".xlsm":
        shim = target.with_suffix(".py")
        # The button runs `import <workbook name>; <workbook name>.main()`: only a Python name can work.
        if target.stem.isidentifier() and not shim.exists():
            shim.write_text(EXCEL_SHIM, encoding="utf-8")
    return target


def import_files(book: str | os.PathLike[str], files: list[str | os.PathLike[str]], *, model: str | None = None,
                 gpus: int | None = None, gpu_type: str | None = None, input_tokens: float | None = None,
                 output_tokens: float | None = None, dry_run: bool = False) -> importing.ImportReport:
    """Append load-test runs to the Benchmarks table (or fill a model's SLIME columns from a slime script).

    Raises importing.ImportProblems listing every problem (nothing written), or WorkbookFileError /
    WorkbookBusyError for the workbook itself. The same run of the same file is never added twice.
    """
    from . import importing  # the readers of load-test files load only when importing

    options = importing.Options(model, gpus, gpu_type, input_tokens, output_tokens)
    return importing.import_files(book, files, options, dry_run=dry_run)


def upgraded_name(source: str | os.PathLike[str]) -> Path:
    """Where ``upgrade`` writes by default: ``<name>-upgraded.xlsx`` (or .xlsm) next to the old workbook."""
    path = Path(source)
    return path.with_name(f"{path.stem}-upgraded{path.suffix}")


def upgrade(source: str | os.PathLike[str], target: str | os.PathLike[str] | None = None, *,
            force: bool = False) -> tuple[upgrading.UpgradeReport, Outcome]:
    """Carry a workbook from an earlier xlcost into a fresh one of this version, then recalculate it.

    ``source`` is only read. Returns what moved and the new workbook's outcome: if the carried inputs
    are invalid under this version's rules, the outcome lists the errors (``ok`` is False) and the new
    workbook holds the inputs with the shipped results, ready for the fixes and a ``recalc``.
    """
    from . import upgrading

    report = upgrading.upgrade(source, upgraded_name(source) if target is None else target, force=force)
    try:
        return report, recalc(report.target)
    except InputError as err:
        return report, err.outcome


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = ["check", "recalc", "new", "export_data", "import_files", "default_workbook", "Outcome", "InputError",
           "contract"]
