"""The PDF decision report (issue 3): real PDFs rendered and read back with pypdf.

Four PDF renders in all (the default report, a second one for reproducibility, a template override
and hostile workbook text), so the module runs in well under a minute.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("weasyprint")
from pypdf import PdfReader  # noqa: E402
from report_editions import GENERATED, edition  # noqa: E402

from xlcost.engine.model import compute  # noqa: E402
from xlcost.inputs import defaults  # noqa: E402
from xlcost.report import charts, render_html, render_pdf  # noqa: E402
from xlcost.report import formatting as F  # noqa: E402
from xlcost.report.fetcher import TemplateFetcher  # noqa: E402
from xlcost.report.render import default_templates_dir  # noqa: E402
from xlcost.report.render import render_pdf as render_pdf_with_fetcher  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "workbooks" / "llm_cost_model.xlsx"
EPOCH = 1767225600  # 2026-01-01T00:00:00Z
SECTIONS = [
    "Plan/Act LLM serving: one large model or planner + executor?",
    "Executive summary",
    "Options compared",
    "Financial case",
    "Risk",
    "How sure are we?",
    "Market scenarios and breakeven",
    "Recommendation matrix",
    "Reconciliation with the published analysis",
    "Appendix A. Assumptions as entered",
    "Appendix B. Methodology and formulas",
    "Appendix C. Model checks",
    "Appendix D. Audit trail",
]


def _workbook() -> tuple[str, bytes]:
    if BOOK.exists():
        return BOOK.name, BOOK.read_bytes()
    return "llm_cost_model.xlsx", b"PK\x03\x04 stand-in workbook bytes for the attachment test"


def _render(results, *, templates_dir=None, fetcher=None, generated_at=None, lang=None) -> bytes:
    name, data = _workbook()
    kwargs = dict(workbook_name=name, workbook_bytes=data, workbook_sha256=hashlib.sha256(data).hexdigest(),
                  problems=[], command_line="xlcost report --test", templates_dir=templates_dir,
                  generated_at=generated_at, lang=lang)
    if fetcher is not None:
        return render_pdf_with_fetcher(results, fetcher=fetcher, **kwargs)
    return render_pdf(results, **kwargs)


def _text(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def _squash(text: str) -> str:
    """Text without any whitespace: table cells wrap long strings at arbitrary points."""
    return re.sub(r"\s+", "", text)


def _outline(reader: PdfReader) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title))

    walk(reader.outline, 0)
    return out


@pytest.fixture(scope="module")
def report():
    """The default analysis in English, rendered once for the session (see report_editions)."""
    return edition("en")


# --------------------------------------------------------------------------------------------- PDF


def test_page_count_is_sane(report):
    assert 12 <= len(report["reader"].pages) <= 40


def test_metadata(report):
    meta = report["reader"].metadata
    params = report["results"].inputs.params
    assert meta.title == params["report_title"]
    assert meta.author == params["report_author"]
    assert "Decision report" in meta.subject
    assert "xlcost" in meta["/Keywords"] and "NPV" in meta["/Keywords"]
    assert meta["/CreationDate"].startswith("D:20260101000000")
    assert meta["/Creator"].startswith("xlcost ")


def test_workbook_is_the_only_attachment_and_is_the_source(report):
    reader = report["reader"]
    name, data = _workbook()
    assert list(reader.attachments) == [name]
    assert reader.attachments[name] == [data]
    root = reader.trailer["/Root"]
    # WeasyPrint 70 lists the one file spec twice in /AF (from the name tree and from the objects).
    assert "/AF" in root and len({ref.idnum for ref in root["/AF"]}) == 1
    filespec = root["/AF"][0].get_object()
    assert filespec["/AFRelationship"] == "/Source"
    xmp = root["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part[^0-9]{1,3}3", xmp), xmp[:400]


def test_sections_in_order_in_the_outline(report):
    top = [title for depth, title in _outline(report["reader"]) if depth == 0]
    assert top == SECTIONS


def test_page_furniture(report):
    pages = report["pages"]
    n = len(pages)
    assert f"1 / {n}" in pages[0] and f"{n} / {n}" in pages[-1]
    summary = next(i for i, t in enumerate(pages) if "Key figures by scenario" in t)
    assert "Executive summary" in pages[summary]  # running section title and heading
    contents = pages[1]  # the contents, with page numbers from target-counter()
    assert "Contents" in contents and re.search(r"Executive summary\W*\.+\s*" + str(summary + 1), contents)
    risk = next(i for i, t in enumerate(pages) if "Risk register" in t)
    assert re.search(r"Risk\W*\.+\s*" + str(risk + 1) + r"\b", contents)


def test_key_figures_printed_as_the_engine_computes_them(report):
    results, pages = report["results"], report["pages"]
    summary = " ".join(" ".join(t.split()) for t in pages[1:4])
    c = results.core
    for values in (c.deployment.pure_usd_per_year, c.deployment.hetero_usd_per_year, c.deployment.annual_savings_usd,
                   c.cash.npv_usd, c.cash.risk_adjusted_npv_usd):
        for cell in F.money_scaled([float(v) for v in values]):
            assert cell in summary, cell
    for months in c.cash.simple_payback_months:
        assert F.months_text(months) in summary
    # The recommendation quotes the primary scenario's risk-adjusted NPV, and the decision page carries it.
    p = results.core.scenario_ids.index(results.primary_scenario)
    ra_npv = F.money(results.core.cash.risk_adjusted_npv_usd[p])
    assert ra_npv in " ".join(pages[0].split())
    assert "Implement now" in pages[0]
    # Financial detail: the NPV in full dollars and the Excel tie-out formula.
    finance = " ".join(t for t in pages if "Returns by scenario" in t)
    assert F.usd(results.core.cash.npv_usd[p]) in finance
    assert _squash("=CF0 + NPV(0.1, CF1:CF3)") in _squash(finance)


def test_three_things_come_from_the_model(report):
    results, pages = report["results"], report["pages"]
    summary = " ".join(" ".join(t.split()) for t in pages[1:4])
    assert f"from {F.qps(results.breakeven.sustained_qps)} QPS" in summary
    assert "escalation rate of" in summary and "GPU-hour" in summary


def test_reproducible_under_source_date_epoch(report, monkeypatch):
    """The CLI's route (charts drawn in a forked child, the time from SOURCE_DATE_EPOCH) gives the very
    bytes of the session's render."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(GENERATED.timestamp())))
    name, data = _workbook()
    again = render_pdf(report["results"], workbook_name=name, workbook_bytes=data,
                       workbook_sha256=hashlib.sha256(data).hexdigest(), problems=[],
                       command_line="xlcost report --test")
    assert again == report["pdf"]


