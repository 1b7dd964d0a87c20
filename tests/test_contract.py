"""The workbook contract is consistent with itself, the README and CI."""

import re
from pathlib import Path

from xlcost import contract
from xlcost.engine.model import compute
from xlcost.inputs import defaults
from xlcost.present import key_figures

ROOT = Path(__file__).resolve().parents[1]


def test_input_and_result_sheets_never_share_a_name():
    inputs = {t.sheet for t in contract.INPUT_TABLES} | {contract.PARAMETERS_SHEET}
    results = set(contract.result_sheets())
    docs = {contract.COVER_SHEET, contract.METHODOLOGY_SHEET, contract.XLWINGS_CONF_SHEET}
    assert not inputs & results and not docs & (inputs | results)
    assert all(len(s) <= 31 and not set(s) & set(r"[]:*?/\\") for s in inputs | results | docs)


def test_table_names_are_unique_and_excel_safe():
    names = [t.name for t in contract.INPUT_TABLES] + [contract.PARAMETERS_TABLE]
    assert len({n.lower() for n in names}) == len(names)
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in names)


def test_default_rows_fit_their_columns():
    for table in contract.INPUT_TABLES:
        for row in table.rows:
            assert len(row) == len(table.columns), table.key
        headers = [c.header.lower() for c in table.columns]
        assert len(set(headers)) == len(headers), table.key


def test_every_key_figure_id_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    r = compute(defaults())
    ids: set[str] = set()
    for figure in key_figures(r):
        pattern = figure.id
        for table, placeholder in (("models", "<model>"), ("workflows", "<workflow>"), ("scenarios", "<scenario>"),
                                   ("call_types", "<call>")):
            for row_id in r.inputs.table(table).ids:
                pattern = pattern.replace(f".{row_id}.", f".{placeholder}.")
        ids.add(pattern)
    missing = [i for i in ids if f"`{i}`" not in readme]
    assert not missing


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.search(r"```bash\n(.*?)\n(.*?)\n```", readme, re.S)
    assert commands, "the README must start with its two commands"
    setup, tests = commands.group(1), commands.group(2)
    assert "scripts/setup.sh" in setup and "report" in setup
    assert tests in (ROOT / ".ci" / "run").read_text()


def test_the_model_documentation_keeps_up_with_the_contract():
    """docs/model.md has a section for every result sheet and names every input table and parameter."""
    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (.+?)\s*$", doc, re.M))
    missing_sections = [sheet for sheet in contract.result_sheets() if sheet not in headings]
    names = [t.name for t in contract.INPUT_TABLES] + [p.key for p in contract.PARAMETERS]
    unnamed = [name for name in names if f"`{name}`" not in doc]
    assert not missing_sections, f"docs/model.md has no '## <sheet>' section for {missing_sections}"
    assert not unnamed, f"docs/model.md never names {unnamed}"
    # The project stands on its own: its documentation points at nothing outside it.
    assert "../shared" not in doc and "MODEL.md" not in doc
