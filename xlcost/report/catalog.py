"""The report's message catalog: every string a reader sees, extracted with Babel.

Sources: the templates (``{{ _("…") }}``, ``{% trans %}``), the report's Python modules and the labels
module (``_("…")``, ``N_("…")``), and the workbook contract's sheet names, table titles, column headers,
descriptions and parameter groups (the assumptions appendix shows them). ``scripts/i18n.py`` merges
them into each language's ``.po`` file; the tests check that every one is translated.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract

from .. import contract

PACKAGE = Path(__file__).resolve().parents[1]
PYTHON_SOURCES = ("labels.py", "methodology.py", "present.py", "present_simulation.py", "report/decision.py",
                  "report/tables.py", "report/options.py", "report/uncertainty.py", "report/reconcile.py",
                  "report/render.py", "report/formatting.py")
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}


def contract_messages() -> list[str]:
    """The contract's words the report shows (the workbook's own text stays as typed)."""
    out: list[str] = []
    for table in contract.INPUT_TABLES:
        out += [table.sheet, table.title, table.description, *(c.header for c in table.columns)]
    for prm in contract.PARAMETERS:
        out += [prm.group, prm.description]
    return out


def extract_messages(templates_dir: Path) -> Catalog:
    """Every message id of the report, with where it comes from."""
    catalog = Catalog(domain="xlcost", project="xlcost", fuzzy=False)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    for relative in PYTHON_SOURCES:
        path = PACKAGE / relative
        with path.open("rb") as f:
            for line, message, _comments, _context in extract("python", f, keywords=keywords):
                catalog.add(message, locations=[(f"xlcost/{relative}", line)])
    for path in sorted(Path(templates_dir).glob("*.j2")):
        with path.open("rb") as f:
            for line, message, _comments, _context in extract("jinja2", f, keywords=keywords,
                                                               options=JINJA_OPTIONS):
                catalog.add(message, locations=[(f"templates/{path.name}", line)])
    for message in contract_messages():
        catalog.add(message, locations=[("xlcost/contract", 0)])
    return catalog