def test_templates_dir_override(report, tmp_path):
    custom = tmp_path / "templates"
    shutil.copytree(default_templates_dir(), custom)
    page = custom / "report.html.j2"
    page.write_text(page.read_text("utf-8").replace('<h1>{{ _("Executive summary") }}</h1>',
                                                    "<h1>Summary for the board</h1>"), "utf-8")
    (custom / "report.css").unlink()  # a partial override: the stylesheet comes from the packaged templates
    pdf = _render(report["results"], templates_dir=custom,
                  generated_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    reader = PdfReader(io.BytesIO(pdf))
    titles = [t for d, t in _outline(reader) if d == 0]
    assert titles[1] == "Summary for the board"
    assert any("Summary for the board" in t for t in _text(reader))
    assert len(reader.pages) == len(report["reader"].pages)  # same stylesheet, same layout


# --------------------------------------------------------------------------------------------- hostile text

LONG = "A" * 2500 + "B" * 2500
IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel="attachment" href="file:///etc/hostname">'
STYLE = '<span style="background:url(http://127.0.0.1:9/x)">'
RTL = "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u202eevil\u202c"  # Hebrew, Arabic, RLO override
ZW = "zero\u200bwidth\u200djoin\ufeff"
EMOJI = "\U0001f600"
CHINESE = "中文成本分析"


def _hostile_inputs():
    inp = defaults()
    models = inp.table("models")
    names = list(models["name"])
    names[0] = f"{IMG} {EMOJI} {RTL}"
    scenarios = inp.table("scenarios")
    snames = list(scenarios["name"])
    snames[0] = f"{LINK} {CHINESE} {ZW}"
    risks = inp.table("risks")
    rnames = list(risks["name"])
    rnames[0] = f"{STYLE} {LONG}"
    market = inp.table("market_scenarios")
    mnames = list(market["name"])
    mnames[0] = f"$x$ {STYLE}"  # a dollar pair must not turn into mathtext in the charts
    return (inp.with_table(models.with_columns(name=tuple(names)))
            .with_table(scenarios.with_columns(name=tuple(snames)))
            .with_table(risks.with_columns(name=tuple(rnames)))
            .with_table(market.with_columns(name=tuple(mnames)))
            .with_params(report_title=f"{IMG} {CHINESE} {EMOJI} {RTL}", report_author=f"{LINK} {CHINESE}"))


def _cjk_font_installed() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip())


@pytest.fixture(scope="module", params=("en", "zh"))
def hostile(request):
    """Hostile workbook text in both editions of the report."""
    results = compute(_hostile_inputs())
    fetcher = TemplateFetcher([default_templates_dir()])
    pdf = _render(results, fetcher=fetcher, generated_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                  lang=request.param)
    reader = PdfReader(io.BytesIO(pdf))
    return {"results": results, "pdf": pdf, "reader": reader, "pages": _text(reader), "fetcher": fetcher}


