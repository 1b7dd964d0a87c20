"""What every result-file reader shares: the run record, the one-line error, and bounded text/JSON decoding.

A reader is a pure function from a file's bytes to a ``ParsedFile``. Nothing here touches the disk
except ``read_bounded``, which refuses oversized and non-regular files before reading them.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat as stat_mod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Result files are kilobytes; a vLLM file with per-request arrays for a few thousand prompts is tens of
# megabytes. Beyond this the file is refused before it is read, so memory stays bounded.
MAX_FILE_BYTES = 64 * 1024 * 1024
# Digits in one JSON number: more is a number bomb (Python would spend quadratic time converting it).
MAX_NUMBER_DIGITS = 40
# Mirrors the workbook's own rule for a usable number.
MAX_MAGNITUDE = 1e15


class BenchmarkFileError(Exception):
    """A result file xlcost cannot use; str(e) is ONE line naming the file and what to do."""


@dataclass(frozen=True)
class BenchmarkRun:
    """One load-test run, in the units of the Benchmarks table. None = the file does not record it."""

    engine: str  # the tool that wrote the file: vllm, sglang, genai-perf, aiperf
    request_throughput: float  # completed requests per second
    mean_input_tokens: float | None = None
    mean_output_tokens: float | None = None
    max_concurrency: float | None = None
    request_rate: float | None = None  # None = unlimited (all requests sent at once)
    completed_requests: int | None = None
    output_throughput: float | None = None  # output tokens per second
    p99_ttft_ms: float | None = None
    p99_tpot_ms: float | None = None
    p99_e2e_ms: float | None = None
    mean_e2e_ms: float | None = None
    run_date: str | None = None  # "YYYY-MM-DD HH:MM" as the tool recorded it
    model_name: str | None = None  # the model as the file names it (a Hugging Face name, usually)
    gpus: int | None = None  # only when the file records the serving engine's GPU count
    gpu_type: str | None = None
    position: int = 1  # 1-based position of the run in its file (a JSONL line, an appended object)
    load_recorded: bool = True  # False when the file does not say how the load was applied (the CSVs)
    notes: tuple[str, ...] = ()  # how a value was derived, when it was not read directly


@dataclass(frozen=True)
class ParsedFile:
    format: str  # human name of the format, e.g. "vLLM --save-result JSON"
    runs: tuple[BenchmarkRun, ...]
    notes: tuple[str, ...] = ()


@dataclass
class Keys:
    """Read values out of one JSON object, remembering which required keys were missing."""

    obj: Mapping[str, Any]
    missing: list[str] = field(default_factory=list)

    def number(self, *names: str, required: bool = False) -> float | None:
        """The first of ``names`` present with a usable number; None (and noted if required) otherwise."""
        for name in names:
            value = number(lookup(self.obj, name))
            if value is not None:
                return value
        if required:
            self.missing.append(names[0])
        return None

    def text(self, *names: str) -> str | None:
        for name in names:
            value = lookup(self.obj, name)
            if isinstance(value, list) and value and isinstance(value[0], str):
                value = value[0]  # GenAI-Perf and AIPerf keep a list of model names
            if isinstance(value, str) and value.strip():
                return value.strip()[:500]
        return None


def lookup(obj: Any, dotted: str) -> Any:
    """obj["a"]["b"] for "a.b"; None when any step is absent or not an object."""
    for part in dotted.split("."):
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(part)
    return obj


def number(value: Any, *, limit: float = MAX_MAGNITUDE) -> float | None:
    """A finite float from a JSON number (not a bool, not NaN, not beyond ``limit``), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    if not math.isfinite(value) or abs(value) > limit:
        return None
    return value


def rate(value: Any) -> float | None:
    """A request rate: None for "inf"/Infinity/null (unlimited), the number otherwise."""
    if isinstance(value, str) and value.strip().lower() in ("inf", "infinity"):
        return None
    if isinstance(value, float) and math.isinf(value):
        return None
    found = number(value)
    return found if found is not None and found > 0 else None


