"""Test helper: put one raw <c> element into a worksheet's XML, creating its row where needed.

Tests that build hostile or random workbooks edit the sheet XML directly: it is fast, and it reaches
cell forms (cached errors, ISO dates, formulas without values) that openpyxl cannot write.
"""

from __future__ import annotations

import re

from xlcost.workbook.package import col_number


def insert_cell(xml: bytes, ref: str, new: bytes) -> bytes:
    """``xml`` with the cell element ``new`` at ``ref``, in row and column order."""
    letters = ref.rstrip("0123456789")
    row = int(ref[len(letters):])
    row_match = re.search(rb'<row r="%d"[^>]*?(?:/>|>.*?</row>)' % row, xml, re.S)
    if row_match is None:  # no such row yet: add one before the first later row, or at the end
        later = [m for m in re.finditer(rb'<row r="(\d+)"', xml) if int(m.group(1)) > row]
        at = later[0].start() if later else xml.index(b"</sheetData>")
        return xml[:at] + b'<row r="%d">' % row + new + b"</row>" + xml[at:]
    element = row_match.group(0)
    if element.endswith(b"/>"):
        element = element[:-2] + b"></row>"
    at = element.rindex(b"</row>")
    for m in re.finditer(rb'<c r="([A-Z]+)\d+"', element):
        if col_number(m.group(1).decode()) > col_number(letters):
            at = m.start()
            break
    element = element[:at] + new + element[at:]
    return xml[:row_match.start()] + element + xml[row_match.end():]
