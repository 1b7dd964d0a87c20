"""The macro-enabled workbook: the xlwings standalone VBA project, a Recalculate button, xlwings.conf.

``api.new("x.xlsm")`` builds the same package as the .xlsx (``template.build_skeleton``), then
``make_macro_enabled`` turns it into an .xlsm by zip surgery, never by an openpyxl round trip:

* ``xl/vbaProject.bin`` is copied unchanged from xlwings' own ``quickstart_standalone.xlsm``. Its
  standalone ``xlwings`` module pins ``XLWINGS_VERSION`` (the DLL and AppleScript names carry it),
  so it must match the xlwings that pip installs: ``XLWINGS_VERSION`` below = pyproject's pin (a
  test checks both against the VBA source). Its ``Module1.SampleCall`` runs
  ``import <workbook name>; <workbook name>.main()``: for ``llm_cost_model.xlsm`` that is the shim
  ``workbooks/llm_cost_model.py`` -> ``xlcost.excel.main``.
* the workbook part gets the macro-enabled content type and a relationship to the VBA project;
  ``codeName``s follow XlsxWriter's convention (``ThisWorkbook``, and ``Sheet<n>`` by position), which
  binds the project's document modules ``ThisWorkbook``, ``Sheet1`` and ``Sheet2`` (all empty).
* the Cover sheet gets a form-control button (a VML legacy drawing, ``ObjectType="Button"``) whose
  ``FmlaMacro`` is ``[0]!SampleCall``, in the first empty row below the step that mentions it.

``add_conf_sheet`` writes the ``xlwings.conf`` sheet (both .xlsx and .xlsm; the add-in's "Run main"
reads it too). xlwings' VBA reads it as key/value pairs from A1 down to the first blank cell in
column A, upper-casing the keys; a key that is present wins over every other config layer *even when
its value is blank*. So each key cell is a formula that spells the key only once its value is
filled: ``=IF(B1="","Interpreter_Win (not set)","Interpreter_Win")``. Unfilled rows match nothing and
the settings written by ``xlwings addin install`` / ``xlwings config create`` still apply.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import os
import re
import zipfile
from pathlib import Path

from lxml import etree

from .. import contract

XLWINGS_VERSION = "0.37.8"  # = pyproject.toml's xlwings pin = XLWINGS_VERSION in the VBA module
MACRO = "SampleCall"  # Module1.SampleCall in the quickstart VBA project: runs <workbook name>.main()
BUTTON_CAPTION = "Recalculate"
STANDALONE_WORKBOOK = "quickstart_standalone.xlsm"
# How the standalone module spells its pin (read back by the tests with olevba).
VERSION_PIN = re.compile(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"')
VBA_PART = "xl/vbaProject.bin"

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE_DOC = R_NS + "/officeDocument"
WORKSHEET_REL = R_NS + "/worksheet"
VML_REL = R_NS + "/vmlDrawing"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"

# CT_Worksheet children that must come after <legacyDrawing> (ECMA-376 Part 1, 18.3.1.99).
_AFTER_LEGACY_DRAWING = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                         "webPublishItems", "tableParts", "extLst")
# CT_Workbook children that may precede <workbookPr>.
_BEFORE_WORKBOOK_PR = ("fileVersion", "fileSharing")

BUTTON_ROW_HEIGHT_PT = 30.0
BUTTON_WIDTH_PX = 150
BUTTON_HEIGHT_PX = 32
DEFAULT_ROW_HEIGHT_PT = 15.0


class VbaBuildError(RuntimeError):
    """The .xlsm cannot be built (wrong xlwings installed, or an unexpected package)."""


# --------------------------------------------------------------------------------------------
# The xlwings.conf sheet
# --------------------------------------------------------------------------------------------

# (key as xlwings spells it, what to put there). Keys are the ones the standalone module's
# GetConfig reads (RunPython, XLPyCommand, GetUdfModules); LICENSE_KEY is left out: it is PRO only.
CONF_SETTINGS: tuple[tuple[str, str], ...] = (
    ("Interpreter_Win", r"Windows: full path of python.exe in the environment where xlcost is installed, "
                        r"e.g. C:\Users\you\xlcost-env\Scripts\python.exe"),
    ("Interpreter_Mac", "macOS: full path of python in the environment where xlcost is installed, "
                        "e.g. /Users/you/xlcost-env/bin/python"),
    ("PYTHONPATH", "Extra folders Python should import from, separated by ';'. The workbook's own folder "
                   "(with llm_cost_model.py) is always added."),
    ("Conda Path", r"Windows with Anaconda/Miniconda instead of Interpreter_Win: the install folder, "
                   r"e.g. C:\Users\you\miniconda3"),
    ("Conda Env", "The conda environment holding xlcost, e.g. xlcost (goes with Conda Path)."),
    ("UDF Modules", "Windows only: modules with worksheet functions; xlcost.udfs gives XLCOST_* functions. "
                    "Blank: llm_cost_model."),
    ("Debug UDFs", "TRUE only to debug worksheet functions from a Python debugger."),
    ("Use UDF Server", "Windows: TRUE keeps Python running between clicks (faster second click)."),
    ("Show Console", "Windows: TRUE shows Python's console window while it runs."),
    ("ONEDRIVE_CONSUMER_WIN", "Only if the workbook lives in personal OneDrive and xlwings cannot find it: "
                              r"the local OneDrive folder, e.g. C:\Users\you\OneDrive"),
    ("ONEDRIVE_COMMERCIAL_WIN", "Same, for OneDrive for Business, e.g. C:\\Users\\you\\OneDrive - Company"),
    ("SHAREPOINT_WIN", r"Same, for synced SharePoint libraries, e.g. C:\Users\you\Company"),
    ("ONEDRIVE_CONSUMER_MAC", "macOS: the local OneDrive folder, "
                              "e.g. /Users/you/Library/CloudStorage/OneDrive-Personal"),
    ("ONEDRIVE_COMMERCIAL_MAC", "macOS: OneDrive for Business, e.g. /Users/you/Library/CloudStorage/OneDrive-Company"),
    ("SHAREPOINT_MAC", "macOS: synced SharePoint libraries, e.g. /Users/you/Library/CloudStorage/Company"),
)
NOT_SET = " (not set)"

CONF_NOTES = (
    "How this sheet works",
    "xlwings reads the rows above, from A1 down to the first blank row: column A is the setting, column B "
    "its value. Fill a value in column B and the name in column A becomes active; a row whose value is "
    "blank shows '(not set)' and is ignored.",
    "Blank rows fall back to %USERPROFILE%\\.xlwings\\xlwings.conf (macOS: "
    "~/Library/Containers/com.microsoft.Excel/Data/xlwings.conf), which `xlwings addin install` or "
    "`xlwings config create` writes with the Python they ran in. Most users need to fill nothing here.",
    "Keep the settings starting in A1 and do not insert blank rows between them; do not rename this sheet.",
    f"This workbook's VBA module is xlwings {XLWINGS_VERSION}: the Python that runs it needs "
    f"xlwings=={XLWINGS_VERSION} (pip install xlcost installs it).",
)


def conf_key_formula(key: str, row: int) -> str:
    return f'=IF(B{row}="","{key}{NOT_SET}","{key}")'


def add_conf_sheet(wb) -> None:
    """Append the ``xlwings.conf`` sheet to an openpyxl workbook being generated."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(contract.XLWINGS_CONF_SHEET)
    ws.sheet_properties.tabColor = "A5A5A5"
    for column, width in zip((1, 2, 3), (30, 50, 110), strict=True):
        ws.column_dimensions[get_column_letter(column)].width = width
    for row, (key, note) in enumerate(CONF_SETTINGS, start=1):
        ws.cell(row=row, column=1, value=conf_key_formula(key, row)).style = "xlcost Text"
        ws.cell(row=row, column=2).style = contract.INPUT_STYLE
        ws.cell(row=row, column=3, value=note).style = "xlcost Note"
    row = len(CONF_SETTINGS) + 2  # one blank row: xlwings stops reading there
    for i, text in enumerate(CONF_NOTES):
        ws.cell(row=row + i, column=1, value=text).style = "xlcost Header" if i == 0 else "xlcost Text"