def test_hostile_text_is_shown_as_text(hostile):
    text = _squash(" ".join(hostile["pages"]))
    for s in (IMG, LINK, STYLE, "$x$", EMOJI):
        assert _squash(s) in text, s
    # The 5,000-character string wraps over pages (their running headers come in between): all of it is there.
    assert LONG in "".join(re.findall(r"[AB]{20,}", text))
    for ch in "\u05e9\u05dc\u05d5\u05dd\u0645\u0631\u062d":  # right-to-left letters, in whatever order
        assert ch in text
    if _cjk_font_installed():
        assert CHINESE in text
    assert hostile["reader"].metadata.title.startswith(IMG)


def test_hostile_text_fetches_nothing(hostile):
    fetcher = hostile["fetcher"]
    templates = default_templates_dir().resolve()
    assert fetcher.requested, "the stylesheet and the charts go through the fetcher"
    for url in fetcher.requested:
        assert url.startswith("data:image/svg+xml;base64,") or (
            url.startswith("file:") and Path(url[len("file://"):]).resolve().is_relative_to(templates)), url[:80]
    joined = " ".join(u for u in fetcher.requested if not u.startswith("data:"))
    for needle in ("passwd", "hostname", "127.0.0.1"):
        assert needle not in joined
    assert fetcher.refused == []


def test_hostile_text_attaches_nothing_else_and_lays_out(hostile):
    reader = hostile["reader"]
    name, _data = _workbook()
    assert list(reader.attachments) == [name]
    assert 12 <= len(reader.pages) <= 60
    # A4 portrait, or A4 landscape for the wide appendix: nothing was widened to fit the long string.
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes <= {(595, 842), (842, 595)}


