"""Every number the report prints is formatted here, and only here.

Conventions (printed in the report's methodology appendix, see ``CONVENTIONS``):

- Thousands separators everywhere: ``1,600`` GPUs, ``$4,383,360``.
- Money in full dollars in tables (``$52,600,320``); hourly and unit prices with cents or more
  decimals (``$1,255.65``/h, ``$3.805``/GPU-hour, ``$0.00001174``/request).
- Headline money (cover, executive summary, charts, prose) is compact: a million or more in millions
  with two decimals (``$52.67M``), a billion or more in billions (``$1.23B``). Amounts under a
  million are printed in full (``$225,000``): there is no ``K`` abbreviation, so every figure under a
  million can be checked against the workbook to the dollar.
- Negative amounts carry a leading minus: ``-$65,750``.
- Shares as percentages with one decimal (``79.4%``), thousands separators for large ones
  (``55,488.7%``).
- Months with one decimal; a positive figure that rounds to zero prints as ``< 0.1``. A payback that
  never happens prints ``never``; an IRR that does not exist (no or several sign changes) prints
  ``not defined``. A blank input or a figure with no value prints ``—``.

Each function accepts numpy scalars, ``None``, NaN and infinities.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

BLANK = "—"
NEVER = "never"
NOT_DEFINED = "not defined"
MINUS = "-"

CONVENTIONS = (
    "Amounts in tables are whole US dollars with thousands separators; hourly and unit prices keep "
    "cents or more decimals.",
    "Headline amounts of a million or more are shown in millions with two decimals ($52.67M) or in "
    "billions ($1.23B); smaller amounts are shown in full ($225,000), never abbreviated to K.",
    "Shares are percentages with one decimal (79.4%).",
    "Payback is in months with one decimal; 'never' means the net benefit is not positive; a payback "
    "shorter than 0.05 months prints as '< 0.1'.",
    "'not defined' marks an IRR that does not exist or is not unique; '—' marks a blank input or a "
    "figure with no value.",
)


def _fixed(size: float, decimals: int) -> str:
    """``size`` (not negative) with thousands separators and ``decimals`` places, rounded half up as
    Excel rounds (6.25 -> 6.3), from the shortest decimal repr of the float (no binary noise)."""
    quantum = Decimal(1).scaleb(-decimals)
    return format(Decimal(repr(float(size))).quantize(quantum, rounding=ROUND_HALF_UP), f",.{decimals}f")


def _num(x: Any) -> float | None:
    """A float, or None for None/NaN/blank; infinities pass through."""
    if x is None or isinstance(x, str):
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _finite(x: Any) -> float | None:
    value = _num(x)
    return value if value is not None and math.isfinite(value) else None


def number(x: Any, decimals: int = 0, blank: str = BLANK) -> str:
    """``1,234`` / ``1,234.5``; ``decimals`` fixed."""
    value = _finite(x)
    if value is None:
        return blank
    text = _fixed(abs(value), decimals)
    return (MINUS + text) if value < 0 and text.strip("0.,") else text


def smart(x: Any, max_decimals: int = 1, blank: str = BLANK) -> str:
    """Whole numbers without decimals (``1,000``), others with up to ``max_decimals`` (``20.1``)."""
    value = _finite(x)
    if value is None:
        return blank
    text = number(value, max_decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def usd(x: Any, decimals: int = 0, blank: str = BLANK) -> str:
    """``$1,234`` / ``-$65,750`` / ``$1,255.65`` (``decimals`` fixed)."""
    value = _finite(x)
    if value is None:
        return blank
    text = "$" + _fixed(abs(value), decimals)
    return (MINUS + text) if value < 0 and text.strip("$0.,") else text


def money(x: Any, blank: str = BLANK) -> str:
    """Headline amount: ``$52.67M``, ``$1.23B``, or in full under a million (``$225,000``)."""
    value = _finite(x)
    if value is None:
        return blank
    size = abs(value)
    if size >= 1e9:
        text = f"${_fixed(size / 1e9, 2)}B"
    elif size >= 1e6:
        text = f"${_fixed(size / 1e6, 2)}M"
    else:
        text = f"${_fixed(size, 0)}"
    return (MINUS + text) if value < 0 and text.strip("$0.,MB") else text


def pct(x: Any, decimals: int = 1, blank: str = BLANK) -> str:
    """A share as a percentage: ``0.79375`` -> ``79.4%``."""
    value = _finite(x)
    if value is None:
        return blank
    text = _fixed(abs(value) * 100, decimals) + "%"
    return (MINUS + text) if value < 0 and text.strip("0.,%") else text


def points(x: Any, decimals: int = 1, blank: str = BLANK) -> str:
    """A difference of two shares in percentage points: ``-0.102`` -> ``-10.2 pp``."""
    value = _finite(x)
    if value is None:
        return blank
    text = _fixed(abs(value) * 100, decimals) + " pp"
    return (MINUS + text) if value < 0 and text.strip("0., p") else text


def irr(x: Any) -> str:
    """IRR as a percentage, or ``not defined``."""
    return pct(x, blank=NOT_DEFINED)


def months(x: Any) -> str:
    """Months with one decimal; ``never`` for infinite/None; ``< 0.1`` for a positive tiny value."""
    value = _num(x)
    if value is None or math.isinf(value):
        return NEVER
    if 0 < value < 0.05:
        return "< 0.1"
    return number(value, 1)


def months_text(x: Any) -> str:
    """``0.9 months``, ``1.0 month``, ``never``."""
    text = months(x)
    if text == NEVER:
        return text
    return f"{text} month" if text == "1.0" else f"{text} months"


def qps(x: Any, blank: str = BLANK) -> str:
    return smart(x, 1, blank)


def yes_no(x: Any, blank: str = BLANK) -> str:
    if x is None:
        return blank
    return "Yes" if bool(x) else "No"


# Contract unit -> formatter. The one table of display rules for every result and input column.
_UNIT_RULES = {
    "usd": lambda x: usd(x),
    "usd_per_year": lambda x: usd(x),
    "usd_per_month": lambda x: usd(x),
    "usd_per_hour": lambda x: usd(x, 2),
    "usd_per_instance_hour": lambda x: usd(x, 2),
    "usd_per_gpu_hour": lambda x: usd(x, 3),
    "usd_per_request": lambda x: usd(x, 8),
    "usd_per_1k_requests": lambda x: usd(x, 5),
    "fraction": pct,
    "fraction_per_100ms": pct,
    "count": lambda x: smart(x, 2),
    "instances": lambda x: smart(x, 2),
    "gpus": lambda x: smart(x, 2),
    "hours": lambda x: smart(x, 2),
    "tokens": lambda x: smart(x, 0),
    "qps": qps,
    "qps_per_gpu": lambda x: number(x, 2),
    "ms": lambda x: smart(x, 1),
    "months": months,
    "years": lambda x: smart(x, 0),
    "billion_params": lambda x: smart(x, 1),
    "ratio": lambda x: number(x, 3),
    "bool": yes_no,
}

MONEY_UNITS = ("usd", "usd_per_year", "usd_per_month")


def fmt(x: Any, unit: str = "", kind: str = "") -> str:
    """Format a value by its contract unit (and column kind: 'fraction' columns are percentages).

    Text passes through unchanged (autoescaping happens in the template); blanks print ``—``.
    """
    if isinstance(x, str):
        return x
    if x is None:
        return BLANK
    if kind == "fraction":
        return pct(x)
    if kind == "bool" or isinstance(x, bool):
        return yes_no(x)
    rule = _UNIT_RULES.get(unit)
    if rule is not None:
        return rule(x)
    return smart(x, 4)


def headline(x: Any, unit: str = "") -> str:
    """The compact form of a key figure (cover, executive summary, prose): money in millions."""
    if unit in MONEY_UNITS:
        return money(x)
    if unit == "months":
        return months_text(x)
    return fmt(x, unit)


def usd_axis(x: float, _pos: Any = None) -> str:
    """Chart axis ticks: ``$40M``, ``$1.5M``, ``$250,000``, ``$0``."""
    if x == 0:
        return "$0"
    size = abs(x)
    sign = MINUS if x < 0 else ""
    if size >= 1e9:
        return f"{sign}${size / 1e9:,.3g}B"
    if size >= 1e6:
        return f"{sign}${size / 1e6:,.3g}M"
    return f"{sign}${size:,.0f}"


UNIT_LABELS = {
    "usd": "USD", "usd_per_year": "USD / year", "usd_per_month": "USD / month", "usd_per_hour": "USD / hour",
    "usd_per_gpu_hour": "USD / GPU-hour", "usd_per_instance_hour": "USD / instance-hour",
    "usd_per_request": "USD / request", "usd_per_1k_requests": "USD / 1K requests", "fraction": "share",
    "fraction_per_100ms": "share / 100 ms", "count": "", "instances": "instances", "gpus": "GPUs", "qps": "QPS",
    "qps_per_gpu": "QPS / GPU", "ms": "ms", "months": "months", "years": "years", "billion_params": "billion",
    "ratio": "", "hours": "hours", "tokens": "tokens", "text": "", "bool": "",
}


def unit_label(unit: Any) -> str:
    """A contract unit in words for a 'Unit' column: ``usd_per_year`` -> ``USD / year``."""
    if unit is None:
        return ""
    return UNIT_LABELS.get(str(unit), str(unit))


FILTERS = {
    "unit_label": unit_label,
    "number": number,
    "smart": smart,
    "usd": usd,
    "money": money,
    "pct": pct,
    "points": points,
    "irr": irr,
    "months": months,
    "months_text": months_text,
    "qps": qps,
    "yes_no": yes_no,
    "fmt": fmt,
    "headline": headline,
}