# --------------------------------------------------------------------------------------------
# The VBA project
# --------------------------------------------------------------------------------------------


def standalone_workbook() -> Path:
    """xlwings' ``quickstart_standalone.xlsm`` in site-packages, found without importing xlwings."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise VbaBuildError(f"xlwings is not installed; pip install xlwings=={XLWINGS_VERSION}")
    installed = importlib.metadata.version("xlwings")
    if installed != XLWINGS_VERSION:
        raise VbaBuildError(f"xlwings {installed} is installed, but the .xlsm must carry the VBA module of "
                            f"xlwings {XLWINGS_VERSION} (the version xlcost pins); pip install "
                            f"xlwings=={XLWINGS_VERSION}")
    path = Path(next(iter(spec.submodule_search_locations))) / STANDALONE_WORKBOOK
    if not path.is_file():
        raise VbaBuildError(f"{path} is missing from the xlwings installation")
    return path


def standalone_vba_project() -> bytes:
    with zipfile.ZipFile(standalone_workbook()) as z:
        return z.read(VBA_PART)


# --------------------------------------------------------------------------------------------
# Zip surgery
# --------------------------------------------------------------------------------------------


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
    return etree.fromstring(data, parser)


def _dump(root: etree._Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + etree.tostring(root, encoding="UTF-8")


def _rels_part(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    folder = source_part.rpartition("/")[0]
    parts = (folder.split("/") if folder else []) + target.split("/")
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        elif p not in ("", "."):
            out.append(p)
    return "/".join(out)


def _new_rels() -> etree._Element:
    return etree.Element(f"{{{REL_NS}}}Relationships", nsmap={None: REL_NS})


def _add_rel(rels: etree._Element, rel_type: str, target: str) -> str:
    used = {r.get("Id") for r in rels}
    n = 1
    while f"rId{n}" in used:
        n += 1
    rid = f"rId{n}"
    etree.SubElement(rels, f"{{{REL_NS}}}Relationship", Id=rid, Type=rel_type, Target=target)
    return rid


def _with_r_namespace(root: etree._Element) -> etree._Element:
    """The same element, with the relationships namespace declared on it as ``r``."""
    if root.nsmap.get("r") == R_NS:
        return root
    nsmap = dict(root.nsmap)
    nsmap["r"] = R_NS
    new = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=nsmap)
    new.text = root.text
    for child in list(root):
        new.append(child)
    return new


def _set_content_types(root: etree._Element, workbook_part: str) -> None:
    overrides = {o.get("PartName"): o for o in root.findall(f"{{{CT_NS}}}Override")}
    main = overrides.get("/" + workbook_part)
    if main is None:
        raise VbaBuildError(f"[Content_Types].xml has no entry for /{workbook_part}")
    if main.get("ContentType") not in (XLSX_MAIN, XLSM_MAIN):
        raise VbaBuildError(f"/{workbook_part} is a {main.get('ContentType')}, not a workbook")
    main.set("ContentType", XLSM_MAIN)
    defaults = {d.get("Extension", "").lower() for d in root.findall(f"{{{CT_NS}}}Default")}
    if "vml" not in defaults:
        # Defaults must precede Overrides in the schema's sequence.
        first_override = root.find(f"{{{CT_NS}}}Override")
        vml = etree.Element(f"{{{CT_NS}}}Default", Extension="vml", ContentType=VML_TYPE)
        if first_override is None:
            root.append(vml)
        else:
            first_override.addprevious(vml)
    if "/" + VBA_PART not in overrides:
        etree.SubElement(root, f"{{{CT_NS}}}Override", PartName="/" + VBA_PART, ContentType=VBA_TYPE)


def _set_workbook_code_name(root: etree._Element) -> None:
    pr = root.find(f"{{{MAIN_NS}}}workbookPr")
    if pr is None:
        pr = etree.Element(f"{{{MAIN_NS}}}workbookPr")
        anchor = None
        for child in root:
            if etree.QName(child).localname in _BEFORE_WORKBOOK_PR:
                anchor = child
        if anchor is None:
            root.insert(0, pr)
        else:
            anchor.addnext(pr)
    pr.set("codeName", "ThisWorkbook")


def _set_sheet_code_name(root: etree._Element, code_name: str) -> None:
    pr = root.find(f"{{{MAIN_NS}}}sheetPr")
    if pr is None:
        pr = etree.Element(f"{{{MAIN_NS}}}sheetPr")
        root.insert(0, pr)  # sheetPr is always the first child of a worksheet
    pr.set("codeName", code_name)


def _cell_text(c: etree._Element, shared: list[str]) -> str:
    t = c.get("t")
    if t == "inlineStr":
        return "".join(c.itertext())
    v = c.find(f"{{{MAIN_NS}}}v")
    if v is None or v.text is None:
        return ""
    if t == "s":
        try:
            return shared[int(v.text)]
        except (ValueError, IndexError):
            return ""
    return v.text


def _shared_strings(parts: dict[str, bytes]) -> list[str]:
    data = parts.get("xl/sharedStrings.xml")
    if data is None:
        return []
    return ["".join(si.itertext()) for si in _parse(data).findall(f"{{{MAIN_NS}}}si")]


def _button_row(sheet: etree._Element, shared: list[str]) -> int:
    """The first empty row below the row that mentions the button (or below the title rows)."""
    data = sheet.find(f"{{{MAIN_NS}}}sheetData")
    filled: dict[int, str] = {}
    for row in data.findall(f"{{{MAIN_NS}}}row"):
        texts = [_cell_text(c, shared) for c in row.findall(f"{{{MAIN_NS}}}c")]
        if any(texts):
            filled[int(row.get("r"))] = " ".join(texts)
    mention = next((r for r in sorted(filled) if f"{BUTTON_CAPTION} button" in filled[r]), 2)
    row = mention + 1
    while row in filled:
        row += 1
    return row


def _make_row_tall(sheet: etree._Element, row_number: int, height_pt: float) -> None:
    data = sheet.find(f"{{{MAIN_NS}}}sheetData")
    rows = data.findall(f"{{{MAIN_NS}}}row")
    row = next((r for r in rows if int(r.get("r")) == row_number), None)
    if row is None:
        row = etree.Element(f"{{{MAIN_NS}}}row", r=str(row_number))
        later = next((r for r in rows if int(r.get("r")) > row_number), None)
        if later is None:
            data.append(row)
        else:
            later.addprevious(row)
    row.set("ht", f"{height_pt:g}")
    row.set("customHeight", "1")


def _column_widths_px(sheet: etree._Element) -> dict[int, int]:
    widths: dict[int, int] = {}
    cols = sheet.find(f"{{{MAIN_NS}}}cols")
    for col in ([] if cols is None else cols.findall(f"{{{MAIN_NS}}}col")):
        width = float(col.get("width", "8.43"))
        for i in range(int(col.get("min", "1")), int(col.get("max", "1")) + 1):
            widths[i] = int(width * 7 + 5)  # Calibri 11: 7 px per character plus padding
    return widths


def button_vml(row: int, column_width_px: int, top_pt: float) -> bytes:
    """A VML drawing holding one form-control button on ``row`` (1-based) in column A."""
    left_px, top_px = 6, 3
    right_px = min(left_px + BUTTON_WIDTH_PX, max(column_width_px - 2, left_px + 40))
    bottom_px = top_px + BUTTON_HEIGHT_PX
    margin_left = left_px * 0.75
    margin_top = top_pt + top_px * 0.75
    width_pt = (right_px - left_px) * 0.75
    height_pt = BUTTON_HEIGHT_PX * 0.75
    r0 = row - 1
    # x:Anchor = LeftColumn, LeftOffset, TopRow, TopOffset, RightColumn, RightOffset, BottomRow,
    # BottomOffset (0-based cells, offsets in pixels).
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" '
        'o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>'
        f'<v:shape id="_x0000_s1025" type="#_x0000_t201" style="position:absolute;margin-left:{margin_left:g}pt;'
        f'margin-top:{margin_top:g}pt;width:{width_pt:g}pt;height:{height_pt:g}pt;z-index:1;'
        'mso-wrap-style:tight" o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" '
        'o:insetmode="auto"><v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>'
        '<o:lock v:ext="edit" rotation="t"/><v:textbox style="mso-direction-alt:auto" o:singleclick="f">'
        f'<div style="text-align:center"><font face="Calibri" size="240" color="#000000"><b>{BUTTON_CAPTION}'
        '</b></font></div></v:textbox>'
        '<x:ClientData ObjectType="Button">'
        f'<x:Anchor>0, {left_px}, {r0}, {top_px}, 0, {right_px}, {r0}, {bottom_px}</x:Anchor>'
        '<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>'
        f'<x:FmlaMacro>[0]!{MACRO}</x:FmlaMacro>'
        '<x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign>'
        '</x:ClientData></v:shape></xml>'
    ).encode()


def _add_legacy_drawing(sheet: etree._Element, rid: str) -> etree._Element:
    sheet = _with_r_namespace(sheet)
    if sheet.find(f"{{{MAIN_NS}}}legacyDrawing") is not None:
        raise VbaBuildError("the Cover sheet already has a legacy drawing")
    element = etree.Element(f"{{{MAIN_NS}}}legacyDrawing")
    element.set(f"{{{R_NS}}}id", rid)
    later = next((c for c in sheet if etree.QName(c).localname in _AFTER_LEGACY_DRAWING), None)
    if later is None:
        sheet.append(element)
    else:
        later.addprevious(element)
    return sheet


def _free_name(parts: dict[str, bytes], pattern: str) -> str:
    n = 1
    while pattern.format(n) in parts:
        n += 1
    return pattern.format(n)


def macro_enabled_parts(parts: dict[str, bytes], vba_project: bytes) -> dict[str, bytes]:
    """The parts of the .xlsm made from an .xlsx package's parts (pure: no file I/O)."""
    if VBA_PART in parts:
        raise VbaBuildError("the package already holds a VBA project")
    out = dict(parts)
    root_rels = _parse(parts["_rels/.rels"])
    main = next((r for r in root_rels if r.get("Type") == OFFICE_DOC), None)
    if main is None:
        raise VbaBuildError("the package has no workbook part")
    workbook_part = _resolve("", main.get("Target"))

    types = _parse(parts["[Content_Types].xml"])
    _set_content_types(types, workbook_part)

    workbook = _parse(parts[workbook_part])
    _set_workbook_code_name(workbook)
    wb_rels_part = _rels_part(workbook_part)
    wb_rels = _parse(parts[wb_rels_part])
    _add_rel(wb_rels, VBA_REL, _relative(workbook_part, VBA_PART))
    targets = {r.get("Id"): _resolve(workbook_part, r.get("Target")) for r in wb_rels
               if r.get("Type") == WORKSHEET_REL}

    sheets = workbook.find(f"{{{MAIN_NS}}}sheets")
    cover_part = None
    for position, sheet in enumerate(sheets.findall(f"{{{MAIN_NS}}}sheet"), start=1):
        part = targets.get(sheet.get(f"{{{R_NS}}}id"))
        if part is None:
            continue  # a chart sheet: no code name needed
        xml = _parse(out[part])
        _set_sheet_code_name(xml, f"Sheet{position}")
        if sheet.get("name") == contract.COVER_SHEET:
            cover_part = part
        out[part] = _dump(xml)
    if cover_part is None:
        raise VbaBuildError(f"the package has no {contract.COVER_SHEET!r} sheet for the button")

    cover = _parse(out[cover_part])
    row = _button_row(cover, _shared_strings(parts))
    _make_row_tall(cover, row, BUTTON_ROW_HEIGHT_PT)
    vml_part = _free_name(out, "xl/drawings/vmlDrawing{}.vml")
    cover_rels_part = _rels_part(cover_part)
    cover_rels = _parse(out[cover_rels_part]) if cover_rels_part in out else _new_rels()
    rid = _add_rel(cover_rels, VML_REL, _relative(cover_part, vml_part))
    cover = _add_legacy_drawing(cover, rid)
    widths = _column_widths_px(cover)
    out[vml_part] = button_vml(row, widths.get(1, 64), DEFAULT_ROW_HEIGHT_PT * (row - 1))
    out[cover_part] = _dump(cover)
    out[cover_rels_part] = _dump(cover_rels)

    out["[Content_Types].xml"] = _dump(types)
    out[workbook_part] = _dump(workbook)
    out[wb_rels_part] = _dump(wb_rels)
    out[VBA_PART] = vba_project
    return out


def _relative(source_part: str, target_part: str) -> str:
    source = source_part.split("/")[:-1]
    target = target_part.split("/")
    common = 0
    while common < min(len(source), len(target) - 1) and source[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(source) - common) + target[common:])


def make_macro_enabled(path: str | os.PathLike[str]) -> None:
    """Rewrite the generated .xlsx package at ``path`` as an .xlsm, in place."""
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i.filename) for i in infos}
    new_parts = macro_enabled_parts(parts, standalone_vba_project())
    stamp = next((i.date_time for i in infos if i.filename == "[Content_Types].xml"), (1980, 1, 1, 0, 0, 0))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        names = [i.filename for i in infos] + [n for n in new_parts if n not in parts]
        # [Content_Types].xml first, as Office writes it; the rest in their original order.
        names.sort(key=lambda n: n != "[Content_Types].xml")
        for name in names:
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, new_parts[name])
    tmp = path.with_name(path.name + ".vba-tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, path)

