"""The reconciliation with the published analysis, for readers: every figure in words, a cause for
every difference, and the findings in one paragraph for the executive summary."""

from __future__ import annotations

import math
from typing import Any

from ..engine.model import Results
from ..labels import namer
from .i18n import Lang

# A difference below this (relative) is rounding, whatever the workbook's tolerance.
ROUNDING = 0.01
# Sections of the reconciliation, by the first part of the metric id.
SECTIONS = (
    ("usd_per_gpu_hour", "pricing"), ("model", "pricing"), ("workflow", "workflows"), ("deployment", "deployment"),
    ("implementation", "finance"), ("finance", "finance"), ("risk", "finance"), ("market", "market"),
    ("latency", "latency"), ("breakeven", "market"), ("recommendation", "recommendation"),
)


def _section_titles(t: Lang) -> dict[str, str]:
    _ = t.gettext
    return {"pricing": _("GPU price and unit costs"), "workflows": _("Workflows"),
            "deployment": _("Capacity and annual cost"), "finance": _("Investment and returns"),
            "market": _("Market scenarios and breakeven"), "latency": _("Latency"),
            "recommendation": _("Recommendation matrix"), "other": _("Other figures")}


def _section(metric: str) -> str:
    head = metric.split(".", 1)[0]
    return next((name for prefix, name in SECTIONS if head == prefix), "other")


def _decimals(value: float) -> int:
    """Decimal places a published figure was written with (0.083 -> 3)."""
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 0
    return len(text.split(".")[1].rstrip("0"))


def rounds_to(published: float, computed: float) -> bool:
    """The computed figure, rounded as the published one is written, gives the published figure."""
    places = _decimals(published)
    return math.isclose(round(computed, places), published, rel_tol=0, abs_tol=10 ** -(places + 3))


def _format(value: float | None, unit: str, t: Lang) -> str:
    F = t.F
    if value is None:
        return F.never if unit == "months" else F.not_defined
    if unit in ("usd_per_1k_requests",):
        return F.usd(value, 3)
    text = F.fmt(value, unit)
    if unit in ("qps", "gpus", "ms", "months"):
        return f"{text} {t.L.unit(unit)}"
    return text


def rows(results: Results, tables: dict[str, list[dict]], t: Lang) -> list[dict[str, Any]]:
    """The reconciliation table in words, grouped by section; every 'differs' has a cause."""
    _, F = t.gettext, t.F
    names = namer(results.inputs)
    published = results.inputs.table("published")
    titles = _section_titles(t)
    groups: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(tables["reconciliation"]):
        unit = row.get("unit") or published["unit"][i] or ""
        pub, comp = row["published"], row["computed"]
        cause = row["cause"] or ""
        status = row["status"]
        if status == "differs" and not cause:
            cause = cause_of(pub, comp, unit, t)
        rel = row["relative_difference"]
        diff = row["difference"]
        label = t.L.metric(row["metric"], names, short=True) or row["metric"]
        entry = {"label": label, "metric": row["metric"], "source": published["source"][i] or "",
                 "published": _format(pub, unit, t), "computed": _format(comp, unit, t),
                 "difference": (F.points(diff) if unit == "fraction" else _format(diff, unit, t)) if diff is not None
                 else F.blank,
                 "relative": F.pct(rel) if rel is not None else "", "status": t.L.status(status),
                 "status_code": status.replace(" ", "-"), "cause": cause}
        section = _section(row["metric"])
        groups.setdefault(section, {"title": titles[section], "rows": []})["rows"].append(entry)
    return list(groups.values())


def cause_of(published: float, computed: float | None, unit: str, t: Lang) -> str:
    """A cause for a difference the workbook gives none for, from the figures themselves."""
    _, F = t.gettext, t.F
    if computed is None:
        return _("The model finds no such value (never reached, or not defined).")
    if rounds_to(published, computed):
        return _("Rounding: the published figure is the computed one rounded to {places} decimal places; the "
                 "difference is below the precision it was published with.").format(places=_decimals(published))
    if published and (published > 0) != (computed > 0):
        return _("The published figure has the wrong sign.")
    return _("No cause is recorded in the workbook; the difference is {rel}.").format(
        rel=F.pct((computed - published) / abs(published)) if published else F.blank)


