"""The PDF decision report: results -> template context -> HTML (Jinja2) -> PDF (WeasyPrint).

Everything the templates show is computed from ``Results`` by ``decision``, ``tables`` and
``reconcile`` (in the report's language, ``i18n``); the templates only lay it out, with their own
words through gettext (Jinja2's i18n extension). Workbook text reaches the HTML only through
autoescaped expressions; charts are SVG drawn by ``charts``, embedded as ``data:`` URLs.

The PDF is PDF/A-3b with the workbook attached as its Source, tagged for accessibility (PDF/UA-1
identification in its XMP metadata), and opens with the bookmarks panel shown.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.resources
import json
import os
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import contract, labels
from ..contract import Problem
from ..engine.model import Results
from . import charts, i18n
from .i18n import Lang

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
KEYWORDS = ("xlcost", "LLM serving cost", "Plan/Act", "heterogeneous deployment", "GPU capacity", "NPV",
            "payback", "decision report")
SUBJECT = ("Decision report: serving Plan/Act agent traffic on one large model or on a large planner with a "
           "small executor; cost, capacity, latency, SLA, NPV, risk and breakeven.")
HEADER_TITLE_CHARS = 90


# ---------------------------------------------------------------------------------------------
# Environment: templates, version, time
# ---------------------------------------------------------------------------------------------


def default_templates_dir() -> Path:
    """The packaged templates (``xlcost.templates``), else the repository's ``templates/``."""
    try:
        res = importlib.resources.files("xlcost.templates")
        for candidate in getattr(res, "_paths", None) or [res]:
            path = Path(str(candidate))
            if (path / TEMPLATE).is_file():
                return path
    except (ModuleNotFoundError, TypeError, ValueError):
        pass
    return Path(__file__).resolve().parents[2] / "templates"


def template_dirs(templates_dir: Path | None) -> list[Path]:
    """The override folder first (if any), then the packaged templates for whatever it lacks."""
    default = default_templates_dir()
    if templates_dir is None:
        return [default]
    override = Path(templates_dir).resolve()
    if not override.is_dir():
        raise FileNotFoundError(f"templates folder not found: {templates_dir}")
    return [override] if override == default.resolve() else [override, default]


def xlcost_version() -> str:
    try:
        import xlcost

        version = getattr(xlcost, "__version__", None)
        if version:
            return str(version)
    except ImportError:  # pragma: no cover
        pass
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as dist_version

        return dist_version("xlcost")
    except (ImportError, PackageNotFoundError):
        pass
    try:  # a source checkout: read pyproject.toml beside the package
        import tomllib

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]) + "+source"
    except Exception:  # noqa: BLE001 - a version string must never stop a report
        return "unknown"


def resolve_generated_at(generated_at: datetime | None) -> datetime:
    """The given time; else ``SOURCE_DATE_EPOCH`` (reproducible builds); else now. Always UTC."""
    if generated_at is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        generated_at = datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch else datetime.now(timezone.utc)
    if generated_at.tzinfo is None:
        generated_at = generated_at.replace(tzinfo=timezone.utc)
    return generated_at.astimezone(timezone.utc).replace(microsecond=0)


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


def chart_texts(t: Lang) -> dict[str, str]:
    """The words of the charts, in the report's language."""
    _ = t.gettext
    return {
        "pure": t.L.option("pure"), "hetero": t.L.option("hetero"),
        "annual_cost": _("Annual cost (USD per year)"), "saves": _("B saves {share}"),
        "costs_more": _("B costs {share} more"), "pays_from": _("pays from {qps} QPS"),
        "savings_share": _("Savings share (whole instances)"), "peak_load": _("Peak load (QPS)"),
        "savings_axis": _("Annual savings (share of A’s cost)"), "year": _("Year"),
        "no_price": _("no API price"), "input_p10": _("input at its P10"), "input_p90": _("input at its P90"),
        "ra_npv": _("Risk-adjusted NPV (USD)"), "point": _("point estimate"),
        "chance_at_most": _("Chance the outcome is at most this"), "loss": _("loss"),
        "throughput": _("Request throughput (requests per second)"), "ttft": _("p99 time to first token (ms)"),
        "meets": _("meets the targets"), "misses": _("misses them"), "chosen": _("capacity used"),
        "target": _("target, {call}"), "hour": _("Hour of the day"), "gpus": _("GPUs running"),
    }


