"""The decision report read as a board reads it, in English and in Chinese: words instead of ids, money
at its precision, real minus signs, headers that fit, legible sizes, about twelve pages before the
appendices, a tagged PDF that opens on its bookmarks, and a Chinese edition with nothing left untranslated.

Each edition is rendered once (``report_editions.edition``) and read back with pypdf.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

pytest.importorskip("weasyprint")
pytest.importorskip("babel")

from report_editions import edition, html, measured_workbook  # noqa: E402

from xlcost.labels import ENGLISH, Labels, namer, parse_metric  # noqa: E402
from xlcost.report import i18n  # noqa: E402

LANGS = ("en", "zh")
APPENDIX_A = {"en": "Appendix A. Assumptions as entered", "zh": "附录 A. 录入的假设"}
APPENDIX_D = {"en": "Appendix D. Audit trail", "zh": "附录 D. 审计记录"}
MIN_POINTS = 7.9  # 8 pt, less rounding of the text matrix


@pytest.fixture(scope="module", params=LANGS)
def report(request):
    return edition(request.param)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _body(report) -> list[str]:
    """Pages before Appendix A (the decision, summary and the chapters a board reads)."""
    title = _squash(APPENDIX_A[report["lang"]])
    pages = report["pages"]
    first = next(i for i, t in enumerate(pages) if i > 2 and title in _squash(t))
    return pages[:first]


def _before_audit(report) -> list[str]:
    """Pages before the audit trail, the one place that lists the Published sheet's identifiers."""
    title = _squash(APPENDIX_D[report["lang"]])
    pages = report["pages"]
    return pages[:min(i for i, t in enumerate(pages) if i > 1 and title in _squash(t))]


# ---------------------------------------------------------------------------------------------- words


def test_no_null_none_or_nan_anywhere(report):
    text = "\n".join(report["pages"])
    for word in ("null", "None", "nan", "NaN", "inf"):
        assert not re.search(rf"(?<![\w-]){word}(?![\w-])", text), word


def test_no_metric_ids_or_codes_before_the_audit_trail(report):
    published = report["results"].inputs.table("published")["metric"]
    text = "\n".join(_before_audit(report))
    squashed = _squash(text)
    for metric in published:
        if "." in metric:
            assert metric not in squashed, metric
    body = "\n".join(_body(report))
    # Machine words: snake_case names, table names, the spec's section numbers, "(s)" plurals, "x" for ×.
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b(?!\.xls)", body)  # the workbook's file name may have one
    for machine in ("GPUOffers", "MODEL §", "(s)", "<=", ">=", " x ", "instance(s)"):
        assert machine not in body, machine
    for code in ("hetero", "api_hetero", "pure_usd"):
        assert not re.search(rf"(?<![\w-]){code}(?![\w-])", body), code


def test_money_at_its_precision_and_a_true_minus(report):
    text = "\n".join(report["pages"])
    amounts = re.findall(r"(?:US)?\$[\d,]+(?:\.(\d+))?", text)
    assert amounts
    # Whole dollars, cents, the GPU-hour price's three decimals: never more (no $0.00001174).
    assert all(len(decimals) <= 3 for decimals in amounts)
    assert not re.search(r"-\s?(?:US)?\$", text), "hyphen-minus before an amount"
    assert "\u2212" in text
    body = "\n".join(_body(report))
    assert not re.search(r"(?<![\w\d.\-/])-\d", body), "hyphen-minus before a figure"


def test_no_word_is_broken_across_lines(report):
    """Every Latin word of the PDF is a word of the HTML (or of a chart): a header or name squeezed into a
    narrow column would leave fragments ("instanc", "e"); hyphenation would leave "Sav-", "ings"."""
    import base64

    from lxml import etree
    from lxml import html as lxml_html

    doc = lxml_html.fromstring(report["html"])
    texts = [" ".join(doc.itertext())]
    for img in doc.xpath("//img[@src]"):
        src = img.get("src")
        if src.startswith("data:image/svg+xml;base64,"):
            texts.append(" ".join(etree.fromstring(base64.b64decode(src.split(",", 1)[1])).itertext()))
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", " ".join(texts))}
    pdf_words = set(re.findall(r"[A-Za-z]+", "\n".join(report["pages"])))
    assert len(pdf_words) > 300
    assert sorted(w for w in pdf_words if w.lower() not in words) == []
    css = (i18n.locale_dir().parents[1] / "templates" / "report.css").read_text("utf-8")
    assert "hyphens: auto" not in css


