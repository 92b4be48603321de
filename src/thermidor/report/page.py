"""The report as one self-contained HTML file: inline CSS, figures as data URIs, no scripts, no
fonts, nothing fetched from anywhere."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from thermidor.lab.compare import DIFFERENCES, RESAMPLES, differences, record, summarise
from thermidor.lab.outcomes import BY, CONSOLIDATION, modelled_event
from thermidor.model.targets import score
from thermidor.report import figures
from thermidor.report.groups import Group, date_quantiles
from thermidor.report.specs import FIGURES, SECTIONS, event_name, label
from thermidor.report.stats import difference, share

Mode = Literal["run", "ensemble", "compare"]


@dataclass(frozen=True)
class Sensitivity:
    """One sensitivity analysis from the lab's store: grouped Sobol indices (structural,
    political, chance) and Morris screening of every parameter, by outcome."""

    analysis: str
    sobol: list[dict[str, Any]]  # outcome, ranges, group, s1, s1_conf, st, st_conf
    morris: list[dict[str, Any]]  # outcome, factor, group, mu_star, mu_star_conf, sigma
    about: dict[str, Any]  # budget, trajectories, runs, until, source_hash


def build(
    groups: Sequence[Group],
    mode: Mode,
    *,
    title: str | None = None,
    sensitivity: Sensitivity | None = None,
    generated: str | None = None,
) -> str:
    """The whole page. ``mode`` says whether the groups are one run, one ensemble or a comparison."""
    gs = list(groups)
    if not gs:
        raise ValueError("a report needs at least one run")
    title = title or _title(gs, mode)
    counter = _Counter()
    parts = [
        _runs(gs, mode),
        _chronology(gs, mode),
        _targets(gs, mode),
        _outcomes(gs, mode, counter),
    ]
    for sec in ("classes", "output", "party", "indices", "factions", "grain"):
        parts.append(_figure_section(sec, gs, mode, counter))
    parts.append(_sensitivity(sensitivity, counter))
    toc = "".join(f'<li><a href="#{s.id}">{_e(s.title)}</a></li>' for s in SECTIONS)
    stamp = generated or dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1 id="top">{_e(title)}</h1>'
        f'<p class="sub">A thermidor report: Chris Harman, <i>Russia: How the Revolution was '
        f"Lost</i> (1967), as an executable model. Generated {_e(stamp)}.</p>"
        f'<nav aria-label="sections"><ol>{toc}</ol></nav></header><main>'
        + "".join(parts)
        + "</main></body></html>\n"
    )


def _title(gs: list[Group], mode: Mode) -> str:
    if mode == "compare":
        return "Comparison: " + " vs ".join(g.label for g in gs)
    g = gs[0]
    if mode == "ensemble":
        return f"Ensemble: {g.label} ({runs(g.size)})"
    return f"Run: {g.label}"


def runs(n: int) -> str:
    """'1 run', '20 runs'."""
    return "1 run" if n == 1 else f"{n} runs"


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


# -- sections ------------------------------------------------------------------------------
def _section(id_: str, body: str) -> str:
    title = next(s.title for s in SECTIONS if s.id == id_)
    return f'<section id="{id_}"><h2>{_e(title)}</h2>{body}</section>'


def _runs(gs: list[Group], mode: Mode) -> str:
    head = ["", "scenario", "class", "section", "period", "runs", "persons per agent",
            "interventions", "version", "run time"]  # fmt: skip
    rows = []
    for g in gs:
        sc = g.scenario
        meta = sc.get("meta", {})
        run = sc.get("run", {})
        seeds = g.seeds
        seed_text = (
            f"{runs(len(seeds))} ({'seed' if len(seeds) == 1 else 'seeds'} "
            f"{', '.join(map(str, seeds))})"
            if len(seeds) <= 4
            else runs(len(seeds))
        )
        m = g.first.manifest
        scales = m.get("scales", {})
        wall = sum(float(r.manifest.get("wall_time_s", 0.0)) for r in g.results)
        end = str(g.first.dates[-1])
        rows.append([
            _e(g.label),
            f"{_e(meta.get('title', sc.get('name', '')))}<br><small>{_e(meta.get('description', ''))}</small>",
            _e(meta.get("class", "")), _e(meta.get("section", "")),
            f"{_e(run.get('start', ''))} to {_e(end)}", _e(seed_text),
            _e(", ".join(f"{k} {v}" for k, v in scales.items())),
            _e("; ".join(g.interventions) or "none"),
            _e(f"{m.get('package_version', '?')} ({m.get('source_hash', '?')})"),
            _e(f"{wall:.1f} s"),
        ])  # fmt: skip
    body = _table(head, rows, cls="runs", raw=True)
    if mode != "run":
        lines = dict.fromkeys(g.uncertainty_line() for g in gs)
        body += "".join(f'<p class="uncertainty">{_e(line)}</p>' for line in lines)
    drawn = sorted({n for g in gs for n in g.drawn})
    if drawn:
        body += (
            f"<p>Each member drew {len(drawn)} parameters for itself (the same draw for member "
            f"<i>k</i> in every scenario, unless the scenario sets the parameter): "
            f"{_e(', '.join(drawn))}.</p>"
        )
    changed = _changed_params(gs, set(drawn))
    if changed:
        body += "<h3>Parameters that differ from the declared defaults</h3>" + changed
    if mode == "ensemble":
        body += (
            f"<p>Charts show the median of {runs(gs[0].size)} with a band from the 10th to "
            "the 90th percentile.</p>"
        )
    elif mode == "compare":
        body += (
            "<p>Each scenario is drawn in its own colour; with several seeds, the median with a "
            "10–90% band. Runs with the same seeds share their random numbers, so differences "
            "between scenarios are the interventions', not noise's. Dotted vertical lines mark "
            "forced decisions.</p>"
        )
    return _section("runs", body)


def _changed_params(gs: list[Group], drawn: set[str] | frozenset[str] = frozenset()) -> str:
    """The parameters a scenario sets away from its default (not those drawn per member)."""
    from thermidor.model.params import BY_NAME

    names: list[str] = []
    for g in gs:
        own = set(g.first.manifest.get("uncertainty", {}).get("overridden", {}))
        for k, v in g.scenario.get("params", {}).items():
            p = BY_NAME.get(k)
            if k in drawn and k not in own:
                continue
            if p is not None and float(v) != p.default and k not in names:
                names.append(k)
    if not names:
        return ""
    head = ["parameter", "default", *(g.label for g in gs), "unit", "class", "meaning"]
    rows = []
    for k in sorted(names):
        p = BY_NAME[k]
        vals = [
            "drawn per member" if k in g.drawn
            else f"{float(g.scenario.get('params', {}).get(k, p.default)):g}"
            for g in gs
        ]  # fmt: skip
        rows.append([k, f"{p.default:g}", *vals, p.unit, p.cls, p.meaning])
    return _table(head, rows, cls="params")


def _chronology(gs: list[Group], mode: Mode) -> str:
    if mode == "run":
        r = gs[0].first
        rows = []
        for e in r.events:
            if e.kind == "soviet_election":
                continue
            text = e.text
            if "for" in e.data and "against" in e.data:
                text += f" (for {e.data['for']}, against {e.data['against']})"
            cls = "forced" if e.data.get("forced") else ("quiet" if e.kind == "congress" else "")
            rows.append((cls, [str(r.dates[e.step]), event_name(e.kind), text]))
        body = _table_cls(["week of", "event", "what happened"], rows, cls="chronology")
        if r.manifest.get("interventions"):
            body += (
                f'<p class="note">Interventions: {_e("; ".join(r.manifest["interventions"]))}</p>'
            )
        return _section("chronology", body)
    # an ensemble or a comparison: when each event happened, across seeds
    per = [g.event_dates() for g in gs]
    keys = _ordered_keys(per)
    if mode == "ensemble":
        g = gs[0]
        rows2 = []
        for k in keys:
            dates = per[0].get(k, [None] * g.size)
            q = date_quantiles(dates)
            n = sum(d is not None for d in dates)
            rows2.append(
                [event_name(k), f"{n} of {runs(g.size)}", *(_dq(q) if q else ["never", "–"])]
            )
        head = ["event", "happened in", "median date", "10%–90% of dates"]
        body = _table(head, rows2, cls="chronology")
    else:
        head = ["event", *(g.label for g in gs)]
        rows2 = []
        for k in keys:
            cells = [event_name(k)]
            for g, p in zip(gs, per, strict=True):
                dates = p.get(k, [None] * g.size)
                q = date_quantiles(dates)
                n = sum(d is not None for d in dates)
                cells.append("never" if q is None else (
                    str(q[0]) if g.size == 1 else f"{q[0]} ({n} of {runs(g.size)})"))  # fmt: skip
            rows2.append(cells)
        body = _table(head, rows2, cls="chronology")
    body += (
        '<p class="note">The first date of each event in each run; for several seeds, the median '
        "over the seeds in which it happened.</p>"
    )
    return _section("chronology", body)


def _ordered_keys(per: list[dict[str, list[dt.date | None]]]) -> list[str]:
    first: dict[str, int] = {}
    for p in per:
        for k, dates in p.items():
            ords = [d.toordinal() for d in dates if d is not None]
            if ords:
                first[k] = min(first.get(k, 10**9), int(np.median(ords)))
    return sorted(first, key=lambda k: (first[k], k))


def _dq(q: tuple[dt.date, dt.date, dt.date]) -> list[str]:
    return [str(q[0]), f"{q[1]} – {q[2]}"]


def _targets(gs: list[Group], mode: Mode) -> str:
    scored = [score(g.results) for g in gs]
    if mode != "compare":
        rows = []
        for r in scored[0]:
            rows.append((_verdict(r), [
                r["id"], r["quantity"], r["when"], _essay(r), _sim(r, "simulated_median"),
                "–" if not r["modelled"] or gs[0].size == 1 else f"{_sim(r, 'p10')} – {_sim(r, 'p90')}",
                "–" if not r["modelled"] else f"{r['hit_rate']:.0%}", _verdict(r), r["role"],
                r["section"],
            ]))  # fmt: skip
        head = ["id", "quantity", "when", "essay", "model (median)", "10%–90%", "hit rate",
                "result", "role", "section"]  # fmt: skip
        body = _table_cls(head, rows, cls="targets")
    else:
        head = ["id", "quantity", "when", "essay", *(g.label for g in gs), "role"]
        rows3 = []
        for i, r in enumerate(scored[0]):
            cells = [r["id"], r["quantity"], r["when"], _essay(r)]
            for s in scored:
                x = s[i]
                cells.append(
                    "not modelled yet" if not x["modelled"]
                    else f"{_sim(x, 'simulated_median')} — {_verdict(x)} ({x['hit_rate']:.0%})"
                )  # fmt: skip
            cells.append(r["role"])
            rows3.append(("", cells))
        body = _table_cls(head, rows3, cls="targets")
    n_pass = [sum(r["passed"] for r in s) for s in scored]
    n_mod = [sum(r["modelled"] for r in s) for s in scored]
    summary = "; ".join(f"{g.label}: {p} of {m} modelled targets pass"
                        for g, p, m in zip(gs, n_pass, n_mod, strict=True))  # fmt: skip
    body = (
        f"<p>{_e(summary)} ({len(scored[0])} targets in TARGETS.csv). A run hits a figure within "
        "its tolerance, or a date within its window; a target passes when at least 80% of seeds "
        "hit. <em>Calibrated</em> targets were in view when a parameter was set; "
        "<em>emergent</em> ones were not.</p>" + body
    )
    return _section("targets", body)


def _verdict(r: dict[str, Any]) -> str:
    if not r["modelled"]:
        return "not modelled yet"
    return "pass" if r["passed"] else "fail"


def _essay(r: dict[str, Any]) -> str:
    if r["kind"] == "order":
        return str(r["target"])
    if r["kind"] == "event":
        return f"{r['when']} ± {r['tolerance']:g} months"
    if r["target"] is None:
        return "–"
    if r.get("compare") == "at_least":
        return f"≥ {figures.number(r['target'])}"
    return f"{figures.number(r['target'])} ± {figures.number(r['tolerance'] or 0)}"


def _sim(r: dict[str, Any], key: str) -> str:
    v = r[key]
    if not r["modelled"]:
        return "–"
    if r["kind"] in ("event", "order"):
        return "never" if v is None else str(v)
    return "–" if v is None else figures.number(v)


def _outcomes(gs: list[Group], mode: Mode, counter: _Counter) -> str:
    if not modelled_event(CONSOLIDATION):
        body = (
            '<p class="missing" id="outcomes-missing">This version of the model does not yet date '
            f"the bureaucracy's consolidation (event <code>{CONSOLIDATION}</code>), so no "
            "probability of consolidation can be given.</p>"
        )
    elif mode == "run":
        r = gs[0].first
        e = r.first(CONSOLIDATION)
        when = (
            f"consolidated as a ruling class in the week of {r.dates[e.step]}"
            if e is not None
            else f"had not consolidated by the run's end ({r.dates[-1]})"
        )
        body = (
            f"<p>In this run the bureaucracy {when}. One run gives no probability: "
            "an ensemble (<code>thermidor report --ensemble</code>) does.</p>"
        )
    else:
        body = _consolidation(gs, mode, counter)
    if mode == "compare":
        body += _event_probabilities(gs)
    return _section("outcomes", body)


def _consolidation(gs: list[Group], mode: Mode, counter: _Counter) -> str:
    """The lab's comparison statistics (``thermidor.lab.compare``) over the groups' runs."""
    data = [np.stack([record(r, CONSOLIDATION) for r in g.results]) for g in gs]
    sums = [summarise(x) for x in data]
    rows = [
        (g.label, s["probability"], *s["probability_interval"])
        for g, s in zip(gs, sums, strict=True)
    ]
    img = figures.probability_chart(
        rows, f"Probability that the bureaucracy consolidates by {BY.year}"
    )
    said = "; ".join(
        f"{g.label} {s['probability']:.0%} (95% interval {s['probability_interval'][0]:.0%} to "
        f"{s['probability_interval'][1]:.0%}, {runs(s['runs'])})"
        for g, s in zip(gs, sums, strict=True)
    )
    body = _figure_html(
        "fig-consolidation", counter.next(), "Probability of consolidation", img, "svg",
        f"Bar chart: probability that the bureaucracy consolidates by {BY}: {said}.",
        "The share of seeds in which the bureaucracy consolidated as a ruling class (both "
        f"components of M15 past their declared thresholds) by {BY}, with Wilson 95% intervals.",
        [], _csv(["scenario", "runs", "probability", "lo", "hi"],
                 [[g.label, s["runs"], *r[1:]] for g, s, r in zip(gs, sums, rows, strict=True)]),
    )  # fmt: skip
    head = ["scenario", f"P(by {BY.year})", "never", "median date", "Kaplan–Meier median",
            "workers' democracy 1927", "party democracy 1927", "turn of 1928"]  # fmt: skip
    table = []
    for g, s in zip(gs, sums, strict=True):
        lo, hi = s["probability_interval"]
        turn = s["turn_of_1928"]
        table.append([
            g.label, f"{s['probability']:.0%} ({lo:.0%}–{hi:.0%})", f"{s['never_share']:.0%}",
            s["median_date"] or "–", s["km_median_date"] or "–",
            _f(s["workers_democracy_1927"]), _f(s["party_democracy_1927"]),
            f"{turn['share']:.0%}, median {turn['median_date'] or '–'}",
        ])  # fmt: skip
    body += _table(head, table, cls="outcomes")
    end = min(g.first.dates[-1] for g in gs).astype(dt.date)
    if end < BY:
        body += f'<p class="note">The runs end on {end}: "by {BY.year}" means by then.</p>'
    if mode == "compare":
        body += _differences(gs, data)
    return body


def _differences(gs: list[Group], data: list[np.ndarray]) -> str:
    base = gs[0]
    head = ["against " + base.label, *(name.replace("_", " ") for name in DIFFERENCES)]
    rows = []
    for g, x in zip(gs[1:], data[1:], strict=True):
        if g.seeds != base.seeds:
            rows.append([g.label, *(["not paired: other seeds"] * len(DIFFERENCES))])
            continue
        d = differences(data[0], x, RESAMPLES, 0)
        rows.append([g.label, *(_interval(d[name]) for name in DIFFERENCES)])
    return (
        "<h3>Differences from the base, paired by seed</h3>"
        + _table(head, rows, cls="differences")
        + '<p class="note">Each alternative minus the base over the pairs of runs with the same '
        "seed (common random numbers), with 95% intervals from a paired bootstrap over seeds; "
        "dates in months.</p>"
    )


def _interval(d: dict[str, Any]) -> str:
    if d.get("estimate") is None:
        return "–"
    unit = d.get("unit", "")
    if unit == "probability":
        fmt = lambda v: f"{v * 100:+.0f} pp"  # noqa: E731
    else:
        fmt = lambda v: f"{v:+.2g}" + (" months" if unit == "months" else "")  # noqa: E731
    if d.get("lo") is None or d.get("hi") is None:
        return fmt(d["estimate"])
    return f"{fmt(d['estimate'])} ({fmt(d['lo'])} to {fmt(d['hi'])})"


def _event_probabilities(gs: list[Group]) -> str:
    base = gs[0]
    kinds = sorted({e.kind for g in gs for r in g.results for e in r.events} - {"congress"})
    if modelled_event(CONSOLIDATION) and CONSOLIDATION not in kinds:
        kinds.insert(0, CONSOLIDATION)
    head = ["event (by the end of the run)", *(g.label for g in gs)]
    head += [f"{g.label} − {base.label}" for g in gs[1:]]
    rows = []
    for k in kinds:
        cells = [event_name(k)]
        occ = [g.occurred(k) for g in gs]
        for o in occ:
            s = share(o)
            cells.append(f"{s.p:.0%} ({s.lo:.0%}–{s.hi:.0%})")
        for g, o in zip(gs[1:], occ[1:], strict=True):
            paired = g.seeds == base.seeds
            d = difference(occ[0], o, paired=paired)
            cells.append(
                f"{d.diff:+.0%} ({d.lo:+.0%} to {d.hi:+.0%}){'' if paired else ' unpaired'}"
            )
        rows.append(cells)
    return (
        "<h3>How often each event happened</h3>"
        + _table(head, rows, cls="probabilities")
        + '<p class="note">Share of seeds in which the event happened at least once, with Wilson '
        "95% intervals; differences against the first scenario with 95% bootstrap intervals, "
        "paired by seed where both ran the same seeds.</p>"
    )


def _figure_section(sec: str, gs: list[Group], mode: Mode, counter: _Counter) -> str:
    body = ""
    for spec in (f for f in FIGURES if f.section == sec):
        d = figures.render(spec, gs)
        if not d.drawn:
            body += (
                f'<p class="missing" id="{spec.id}-missing"><strong>{_e(spec.title)}</strong>: not '
                f"drawn, as these runs have no column {_e(', '.join(d.absent))} (not produced by "
                "this version of the model).</p>"
            )
            continue
        assert d.image is not None
        extra = "" if gs[0].size == 1 else " Lines are medians over seeds; bands span 10–90%."
        body += _figure_html(spec.id, counter.next(), spec.title, d.image, d.fmt, d.alt,
                             spec.about + extra, d.absent, d.csv)  # fmt: skip
    if sec == "factions":
        body += _votes(gs, mode)
    return _section(sec, body)


def _figure_html(
    id_: str,
    n: int,
    title: str,
    image: bytes,
    fmt: str,
    alt: str,
    about: str,
    absent: list[str],
    numbers: str = "",
) -> str:
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    src = f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"
    note = ""
    if absent:
        note = f' <span class="missing">Not in these runs: {_e(", ".join(absent))}.</span>'
    link = ""
    if numbers:  # the figure's numbers, inside the file: a download needs nothing fetched
        data = base64.b64encode(numbers.encode("utf-8")).decode("ascii")
        link = (
            f' <a class="csv" id="{id_}-csv" download="{id_}.csv" '
            f'href="data:text/csv;charset=utf-8;base64,{data}">The numbers (CSV)</a>'
        )
    return (
        f'<figure id="{id_}"><img src="{src}" alt="{_e(alt)}">'
        f"<figcaption><strong>Figure {n}. {_e(title)}.</strong> {_e(about)}{note}{link}"
        "</figcaption></figure>"
    )


def _csv(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    w.writerows(["" if v is None else (f"{v:.6g}" if isinstance(v, float) else v) for v in r]
                for r in rows)  # fmt: skip
    return buf.getvalue()


def _votes(gs: list[Group], mode: Mode) -> str:
    body = '<h3 id="votes">Votes at each confrontation</h3>'
    any_votes = False
    for g in gs:
        votes = g.votes()
        who = "" if mode == "run" else f"{g.label}, seed {g.seeds[0]}: "
        if not votes:
            continue
        any_votes = True
        rows = []
        for date, e in votes:
            d = e.data
            rows.append([str(date), str(d.get("body", "")), str(d.get("motion", e.text)),
                         str(d.get("for", "")), str(d.get("against", "")),
                         str(d.get("abstained", "")), _by_faction(d.get("by_faction"))])  # fmt: skip
        if who:
            body += f"<h4>{_e(who.rstrip(': '))}</h4>"
        body += _table(["date", "body", "motion", "for", "against", "abstained", "by faction"],
                       rows, cls="votes")  # fmt: skip
    if not any_votes:
        body += (
            '<p class="missing" id="votes-missing">No votes were recorded: these runs have no '
            "confrontation events with vote counts (not produced by this version of the model, "
            "or no confrontation happened).</p>"
        )
    return body


def _by_faction(x: Any) -> str:
    if not isinstance(x, dict):
        return "" if x is None else str(x)
    parts = []
    for k, v in x.items():
        if isinstance(v, dict):
            parts.append(f"{label(str(k))}: " + ", ".join(f"{a} {b}" for a, b in v.items()))
        else:
            parts.append(f"{label(str(k))}: {v}")
    return "; ".join(parts)


def _sensitivity(s: Sensitivity | None, counter: _Counter) -> str:
    if s is None or not (s.sobol or s.morris):
        return _section("sensitivity", (
            '<p class="missing" id="sensitivity-missing">The store holds no sensitivity indices '
            "(<code>thermidor sensitivity</code> computes them and keeps them in the store).</p>"
        ))  # fmt: skip
    about = ", ".join(f"{k} {v}" for k, v in s.about.items())
    body = (
        f"<p>Analysis <code>{_e(s.analysis)}</code> ({_e(about)}). How much of each outcome's "
        "variance comes from the structural parameters, the political ones, and chance (the "
        "seed): Sobol indices by group, first order (alone) and total (with interactions), "
        "± their 95% confidence.</p>"
    )
    documented = [r for r in s.sobol if r.get("ranges") == "documented"]
    if documented:
        img = figures.sensitivity_chart(documented, "Total-order Sobol indices by group")
        alt = "Bar chart of total-order Sobol indices: " + "; ".join(
            f"{r['outcome']}, {r['group']}: {_f(r.get('st'))}" for r in documented
        )
        body += _figure_html(
            "fig-sensitivity", counter.next(), "Sensitivity by group", img, "svg", alt,
            "Total-order Sobol indices of each outcome by group of factors, documented ranges, "
            "with 95% confidence intervals.", [],
            _csv(["outcome", "group", "st", "st_conf", "s1", "s1_conf"],
                 [[r.get(k) for k in ("outcome", "group", "st", "st_conf", "s1", "s1_conf")]
                  for r in documented]),
        )  # fmt: skip
    rows = [[r.get("outcome"), r.get("ranges"), r.get("group"), _pm(r.get("s1"), r.get("s1_conf")),
             _pm(r.get("st"), r.get("st_conf"))] for r in s.sobol]  # fmt: skip
    if rows:
        body += "<h3>Sobol indices by group (documented, narrowed and widened ranges)</h3>"
        body += _table(["outcome", "ranges", "group", "first order", "total"], rows, "sensitivity")
    top = sorted(s.morris, key=lambda r: -(r.get("mu_star") or 0.0))
    outcomes = list(dict.fromkeys(str(r.get("outcome")) for r in top))
    for o in outcomes[:3]:
        mrows = [[r.get("factor"), r.get("group"), _pm(r.get("mu_star"), r.get("mu_star_conf")),
                  _f(r.get("sigma"))] for r in top if r.get("outcome") == o][:10]  # fmt: skip
        body += f"<h3>Morris screening: the ten parameters that move <code>{_e(o)}</code> most</h3>"
        body += _table(["parameter", "class", "μ* (mean |effect|)", "σ"], mrows, "morris")
    return _section("sensitivity", body)


def _pm(x: Any, conf: Any) -> str:
    if x is None:
        return "–"
    return f"{float(x):.3f}" + ("" if conf is None else f" ± {float(conf):.3f}")


def _f(x: Any) -> str:
    return "–" if x is None else f"{float(x):.3f}"


# -- html helpers --------------------------------------------------------------------------
def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _table(head: Iterable[str], rows: Iterable[Sequence[Any]], cls: str, raw: bool = False) -> str:
    return _table_cls(head, (("", r) for r in rows), cls, raw)


def _table_cls(
    head: Iterable[str],
    rows: Iterable[tuple[str, Sequence[Any]]],
    cls: str,
    raw: bool = False,
) -> str:
    esc: Callable[[Any], str] = (lambda x: str(x)) if raw else _e
    th = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    body = []
    for row_cls, row in rows:
        attr = f' class="{_e(row_cls)}"' if row_cls else ""
        tds = "".join(f'<td class="{_cell_cls(c)}">{_dates(esc(c))}</td>' for c in row)
        body.append(f"<tr{attr}>{tds}</tr>")
    return (
        f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}(?:-\d{2})?(?![\w-])")


def _dates(cell: str) -> str:
    """Every date in a cell held on one line: a browser may break a line at a date's hyphens."""
    return DATE.sub(lambda m: f'<span class="date">{m.group(0)}</span>', cell)


