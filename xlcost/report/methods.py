"""The methodology appendix: the model's one text (``xlcost.methodology``, also the workbook's Methodology
sheet) in the report's language, set in the report's typography."""

from __future__ import annotations

import re
from typing import Any

from .. import methodology
from .i18n import Lang

# The workbook's Methodology sheet is plain text for Excel ("x", "<=", "'never'"); the report sets it.
_TYPOGRAPHY = (
    (re.compile(r"(?<=\s)x(?=\s)"), "×"),
    (re.compile(r"<="), "≤"),
    (re.compile(r">="), "≥"),
    (re.compile(r"(?<=\s)-(?=\s)"), "−"),  # a subtraction
    (re.compile(r"(?<=[\s=(])-(?=[\w(])"), "−"),  # a negative: "= -upfront"
    (re.compile(r"(?<=\w)\.\.(?=\w)"), "…"),  # CF1..CFT
    (re.compile(r"(?<=\w)'(?=\w)"), "’"),  # an apostrophe
    (re.compile(r"'([^']+)'"), "“\\1”"),  # a quoted word
    (re.compile(r"\b1e6\b"), "10⁶"),
)


def typeset(text: str) -> str:
    """Plain-text formulas in print typography: ×, ≤, ≥, a true minus, …, typographic quotes."""
    for pattern, replacement in _TYPOGRAPHY:
        text = pattern.sub(replacement, text)
    return text


def appendix(t: Lang) -> dict[str, Any]:
    """The conventions and, per result sheet, each result's formula and note, translated and typeset."""
    _ = t.gettext
    sections: dict[str, list[dict[str, str]]] = {}
    for m in methodology.METHODS:
        sections.setdefault(m.section, []).append({
            "result": typeset(_(m.result)), "formula": typeset(_(m.formula)),
            "note": typeset(_(m.note)) if m.note else ""})
    return {"conventions": [typeset(_(text)) for text in methodology.CONVENTIONS],
            "sections": [{"title": _(title), "methods": methods} for title, methods in sections.items()]}
