"""The HTML report: every section and figure there, each figure with a text alternative, nothing
fetched from outside the file, and a clear note wherever the runs lack what a figure needs."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import os
from html import escape as html_escape
from pathlib import Path

import pandas as pd
import pytest
from report_support import Page

import thermidor
from thermidor.engine import Event
from thermidor.lab.store import Store
from thermidor.model.result import Result
from thermidor.report import Group, build, figures
from thermidor.report.check import external_references
from thermidor.report.sources import sensitivity_for
from thermidor.report.specs import EVENT_NAMES, FIGURES, SECTIONS

ROOT = Path(__file__).resolve().parents[2]
DAY = '<span class="date">{}</span>'  # a date held on one line


def test_a_run_report_has_every_section_and_stands_alone(run_page: str) -> None:
    html = run_page
    page = Page(html)
    assert external_references(html) == []
    for s in SECTIONS:
        assert s.id in page.ids, s.id
        assert s.title in page.headings
    drawn = {f.id for f in FIGURES} & page.ids
    missing = {f"{f.id}-missing" for f in FIGURES} & page.ids
    # every figure is either drawn or explained
    assert {f.id for f in FIGURES} <= drawn | {m.removesuffix("-missing") for m in missing}
    assert {"fig-classes", "fig-industry", "fig-crops", "fig-party", "fig-grain"} <= drawn
    assert len(page.images) == len(drawn)
    for img in page.images:
        assert img["src"].startswith("data:image/svg+xml;base64,")
        assert len(img["alt"]) > 80, img["alt"]
        svg = base64.b64decode(img["src"].split(",", 1)[1])
        assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    assert all(c.startswith("Figure ") for c in page.captions)


def test_the_targets_table_gives_the_essays_figures_and_each_role(run_page: str) -> None:
    html = run_page
    assert "T01" in html and "working_class_vs_1917" in html and "0.43 ± 0.05" in html
    assert "calibrated" in html and "emergent" in html
    assert 'class="pass"' in html
    # targets after the run's end are shown, not scored
    assert "not modelled yet" in html


def test_charts_mark_the_essays_figures(run0: Result) -> None:
    d = figures.render(next(f for f in FIGURES if f.id == "fig-industry"), [Group("b", [run0])])
    assert d.drawn
    assert "Essay's figure T02" in d.alt and "Essay's figure T04" in d.alt
    assert d.image is not None and d.image.startswith(b"<?xml")


def test_the_chronology_lists_the_runs_events_by_name(run0: Result, run_page: str) -> None:
    chronology = run_page.split('id="chronology"')[1].split("</section>")[0]
    kinds = {e.kind for e in run0.events if e.kind != "soviet_election"}
    assert {"insurrection", "bolshevik_majority_in_soviets", "kadets_banned"} <= kinds
    for kind in kinds:
        assert f'<td class="">{html_escape(EVENT_NAMES[kind])}</td>' in chronology, kind
        assert "_" not in kind or kind not in chronology  # words, not the model's ids


@pytest.fixture(scope="module")
def altered_page(run0: Result) -> str:
    """A run as an older model would give it (no factions, no households), with one vote."""
    r = copy.deepcopy(run0)
    for name in list(r.columns):
        if name.startswith(("faction_share:", "party_democracy", "bureaucratic_", "price_")):
            del r.columns[name]
    del r.columns["peasant_households"]
    data = {"body": "13th Conference", "motion": "condemn the Left Opposition", "for": 92,
            "against": 3, "abstained": 1, "by_faction": {"centre": 90, "left_opposition": 3}}  # fmt: skip
    r.events.append(Event(100, "vote", "The conference condemns the Left", data))
    return build([Group("older model", [r])], "run")


def test_a_figure_without_its_columns_is_skipped_and_said_so(altered_page: str) -> None:
    html = altered_page
    page = Page(html)
    assert "fig-factions-missing" in page.ids
    assert "faction_share:*" in html
    # a figure drawn in part says which of its columns the run lacks
    assert "fig-classes" in page.ids
    assert "Not in these runs: peasant_households" in html
    assert external_references(html) == []


def test_votes_at_confrontations_are_tabulated(altered_page: str) -> None:
    html = altered_page
    assert 'id="votes"' in html
    assert "condemn the Left Opposition" in html and "left opposition: 3" in html
    assert 'id="votes-missing"' not in html


def test_an_ensemble_shows_medians_bands_and_how_often_events_happened(
    ensemble2: list[Result],
) -> None:
    html = build([Group("baseline", ensemble2)], "ensemble")
    page = Page(html)
    assert external_references(html) == []
    assert "Ensemble: baseline (2 runs)" in html
    assert "bands span 10–90%" in html
    assert "happened in" in html and "2 of 2 runs" in html
    assert "fig-consolidation" in page.ids  # the model dates consolidation: a probability chart
    assert any("probability that the bureaucracy consolidates" in i["alt"] for i in page.images)


def test_a_comparison_overlays_scenarios_marks_forced_decisions_and_gives_probabilities(
    ensemble2: list[Result], forced2: list[Result]
) -> None:
    html = build([Group("baseline", ensemble2), Group("NEP in 1918", forced2)], "compare")
    page = Page(html)
    assert external_references(html) == []
    assert "Comparison: baseline vs NEP in 1918" in html
    assert "force.new_economic_policy = &#x27;" + DAY.format("1918-03-01") + "&#x27;" in html
    assert "How often each event happened" in html
    assert "NEP in 1918 − baseline" in html
    assert "+100%" in html  # the NEP: never by mid-1918 in the baseline, always when forced
    assert "P(by 1929)" in html and "Differences from the base, paired by seed" in html
    assert 'id="fig-consolidation"' in html
    alts = " ".join(img["alt"] for img in page.images)
    assert "Forced decision (NEP in 1918): NEP in 1918-02" in alts
    assert "— NEP in 1918" in alts  # lines of both scenarios on the same chart


def test_write_report_figures_for_the_docs(run0: Result, tmp_path: Path) -> None:
    """Renders a report figure as PNG; with UPDATE_SCREENSHOTS=1 it becomes docs/img's."""
    d = figures.render(
        next(f for f in FIGURES if f.id == "fig-classes"), [Group("b", [run0])], "png"
    )
    assert d.image is not None and d.image.startswith(b"\x89PNG")
    (tmp_path / "report-classes.png").write_bytes(d.image)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":  # the docs' figure: at the default scale
        full = thermidor.run("baseline", 0, until=dt.date(1921, 1, 1))
        png = figures.render(
            next(f for f in FIGURES if f.id == "fig-industry"), [Group("baseline", [full])], "png"
        ).image
        assert png is not None
        (ROOT / "docs" / "img").mkdir(parents=True, exist_ok=True)
        (ROOT / "docs" / "img" / "report-industry.png").write_bytes(png)


