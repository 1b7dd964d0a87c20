"""The PDF decision report: ``render_html`` and ``render_pdf``, in English or Chinese (``lang``).

Imports of Jinja2, matplotlib and WeasyPrint are deferred to the first render, so importing this
package is cheap for commands that do not build a report.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from ..contract import Problem
    from ..engine.model import Results

__all__ = ["render_html", "render_pdf"]


def render_html(results: Results, *, workbook_name: str, workbook_sha256: str, problems: list[Problem],
                command_line: str, templates_dir: Path | None = None, generated_at: datetime | None = None,
                lang: str | None = None) -> str:
    """The report as an HTML document (its stylesheet is linked relative to the templates folder).

    ``generated_at`` None: ``SOURCE_DATE_EPOCH`` if set, else now (UTC). ``lang`` "en" or "zh"; None: the
    workbook's ``report_language`` parameter.
    """
    from .render import render_html as _render_html

    return _render_html(results, workbook_name=workbook_name, workbook_sha256=workbook_sha256, problems=problems,
                        command_line=command_line, templates_dir=templates_dir, generated_at=generated_at,
                        lang=lang)


def render_pdf(results: Results, *, workbook_name: str, workbook_bytes: bytes | None, workbook_sha256: str,
               problems: list[Problem], command_line: str, templates_dir: Path | None = None,
               generated_at: datetime | None = None, progress: Callable[[str], None] | None = None,
               lang: str | None = None) -> bytes:
    """The report as tagged PDF/A-3b bytes; ``workbook_bytes`` (if given) is embedded as the Source attachment.
    ``progress`` (optional) is called with the name of each stage as it starts. ``lang`` "en" or "zh";
    None: the workbook's ``report_language`` parameter.

    Reproducible: with ``SOURCE_DATE_EPOCH`` set (or a fixed ``generated_at``) the same inputs give the
    same bytes.
    """
    from .render import render_pdf as _render_pdf

    return _render_pdf(results, workbook_name=workbook_name, workbook_bytes=workbook_bytes,
                       workbook_sha256=workbook_sha256, problems=problems, command_line=command_line,
                       templates_dir=templates_dir, generated_at=generated_at, progress=progress,
                       lang=lang)