def positive(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None


def whole(value: float | None) -> int | None:
    return int(round(value)) if value is not None and value >= 0 else None


def lacks(name: str, fmt: str, missing: Iterable[str], where: str = "") -> BenchmarkFileError:
    keys = ", ".join(dict.fromkeys(missing))
    at = f" ({where})" if where else ""
    return BenchmarkFileError(f"{name} looks like a {fmt} file but lacks {keys}{at}; "
                              "expected the file exactly as the tool wrote it")


# ---------------------------------------------------------------------------------------------
# Reading and decoding, bounded
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """What a load generator's summary counts: requests completed, tokens in and out, requests a second."""

    completed: float
    total_input_tokens: float
    total_output_tokens: float
    request_throughput: float
    notes: tuple[str, ...]


def run_totals(keys: Keys, name: str, fmt: str, where: str) -> Totals:
    """The totals of a vLLM or SGLang summary (the same keys in both); request throughput from completed /
    duration where the file has none (older SGLang). Raises for missing keys or a run that completed nothing."""
    completed = keys.number("completed", required=True)
    total_in = keys.number("total_input_tokens", required=True)
    total_out = keys.number("total_output_tokens", required=True)
    throughput = keys.number("request_throughput")
    notes = []
    if throughput is None:
        duration = keys.number("duration", required=True)
        if duration and completed is not None:
            throughput = completed / duration
            notes.append("request throughput = completed / duration (the file has no request_throughput)")
    if keys.missing:
        raise lacks(name, fmt, keys.missing, where)
    if not completed:
        raise BenchmarkFileError(f"{name}: {where or 'the run'} completed no requests; there is nothing to measure")
    notes.append("mean tokens = total tokens / completed requests")
    return Totals(completed, total_in, total_out, throughput, tuple(notes))  # type: ignore[arg-type]


def summary_run(engine: str, obj: Mapping[str, Any], keys: Keys, totals: Totals, *, notes: Iterable[str] = (),
                **fields: Any) -> BenchmarkRun:
    """A run of a vLLM or SGLang summary: the fields both spell alike (SGLang's bench_serving grew out of
    vLLM's), plus ``fields`` as each format records them (E2E latency, model, date, GPUs, position)."""
    return BenchmarkRun(
        engine=engine,
        request_throughput=totals.request_throughput,
        mean_input_tokens=totals.total_input_tokens / totals.completed,
        mean_output_tokens=totals.total_output_tokens / totals.completed,
        max_concurrency=positive(keys.number("max_concurrency")),
        request_rate=rate(obj.get("request_rate")),
        completed_requests=whole(totals.completed),
        output_throughput=keys.number("output_throughput"),
        p99_ttft_ms=keys.number("p99_ttft_ms"),
        p99_tpot_ms=keys.number("p99_tpot_ms"),
        notes=(*totals.notes, *notes),
        **fields,
    )


def read_bounded(path: Path) -> bytes:
    """The file's bytes, refusing folders, devices and oversized files before reading them."""
    name = path.name
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise BenchmarkFileError(f"{path} does not exist: check the file name and folder") from None
    except OSError as e:
        raise BenchmarkFileError(f"{name} cannot be read: {e.strerror or e}") from None
    if stat_mod.S_ISDIR(st.st_mode):
        raise BenchmarkFileError(f"{path} is a folder: give the result files themselves (e.g. {path}/*.json)")
    if not stat_mod.S_ISREG(st.st_mode):
        raise BenchmarkFileError(f"{name} is not a regular file")
    if st.st_size > MAX_FILE_BYTES:
        raise BenchmarkFileError(
            f"{name} is {st.st_size / 2**20:,.0f} MB; xlcost reads result files up to "
            f"{MAX_FILE_BYTES // 2**20} MB (save the run without per-request details)")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat
    except OSError as e:
        raise BenchmarkFileError(f"{name} cannot be read: {e.strerror or e}") from None
    if len(data) > MAX_FILE_BYTES:
        raise BenchmarkFileError(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB; xlcost refuses it")
    return data


_BINARY_KINDS = (
    (b"PK\x03\x04", "a zip archive (an Excel workbook?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\x1f\x8b", "a gzip archive: unpack it first"),
    (b"\x7fELF", "a program"),
)


def decode_text(name: str, data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); binary data is refused with what it looks like."""
    if not data.strip():
        raise BenchmarkFileError(f"{name} is empty")
    for magic, what in _BINARY_KINDS:
        if data.startswith(magic):
            hint = " (the workbook comes first: xlcost import BOOK FILE...)" if magic == b"PK\x03\x04" else ""
            raise BenchmarkFileError(f"{name} is {what}, not a benchmark result file{hint}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise BenchmarkFileError(f"{name} is not readable text (damaged UTF-16)") from None
    if b"\x00" in data[:65536]:
        raise BenchmarkFileError(f"{name} holds binary data, not a benchmark result file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BenchmarkFileError(f"{name} is not UTF-8 text (byte {e.start:,} is not valid); "
                                 "expected the file exactly as the tool wrote it") from None


class _NumberBomb(ValueError):
    pass


def _int(token: str) -> int:
    if len(token) > MAX_NUMBER_DIGITS:
        raise _NumberBomb(token)
    return int(token)


def _float(token: str) -> float:
    if len(token) > MAX_NUMBER_DIGITS:
        raise _NumberBomb(token)
    return float(token)


def _constant(token: str) -> float:
    # SGLang writes a bare Infinity for an unlimited request rate (Python's json.dump default)
    return {"Infinity": math.inf, "-Infinity": -math.inf}.get(token, math.nan)


_DECODER = json.JSONDecoder(parse_constant=_constant, parse_int=_int, parse_float=_float)


def json_objects(name: str, text: str) -> list[Any]:
    """Every top-level JSON value in the text: one document, JSON Lines, or objects written back to back."""
    out: list[Any] = []
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            return out
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            line = text.count("\n", 0, e.pos) + 1
            raise BenchmarkFileError(f"{name} is not valid JSON (line {line:,}: {e.msg}); "
                                     "expected the file exactly as the tool wrote it") from None
        except RecursionError:
            # json's parser recurses once per level and stops at Python's recursion limit
            raise BenchmarkFileError(f"{name} nests too deeply to be a benchmark result file") from None
        except _NumberBomb:
            raise BenchmarkFileError(f"{name} holds a number with more than {MAX_NUMBER_DIGITS} digits; "
                                     "it is not a benchmark result file") from None
        except ValueError as e:
            raise BenchmarkFileError(f"{name} cannot be read as JSON ({e})") from None
        out.append(value)


def lines(text: str) -> Iterator[str]:
    """Lines without their CR/LF ends (files come from Windows and Linux alike)."""
    return iter(text.splitlines())


def short_date(text: str | None) -> str | None:
    """'20250414-141621' or '2026-01-15T06:27:34.16' -> '2025-04-14 14:16'; other text as is (trimmed)."""
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})", text.strip())
    if m:
        y, mo, d, h, mi, _ = m.groups()
        return f"{y}-{mo}-{d} {h}:{mi}"
    m = re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})", text.strip())
    if m:
        return f"{m.group(1)} {m.group(2)}"
    return text.strip()[:40]


def date_from_ns(ns: float | None) -> str | None:
    """An epoch timestamp in nanoseconds (AIPerf) -> 'YYYY-MM-DD HH:MM UTC'."""
    import datetime as dt

    if ns is None or ns <= 0:
        return None
    try:
        when = dt.datetime.fromtimestamp(ns / 1e9, dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return when.strftime("%Y-%m-%d %H:%M UTC")