def _cell_cls(c: Any) -> str:
    s = str(c)
    if s in ("pass", "fail"):
        return s
    if s.startswith("not modelled"):
        return "na"
    return ""


CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
margin:0;background:#fafafa}
header{background:#3b0d0d;color:#fff;padding:1.2em 2em}header a{color:#ffd9d9}
h1{margin:0 0 .2em;font-size:1.6em}.sub{margin:0 0 .6em;opacity:.9}
nav ol{margin:0;padding:0;list-style:none;counter-reset:s}nav li{display:inline-block;margin:0 1.2em .2em 0;counter-increment:s}nav li::before{content:counter(s) ". "}
main{max-width:1100px;margin:0 auto;padding:1em 2em 3em}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:.6em 1.4em 1.2em;
margin:1.2em 0}
h2{border-bottom:2px solid #8b1a1a;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;font-size:.85em;margin:.6em 0}
th,td{border-bottom:1px solid #e6e6e6;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f2eeee}td.pass{color:#17692a;font-weight:600}td.fail{color:#a11;font-weight:600}
td.na{color:#888}tr.forced td{background:#fff4d6}tr.quiet td{color:#777}
figure{margin:1em 0}figure img{width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.88em;color:#333;margin-top:.3em}
.missing{color:#8a5a00;background:#fff8e6;padding:.4em .6em;border-radius:4px}
.note{font-size:.85em;color:#555}small{color:#666}.date{white-space:nowrap}
a.csv{white-space:nowrap;font-size:.95em}
@media print{header{background:none;color:#000}section{border:none}}
"""