def test_every_text_is_at_least_8_points(report):
    sizes: list[tuple[float, int, str]] = []
    current = {"page": 0}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():  # the size set by Tf, times the text and graphics matrices' vertical scale
            scale = abs(tm[3] or 1) * abs(cm[3] or 1)
            sizes.append((round(font_size * scale, 1), current["page"], text))

    for number, page in enumerate(report["reader"].pages):
        current["page"] = number
        page.extract_text(visitor_text=visit)
    smallest = min(sizes)
    assert smallest[0] >= MIN_POINTS, smallest
    body = [size for size, page, _text in sizes if page < len(_body(report))]
    assert 10.0 in body  # the body text
    assert max(set(body), key=body.count) >= 8.4  # tables are 8.5 pt


def test_body_before_the_appendices_is_about_twelve_pages(report):
    assert 10 <= len(_body(report)) <= 14, len(_body(report))


# ---------------------------------------------------------------------------------------------- content


def test_answer_first(report):
    _ = i18n.translations(report["lang"]).gettext
    first = _squash(report["pages"][0])
    for heading in ("Decision requested", "The money asked for", "Go / no-go gates for the pilot",
                    "What would change the answer"):
        assert _squash(_(heading)).upper() in first.upper(), heading
    results = report["results"]
    assert _squash(report["results"].inputs.param("decision_requested")) in first
    F = i18n.lang(report["lang"]).F
    assert _squash(F.money(results.core.upfront_usd)) in first


def test_plausibility_warnings_in_the_summary(report):
    _ = i18n.translations(report["lang"]).gettext
    summary = _squash("".join(report["pages"][1:4]))
    for title in ("The returns look too good to be true", "The small model is assumed never to fail",
                  "Neither option meets the SLA"):
        assert _squash(_(title)) in summary, title
    assert _squash(_("The published analysis, checked")) in summary


def test_key_figures_in_the_reports_language(report):
    results = report["results"]
    F = i18n.lang(report["lang"]).F
    d, cash = results.core.deployment, results.core.cash
    text = _squash("".join(report["pages"][1:4]))
    for values in (d.pure_usd_per_year, d.annual_savings_usd, cash.npv_usd):
        for cell in F.money_scaled([float(v) for v in values]):
            assert _squash(cell) in text, cell
    for share in d.savings_pct:
        assert F.pct(share) in text
    if report["lang"] == "zh":
        assert "万" in text and "US$" in text and "2026年1月1日" in _squash(report["pages"][0])


def test_every_difference_has_a_cause(report):
    from xlcost.present import result_tables
    from xlcost.report import reconcile

    results = report["results"]
    t = i18n.lang(report["lang"])
    groups = reconcile.rows(results, result_tables(results), t)
    rows = [r for g in groups for r in g["rows"]]
    assert rows and all(r["cause"] for r in rows if r["status_code"] != "matches")


def test_a_rounded_published_figure_is_a_rounding_difference():
    from xlcost.report.reconcile import cause_of, rounds_to

    en = i18n.lang("en")
    # The published 8.3% latency improvement is 1/12 rounded: 0.4% apart, beyond a 0.1% tolerance.
    assert rounds_to(0.083, 1 / 12) and not rounds_to(0.083, 0.0845)
    assert cause_of(0.083, 1 / 12, "fraction", en).startswith("Rounding")
    assert cause_of(309_000, -65_750, "usd_per_year", en) == "The published figure has the wrong sign."
    assert "never" in cause_of(12.1, None, "months", en)


# ---------------------------------------------------------------------------------------------- Chinese


def test_chinese_edition_has_no_untranslated_template_text():
    from babel.messages.pofile import read_po

    zh = edition("zh")
    catalog = i18n.translations("zh")

    with i18n.catalog_path("zh").open("rb") as f:
        po = read_po(f)
    english = [m.id for m in po if isinstance(m.id, str) and m.id and m.string != m.id
               and len(m.id.split()) >= 3 and not re.search(r"[{%<]", m.id)]
    assert len(english) > 100
    # The body: the appendices quote the workbook's own text as typed.
    text = _squash("".join(_body(zh)))
    leaked = [m for m in english if _squash(m) in text]
    assert not leaked, leaked[:5]
    assert catalog.gettext("Executive summary") == "执行摘要"
    assert zh["reader"].trailer["/Root"]["/Lang"] == "zh-CN"