def build_charts(results: Results, t: Lang | None = None) -> dict[str, Any]:
    t = t or i18n.lang("en")
    _, F = t.gettext, t.F
    text = chart_texts(t)
    inp, core = results.inputs, results.core
    d = core.deployment
    s = inp.table("scenarios")
    names = [inp.display_name("scenarios", sid) for sid in core.scenario_ids]
    p = core.scenario_ids.index(results.primary_scenario)
    out = {}
    api = core.api
    out["option_costs"] = charts.option_cost_panels(
        names, [f"{F.qps(q)} {_('QPS')}" for q in s["peak_qps"]], list(labels.OPTION_LETTERS.values()),
        [[float(x) for x in values] for values in (d.pure_usd_per_year, d.hetero_usd_per_year,
                                                    api.pure_usd_per_year, api.hetero_usd_per_year)],
        [float(x) for x in d.savings_pct], text, F)
    steps = results.steps
    out["savings_load"] = charts.savings_load_chart(
        [b.qps_from for b in steps], [b.qps_to for b in steps], [b.savings_from for b in steps],
        results.breakeven.resolution_qps, results.breakeven.sustained_qps or results.breakeven.min_qps,
        float(s["peak_qps"][p]), f"{names[p]}: {F.qps(s['peak_qps'][p])} {_('QPS')}", text, F)
    factors = np.broadcast_to(core.cash.discount_factors, core.cash.flows.shape)
    cumulative = np.cumsum(core.cash.flows * factors, axis=-1)
    out["cumulative_cash"] = charts.cumulative_cash_chart(names, [[float(v) for v in row] for row in cumulative],
                                                          text, F)
    out.update(extra_charts(results, t, text))
    alt = {
        "option_costs": _("Bar charts, one per scenario: annual cost of each option."),
        "savings_load": _("Step chart: savings share against peak load, breakeven marked."),
        "cumulative_cash": _("Bar and line charts: cumulative discounted cash flow by year, one per scenario."),
        "tornado": _("Tornado chart: the primary scenario’s risk-adjusted NPV with each uncertain input at its P10 "
                     "and its P90."),
        "s_curve": _("Line chart: the chance that the primary scenario’s risk-adjusted NPV is at most a value."),
        "capacity": _("Scatter charts, one per measured model: request throughput against p99 time to first token "
                      "of each load-test run, with the latency target."),
        "hourly_fleet": _("Step charts, one per scenario: GPUs running in each hour of the day."),
    }
    return {k: {"src": svg_data_url(v), "alt": alt[k]} for k, v in out.items()}


def extra_charts(results: Results, t: Lang, text: dict[str, str]) -> dict[str, str]:
    """The charts only some workbooks have: the simulation's (when it ran), measured capacity (when a model is
    sized from load tests), the hourly fleets (when a scenario is not flat and static)."""
    from ..engine.core import hourly_fleet
    from . import options as O
    from . import uncertainty as U

    F = t.F
    out = {}
    sim = results.simulation
    if sim is not None:
        by_id = {x.id: x for x in sim.inputs}
        bars = sim.tornado
        out["tornado"] = charts.tornado_chart(
            [U.moves(by_id[b.input], results, t) for b in bars], sim.base_risk_adjusted_npv_usd,
            [b.output_at_p10 for b in bars], [b.output_at_p90 for b in bars], text, F)
        npv = sim.primary.risk_adjusted_npv_usd
        out["s_curve"] = charts.s_curve_chart(
            [float(v) for v in sim.curve_risk_adjusted_npv_usd], [float(p) for p in sim.curve_probability],
            sim.base_risk_adjusted_npv_usd, [npv.p10, npv.p50, npv.p90], ["P10", "P50", "P90"], text, F)
    panels = O.capacity_chart_data(results, t)
    if panels:
        out["capacity"] = charts.capacity_chart(panels, text, F)
    if not O.is_flat_and_static(results):
        fleet = hourly_fleet(results.inputs, results.core)
        names = [results.inputs.display_name("scenarios", sid) for sid in results.core.scenario_ids]
        out["hourly_fleet"] = charts.hourly_fleet_chart(
            names, [[float(v) for v in row] for row in fleet.pure_gpus],
            [[float(v) for v in row] for row in fleet.hetero_gpus], text, F)
    return out


