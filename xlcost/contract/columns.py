"""The building blocks of the contract: a column of an input table, an input table, a parameter, units and
their Excel number formats, and the problems a workbook can have."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "text", "number", "integer", "fraction", "bool", "choice", "ref"]

# Units are machine names (they appear in the JSON export). Each maps to an Excel number format.
UNIT_FORMATS: dict[str, str] = {
    "usd": '"$"#,##0',
    "usd_per_year": '"$"#,##0',
    "usd_per_month": '"$"#,##0',
    "usd_per_hour": '"$"#,##0.00',
    "usd_per_gpu_hour": '"$"#,##0.000',
    "usd_per_instance_hour": '"$"#,##0.00',
    "usd_per_request": '"$"#,##0.000000',
    "usd_per_1k_requests": '"$"#,##0.00000',
    "fraction": "0.0%",
    "fraction_per_100ms": "0.0%",
    "count": "#,##0",
    "instances": "#,##0",
    "gpus": "#,##0",
    "qps": "#,##0.0",
    "qps_per_gpu": "#,##0.00",
    "ms": "#,##0.0",
    "months": "0.0",
    "years": "0",
    "billion_params": "#,##0.#",
    "ratio": "0.000",
    "hours": "#,##0",
    "tokens": "#,##0",
    "usd_per_1m_tokens": '"$"#,##0.000',
    "usd_per_call": '"$"#,##0.000000',
    "gpu_hours": "#,##0",
    "requests": "#,##0",
    "tokens_per_second": "#,##0.0",
    "": "General",
    "text": "@",
    "bool": "General",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind = "number"
    unit: str = ""
    required: bool = True
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # key of the table whose ids this column must name
    width: float = 14
    description: str = ""
    default: object = None  # what a blank cell of an optional column means

    def __post_init__(self) -> None:
        if self.default is not None and self.required:
            raise ValueError(f"column {self.key}: a default is what a blank means, so the column must be optional")

    @property
    def number_format(self) -> str:
        if self.kind == "fraction":
            return UNIT_FORMATS["fraction"]
        return UNIT_FORMATS.get(self.unit, "General")

    def expectation(self) -> str:
        """What a valid cell looks like, in the user's words (used in validation messages)."""
        text = self._expectation()
        if self.default is None:
            return text
        shown = f"{self.default:g}" if isinstance(self.default, float) else str(self.default)
        return f"{text}; blank means {shown}"

    def _expectation(self) -> str:
        if self.kind in ("id",):
            return "a short id (letters, digits, '-', '_', '.'), unique in the table"
        if self.kind == "text":
            return "text"
        if self.kind == "bool":
            return "TRUE or FALSE"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "ref":
            from . import TABLES  # the registry of every table (a package-level name)

            return f"an id from table {TABLES[self.ref].name}" if self.ref else "an id"
        if self.kind == "fraction":
            lo = 0 if self.min is None else self.min
            hi = 1 if self.max is None else self.max
            return f"a share between {lo:g} and {hi:g} (e.g. 0.2 or 20%)"
        word = "a whole number" if self.kind == "integer" else "a number"
        if self.min is not None and self.max is not None:
            return f"{word} from {self.min:g} to {self.max:g}"
        if self.min is not None:
            return f"{word} {'>' if self.min_exclusive else '≥'} {self.min:g}"
        return word


@dataclass(frozen=True)
class InputTable:
    key: str
    name: str  # Excel table name
    sheet: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]  # seed defaults, in column order
    min_rows: int = 1
    # Columns whose values together identify a row (unique in the table). Default: the first column,
    # when it is an id or a choice. A long-format table (one row per profile and hour) names both.
    key_columns: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        if self.key_columns:
            return self.key_columns
        return (self.columns[0].key,) if self.columns[0].kind in ("id", "choice") else ()

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


@dataclass(frozen=True)
class Parameter:
    key: str
    default: float | str | bool | None
    unit: str
    description: str
    kind: Kind = "number"
    required: bool = True
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None
    group: str = "General"

    def as_column(self) -> Column:
        return Column(
            key=self.key, header=self.key, kind=self.kind, unit=self.unit, required=self.required,
            min=self.min, max=self.max, min_exclusive=self.min_exclusive, choices=self.choices,
            ref=self.ref,
        )


def _c(key: str, header: str, kind: Kind = "number", unit: str = "", **kw) -> Column:
    return Column(key=key, header=header, kind=kind, unit=unit, **kw)


NONNEG = {"min": 0.0}
POSITIVE = {"min": 0.0, "min_exclusive": True}


@dataclass
class Problem:
    """One thing wrong with the workbook, in the user's terms."""

    severity: Literal["error", "warning"]
    sheet: str
    cell: str
    message: str
    table: str = ""
    row: int | None = None
    column: str = ""
    # The message as a gettext message id with named fields, and their values, so a report in another
    # language can translate it; empty where the message exists in English only.
    msgid: str = ""
    args: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.message}"


@dataclass
class ProblemList:
    items: list[Problem] = field(default_factory=list)

    def error(self, sheet: str, cell: str, message: str, **kw) -> None:
        self.items.append(Problem("error", sheet, cell, message, **kw))

    def warning(self, sheet: str, cell: str, message: str, **kw) -> None:
        self.items.append(Problem("warning", sheet, cell, message, **kw))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]