def test_chinese_checks_appendix_translates_the_model_checks_and_quotes_input_messages():
    from xlcost.contract import Problem
    from xlcost.report import render

    results = edition("zh")["results"]
    page = html(results, "zh")
    checks = page[page.index('id="checks"'):page.index('id="audit"')]
    assert "场景 enterprise, sme, small：升级率恰好为 0，即假定小模型从不失败；请在试点中实测。" in checks
    assert "通过，有 6 条警告待审阅。" in checks
    assert "never fails" not in checks and "PASS" not in checks
    assert "英文原文" not in checks  # nothing is quoted in English

    typed = Problem("warning", "Parameters", "B40", "unknown parameter colour is ignored")
    page, _dirs = render._html(results, workbook_name="book.xlsx", workbook_sha256="0" * 64, problems=[typed],
                               command_line="xlcost report", templates_dir=None, generated_at=None, lang="zh")
    checks = page[page.index('id="checks"'):page.index('id="audit"')]
    assert "unknown parameter colour is ignored" in checks and "英文原文" in checks
    assert "输入问题（1 个）" in checks and "通过，有 7 条警告待审阅。" in checks


def test_chinese_text_is_embedded_in_a_cjk_font():
    zh = edition("zh")
    fonts = set()
    for page in zh["reader"].pages[:3]:
        for ref in page["/Resources"]["/Font"].values():
            fonts.add(str(ref.get_object()["/BaseFont"]))
    assert any("CJK" in f or "WenQuanYi" in f for f in fonts), fonts
    assert all("+" in f for f in fonts), "every font is a subset"
    assert "执行摘要" in "".join(zh["pages"])


def test_catalog_translates_every_message_with_the_same_placeholders():
    from babel.messages.pofile import read_po

    from xlcost.report.catalog import extract_messages

    with i18n.catalog_path("zh").open("rb") as f:
        po = read_po(f)
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in po if m.id}
    messages = [m.id if isinstance(m.id, str) else m.id[0]
                for m in extract_messages(i18n.locale_dir().parents[1] / "templates") if m.id]
    missing = [m for m in messages if not translated.get(m) or not all(translated[m])]
    assert not missing, f"untranslated (run scripts/i18n.py): {missing[:5]}"
    for message in messages:
        text = translated[message]
        text = text if isinstance(text, str) else text[0]
        pattern = r"\{\w+\}|%\(\w+\)[sd]|%%|<[a-z/][^<>]*>"  # placeholders and HTML tags
        assert sorted(re.findall(pattern, message)) == sorted(re.findall(pattern, text)), message


# ---------------------------------------------------------------------------------------------- PDF


def test_tagged_pdf_a_that_opens_on_its_bookmarks(report):
    root = report["reader"].trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/PageMode"] == "/UseOutlines"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    xmp = root["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part[^0-9]{1,3}3", xmp) and re.search(rb"pdfuaid:part[^0-9]{1,3}1", xmp)
    assert report["reader"].outline


# ---------------------------------------------------------------------------------------------- labels


def test_every_figure_id_has_words_in_both_languages():
    from xlcost.engine.model import compute
    from xlcost.inputs import defaults
    from xlcost.present import key_figures, metrics

    results = compute(defaults())
    figures = key_figures(results)
    names = namer(results.inputs)
    zh = Labels(i18n.translations("zh").gettext)
    for metric_id in set(metrics(results, figures)) | {k.id for k in figures}:
        assert parse_metric(metric_id), metric_id
        english, chinese = ENGLISH.metric(metric_id, names), zh.metric(metric_id, names)
        assert english and chinese and english != chinese, metric_id
        assert not re.search(r"\bnull\b|\bNone\b", english)
    assert all("null" not in k.label for k in figures)


def test_labels_turn_codes_into_words():
    zh = Labels(i18n.translations("zh").gettext)
    assert ENGLISH.option("api_hetero") == "D. API, planner + executor" and zh.option("pure") == "A. 纯大模型"
    assert ENGLISH.measure("risk_adjusted_npv") == ENGLISH.measure("risk_adjusted_npv_usd") == "risk-adjusted NPV"
    assert ENGLISH.measure("simple_payback_months", capital=True) == "Simple payback"
    assert ENGLISH.engine("genai-perf") == "GenAI-Perf" and ENGLISH.every_row("gpu_offers") == "every GPU offer"
    assert ENGLISH.recurrence("one-time") == "one-time" and zh.recurrence("annual") == "每年"
    assert ENGLISH.unit("usd_per_year") == "USD per year" and ENGLISH.unit("count") == ""
    assert ENGLISH.status("unknown id") == "unknown figure"
    assert ENGLISH.term("unheard-of") == "unheard-of"  # an unknown code passes through


