"""The profile-export layout GenAI-Perf and its successor AIPerf share.

JSON: one object per metric, ``{"unit": "ms", "avg": ..., "p99": ...}``; throughputs carry ``avg`` only.
CSV: blocks separated by blank lines, each with its own header: per-request metrics
(``Metric,avg,min,max,p99,...``), then system metrics (``Metric,Value``), and in newer AIPerf a GPU
telemetry block. Labels are title-cased with the unit in parentheses (``Time To First Token (ms)``).
GenAI-Perf quotes numbers with a thousands separator (``"1,914.54"``); both write CRLF line ends.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .base import MAX_MAGNITUDE, BenchmarkFileError, number

MAX_CSV_BYTES = 4 * 1024 * 1024  # the real files are a few KB
_LATENCY_SCALE = {"ms": 1.0, "s": 1000.0, "sec": 1000.0, "seconds": 1000.0, "us": 0.001, "µs": 0.001,
                  "ns": 1e-6}


def to_ms(value: float | None, unit: str | None) -> float | None:
    """A latency in milliseconds; None when the unit is not a time unit we know."""
    if value is None:
        return None
    scale = _LATENCY_SCALE.get((unit or "ms").strip().lower())
    return None if scale is None else value * scale


def metric(obj: Mapping[str, Any], name: str, stat: str, *, limit: float = MAX_MAGNITUDE) -> float | None:
    """obj[name][stat] as a number (latencies converted to ms by the metric's own unit)."""
    entry = obj.get(name)
    if not isinstance(entry, Mapping):
        return None
    value = number(entry.get(stat), limit=limit)
    unit = entry.get("unit")
    if isinstance(unit, str) and unit.strip().lower() in _LATENCY_SCALE:
        return to_ms(value, unit)
    return value


_METRICS = ("request_throughput", "request_latency", "time_to_first_token", "inter_token_latency",
            "output_sequence_length", "input_sequence_length", "output_token_throughput")


def has_metric_objects(obj: Mapping[str, Any]) -> bool:
    """The profile-export shape: metrics as objects with an ``avg`` (not vLLM's flat numbers)."""
    return any(isinstance(obj.get(k), Mapping) and "avg" in obj[k] for k in _METRICS)


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------


@dataclass
class CsvTables:
    """Per-request statistics by label, and single-valued system metrics by label (labels lower-cased,
    units split off: "Time To First Token (ms)" -> "time to first token", unit "ms")."""

    stats: dict[str, dict[str, float | None]] = field(default_factory=dict)
    values: dict[str, float | None] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    headers: list[list[str]] = field(default_factory=list)
    raw_labels: set[str] = field(default_factory=set)  # as written: the two tools capitalise differently

    def stat(self, label: str, column: str) -> float | None:
        value = self.stats.get(label, {}).get(column)
        return to_ms(value, self.units.get(label)) if self.units.get(label) in _LATENCY_SCALE else value

    def value(self, *labels: str) -> float | None:
        for label in labels:
            if self.values.get(label) is not None:
                return self.values[label]
        return None


_LABEL = re.compile(r"^(.*?)\s*(?:\(([^()]*)\))?\s*$")


def split_label(text: str) -> tuple[str, str]:
    m = _LABEL.match(text.strip())
    label, unit = (m.group(1), m.group(2) or "") if m else (text.strip(), "")
    return label.strip().lower(), unit.strip().lower()


def csv_number(text: str) -> float | None:
    """'1,914.54' -> 1914.54; '' or 'N/A' -> None."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned or len(cleaned) > 40:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # magnitude is judged where the value is used


def read_csv_tables(name: str, text: str) -> CsvTables:
    if len(text) > MAX_CSV_BYTES:
        raise BenchmarkFileError(f"{name} is larger than a profile-export CSV can be "
                                 f"({MAX_CSV_BYTES // 2**20} MB); it is not one")
    tables = CsvTables()
    header: list[str] | None = None
    try:
        for row in csv.reader(text.splitlines()):
            if not row or not any(cell.strip() for cell in row):
                header = None  # a blank line ends a block
                continue
            if header is None:
                header = [cell.strip().lower() for cell in row]
                tables.headers.append(header)
                continue
            if header[0] != "metric":
                continue  # the GPU telemetry block (Endpoint,GPU_Index,...) is not needed
            label, unit = split_label(row[0])
            tables.raw_labels.add(row[0].strip())
            tables.units[label] = unit
            if header[1:] == ["value"]:
                tables.values[label] = csv_number(row[1]) if len(row) > 1 else None
            else:
                tables.stats[label] = {col: csv_number(cell) for col, cell in zip(header[1:], row[1:], strict=False)}
    except csv.Error as e:
        raise BenchmarkFileError(f"{name} is not a readable CSV file ({e})") from None
    return tables


def looks_like_profile_csv(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0].strip().lower()
    return first.startswith("metric,") and ("avg" in first or "value" in first)