def summary(results: Results, tables: dict[str, list[dict]], t: Lang) -> str:
    """The reconciliation's findings in one paragraph, most material first."""
    _ = t.gettext
    names = namer(results.inputs)
    recon = tables["reconciliation"]
    if not recon:
        return ""
    matches = [r for r in recon if r["status"] == "matches"]
    differs = [r for r in recon if r["status"] != "matches"]
    rounding = [r for r in differs if r["computed"] is not None and r["relative_difference"] is not None
                and (abs(r["relative_difference"]) < ROUNDING or rounds_to(r["published"], r["computed"]))]
    material = [r for r in differs if r not in rounding]
    text = _("Of {n} published figures, {m} match the model and {k} differ only by rounding.").format(
        n=len(recon), m=len(matches), k=len(rounding))
    if not material:
        return text
    findings = []
    # Figures of one kind (the cost per 1K requests of every model) are summed up as one finding.
    kinds: dict[str, list[dict]] = {}
    for r in material:
        kind = ".".join(p if j in (0, len(r["metric"].split(".")) - 1) else "*"
                        for j, p in enumerate(r["metric"].split(".")))
        kinds.setdefault(kind, []).append(r)

    def weight(group: list[dict]) -> float:
        worst = 0.0
        for r in group:
            if r["computed"] is None or not r["published"] or not r["computed"] \
                    or (r["published"] > 0) != (r["computed"] > 0):
                return math.inf
            worst = max(worst, abs(math.log(abs(r["published"] / r["computed"]))))
        return worst

    # The most material finding of each section first, in the order a board reads the case.
    best: dict[str, list[dict]] = {}
    for group in sorted(kinds.values(), key=weight, reverse=True):
        best.setdefault(_section(group[0]["metric"]) if group[0]["metric"] != "breakeven.min_qps" else "breakeven",
                        group)
    order = ("pricing", "deployment", "breakeven", "finance", "workflows", "market", "latency", "recommendation",
             "other")
    for section in order:
        group = best.get(section)
        if group is None:
            continue
        findings.append(_finding(group, names, t))
    shown = findings[:5]
    text += t.gap + _("The published analysis does not hold on {d} figures: {list}.").format(
        d=len(material), list=_("; ").join(shown))
    if len(findings) > len(shown):
        text += t.gap + _("The reconciliation lists the rest with their causes.")
    return text


def _finding(group: list[dict], names, t: Lang) -> str:
    """One finding of the summary paragraph for figures of one kind (e.g. every model's cost per 1K)."""
    _, F = t.gettext, t.F

    def label(r: dict) -> str:
        return t.L.metric(r["metric"], names, short=True) or r["metric"]

    unit = group[0].get("unit") or ""
    never = [x for x in group if x["computed"] is None]
    wrong = [x for x in group if x["computed"] is not None and x["published"]
             and (x["published"] > 0) != (x["computed"] > 0)]
    if wrong:
        x = wrong[0]
        return _("{figure} has the wrong sign ({published} published, {computed} computed)").format(
            figure=label(x), published=_format(x["published"], unit, t), computed=_format(x["computed"], unit, t))
    if never:
        x = never[0]
        return _("{figure}: {published} published; the model finds it never happens").format(
            figure=label(x), published=_format(x["published"], unit, t))
    ratios = sorted(x["published"] / x["computed"] for x in group)
    if len(group) > 1 and ratios[0] > 1.5:
        span = F.ratio(ratios[0]) if F.ratio(ratios[0]) == F.ratio(ratios[-1]) else \
            f"{F.ratio(ratios[0])}–{F.ratio(ratios[-1])}"
        return _("{figure} and {more} similar figures are overstated {ratio}").format(
            figure=label(group[0]), more=len(group) - 1, ratio=span)
    x = max(group, key=lambda r: abs(r["relative_difference"] or 0))
    return _("{figure}: {published} published, {computed} computed").format(
        figure=label(x), published=_format(x["published"], unit, t), computed=_format(x["computed"], unit, t))
