"""Every number the report prints is formatted here, and only here, in the report's language.

Conventions (printed in the report's methodology appendix, see ``Formatter.conventions``):

- Thousands separators everywhere: ``1,600`` GPUs, ``$4,383,360``; a true minus sign (U+2212),
  ``−$65,750``, never a hyphen.
- Money in tables in whole dollars; hourly prices with cents, the GPU-hour price with three decimals;
  unit costs per 1K or per 1M requests or tokens, never as a fraction of a cent with eight decimals.
- Headline money (prose, summary tables, charts) is compact and as precise in both languages (to
  $10,000): English ``$52.60M`` / ``$1.23B``, Chinese ``US$5,260万`` / ``US$1.23亿``; amounts under a
  million in full. A row or column of figures shares one scale (``money_scaled``), so millions and
  whole dollars never sit side by side.
- Shares as percentages with one decimal (``79.4%``). Months with one decimal; a positive payback
  that rounds to zero prints as ``< 0.1``; a payback that never happens prints "never"; an IRR that
  does not exist prints "not defined"; a figure with no value prints an en dash ``–``.
- Dates as the locale writes them (Babel): ``1 December 2026``, ``2026年12月1日``.

Each method accepts numpy scalars, ``None``, NaN and infinities. The module-level functions are the
English formatter's, for callers without a language (charts' defaults, tests).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..labels import Labels

MINUS = "\u2212"
BLANK = "\u2013"
MONEY_UNITS = ("usd", "usd_per_year", "usd_per_month")

# Babel locale of each report language.
LOCALES = {"en": "en", "zh": "zh_Hans_CN"}
# Decimal places of each money unit (the "declared precision" the tests check).
MONEY_DECIMALS = {
    "usd": 0, "usd_per_year": 0, "usd_per_month": 0, "usd_per_hour": 2, "usd_per_instance_hour": 2,
    "usd_per_gpu_hour": 3, "usd_per_1k_requests": 2, "usd_per_1m_requests": 2, "usd_per_1m_calls": 2,
    "usd_per_1m_tokens": 3, "usd_per_1k_workflows": 2,
}


def N_(message: str) -> str:
    return message


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


def finite(x: Any) -> float | None:
    """A finite float, or None for what has no value (None, text, NaN, infinities): the report's one test of
    whether a figure exists."""
    value = _num(x)
    return value if value is not None and math.isfinite(value) else None



def _signed(value: float, text: str) -> str:
    """A minus sign in front of a negative figure, unless it rounded to zero."""
    return MINUS + text if value < 0 and any(ch in "123456789" for ch in text) else text


class Formatter:
    """Numbers, money, shares, months and dates in one language (``en`` or ``zh``)."""

    def __init__(self, lang: str = "en", gettext: Callable[[str], str] | None = None) -> None:
        self.lang = lang if lang in LOCALES else "en"
        self.locale = LOCALES[self.lang]
        self._ = gettext or (lambda s: s)
        self.labels = Labels(self._)
        self.currency = "US$" if self.lang == "zh" else "$"
        self.blank = BLANK
        self.never = self._(N_("never"))
        self.not_defined = self._(N_("not defined"))
        # Compact money: (threshold, divisor, suffix, decimals) from the largest down; both languages round
        # millions to $10,000 (0.01M, 1万).
        if self.lang == "zh":  # 万 (10^4) as Chinese finance writes it; 亿 (10^8) from 100亿 up
            self.scales = ((1e10, 1e8, "亿", 2), (1e6, 1e4, "万", 0))
        else:
            self.scales = ((1e9, 1e9, "B", 2), (1e6, 1e6, "M", 2))

    # ------------------------------------------------------------------ plain numbers
    def number(self, x: Any, decimals: int = 0, blank: str | None = None) -> str:
        value = finite(x)
        if value is None:
            return self.blank if blank is None else blank
        return _signed(value, _fixed(abs(value), decimals))

    def smart(self, x: Any, max_decimals: int = 1, blank: str | None = None) -> str:
        """Whole numbers without decimals (``1,000``), others with up to ``max_decimals`` (``20.1``)."""
        text = self.number(x, max_decimals, blank)
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text

    def qps(self, x: Any, blank: str | None = None) -> str:
        return self.smart(x, 1, blank)

    # ------------------------------------------------------------------ money
    def usd(self, x: Any, decimals: int = 0, blank: str | None = None) -> str:
        """``$1,234`` / ``−$65,750`` / ``$1,255.65``."""
        value = finite(x)
        if value is None:
            return self.blank if blank is None else blank
        return _signed(value, self.currency + _fixed(abs(value), decimals))

    def _scale_for(self, size: float) -> tuple[float, str, int] | None:
        for threshold, divisor, suffix, decimals in self.scales:
            if size >= threshold:
                return divisor, suffix, decimals
        return None

    def _scaled(self, value: float, scale: tuple[float, str, int] | None) -> str:
        if scale is None:
            return _signed(value, self.currency + _fixed(abs(value), 0))
        divisor, suffix, decimals = scale
        return _signed(value, f"{self.currency}{_fixed(abs(value) / divisor, decimals)}{suffix}")

    def money(self, x: Any, blank: str | None = None) -> str:
        """Headline amount: ``$52.60M``, ``$1.23B``, or in full under a million (``$225,000``)."""
        value = finite(x)
        if value is None:
            return self.blank if blank is None else blank
        return self._scaled(value, self._scale_for(abs(value)))

    def money_scaled(self, values: Sequence[Any]) -> list[str]:
        """Headline amounts that share one scale: the largest one's (a row or column of a table)."""
        sizes = [abs(v) for v in (finite(x) for x in values) if v is not None]
        scale = self._scale_for(max(sizes)) if sizes else None
        return [self.blank if finite(x) is None else self._scaled(finite(x), scale) for x in values]

    def money_unit(self, x: Any, unit: str) -> str:
        return self.usd(x, MONEY_DECIMALS.get(unit, 0))

    def money_short(self, x: Any, blank: str | None = None) -> str:
        """A label-sized amount with one decimal: ``$1.2B``, ``$103.5M``, ``$56K``, ``$789``, ``−$1.4M`` (chart
        ticks, histogram bins, one-line statements)."""
        value = finite(x)
        if value is None:
            return self.blank if blank is None else blank
        size = abs(value)
        scales = ((1e8, 1e8, "亿"), (1e4, 1e4, "万")) if self.lang == "zh" else ((1e9, 1e9, "B"), (1e6, 1e6, "M"),
                                                                              (1e3, 1e3, "K"))
        for threshold, divisor, suffix in scales:
            if size >= threshold:
                return _signed(value, f"{self.currency}{_fixed(size / divisor, 1)}{suffix}")
        return _signed(value, self.currency + _fixed(size, 0))

    def unit_cost(self, x: Any, unit: str = "usd_per_1m_tokens") -> str:
        """A cost per 1K or 1M calls or tokens at its declared precision; a positive cost too small to show
        prints as ``< $0.001`` rather than as zero."""
        value = finite(x)
        if value is None:
            return self.blank
        decimals = MONEY_DECIMALS.get(unit, 2)
        smallest = 10.0 ** -decimals
        if 0 < value < smallest / 2:
            return "< " + self.currency + _fixed(smallest, decimals)
        return self.usd(value, decimals)

    def prob(self, x: Any, blank: str | None = None) -> str:
        """A probability: ``0%`` and ``100%`` exactly when no trial (every trial) fell there, ``< 0.1%`` for a
        few, else one decimal."""
        value = finite(x)
        if value is None:
            return self.blank if blank is None else blank
        if value <= 0:
            return "0%"
        if value >= 1:
            return "100%"
        if value < 0.0005:
            return "< 0.1%"
        if value > 0.9995:
            return "> 99.9%"
        return self.pct(value)

    # ------------------------------------------------------------------ shares, months
    def pct(self, x: Any, decimals: int = 1, blank: str | None = None) -> str:
        value = finite(x)
        if value is None:
            return self.blank if blank is None else blank
        return _signed(value, _fixed(abs(value) * 100, decimals) + "%")

    def points(self, x: Any, decimals: int = 1, blank: str | None = None) -> str:
        """A difference of two shares in percentage points: ``−10.2 pp``."""
        value = finite(x)
        if value is None:
            return self.blank if blank is None else blank
        return _signed(value, _fixed(abs(value) * 100, decimals) + " " + self._(N_("pp")))

    def irr(self, x: Any) -> str:
        return self.pct(x, blank=self.not_defined)

    def months(self, x: Any) -> str:
        value = _num(x)
        if value is None or math.isinf(value):
            return self.never
        if 0 < value < 0.05:
            return "< 0.1"
        return self.number(value, 1)

    def months_text(self, x: Any) -> str:
        """``0.9 months``, ``1.0 month``, ``never``."""
        text = self.months(x)
        if text == self.never:
            return text
        return self._(N_("{n} months")).format(n=text)

    def ratio(self, x: Any, decimals: int = 1) -> str:
        """A multiple: ``3.6×``."""
        value = finite(x)
        return self.blank if value is None else self.number(value, decimals) + "×"

    def yes_no(self, x: Any, blank: str | None = None) -> str:
        if x is None:
            return self.blank if blank is None else blank
        return self._(N_("Yes")) if bool(x) else self._(N_("No"))

    def date(self, when: date) -> str:
        from babel.dates import format_date

        return format_date(when, "long" if self.lang == "zh" else "d MMMM y", locale=self.locale)

    # ------------------------------------------------------------------ by unit
    def fmt(self, x: Any, unit: str = "", kind: str = "") -> str:
        """A value by its contract unit (text passes through; autoescaping happens in the template)."""
        if isinstance(x, str):
            return x
        if x is None:
            return self.blank
        if kind == "fraction" or unit in ("fraction", "fraction_per_100ms"):
            return self.pct(x)
        if kind == "bool" or isinstance(x, bool):
            return self.yes_no(x)
        if unit in MONEY_DECIMALS:
            return self.money_unit(x, unit)
        if unit == "usd_per_request":  # never printed per request: callers convert to per 1K or 1M
            return self.usd(finite(x) * 1e6 if finite(x) is not None else None, 2)
        if unit == "months":
            return self.months(x)
        if unit in ("qps", "ms", "billion_params"):
            return self.smart(x, 1)
        if unit == "qps_per_gpu":
            return self.number(x, 2)
        if unit == "ratio":
            return self.number(x, 2)
        if unit in ("tokens", "years", "requests"):
            return self.smart(x, 0)
        return self.smart(x, 2)

    def headline(self, x: Any, unit: str = "") -> str:
        """The compact form of a key figure (summary, prose): money in millions."""
        if unit in MONEY_UNITS:
            return self.money(x)
        if unit == "months":
            return self.months_text(x)
        return self.fmt(x, unit)

    def usd_axis(self, x: float, _pos: Any = None) -> str:
        """Chart axis ticks: ``$40M``, ``$1.5M``, ``$250,000``, ``$0``."""
        if x == 0:
            return self.currency + "0"
        scale = self._scale_for(abs(x))
        if scale is None:
            return _signed(x, f"{self.currency}{abs(x):,.0f}")
        divisor, suffix, _decimals = scale
        return _signed(x, f"{self.currency}{self.smart(abs(x) / divisor, 2)}{suffix}")

    def unit_label(self, unit: Any) -> str:
        return self.labels.unit(unit)

    def conventions(self) -> list[str]:
        _ = self._
        return [
            _(N_("Amounts in tables are whole US dollars with thousands separators; hourly prices keep cents, the "
                 "GPU-hour price three decimals. Unit costs are per 1,000 or per 1,000,000 requests or workflows.")),
            _(N_("Headline amounts of a million or more are shown in millions with two decimals ({m}); a row or "
                 "column of figures shares one scale.")).format(m=self.money(52_600_320)),
            _(N_("Negative amounts carry a minus sign ({x}). Shares are percentages with one decimal ({p}).")).format(
                x=self.usd(-65_750), p=self.pct(0.794)),
            _(N_("Payback is in months with one decimal; “never” means the net benefit is not positive; a payback "
                 "shorter than 0.05 months prints as “< 0.1”.")),
            _(N_("“not defined” marks an IRR that does not exist or is not unique; an en dash (–) marks a figure with "
                 "no value.")),
        ]

    def filters(self) -> dict[str, Callable[..., str]]:
        return {
            "unit_label": self.unit_label, "number": self.number, "smart": self.smart, "usd": self.usd,
            "money": self.money, "pct": self.pct, "points": self.points, "irr": self.irr, "months": self.months,
            "months_text": self.months_text, "qps": self.qps, "yes_no": self.yes_no, "fmt": self.fmt,
            "headline": self.headline, "ratio": self.ratio, "date": self.date, "prob": self.prob,
            "money_short": self.money_short, "unit_cost": self.unit_cost,
        }


ENGLISH = Formatter()
number = ENGLISH.number
smart = ENGLISH.smart
usd = ENGLISH.usd
money = ENGLISH.money
money_scaled = ENGLISH.money_scaled
money_short = ENGLISH.money_short
pct = ENGLISH.pct
points = ENGLISH.points
irr = ENGLISH.irr
months = ENGLISH.months
months_text = ENGLISH.months_text
qps = ENGLISH.qps
yes_no = ENGLISH.yes_no
fmt = ENGLISH.fmt
headline = ENGLISH.headline
usd_axis = ENGLISH.usd_axis
unit_label = ENGLISH.unit_label
NEVER = ENGLISH.never
NOT_DEFINED = ENGLISH.not_defined
