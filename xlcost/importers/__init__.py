"""Readers for the files load-test tools write, behind one entry point that recognises them by content.

    >>> from xlcost.importers import parse
    >>> parsed = parse("run.json", Path("run.json").read_bytes())
    >>> parsed.format, [r.request_throughput for r in parsed.runs]

One module per format, each a pure function from the file's content to typed runs (``BenchmarkRun``):
``vllm`` (``vllm bench serve --save-result`` JSON, one object or one per line), ``sglang``
(``bench_serving --output-file`` JSONL), ``genai_perf`` and ``aiperf`` (``profile_export_*.json`` and
their CSV). ``slime`` reads a slime RL-training launch script into the Models table's descriptive
columns. File names are never trusted: a vLLM result saved as ``.txt`` is still a vLLM result.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from . import aiperf, genai_perf, sglang, slime, vllm
from . import profile_export as pe
from .base import BenchmarkFileError, BenchmarkRun, ParsedFile, decode_text, json_objects, read_bounded
from .slime import SlimeScript

FORMATS = (vllm.FORMAT, sglang.FORMAT, genai_perf.JSON_FORMAT, genai_perf.CSV_FORMAT, aiperf.JSON_FORMAT,
           aiperf.CSV_FORMAT, slime.FORMAT)
EXPECTED = ("expected a vLLM --save-result JSON, an SGLang bench_serving JSONL, a GenAI-Perf or AIPerf "
            "profile_export JSON/CSV, or a slime launch script")


def parse(name: str, data: bytes) -> ParsedFile | SlimeScript:
    """The runs in one file (or, for a slime script, its training settings); BenchmarkFileError otherwise."""
    text = decode_text(name, data)
    head = text.lstrip()
    if head.startswith(("{", "[")):
        return _parse_json(name, json_objects(name, text))
    if pe.looks_like_profile_csv(head):
        tables = pe.read_csv_tables(name, text)
        if genai_perf.looks_like_csv(tables):
            return genai_perf.read_csv(name, tables)
        if aiperf.looks_like_csv(tables):
            return aiperf.read_csv(name, tables)
        raise BenchmarkFileError(f"{name} is a metrics CSV, but neither GenAI-Perf's nor AIPerf's (no 'Request "
                                 "Throughput' row); " + EXPECTED)
    if slime.looks_like(text):
        return slime.read(name, data)
    raise BenchmarkFileError(f"{name} is not a result file xlcost recognises; {EXPECTED}")


def _parse_json(name: str, objects: list) -> ParsedFile:
    if len(objects) == 1 and isinstance(objects[0], list):
        objects = objects[0]  # a JSON array of runs
    if not objects or not all(isinstance(o, Mapping) for o in objects):
        raise BenchmarkFileError(f"{name} is JSON but not a JSON object per run; {EXPECTED}")
    first = objects[0]
    if genai_perf.looks_like_json(first):
        return genai_perf.read_json(name, objects)
    if aiperf.looks_like_json(first):
        return aiperf.read_json(name, objects)
    if sglang.looks_like(first):
        return sglang.read(name, objects)
    if vllm.looks_like(first) or "request_throughput" in first or "completed" in first:
        return vllm.read(name, objects)
    keys = ", ".join(list(first)[:6])
    raise BenchmarkFileError(f"{name} is JSON, but none of the formats xlcost reads (its keys start: {keys}); "
                             f"{EXPECTED}")


def parse_path(path: Path) -> ParsedFile | SlimeScript:
    """Read (bounded) and parse one file."""
    return parse(path.name, read_bounded(path))


__all__ = ["parse", "parse_path", "BenchmarkRun", "ParsedFile", "SlimeScript", "BenchmarkFileError", "FORMATS"]