@pytest.mark.parametrize("mode", ["run", "ensemble", "compare"])
def test_an_empty_report_is_refused(mode: str) -> None:
    with pytest.raises(ValueError, match="at least one run"):
        build([], mode)  # type: ignore[arg-type]


def test_sensitivity_indices_in_the_store_appear_in_the_report(
    ensemble2: list[Result], tmp_path: Path
) -> None:
    store = Store(tmp_path / "store")
    rows = [
        {"method": "sobol", "ranges": r, "outcome": "consolidated", "factor": g, "group": g,
         "s1": s1, "s1_conf": 0.05, "st": st, "st_conf": 0.08}
        for r in ("documented", "narrowed")
        for g, s1, st in (("structural", 0.5, 0.62), ("political", 0.1, 0.2), ("chance", 0.1, 0.2))
    ] + [
        {"method": "morris", "ranges": "documented", "outcome": "consolidated",
         "factor": "parties.ban_readiness", "group": "political", "mu_star": 0.3,
         "mu_star_conf": 0.1, "sigma": 0.2}
    ]  # fmt: skip
    frame = pd.DataFrame(rows).assign(budget=8, trajectories=2, runs=100, until="1929-12-31")
    store.save_analysis("sensitivity", "sens-0123456789abcdef", frame)
    sens = sensitivity_for(store)
    assert sens is not None and len(sens.sobol) == 6 and len(sens.morris) == 1
    html = build([Group("baseline", ensemble2)], "ensemble", sensitivity=sens)
    page = Page(html)
    assert "fig-sensitivity" in page.ids and "sensitivity-missing" not in page.ids
    assert "0.620 ± 0.080" in html and "parties.ban_readiness" in html
    assert any("structural: 0.620" in i["alt"] for i in page.images)
    assert external_references(html) == []
    assert sensitivity_for(Store(tmp_path / "empty")) is None