def test_every_code_of_the_contract_has_words():
    from xlcost import contract, labels

    assert set(contract.MARKET_TARGETS) <= set(labels.MARKET_TARGETS)
    assert set(contract.GPU_TERMS) | set(contract.COMMITTED_TERMS) <= set(labels.TERMS)
    assert set(contract.PROVISIONING) <= set(labels.PROVISIONING)
    assert set(contract.CAPACITY_SOURCES) <= set(labels.CAPACITY_SOURCES)
    assert set(contract.BENCHMARK_ENGINES) <= set(labels.ENGINES)
    assert set(contract.TABLES) >= set(labels.EVERY_ROW)
    assert set(contract.RISKS.column("recurrence").choices) | set(contract.COST_LINES.column("recurrence").choices) \
        <= set(labels.RECURRENCE)


def test_the_language_comes_from_the_command_line_then_the_workbook():
    from xlcost.cli import _parser
    from xlcost.engine.model import compute
    from xlcost.inputs import defaults
    from xlcost.report.render import report_language

    results = compute(defaults())
    assert report_language(results, None) == "en"  # the default workbook asks for English
    chinese_book = compute(defaults().with_params(report_language="zh"))
    assert report_language(chinese_book, None) == "zh"
    assert report_language(chinese_book, "en") == "en"  # --lang overrides the workbook
    assert _parser().parse_args(["report", "--lang", "zh"]).lang == "zh"
    with pytest.raises(ValueError, match="expected one of en, zh"):
        i18n.normalize("fr")


# ---------------------------------------------------------------------------------------------- four options


def test_the_four_options_are_compared(report):
    """A and B self-hosted, C and D bought per token: their annual costs in the summary and the options chapter,
    why the two kinds of cost differ, and "no API price" for a model without one."""
    from xlcost.labels import OPTION_CODES
    from xlcost.report import options

    results, t = report["results"], i18n.lang(report["lang"])
    _ = t.gettext
    n = len(results.core.scenario_ids)
    costs = [options.annual_costs(results, i) for i in range(n)]
    summary = _squash("".join(report["pages"][1:3]))
    body = _squash("".join(_body(report)))
    for code in OPTION_CODES:
        assert _squash(_("Annual cost, {option}").format(option=t.L.option(code))) in summary, code
        for cell in options.money_cells([x[code] for x in costs], t):
            assert _squash(cell) in summary, (code, cell)
        assert _squash(t.L.option(code)) in body
    assert results.core.api.hetero_usd_per_year[0] < results.core.deployment.hetero_usd_per_year[0]
    assert _squash(_("A hosted API would cost less")) in summary  # D undercuts B at the primary scenario
    assert _squash(_("A and B pay for the GPUs provisioned, used or not; C and D pay for the tokens used. Against a "
                     "fleet sized for the peak, a comparison flatters the API whenever load runs below the peak; "
                     "against average usage it flatters self-hosting.")) in body
    assert _squash(_("Here every scenario runs at its peak all day (a flat load profile): both kinds of bill cover the "
                     "same load, hour for hour.")) in body
    assert _squash(_("no API price")) in body  # GLM4-9B has no API price


# ---------------------------------------------------------------------------------------------- how sure


def test_the_simulated_range_stands_next_to_each_point_estimate(report):
    from xlcost.report.uncertainty import span

    results, t = report["results"], i18n.lang(report["lang"])
    _, F = t.gettext, t.F
    sim = results.simulation
    assert sim is not None and sim.trials == 10_000
    p = results.core.scenario_ids.index(results.primary_scenario)
    primary = sim.primary
    ra = primary.risk_adjusted_npv_usd
    first = _squash(report["pages"][0])
    quoted = _("{value} (P10–P90 {range}; chance of a loss {p})").format(
        value=F.money(results.core.cash.risk_adjusted_npv_usd[p]), range=span(ra.p10, ra.p90, t),
        p=F.prob(primary.prob_loss))
    assert _squash(quoted) in first  # the range and the chance of a loss next to the point estimate
    summary = _squash("".join(report["pages"][1:3]))
    assert _squash(_("Chance of a loss")) in summary and "P10–P90" in summary
    for o in sim.scenarios:
        assert F.prob(o.prob_loss) in summary
    chapter = _squash("".join(report["pages"]))
    assert _squash(_("How sure are we?")) in chapter and _squash(_("What moves the answer most")) in chapter
    assert _squash(F.smart(sim.trials)) in chapter and str(sim.seed) in chapter
    html_text = report["html"]
    assert html_text.count('class="chart" src="data:image/svg+xml;base64,') >= 5  # tornado and S-curve included
    assert 'id="uncertainty"' in html_text


