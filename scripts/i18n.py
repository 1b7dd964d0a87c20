"""Update the report's translation catalogs after editing report text.

    .venv/bin/python scripts/i18n.py          # extract, merge into every .po, list what is untranslated

Extracts every message of the report (templates, report modules, labels, contract headers) with Babel,
merges them into ``xlcost/locale/<lang>/LC_MESSAGES/xlcost.po`` (existing translations kept, removed
messages dropped, new ones added empty), and prints the messages still to translate. The .po files are
read at run time; there is no compiled file to rebuild.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlcost.report.catalog import extract_messages  # noqa: E402
from xlcost.report.i18n import LANGUAGES, catalog_path  # noqa: E402


def main() -> int:
    template = extract_messages(ROOT / "templates")
    missing_total = 0
    for lang in LANGUAGES:
        if lang == "en":
            continue
        path = catalog_path(lang)
        if path.exists():
            with path.open("rb") as f:
                catalog = read_po(f, locale="zh_Hans_CN")
        else:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale="zh_Hans_CN", domain="xlcost", project="xlcost")
        template.creation_date = catalog.creation_date  # no churn in the header when nothing changed
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=0, omit_header=False, sort_output=False, include_lineno=False)
        # A plural message's translation is a tuple of forms: ("",) is untranslated too.
        missing = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
        missing_total += len(missing)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} to translate")
        for message in missing:
            print(f"  {message!r}")
    return 1 if missing_total else 0


if __name__ == "__main__":
    sys.exit(main())