def charts_in_background(results: Results, t: Lang | None = None) -> Callable[[], dict[str, Any]]:
    """Start drawing the charts in a forked child; call the returned function to collect them.

    matplotlib's import and the drawing take about 0.6 s, as long as importing WeasyPrint: on two
    cores a forked child overlaps them. Where fork is unavailable or unsafe (threads running), or the
    child fails, the charts are drawn here, so the result never depends on the route taken.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1:
        drawn = build_charts(results, t)
        return lambda: drawn
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: draw, send JSON, leave without running the parent's exit handlers
        status = 1
        try:
            os.close(read_fd)
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(json.dumps(build_charts(results, t)).encode("utf-8"))
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)

    def collect() -> dict[str, Any]:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return build_charts(results, t)
        return json.loads(data)

    return collect


def svg_data_url(svg: str) -> str:
    """The chart as a ``data:`` URL: the HTML carries it as one attribute, nothing is left unescaped, and
    WeasyPrint parses the SVG with its own (fast) XML parser instead of the HTML cascade."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# ---------------------------------------------------------------------------------------------
# Context, HTML, PDF
# ---------------------------------------------------------------------------------------------



def _short(text: str, limit: int) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def report_language(results: Results, lang: str | None) -> str:
    """The language asked for (the CLI's --lang), else the workbook's report_language, else English."""
    return i18n.normalize(lang or results.inputs.params.get("report_language") or i18n.DEFAULT_LANGUAGE)


Charts = dict[str, Any] | Callable[[], dict[str, Any]] | None


