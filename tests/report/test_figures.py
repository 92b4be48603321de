"""The report's figures as a reader uses them: the turning points marked on every time series
and named in words, legends outside the data, every figure's numbers inside the file as CSV,
dates held on one line, and a single run called one run."""

from __future__ import annotations

import base64
import csv
import io
import re

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from report_support import Page

from thermidor.model.events import EVENT_KINDS
from thermidor.model.result import Result
from thermidor.report import Group, build, figures
from thermidor.report.specs import EVENT_NAMES, FIGURES, MARKED_EVENTS, event_name

CSV_LINK = re.compile(
    r'<a class="csv" id="(?P<id>[\w-]+)-csv" download="(?P=id)\.csv" '
    r'href="data:text/csv;charset=utf-8;base64,(?P<data>[A-Za-z0-9+/=]+)">'
)


def test_every_event_kind_has_a_name_in_words() -> None:
    assert set(EVENT_NAMES) == set(EVENT_KINDS)
    assert all("_" not in name for name in EVENT_NAMES.values())
    assert set(MARKED_EVENTS) <= set(EVENT_KINDS)
    assert event_name("kronstadt_type_rising") == "Kronstadt-type rising"
    assert event_name("bolshevik_majority_in_soviets:petrograd").endswith("(petrograd)")


def _drawn(groups: list[Group]):  # type: ignore[no-untyped-def]
    with mpl.rc_context(figures.RC):
        for spec in FIGURES:
            fig, alt, _, _ = figures.draw(spec, groups)
            if fig is not None:
                FigureCanvasAgg(fig).draw()
                yield spec, fig, alt


def test_every_time_series_marks_the_turning_points_by_name(run0: Result) -> None:
    insurrection = run0.first("insurrection")
    assert insurrection is not None
    x = float(mpl.dates.date2num(run0.date_of(insurrection)))
    n = 0
    for spec, fig, alt in _drawn([Group("baseline", [run0])]):
        assert "Turning points marked (baseline): insurrection 1917-" in alt, spec.id
        for ax in fig.axes:
            xs = [np.asarray(ln.get_xdata()) for ln in ax.get_lines()]
            lines = [v for v in xs if v.dtype.kind == "f" and np.allclose(v, x)]  # axvline
            assert lines, (spec.id, ax.get_title())
            assert "insurrection" in [t.get_text().strip() for t in ax.texts], spec.id
            n += 1
    assert n >= 12


def test_a_comparison_marks_each_scenarios_nep_in_its_colour(
    ensemble2: list[Result], forced2: list[Result]
) -> None:
    groups = [Group("baseline", ensemble2), Group("NEP in 1918", forced2)]
    _, fig, alt = next(_drawn(groups))
    assert "Turning points marked (NEP in 1918): insurrection 1917-" in alt
    assert "NEP 1918-0" in alt and "(median of 2 runs)" in alt
    names = [t.get_text().strip() for t in fig.axes[0].texts]
    assert "NEP" in names and "new_economic_policy" not in " ".join(names)


def test_legends_stand_outside_the_data(run0: Result) -> None:
    checked = 0
    for spec, fig, _ in _drawn([Group("baseline", [run0])]):
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        boxes = [ax.get_window_extent(renderer) for ax in fig.axes]
        for ax in fig.axes:
            legend = ax.get_legend()
            if legend is None:
                continue
            lb = legend.get_window_extent(renderer)
            for box in boxes:  # neither its own panel's data nor a neighbour's
                assert not lb.overlaps(box), (spec.id, ax.get_title())
            assert lb.y0 >= 0, (spec.id, "legend cut at the figure's foot")
            checked += 1
    assert checked >= 12


def test_every_figure_carries_its_numbers_as_csv(run0: Result, run_page: str) -> None:
    links = {m["id"]: m["data"] for m in CSV_LINK.finditer(run_page)}
    drawn = [img for img in Page(run_page).images]
    assert len(links) == len(drawn) and "fig-classes" in links
    rows = list(csv.DictReader(io.StringIO(base64.b64decode(links["fig-classes"]).decode())))
    col = "The working class against 1917: working_class_vs_1917"
    assert len(rows) == run0.dates.size and rows[0]["date"] == str(run0.dates[0])
    got = np.array([float(r[col]) for r in rows])
    np.testing.assert_allclose(got, run0.columns["working_class_vs_1917"], rtol=1e-5)


def test_an_ensembles_csv_gives_the_median_and_its_band(ensemble2: list[Result]) -> None:
    d = figures.render(next(f for f in FIGURES if f.id == "fig-indices"),
                       [Group("baseline", ensemble2)])  # fmt: skip
    head = next(csv.reader(io.StringIO(d.csv)))
    assert "Indices: class_capacity" in head and "Indices: class_capacity p10" in head
    assert "Indices: class_capacity p90" in head


def test_dates_in_tables_are_held_on_one_line(run_page: str) -> None:
    assert ".date{white-space:nowrap}" in run_page
    cells = re.findall(r"<td[^>]*>(.*?)</td>", run_page)
    dated = [c for c in cells if re.search(r"\d{4}-\d{2}-\d{2}", c)]
    assert len(dated) > 20
    for c in dated:  # every date inside its own unbreakable span
        bare = re.sub(r'<span class="date">\d{4}-\d{2}(-\d{2})?</span>', "", c)
        assert not re.search(r"\d{4}-\d{2}-\d{2}", bare), c


@pytest.mark.parametrize("n", [1, 2])
def test_a_single_run_is_one_run(run0: Result, ensemble2: list[Result], n: int) -> None:
    page = build([Group("baseline", [run0] if n == 1 else ensemble2)],
                 "run" if n == 1 else "ensemble")  # fmt: skip
    text = re.sub(r"<[^>]+>", "", page)
    if n == 1:
        assert "1 run (seed 0)" in text and "1 runs" not in text
        assert "seeds 0" not in text
    else:
        assert "2 runs (seeds 11, 12)" in text
