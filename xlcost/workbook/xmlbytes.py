"""Byte-level OOXML helpers shared by the surgical writers: a tag scanner for the few well-known parts
xlcost edits, span replacement, and cell values as XML text.

Edits are made on the raw bytes of a part, never by re-serializing a parsed tree, so every byte xlcost
does not mean to change stays as the user's Excel (or LibreOffice) wrote it.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Iterator
from typing import NamedTuple

from .package import datetime_to_serial

MAX_TEXT = 32_767  # Excel's limit for one cell; longer text makes Excel "repair" the file


_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_TOKEN = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!" + _ATTRS + rb">"
    rb"|<(/?)((?:[A-Za-z_][\w.\-]*:)?)([A-Za-z_][\w.\-]*)(" + _ATTRS + rb")>",
    re.S,
)
ATTR = re.compile(rb"""([\w:.\-]+)\s*=\s*("[^"]*"|'[^']*')""")


class Tag(NamedTuple):
    start: int
    end: int
    closing: bool
    empty: bool
    prefix: bytes  # "x:" or b""
    local: bytes
    attrs: bytes


def tags(data: bytes) -> Iterator[Tag]:
    """Start/end tags in document order; comments, PIs and CDATA are skipped, not mistaken for tags."""
    for m in _TOKEN.finditer(data):
        if m.group(3) is None:
            continue
        attrs = m.group(4)
        yield Tag(m.start(), m.end(), m.group(1) == b"/", attrs.rstrip().endswith(b"/"),
                   m.group(2), m.group(3), attrs)


def walk(data: bytes) -> Iterator[tuple[int, Tag]]:
    """(depth, tag) pairs; the root element is depth 0 and its end tag reports depth 0 too."""
    depth = 0
    for tag in tags(data):
        if tag.closing:
            depth -= 1
            yield depth, tag
        else:
            yield depth, tag
            if not tag.empty:
                depth += 1


def apply_edits(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Replace non-overlapping (start, end) spans."""
    out, pos = [], 0
    for start, end, new in sorted(edits):
        out += [data[pos:start], new]
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def is_utf8(data: bytes) -> bool:
    """Our byte edits assume UTF-8 (what Excel always writes); UTF-16 or legacy encodings are skipped."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return False
    m = re.match(rb"""(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*["']([^"']+)""", data)
    return m is None or m.group(1).lower() in (b"utf-8", b"utf8")


_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def clean_text(text: str) -> str:
    """The string as it will read back: XML-illegal characters removed (tabs/newlines kept)."""
    return _ILLEGAL_XML.sub("", text)


def xml_text(text: str) -> str:
    # A literal "_x0041_" would be shown by Excel as "A"; escape its underscore the OOXML way
    text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")  # a raw CR would be normalized to LF by every XML parser


def classify(value: object, where: str, date1904: bool) -> tuple[str, object]:
    """('b'|'n'|'s'|'', normalized value); raises ValueError for values Excel cannot hold."""
    if value is None:
        return "", None
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return "b", bool(value)
    if isinstance(value, numbers.Integral):
        return "n", int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{where}: {number} is not a number Excel can store "
                             "(the engine must not produce it)")
        return "n", number
    if isinstance(value, str):
        text = clean_text(value)
        if len(text) > MAX_TEXT:
            raise ValueError(f"{where}: text of {len(text):,} characters exceeds Excel's {MAX_TEXT:,}")
        return "s", text
    if isinstance(value, dt.date):
        return "n", datetime_to_serial(value, date1904)
    raise TypeError(f"{where}: cannot write a {type(value).__name__} into a cell")