def build_context(results: Results, *, workbook_name: str, workbook_sha256: str, problems: list[Problem],
                  command_line: str, generated_at: datetime, charts: Charts = None,
                  lang: str | None = None) -> dict[str, Any]:
    """Everything the template shows. ``charts``: drawn ones, or a function that returns them (called last,
    so the rest is computed while they are drawn elsewhere), or None to draw them here."""
    from ..present import check_rows, model_checks, result_tables
    from . import decision as D
    from . import methods, reconcile
    from . import options as O
    from . import tables as T
    from . import uncertainty as U

    t = i18n.lang(report_language(results, lang))
    inp, core = results.inputs, results.core
    tables = result_tables(results, problems)
    th = D.thresholds(results)
    title = str(inp.param("report_title") or t.gettext("xlcost decision report"))
    names = [inp.display_name("scenarios", sid) for sid in core.scenario_ids]
    p = core.scenario_ids.index(results.primary_scenario)
    # Callers usually pass problems that already hold the model checks (api.evaluate adds them).
    plausibility = model_checks(results)
    input_problems = [x for x in problems if x not in plausibility]
    checked = input_problems + plausibility
    checks = check_rows(checked, gettext=t.gettext, ngettext=t.ngettext)
    recon = reconcile.rows(results, tables, t)
    recon_flat = [r for g in recon for r in g["rows"]]
    return {
        "lang": t.code,
        "html_lang": t.html_lang,
        "gap": t.gap,  # between two sentences: a space, none after a Chinese full stop
        "title": title,
        "header_title": _short(title, HEADER_TITLE_CHARS),
        "author": str(inp.param("report_author") or ""),
        "decision_requested": str(inp.param("decision_requested") or ""),
        "subject": SUBJECT,
        "keywords": ", ".join(KEYWORDS),
        "generated_at": generated_at,
        "generated_iso": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generated_date": t.F.date(generated_at.date()),
        "generated_text": generated_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "workbook_name": workbook_name,
        "workbook_short": _short(workbook_name, 60),
        "workbook_sha256": workbook_sha256,
        "version": xlcost_version(),
        "command_line": command_line,
        "decision": D.decision(results, th, t),
        "warnings": D.warnings(results, t),
        "thresholds": th,
        "scenario_names": names,
        "primary_index": p,
        "primary_name": names[p],
        "summary_figures": T.summary_figures(results, t),
        "simulation": U.chapter(results, t),
        "options": O.options(results, t),
        "option_rows": O.primary_rows(results, tables, t),
        "scenario_costs": O.scenario_costs(results, t),
        "api_caveat": O.api_caveat(results, t),
        "capacity_rows": O.capacity_rows(results, t),
        "load": O.load(results, t),
        "unit_costs": O.unit_costs(results, t),
        "workflow_costs": O.workflow_costs(results, t),
        "capacity_evidence": O.capacity_evidence(results, t),
        "gpu_price": T.gpu_price(results, t),
        "latency_rows": T.latency_rows(results, t),
        "impact": T.impact_rows(results, t),
        "sla_table": T.sla_rows(results, t),
        "implementation_rows": T.implementation_rows(results, t),
        "finance_rows": T.finance_rows(results, t),
        "implausible": any(any(r.get("flags", ())) for r in T.finance_rows(results, t)),
        "cash_flows": T.cash_flows(results, t),
        "risk": T.risk_register(results, t),
        "risk_by_scenario": T.risk_by_scenario(results, t),
        "market_groups": T.market_rows(results, t),
        "step_bands": T.step_bands(results, t),
        "tiers": T.tier_rows(results, t),
        "workflow_min_act_steps": [
            {"workflow": inp.display_name("workflows", wid), "steps": steps}
            for wid, steps in results.breakeven.workflow_min_act_steps.items()],
        "recon_groups": recon,
        "recon_count": len(recon_flat),
        "recon_matches": sum(r["status_code"] == "matches" for r in recon_flat),
        "recon_summary": reconcile.summary(results, tables, t),
        "checks": [{**row, "severity": t.L.severity(row["severity"])} for row in checks],
        "problem_count": len(input_problems),
        "checks_in_english": t.code != "en" and any(not x.msgid for x in checked),
        "assumptions": T.assumption_tables(results, t),
        "parameter_groups": T.parameter_groups(results, t),
        "params": inp.params,
        "upfront": core.upfront_usd,
        "recurring": core.recurring_usd_per_year,
        "annual_risk": core.expected_annual_risk_usd,
        "one_time_risk": core.expected_one_time_risk_usd,
        "gpu_hour_usd": core.gpu_hour_usd,
        "horizon": int(inp.param("horizon_years")),
        "discount_rate": float(inp.param("discount_rate")),
        "breakeven": results.breakeven,
        "conventions": t.F.conventions(),
        "methodology": methods.appendix(t),
        "market_targets": [t.L.market_target(k) for k in contract.MARKET_TARGETS if k != "none"],
        # Last: a pending drawing is collected only once everything else is ready.
        "charts": charts() if callable(charts) else charts if charts is not None else build_charts(results, t),
    }


def environment(dirs: list[Path], lang: str = "en"):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in dirs]),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks: whitespace collapsed, as Babel extracts them
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)
    t = i18n.lang(lang)
    env.filters.update(t.F.filters())
    return env


def _html(results: Results, *, workbook_name: str, workbook_sha256: str, problems: list[Problem],
          command_line: str, templates_dir: Path | None, generated_at: datetime | None,
          charts: Charts = None, lang: str | None = None) -> tuple[str, list[Path]]:
    dirs = template_dirs(templates_dir)
    when = resolve_generated_at(generated_at)
    code = report_language(results, lang)
    context = build_context(results, workbook_name=workbook_name, workbook_sha256=workbook_sha256,
                            problems=list(problems or []), command_line=command_line, generated_at=when,
                            charts=charts, lang=code)
    context["stylesheet"] = STYLESHEET
    html = environment(dirs, code).get_template(TEMPLATE).render(context)
    return html, dirs


