"""Charts drawn on a result sheet follow their blocks: a series range that covered a block is stretched
or shrunk to the block's new rows, and its stale cached values are dropped (Excel redraws from the cells).
Nothing else in a chart part changes; the writer verifies that by comparing the parts with their ranges
blanked out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .package import Package
from .xmlbytes import Tag, apply_edits, is_utf8, tags

_CHART_NS = (b"http://schemas.openxmlformats.org/drawingml/2006/chart", b"http://purl.oclc.org/ooxml/drawingml/chart")
_REF_TAGS = {b"numRef", b"strRef", b"multiLvlStrRef"}
_CACHE_TAGS = {b"numCache", b"strCache", b"multiLvlStrCache"}
_AREA = re.compile(r"(?P<sheet>'(?:[^']|'')+'|[^'!:(),\s]+)!(?P<c1>\$?[A-Za-z]{1,3})(?P<r1>\$?\d+)"
                   r"(?::(?P<c2>\$?[A-Za-z]{1,3})(?P<r2>\$?\d+))?")
_XML_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


@dataclass
class _ChartRef:
    parent: bytes  # local name of the element holding the ref ("tx" for a series name)
    formula: tuple[int, int] | None = None  # span of the <c:f> text
    caches: list[tuple[int, int]] = field(default_factory=list)


def _chart_prefixes(xml: bytes) -> set[bytes]:
    found = set()
    for m in re.finditer(rb"""xmlns(?::([\w.\-]+))?\s*=\s*["']([^"']*)["']""", xml):
        if m.group(2) in _CHART_NS:
            found.add(m.group(1) + b":" if m.group(1) else b"")
    return found


def _chart_refs(xml: bytes) -> list[_ChartRef]:
    """Every numRef/strRef/multiLvlStrRef with the span of its formula and of its caches."""
    prefixes = _chart_prefixes(xml)
    stack: list[tuple[Tag, _ChartRef | None]] = []
    refs: list[_ChartRef] = []
    for tag in tags(xml):
        chart = tag.prefix in prefixes
        if tag.closing:
            opened, _ = stack.pop() if stack else (tag, None)
            owner = stack[-1][1] if stack else None
            if chart and owner is not None and tag.local == b"f":
                owner.formula = (opened.end, tag.start)
            elif chart and owner is not None and tag.local in _CACHE_TAGS:
                owner.caches.append((opened.start, tag.end))
            continue
        owner = stack[-1][1] if stack else None
        ref = None
        if chart and tag.local in _REF_TAGS:
            ref = _ChartRef(stack[-1][0].local if stack else b"")
            refs.append(ref)
        elif chart and owner is not None and tag.empty and tag.local in _CACHE_TAGS:
            owner.caches.append((tag.start, tag.end))
        if not tag.empty:
            stack.append((tag, ref))
    return refs


def _xml_unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        try:
            if name.startswith("#x"):
                return chr(int(name[2:], 16))
            if name.startswith("#"):
                return chr(int(name[1:]))
        except (ValueError, OverflowError):
            return m.group(0)  # not a character: the formula will not parse and is left alone
        return _ENTITIES[name]
    return _XML_ENTITY.sub(one, text)


def _sheet_of(token: str) -> str:
    return token[1:-1].replace("''", "'") if token.startswith("'") else token


def _split_areas(body: str) -> list[str]:
    """Split 'A!$A$1:$A$3,'B, c'!$B$1' at commas outside quotes."""
    areas: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in body:
        if ch == "'":
            quoted = not quoted
        if ch == "," and not quoted:
            areas.append("".join(current))
            current = []
        else:
            current.append(ch)
    areas.append("".join(current))
    return areas


def adjust_chart_formula(formula: str, blocks: dict[str, list[tuple[int, int]]],
                         stretch: bool = True) -> tuple[str, bool]:
    """(new formula, whether it reads a target sheet). blocks: casefolded sheet -> (first, last) rows.

    An area whose first row is a block's first data row gets the block's last data row as its end
    row; columns and '$' marks are kept. Anything we cannot parse is left alone.
    """
    text = formula.strip()
    paren = text.startswith("(") and text.endswith(")")
    areas = _split_areas(text[1:-1] if paren else text)
    matches = []
    for area in areas:
        m = _AREA.fullmatch(area.strip())
        if m is None:
            return formula, False
        matches.append(m)
    into_target, out = False, []
    for area, m in zip(areas, matches, strict=True):
        sheet_blocks = blocks.get(_sheet_of(m.group("sheet")).casefold())
        if sheet_blocks is None:
            out.append(area)
            continue
        into_target = True
        out.append(_stretch_area(m, sheet_blocks) if stretch else area)
    new = ",".join(out)
    return (f"({new})" if paren else new), into_target


def _stretch_area(m: re.Match[str], sheet_blocks: list[tuple[int, int]]) -> str:
    first_row = int(m.group("r1").lstrip("$"))
    for first, last in sheet_blocks:
        if first == first_row and last >= first:
            c2 = m.group("c2") or m.group("c1")
            dollar = "$" if (m.group("r2") or m.group("r1")).startswith("$") else ""
            return f"{m.group('sheet')}!{m.group('c1')}{m.group('r1')}:{c2}{dollar}{last}"
    return m.group(0)


def edit_chart(xml: bytes, blocks: dict[str, list[tuple[int, int]]]) -> bytes:
    """Stretch block ranges and drop caches of every series ref into a target sheet."""
    if not is_utf8(xml):
        return xml
    edits: list[tuple[int, int, bytes]] = []
    for ref in _chart_refs(xml):
        if ref.formula is None:
            continue
        start, end = ref.formula
        try:
            old = _xml_unescape(xml[start:end].decode("utf-8"))
        except UnicodeDecodeError:
            continue  # a damaged formula: leave it (and its cache) exactly as it is
        new, into_target = adjust_chart_formula(old, blocks, stretch=ref.parent != b"tx")
        if not into_target:
            continue
        if new != old:
            escaped = new.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            edits.append((start, end, escaped.encode("utf-8")))
        edits.extend((a, b, b"") for a, b in ref.caches)  # Excel rebuilds them from the cells
    return apply_edits(xml, edits) if edits else xml


def chart_skeleton(xml: bytes) -> bytes:
    """The chart minus every series formula and cache (what edit_chart may change)."""
    edits: list[tuple[int, int, bytes]] = []
    for ref in _chart_refs(xml):
        if ref.formula is not None:
            edits.append((ref.formula[0], ref.formula[1], b""))
        edits.extend((a, b, b"") for a, b in ref.caches)
    return apply_edits(xml, edits)


def charts_of_sheet(pkg: Package, sheet_part: str) -> list[str]:
    """Chart parts drawn on a sheet: sheet rels -> drawing -> drawing rels -> chart."""
    charts = []
    for rel in pkg.rels(sheet_part):
        if rel.external or not rel.type.endswith("/drawing") or not pkg.has_part(rel.target):
            continue
        for drel in pkg.rels(rel.target):
            if not drel.external and drel.type.endswith("/chart") and pkg.has_part(drel.target):
                charts.append(drel.target)
    return charts
