"""The default report in both editions, rendered once per test session (each render takes seconds).

``edition("en")`` / ``edition("zh")``: the HTML, the PDF bytes, a pypdf reader and each page's text.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "workbooks" / "llm_cost_model.xlsx"
GENERATED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def workbook() -> tuple[str, bytes]:
    if BOOK.exists():
        return BOOK.name, BOOK.read_bytes()
    return "llm_cost_model.xlsx", b"PK\x03\x04 stand-in workbook bytes for the attachment test"


@cache
def edition(lang: str) -> dict:
    from pypdf import PdfReader

    from xlcost.engine.model import compute
    from xlcost.inputs import defaults
    from xlcost.report import render
    from xlcost.report.charts import _fonts  # noqa: F401  (warm the font list once)

    results = compute(defaults())
    name, data = workbook()
    html, dirs = render._html(results, workbook_name=name, workbook_sha256=hashlib.sha256(data).hexdigest(),
                              problems=[], command_line="xlcost report --test", templates_dir=None,
                              generated_at=GENERATED, lang=lang)
    pdf = render.html_to_pdf(html, dirs, workbook_name=name, workbook_bytes=data, generated_at=GENERATED)
    reader = PdfReader(io.BytesIO(pdf))
    return {"results": results, "html": html, "pdf": pdf, "reader": reader,
            "pages": [page.extract_text() or "" for page in reader.pages], "lang": lang}