def render_html(results: Results, *, workbook_name: str, workbook_sha256: str, problems: list[Problem],
                command_line: str, templates_dir: Path | None = None, generated_at: datetime | None = None,
                lang: str | None = None) -> str:
    """The report as one HTML document (stylesheet linked relative to the templates folder)."""
    html, _dirs = _html(results, workbook_name=workbook_name, workbook_sha256=workbook_sha256, problems=problems,
                        command_line=command_line, templates_dir=templates_dir, generated_at=generated_at, lang=lang)
    return html


def base_url(dirs: list[Path]) -> str:
    return dirs[0].as_uri() + "/"


def render_pdf(results: Results, *, workbook_name: str, workbook_bytes: bytes | None, workbook_sha256: str,
               problems: list[Problem], command_line: str, templates_dir: Path | None = None,
               generated_at: datetime | None = None, fetcher=None, lang: str | None = None,
               progress: Callable[[str], None] | None = None) -> bytes:
    """The report as tagged PDF/A-3b bytes, with the workbook embedded as its Source attachment.
    ``progress`` (optional) is called with the name of each stage as it starts."""
    say = progress or (lambda _stage: None)
    when = resolve_generated_at(generated_at)
    code = report_language(results, lang)
    say("drawing the charts")
    pending_charts = charts_in_background(results, i18n.lang(code))

    def collect_charts() -> dict[str, Any]:
        import weasyprint  # noqa: F401  - imported while the charts are drawn on the other core

        return pending_charts()

    say("writing the report")  # the report's figures and words are computed while the charts are drawn
    html, dirs = _html(results, workbook_name=workbook_name, workbook_sha256=workbook_sha256, problems=problems,
                       command_line=command_line, templates_dir=templates_dir, generated_at=when,
                       charts=collect_charts, lang=code)
    say("laying out the pages")
    return html_to_pdf(html, dirs, workbook_name=workbook_name, workbook_bytes=workbook_bytes, generated_at=when,
                       fetcher=fetcher)


# PDF/UA-1 identification, added to the XMP metadata WeasyPrint writes for PDF/A-3b (WeasyPrint's
# pdf_variant takes one variant; its tagging, pdf_tags, combines with any of them).
PDFUA_XMP = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
             b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
             b"<pdfuaid:part>1</pdfuaid:part></rdf:Description></rdf:RDF>")


def _finish(document, pdf) -> None:
    """Open with the bookmarks panel and the document's title in the window (PDF/UA asks for the title)."""
    import pydyf

    pdf.catalog["PageMode"] = "/UseOutlines"
    preferences = pdf.catalog.get("ViewerPreferences") or pydyf.Dictionary()
    preferences["DisplayDocTitle"] = "true"
    pdf.catalog["ViewerPreferences"] = preferences


def html_to_pdf(html: str, dirs: list[Path], *, workbook_name: str, workbook_bytes: bytes | None,
                generated_at: datetime, fetcher=None) -> bytes:
    from weasyprint import HTML, Attachment

    from .fetcher import TemplateFetcher

    fetcher = fetcher if fetcher is not None else TemplateFetcher(dirs)
    attachments = []
    if workbook_bytes is not None:
        naive = generated_at.astimezone(timezone.utc).replace(tzinfo=None)
        attachments.append(Attachment(
            string=bytes(workbook_bytes), name=Path(workbook_name).name or "workbook.xlsx",
            description="Source workbook: the exact inputs this report was computed from",
            relationship="Source", url_fetcher=fetcher, created=naive, modified=naive))
    identifier = hashlib.sha256(html.encode("utf-8") + (workbook_bytes or b"")).hexdigest()[:32].encode("ascii")
    document = HTML(string=html, base_url=base_url(dirs), url_fetcher=fetcher).render(pdf_tags=True)
    document.metadata.xmp_metadata = [*document.metadata.xmp_metadata, PDFUA_XMP]
    return document.write_pdf(attachments=attachments, pdf_variant="pdf/a-3b", pdf_identifier=identifier,
                              pdf_tags=True, finisher=_finish)