def test_without_a_simulation_the_ranges_are_gone_and_nothing_else_changes():
    from lxml import html as lxml_html

    from xlcost.engine.model import compute
    from xlcost.inputs import defaults

    results = compute(defaults().with_params(mc_trials=0))
    assert results.simulation is None
    off, on = lxml_html.fromstring(html(results, "en")), lxml_html.fromstring(edition("en")["html"])
    first = " ".join(off.get_element_by_id("decision").itertext())
    summary = " ".join(off.get_element_by_id("summary").itertext()) + " ".join(off.get_element_by_id("contents")
                                                                              .itertext())
    for quote in ("P10", "P90", "chance of a loss", "Chance of a loss", "How sure are we?"):
        assert quote not in first and quote not in summary, quote
    assert "These are single-point estimates" in summary
    assert off.xpath('//*[@id="uncertainty"]') == []
    for chapter in ("options", "finance", "risk", "market", "matrix", "reconciliation"):
        assert lxml_html.tostring(off.get_element_by_id(chapter), with_tail=False) == lxml_html.tostring(
            on.get_element_by_id(chapter), with_tail=False), chapter


# ---------------------------------------------------------------------------------------------- capacity evidence


def test_capacity_of_the_default_workbook_reads_typed_in(report):
    t = i18n.lang(report["lang"])
    body = _squash("".join(_body(report)))
    assert _squash(t.gettext("Capacity is typed in for every model: no load test stands behind the QPS figures."
                             " The executor’s capacity is a gate of the pilot (first page).")) in body
    assert _squash(t.L.capacity_source("typed")) in body


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """A workbook whose executor is sized from imported vLLM runs, and whose SME scenario is autoscaled."""
    from xlcost import api

    outcome = api.check(measured_workbook(tmp_path_factory.mktemp("measured")))
    assert outcome.ok, outcome.problems
    return outcome.results


@pytest.mark.parametrize("lang", LANGS)
def test_measured_capacity_names_its_run_and_the_load_over_the_day_is_shown(measured, lang):
    from lxml import html as lxml_html

    t = i18n.lang(lang)
    _, F = t.gettext, t.F
    chosen = next(x for x in measured.core.models.capacity.choices if x.source != "typed")
    assert (chosen.model, chosen.call_type, chosen.qps, chosen.runs_meeting_slo) == ("qwen3-4b", "act", 150.0, 2)
    page = lxml_html.fromstring(html(measured, lang))
    options = _squash(" ".join(page.get_element_by_id("options").itertext()))
    said = _("{model}, {call}: capacity measured on {date} with {engine}, meeting {slo}.").format(
        model="Qwen3-4B", call=t.L.call_type("act"), date=F.date(date(2026, 8, 18)),
        engine="vLLM", slo="p99 TTFT ≤ " + _("{n} s").format(n="2") + _(" and ") + "p99 TPOT ≤ "
        + _("{n} ms").format(n="50"))
    assert _squash(said) in options
    assert chosen.source in options  # the run's id, as the Benchmarks sheet has it
    assert _squash(_("Typed in (no load test): {models}.").format(
        models=_(", ").join(["GLM4-9B", "Qwen3-235B-A22B", "DeepSeek-R1"]))) in options
    alts = [img.get("alt") for img in page.xpath('//section[@id="options"]//img')]
    assert _("Scatter charts, one per measured model: request throughput against p99 time to first token of each "
             "load-test run, with the latency target.") in alts
    assert _("Step charts, one per scenario: GPUs running in each hour of the day.") in alts
    assert _squash(_("Load over the day")) in options
    assert _squash(_("autoscaled, {headroom} headroom").format(headroom=F.pct(0.2, 0))) in options
