"""Cells: their values and kinds, addresses, Excel's date serials, OOXML text escapes, and the booleans
LibreOffice writes as formulas."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

CellValue = float | str | bool | dt.datetime | None
CellKind = Literal["number", "text", "bool", "error", "date", "blank"]


@dataclass(frozen=True, slots=True)
class Cell:
    ref: str
    row: int
    col: int
    value: CellValue
    kind: CellKind
    formula: str | None  # "" for a shared-formula follower (its master cell holds the text)
    has_cached_value: bool


_ESCAPED_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decode_ooxml_text(text: str) -> str:
    """Undo OOXML's _xHHHH_ escaping of characters XML cannot carry (Excel reads it this way)."""
    if "_x" not in text:
        return text
    return _ESCAPED_CHAR.sub(lambda m: chr(int(m.group(1), 16)), text)


def local_name(tag: object) -> str:
    """An element's tag without its namespace ("{ns}row" -> "row")."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


@lru_cache(maxsize=512)
def col_letters(col: int) -> str:
    """1 -> 'A', 28 -> 'AB'."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=512)
def col_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def cell_ref(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


def parse_ref(ref: str) -> tuple[int, int]:
    """'B7' or '$B$7' -> (7, 2)."""
    m = _REF_RE.fullmatch(ref.strip())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_number(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A3:H6' -> (3, 1, 6, 8); a single cell is a 1x1 range."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


# LibreOffice saves every boolean as the formula TRUE() or FALSE(); Excel users type =TRUE() too.
_BOOLEAN_FORMULA = re.compile(r"\s*=?\s*(TRUE|FALSE)\s*\(\s*\)\s*", re.I)


def boolean_constant(formula: str) -> bool | None:
    """True/False for a formula that is only the constant ``TRUE()`` / ``FALSE()`` (with or without "="),
    else None: such a cell is a value, not a formula, on any sheet."""
    m = _BOOLEAN_FORMULA.fullmatch(formula)
    return None if m is None else m.group(1).upper() == "TRUE"


# --------------------------------------------------------------------------------------------
# Excel dates
# --------------------------------------------------------------------------------------------

_DATE_FMT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# Pieces of a format code that cannot be date tokens: quoted text, [colour]/[condition]/[$-locale]
# brackets, backslash escapes, and the _x (padding) and *x (fill) pairs.
_FMT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', re.S)
_ELAPSED = re.compile(r"\[(h+|m+|s+)\]", re.I)
_DATE_TOKEN = re.compile(r"[dmyhs]", re.I)
EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def is_date_format(num_fmt_id: int, code: str | None) -> bool:
    """True if a cell with this number format shows a date or time."""
    if code is None:
        return num_fmt_id in _DATE_FMT_IDS
    code = _ELAPSED.sub(r"\1", code)  # [h]:mm is an elapsed time; keep its tokens
    code = re.sub("general", "", _FMT_NOISE.sub("", code), flags=re.I)
    return bool(_DATE_TOKEN.search(code))


def serial_to_datetime(serial: float, date1904: bool) -> dt.datetime | None:
    """Excel serial -> datetime; None when out of datetime's range."""
    if date1904:
        base = _EPOCH_1904
    else:
        base = EPOCH_1900
        if serial < 60:  # Excel counts the non-existent 1900-02-29; dates before it are one day off
            serial += 1
    try:
        # Excel keeps times to the millisecond; rounding hides float noise such as 12:30:00.000001
        return base + dt.timedelta(milliseconds=round(serial * 86_400_000))
    except (OverflowError, ValueError):
        return None


def datetime_to_serial(value: dt.date, date1904: bool) -> float:
    """The inverse of serial_to_datetime (used by the writer for date results)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    base = _EPOCH_1904 if date1904 else EPOCH_1900
    serial = (value.replace(tzinfo=None) - base) / dt.timedelta(days=1)
    if not date1904 and serial < 61:
        serial -= 1
    return serial