def test_html_escapes_workbook_text():
    results = compute(_hostile_inputs())
    html = render_html(results, workbook_name=f"{IMG}.xlsx", workbook_sha256="0" * 64, problems=[],
                       command_line=f"xlcost report {STYLE}", generated_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    for raw in (IMG, LINK, STYLE):
        assert raw not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "127.0.0.1" not in re.sub(r"&lt;.*?&gt;", "", html.replace("&lt;span style", "&lt;x"))  # only as text
    assert not re.search(r'<(img|link|object|iframe|embed)[^>]+(file:|https?:)', html)


# --------------------------------------------------------------------------------------------- fetcher


def test_fetcher_allows_only_data_and_template_files(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (root / "report.css").write_text("p { color: black }")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "escape.css").symlink_to(tmp_path / "secret.txt")
    f = TemplateFetcher([root])
    assert f.fetch((root / "report.css").as_uri()).read() == b"p { color: black }"
    assert f.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ((tmp_path / "secret.txt").as_uri(), (root / "escape.css").as_uri(), root.as_uri() + "/../secret.txt",
                "file:///etc/passwd", "http://127.0.0.1:9/x", "https://example.com/a.css", "ftp://x/y",
                "file://otherhost/etc/passwd", (root / "missing.css").as_uri()):
        with pytest.raises(Exception):  # noqa: B017 - any exception: WeasyPrint logs it and renders on
            f.fetch(url)
    assert len(f.refused) == 9


def test_fetcher_falls_back_to_packaged_templates(tmp_path):
    override = tmp_path / "mine"
    override.mkdir()
    packaged = default_templates_dir()
    f = TemplateFetcher([override, packaged])
    body = f.fetch((override / "report.css").as_uri()).read()
    assert body == (packaged / "report.css").read_bytes()


# --------------------------------------------------------------------------------------------- formatting


def test_formatting_conventions():
    assert F.money(52_600_320) == "$52.60M"
    assert F.money(1_234_000_000) == "$1.23B"
    assert F.money(225_000) == "$225,000"
    assert F.money(-537_723) == "\u2212$537,723"  # a true minus sign, never a hyphen
    assert F.usd(41_751_504) == "$41,751,504"
    assert F.usd(-65_750.4) == "\u2212$65,750"
    assert F.usd(1255.65, 2) == "$1,255.65"
    assert F.pct(0.79375) == "79.4%" and F.pct(554.88672) == "55,488.7%" and F.pct(-0.0625) == "\u22126.3%"
    assert F.months(np.inf) == "never" and F.months(None) == "never" and F.months(0.0648) == "0.1"
    assert F.months(0.01) == "< 0.1" and F.months_text(12) == "12.0 months"
    assert F.irr(float("nan")) == "not defined" and F.irr(0.25) == "25.0%"
    assert F.fmt(None) == "\u2013" and F.fmt(float("nan"), "usd") == "\u2013"
    assert F.fmt(0.999, "fraction") == "99.9%" and F.fmt(3.805, "usd_per_gpu_hour") == "$3.805"
    assert F.fmt(1000.0, "qps") == "1,000" and F.fmt(20.1, "qps") == "20.1"
    assert F.fmt(0.0000117438, "usd_per_request") == "$11.74"  # per 1M requests, never eight decimals
    assert F.points(-0.102) == "\u221210.2 pp"
    assert F.headline(52_600_320, "usd_per_year") == "$52.60M" and F.headline(None, "months") == "never"
    assert F.usd(-0.004) == "$0"  # no negative zero
    # One scale per row: the largest figure's.
    assert F.money_scaled([41_751_504, 3_090_269, -65_750]) == ["$41.75M", "$3.09M", "\u2212$0.07M"]
    assert F.money_scaled([225_000, -65_750]) == ["$225,000", "\u2212$65,750"]


def test_chinese_formatting():
    from xlcost.report.i18n import lang

    zh = lang("zh").F
    # Millions to $10,000 in both languages: $52.60M is US$5,260万.
    assert zh.money(52_600_320) == "US$5,260万" and zh.money(225_000) == "US$225,000"
    assert zh.money_scaled([103_455_600, -537_723]) == ["US$10,346万", "\u2212US$54万"]
    assert zh.money(12_345_678_901) == "US$123.46亿"
    assert zh.never == "永不回收" and zh.months_text(2) == "2.0 个月"
    assert zh.date(GENERATED.date()) == "2026年1月1日" and F.ENGLISH.date(GENERATED.date()) == "1 January 2026"


# --------------------------------------------------------------------------------------------- charts


def test_charts_are_deterministic_svg_with_real_text():
    args = (["Enterprise", "SME", "Small"], ["1,000 QPS", "100 QPS", "10 QPS"], ["A", "B"],
            [[52.6e6, 5.26e6, 1.05e6], [10.85e6, 2.17e6, 1.12e6]], [0.794, 0.588, -0.0625])
    svg = charts.option_cost_panels(*args)
    assert svg.startswith("<svg") and "<text" in svg and "<?xml" not in svg
    assert "$52.60M" in svg and "Enterprise" in svg
    assert "B costs 6.3% more" in svg  # the losing scenario has its own panel and scale
    assert svg == charts.option_cost_panels(*args)
    step = charts.savings_load_chart([0.1, 20.1], [20.0, 40.0], [-0.0625, 0.47], 0.1, 20.1, 30, "Load: 30 QPS")
    assert "pays from 20.1 QPS" in step
    cash = charts.cumulative_cash_chart(["A", "B"], [[-1, 5, 10], [-1, -2, -3]])
    assert cash.count("<text") > 6
    # Four options, one without a price: no bar, the words instead.
    four = charts.option_cost_panels(["$x$ <b>"], ["10 QPS"], ["A", "B", "C", "D"], [[1e6], [1.1e6], [float("nan")],
                                                                                    [2e5]], [-0.1])
    assert "no API price" in four and "$x$ &lt;b&gt;" in four and "B costs 10.0% more" in four
    tornado = charts.tornado_chart(["Peak QPS, every scenario", "Discount rate"], 100e6, [80e6, 106e6], [119e6, 100e6])
    assert "Peak QPS, every scenario" in tornado and "input at its P90" in tornado
    curve = charts.s_curve_chart([-1e6, 2e6, 5e6], [0.0, 0.5, 1.0], 3e6, [0.0, 2e6, 4e6], ["P10", "P50", "P90"])
    assert "point estimate" in curve and "P50 $2.00M" in curve and "loss" in curve
    capacity = charts.capacity_chart([{"model": "Qwen3-4B", "limits": [(2000.0, "act step")], "points": [
        {"qps": 60, "ms": 300, "meets": True, "chosen": False, "call": "act step"},
        {"qps": 150, "ms": 1800, "meets": True, "chosen": True, "call": "act step"},
        {"qps": 210, "ms": 2600, "meets": False, "chosen": False, "call": "act step"}]}])
    assert "target, act step" in capacity and "capacity used" in capacity and "150" in capacity


def test_chart_labels_are_shortened():
    assert charts.label("x" * 100).endswith("…") and len(charts.label("x" * 100)) == charts.MAX_LABEL
    assert charts.label("a\nb") == "a b"


def test_charts_drawn_in_a_forked_child_equal_charts_drawn_here():
    from xlcost.engine.model import compute
    from xlcost.inputs import defaults
    from xlcost.report.render import build_charts, charts_in_background

    results = compute(defaults())
    assert charts_in_background(results)() == build_charts(results)
