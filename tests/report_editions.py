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


def html(results, lang: str, name: str = "llm_cost_model.xlsx") -> str:
    """The report's HTML only (charts drawn, no PDF layout): for checks of what it says, not how it looks."""
    from xlcost.report import render

    page, _dirs = render._html(results, workbook_name=name, workbook_sha256="0" * 64, problems=[],
                               command_line="xlcost report --test", templates_dir=None, generated_at=GENERATED,
                               lang=lang)
    return page


def vllm_run(concurrency: int, requests_per_second: float, p99_ttft_ms: float, p99_tpot_ms: float) -> dict:
    """A `vllm bench serve --save-result` file of the executor at the act step's size (8,600 in, 180 out)."""
    return {"date": "20260818-021333", "backend": "openai", "model_id": "Qwen/Qwen3-4B",
            "tokenizer_id": "Qwen/Qwen3-4B", "request_rate": "inf", "burstiness": 1.0,
            "max_concurrency": concurrency, "duration": 100 / requests_per_second, "completed": 100, "failed": 0,
            "total_input_tokens": 860_000, "total_output_tokens": 18_000, "request_throughput": requests_per_second,
            "mean_ttft_ms": p99_ttft_ms / 2, "p99_ttft_ms": p99_ttft_ms, "mean_tpot_ms": p99_tpot_ms * 0.8,
            "p99_tpot_ms": p99_tpot_ms, "mean_e2el_ms": p99_ttft_ms + 180 * p99_tpot_ms * 0.8,
            "p99_e2el_ms": p99_ttft_ms + 180 * p99_tpot_ms}


def set_cells(book: Path, sheet: str, table: str, row_id: str, values: dict[str, object]) -> None:
    """Type values into one row of an Excel table (found by its name and first column), as a user would."""
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    first, last = ws.tables[table].ref.split(":")
    top = ws[first].row
    columns = {ws.cell(top, c).value: c for c in range(ws[first].column, ws[last].column + 1)}
    row = next(r for r in range(top + 1, ws[last].row + 1) if ws.cell(r, ws[first].column).value == row_id)
    for header, value in values.items():
        ws.cell(row, columns[header]).value = value
    wb.save(book)


def measured_workbook(folder: Path) -> Path:
    """The shipped workbook with three load-test runs of the executor imported (as `xlcost import` does), the
    executor sized from them (Capacity source 'benchmark'), and the SME scenario autoscaled over a business day."""
    import json
    import shutil

    from xlcost import api

    book = folder / "measured.xlsx"
    shutil.copy(BOOK, book)
    files = []
    runs = ((16, 60.0, 300.0, 20.0), (64, 150.0, 1800.0, 25.0), (128, 210.0, 2600.0, 30.0))  # the last breaks TTFT
    for concurrency, rps, ttft, tpot in runs:
        path = folder / f"vllm-c{concurrency}.json"
        path.write_text(json.dumps(vllm_run(concurrency, rps, ttft, tpot)), encoding="utf-8")
        files.append(path)
    api.import_files(book, files, model="qwen3-4b")
    set_cells(book, "Models", "Models", "qwen3-4b", {"Capacity source": "benchmark"})
    set_cells(book, "Scenarios", "Scenarios", "sme", {"Load profile": "business-day", "Provisioning": "autoscaled"})
    return book
