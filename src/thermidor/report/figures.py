"""Figures drawn with matplotlib (the object API, no pyplot: safe in a server's threads) and
returned as SVG or PNG bytes, with a text alternative generated from the same numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from thermidor.report.groups import Band, Group, date_quantiles
from thermidor.report.specs import (
    MARKED_EVENTS,
    SHORT_NAMES,
    FigureSpec,
    Panel,
    event_name,
    expand,
    label,
    marks,
    missing,
)

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip
DOCTYPE = re.compile(rb"<!DOCTYPE[^>]*>\s*")
STYLES = ("-", "--", ":", "-.")
# The figure's geometry in inches: each panel's axes, the title above, the ticks and x label
# below, then its legend under the axes (outside the data), one row of entries every LEGEND_ROW.
WIDTH, LEFT, RIGHT, GAP = 10.0, 0.8, 0.15, 0.75
PANEL_H, ABOVE, BELOW, LEGEND_ROW, LEGEND_PAD = 2.3, 0.4, 0.45, 0.16, 0.12
RC: Any = {  # typed loosely: matplotlib's stubs list every key as a Literal
    "svg.hashsalt": "thermidor",  # the same figure gives the same bytes
    "svg.fonttype": "path",  # no font files needed by the reader
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
}


@dataclass
class Drawn:
    """A rendered figure: its bytes, its text alternative, what the runs lacked, and the numbers
    drawn as CSV (one row per point of every line)."""

    spec: FigureSpec
    image: bytes | None
    fmt: str
    alt: str
    absent: list[str] = field(default_factory=list)
    csv: str = ""

    @property
    def drawn(self) -> bool:
        return self.image is not None


def render(spec: FigureSpec, groups: list[Group], fmt: str = "svg") -> Drawn:
    with mpl.rc_context(RC):
        fig, alt, absent, rows = draw(spec, groups)
        if fig is None:
            return Drawn(spec, None, fmt, "", absent)
        data = _save(fig, fmt)
    return Drawn(spec, data, fmt, alt, absent, table_csv(rows, any(g.size > 1 for g in groups)))


def draw(spec: FigureSpec, groups: list[Group]) -> tuple[Figure | None, str, list[str], list[Row]]:
    """The figure (None if the runs have none of its columns), its text alternative, the
    columns it lacks and the numbers it draws. Call inside ``mpl.rc_context(RC)``."""
    columns = set().union(*(g.columns for g in groups))
    absent = missing(spec, columns)
    panels = [p for p in spec.panels if expand(p.series, columns)]
    if not panels:
        return None, "", absent, []
    fig = Figure(figsize=(WIDTH, 4.0))
    alt = [f"{spec.title}."]
    rows: list[Row] = []
    legends = []
    for panel in panels:
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        words, handles = _panel(ax, panel, groups, columns, rows)
        alt.append(words)
        legends.append(handles)
    alt.append(_events_words(groups))
    _place(fig, legends)
    return fig, " ".join(alt), absent, rows


def _place(fig: Figure, legends: list[tuple[list[Any], list[str]]]) -> None:
    """Lay the panels out in one or two columns, each with its legend below it, outside the
    data; the figure is as tall as its panels and their legends need (fixed inches rather than a
    layout engine: drawing twice is most of the cost)."""
    axes = fig.axes
    ncols = 1 if len(axes) == 1 else 2
    per_row = 4 if ncols == 1 else 2  # legend entries side by side under one panel
    nrows = math.ceil(len(axes) / ncols)
    entries = [math.ceil(len(labels) / per_row) for _, labels in legends]
    below = [
        BELOW + LEGEND_PAD + LEGEND_ROW * max(entries[r * ncols : (r + 1) * ncols], default=0)
        for r in range(nrows)
    ]
    height = sum(ABOVE + PANEL_H + b for b in below) + 0.05
    fig.set_size_inches(WIDTH, height)
    width = (WIDTH - LEFT - RIGHT - GAP * (ncols - 1)) / ncols
    top = height
    for r in range(nrows):
        bottom = top - ABOVE - PANEL_H
        for c in range(ncols):
            i = r * ncols + c
            if i >= len(axes):
                break
            ax = axes[i]
            x0 = LEFT + c * (width + GAP)
            ax.set_position((x0 / WIDTH, bottom / height, width / WIDTH, PANEL_H / height))
            handles, labels = legends[i]
            if labels:
                ax.legend(handles, labels, loc="upper left", ncols=per_row, borderaxespad=0,
                          bbox_to_anchor=(0.0, -(BELOW + LEGEND_PAD / 2) / PANEL_H))  # fmt: skip
        top = bottom - below[r]


def _save(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None})
        # The DOCTYPE names a DTD by URL: no reader fetches it, but the file should name nothing.
        return DOCTYPE.sub(b"", buf.getvalue(), count=1)
    else:
        fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return buf.getvalue()


Row = tuple[str, str, str, np.datetime64, float, float, float]  # panel, series, group, date...


def table_csv(rows: list[Row], bands: bool) -> str:
    """The numbers of a figure as CSV: a row per date, a column per line drawn (``panel:
    series [scenario]``), with its 10% and 90% quantiles over seeds when there are several;
    empty where a line has no point on that date (harvests, yearly sums)."""
    names: dict[tuple[str, str, str], int] = {}
    by_date: dict[np.datetime64, dict[int, tuple[float, float, float]]] = {}
    for panel, series, group, date, med, lo, hi in rows:
        i = names.setdefault((panel, series, group), len(names))
        by_date.setdefault(date, {})[i] = (med, lo, hi)
    many = len({g for _, _, g in names}) > 1
    head = ["date"]
    for panel, series, group in names:
        col = f"{panel}: {series}" + (f" [{group}]" if many else "")
        head += [col, f"{col} p10", f"{col} p90"] if bands else [col]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for date in sorted(by_date):
        cells = [str(date)]
        for i in range(len(names)):
            v = by_date[date].get(i)
            vals = (v if bands else v[:1]) if v is not None else ((None,) * (3 if bands else 1))
            cells += ["" if x is None else f"{x:.6g}" for x in vals]
        w.writerow(cells)
    return buf.getvalue()


def _panel(
    ax: Axes, panel: Panel, groups: list[Group], columns: set[str], rows: list[Row]
) -> tuple[str, tuple[list[Any], list[str]]]:
    cols = expand(panel.series, columns)
    multi = len(groups) > 1
    words = [f"Panel '{panel.title}' ({panel.unit}):"]
    for gi, g in enumerate(groups):
        for si, col in enumerate(cols):
            band = g.annual(col) if panel.kind == "annual_sum" else g.band(col)
            if band is None:
                continue
            colour = COLOURS[(gi if multi else si) % len(COLOURS)]
            style = STYLES[si % len(STYLES)] if multi else STYLES[(si // len(COLOURS)) % 4]
            name = f"{label(col)} — {g.label}" if multi else label(col)
            if multi and len(cols) == 1:
                name = g.label
            _draw(ax, band, panel, colour, style, None if multi else name, g.size > 1)
            words.append(_describe(name, band, panel.unit))
            ok = band.valid()
            rows.extend(
                (panel.title, col, g.label, d, float(m), float(lo), float(hi))
                for d, m, lo, hi in zip(band.dates[ok], band.median[ok], band.p10[ok],
                                        band.p90[ok], strict=True)
            )  # fmt: skip
    words.extend(_marks(ax, cols, groups))
    words.extend(_forced(ax, groups, multi))
    _events(ax, groups, multi)
    years = mdates.YearLocator(1 if _span_years(groups) <= 8 else 2)
    ax.xaxis.set_major_locator(years)  # one locator per axis: a locator belongs to its axis
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_title(panel.title)
    ax.set_ylabel(panel.unit)
    ax.set_xlabel("date (year)")
    if panel.log:
        ax.set_yscale("log")
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    ax.grid(True, alpha=0.25)
    handles, labels = ax.get_legend_handles_labels()
    if multi:  # a colour per scenario and a dash per series, each said once
        proxies = [Line2D([], [], color=COLOURS[gi % len(COLOURS)], label=g.label)
                   for gi, g in enumerate(groups)]  # fmt: skip
        if len(cols) > 1:
            proxies += [Line2D([], [], color="#666666", ls=STYLES[si % len(STYLES)], label=label(c))
                        for si, c in enumerate(cols)]  # fmt: skip
        handles, labels = [*proxies, *handles], [*(h.get_label() for h in proxies), *labels]
    return " ".join(words), (list(handles), [str(x) for x in labels])


def marked_events(g: Group) -> list[tuple[str, dt.date, int]]:
    """The turning points to mark (MARKED_EVENTS) that happened in the group's runs: for each,
    the median date over the runs where it happened, and in how many it did."""
    per = g.event_dates()
    out = []
    for kind in MARKED_EVENTS:
        dates = per.get(kind, [])
        q = date_quantiles(dates)
        if q is not None:
            out.append((kind, q[0], sum(d is not None for d in dates)))
    return out


def _events(ax: Axes, groups: list[Group], multi: bool) -> None:
    """A vertical line at each turning point, with its name along it at the top of the panel."""
    seen: set[tuple[str, dt.date]] = set()
    placed: list[float] = []  # where names already stand: a close one is set lower
    for gi, g in enumerate(groups):
        colour = COLOURS[gi % len(COLOURS)] if multi else "#444444"
        for kind, when, _n in marked_events(g):
            x = float(mdates.date2num(when))
            ax.axvline(x, color=colour, lw=0.8, alpha=0.6, ls=(0, (1, 1.5)), zorder=1)
            if (kind, when) in seen:
                continue
            seen.add((kind, when))
            close = sum(abs(x - p) < 120 for p in placed)
            placed.append(x)
            ax.text(x, 0.98 - 0.3 * close, f" {SHORT_NAMES.get(kind, event_name(kind))}", rotation=90,
                    transform=ax.get_xaxis_transform(), ha="right", va="top", fontsize=6.5,
                    color=colour, clip_on=True, zorder=6,
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none",
                          "alpha": 0.7})  # fmt: skip


def _events_words(groups: list[Group]) -> str:
    parts = []
    for g in groups:
        got = marked_events(g)
        if not got:
            continue
        said = ", ".join(
            f"{event_name(k)} {str(d)[:7]}" + ("" if g.size == 1 else f" (median of {n} runs)")
            for k, d, n in got
        )
        parts.append(f"Turning points marked ({g.label}): {said}.")
    return " ".join(parts)


def _draw(
    ax: Axes, b: Band, panel: Panel, colour: str, style: str, name: str | None, bands: bool
) -> None:
    ok = b.valid()
    x, y = b.dates[ok], b.median[ok]
    if panel.log:
        y = np.where(y > 0, y, np.nan)
    points = panel.kind != "line"
    ax.plot(x, y, style, color=colour, lw=1.5, label=name, marker="o" if points else None, ms=3)
    if bands:
        ax.fill_between(x, b.p10[ok], b.p90[ok], color=colour, alpha=0.18, lw=0)


def _marks(ax: Axes, cols: list[str], groups: list[Group]) -> list[str]:
    lo = min(g.first.dates[0] for g in groups).astype(dt.date)
    hi = max(g.first.dates[-1] for g in groups).astype(dt.date)
    words = []
    shown: set[str] = set()
    for m in marks():
        if m.quantity not in cols or not lo <= m.date <= hi:
            continue
        kind = "essay: at least" if m.at_least else "essay's figure ± tolerance"
        ax.errorbar(
            [np.datetime64(m.date)],
            [m.value],
            yerr=None if m.at_least else [[m.tolerance], [m.tolerance]],
            fmt="^" if m.at_least else "D",
            color="black",
            ms=5,
            capsize=4,
            zorder=5,
            label=None if kind in shown else kind,
        )
        ax.annotate(m.id, (np.datetime64(m.date), m.value), xytext=(5, 4),
                    textcoords="offset points", fontsize=7)  # fmt: skip
        shown.add(kind)
        bound = "at least " if m.at_least else ""
        tol = "" if m.at_least else f" ± {number(m.tolerance)}"
        words.append(f"Essay's figure {m.id}: {label(m.quantity)} {bound}{number(m.value)}{tol} "
                     f"in {m.when}.")  # fmt: skip
    return words


def _forced(ax: Axes, groups: list[Group], multi: bool) -> list[str]:
    first = True
    words = []
    for gi, g in enumerate(groups):
        for date, e in g.forced():
            words.append(f"Forced decision ({g.label}): {event_name(e.kind)} in {_month(date)}.")
            ax.axvline(
                float(mdates.date2num(date)),
                color=COLOURS[gi % len(COLOURS)] if multi else "#555555",
                ls=(0, (2, 2)),
                lw=1,
                label="forced decision (intervention)" if first else None,
            )
            first = False
    return words


def _describe(name: str, b: Band, unit: str) -> str:
    ok = b.valid()
    if not ok.any():
        return f"{name}: no values."
    x, y = b.dates[ok], b.median[ok]
    i_lo, i_hi = int(np.argmin(y)), int(np.argmax(y))
    return (
        f"{name} from {number(y[0])} ({_month(x[0])}) to {number(y[-1])} ({_month(x[-1])}), "
        f"lowest {number(y[i_lo])} ({_month(x[i_lo])}), highest {number(y[i_hi])} ({_month(x[i_hi])})."
    )


def _span_years(groups: list[Group]) -> float:
    lo = min(g.first.dates[0] for g in groups)
    hi = max(g.first.dates[-1] for g in groups)
    return float((hi - lo).astype("timedelta64[D]").astype(int)) / 365.25


def _tick(x: float, _pos: int) -> str:
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:g}M"
    if a >= 1e4:
        return f"{x / 1e3:g}k"
    return f"{x:g}"


def _month(d: np.datetime64) -> str:
    return str(d.astype("datetime64[M]"))


def number(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:.3g} million"
    if a >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def probability_chart(
    rows: list[tuple[str, float, float, float]], title: str, fmt: str = "svg"
) -> bytes:
    """Horizontal bars of probabilities with their intervals: (label, p, lo, hi) per row."""
    with mpl.rc_context(RC):
        fig = Figure(figsize=(10, 0.6 + 0.45 * len(rows)), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(rows))[::-1]
        p = np.array([r[1] for r in rows])
        err = np.clip(np.array([[r[1] - r[2] for r in rows], [r[3] - r[1] for r in rows]]), 0, 1)
        ax.barh(y, p, color=[COLOURS[i % len(COLOURS)] for i in range(len(rows))], alpha=0.8,
                label="share of seeds")  # fmt: skip
        ax.errorbar(p, y, xerr=err, fmt="none", color="black", capsize=4, label="95% interval")
        ax.set_yticks(y, [r[0] for r in rows])
        ax.set_xlim(0, 1)
        ax.set_xlabel("probability (share of seeds)")
        ax.set_title(title)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        return _save(fig, fmt)


def convergence_chart(rows: list[dict[str, Any]], title: str, fmt: str = "svg") -> bytes:
    """A panel per outcome: each group's total-order index (± half its 95% interval) against
    the base sample, on a log-2 axis (``rows``: the ``convergence`` rows of a sensitivity)."""
    outcomes = list(dict.fromkeys(str(r["outcome"]) for r in rows))
    groups = list(dict.fromkeys(str(r["group"]) for r in rows))
    with mpl.rc_context(RC):
        fig = Figure(figsize=(4 * max(len(outcomes), 1), 3.4), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, max(len(outcomes), 1), sharey=True))
        for ax, o in zip(axes, outcomes, strict=False):
            for gi, g in enumerate(groups):
                pts = sorted(
                    (int(r["base"]), float(r["st"]), float(r.get("st_conf") or 0.0))
                    for r in rows
                    if r["outcome"] == o and r["group"] == g and r.get("st") is not None
                )
                if not pts:
                    continue
                xs, ys, es = zip(*pts, strict=True)
                ax.errorbar(xs, ys, yerr=es, marker="o", ms=3, capsize=2, label=g,
                            color=COLOURS[gi % len(COLOURS)])  # fmt: skip
            ax.set_xscale("log", base=2)
            ax.set_title(o)
            ax.set_xlabel("base sample")
            ax.axhline(0, color="#888888", lw=0.8)
        axes[0].set_ylabel("total-order Sobol index")
        axes[-1].legend(title="factors", loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.suptitle(title)
        return _save(fig, fmt)


def sensitivity_chart(rows: list[dict[str, Any]], title: str, fmt: str = "svg") -> bytes:
    """Grouped bars: an outcome per cluster, a bar per group (structural, political, chance)."""
    outcomes = list(dict.fromkeys(str(r["outcome"]) for r in rows))
    groups = list(dict.fromkeys(str(r["group"]) for r in rows))
    with mpl.rc_context(RC):
        fig = Figure(figsize=(10, 3.6), layout="constrained")
        ax = fig.subplots()
        width = 0.8 / max(len(groups), 1)
        for gi, g in enumerate(groups):
            xs, ys, errs = [], [], []
            for oi, o in enumerate(outcomes):
                r = next((r for r in rows if r["outcome"] == o and r["group"] == g), None)
                if r is None or r.get("st") is None:
                    continue
                xs.append(oi + (gi - (len(groups) - 1) / 2) * width)
                ys.append(float(r["st"]))
                errs.append(float(r.get("st_conf") or 0.0))
            ax.bar(xs, ys, width, yerr=errs, capsize=3, label=g, color=COLOURS[gi % len(COLOURS)])
        ax.set_xticks(range(len(outcomes)), outcomes)
        ax.set_ylabel("total-order Sobol index (share of variance)")
        ax.set_xlabel("outcome")
        ax.set_title(title)
        ax.axhline(0, color="#888888", lw=0.8)
        ax.legend(title="factors", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        return _save(fig, fmt)
