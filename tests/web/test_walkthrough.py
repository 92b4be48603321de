"""The README's path as a new user takes it, in a real browser (Debian's Chromium driven by
Playwright): open the page, run the baseline, run a counterfactual, compare them, open the shared
URL in a fresh page, download the CSV and the report, enter a bad value and see the error; then
the levers: a political slider, a forced decision's switch, a run started paused and stepped
week by week on an axis that spans the whole run, the scale on the runs page, and a comparison
over several members with its probabilities and intervals.

A screenshot is saved at each step (in pytest's temporary directory; with UPDATE_SCREENSHOTS=1
also in docs/img/, for the documentation).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from web_support import Server

from thermidor.report.check import external_references

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
# Runs fast enough for a test and long enough to show the 1920 figures.
SCALE, END = "2000", "1921-01-01"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run .ci/ensure-chromium (or set CHROMIUM)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Shots:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[Path] = []

    def __call__(self, page: Page, name: str, full: bool = False) -> None:
        path = self.folder / f"web-{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full)
        self.taken.append(path)

    def publish(self) -> None:
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            for p in self.taken:
                shutil.copyfile(p, DOCS_IMG / p.name)


def run_from_form(page: Page, base: str, params: dict[str, tuple[str, str]] | None = None) -> str:
    """Fill the form (coarse scale, short horizon, some parameters) and run; returns the run's
    URL once its results are shown."""
    page.goto(base + "/")
    expect(page.locator("#run-form")).to_be_visible()
    page.fill("#scale", SCALE)
    page.fill("#end", END)
    for name, (fieldset, value) in (params or {}).items():
        group = name.split(".", 1)[0]
        if fieldset != "political":  # the political levers are open, first, as sliders
            page.click(f"#{fieldset} details[data-group='{group}'] summary")
        page.fill(f"[name='{name}']", value)
    page.click("#run-button")
    page.wait_for_url("**/runs/*")
    return page.url


def test_a_new_user_runs_compares_shares_downloads_and_is_told_what_is_wrong(
    browser: Browser, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    errors: list[str] = []
    with Server(tmp_path / "store") as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.on("pageerror", lambda e: errors.append(str(e)))

        # 1. the page: a scenario, its parameters grouped by class, each with meaning and source
        page.goto(server.url + "/")
        expect(page.locator("#structural legend")).to_have_text("Structural parameters")
        expect(page.locator("#political legend")).to_have_text("Political levers")
        expect(page.locator("#decisions legend")).to_have_text("Forced decisions")
        # the levers come first: above the structural parameters
        top = {
            f: page.locator(f"#{f}").bounding_box()["y"]
            for f in ("political", "decisions", "structural")
        }  # type: ignore[index]
        assert top["political"] < top["decisions"] < top["structural"]
        war = page.locator("[name='war.casualties']")
        assert war.get_attribute("min") == "0" and war.get_attribute("max") == "0.5"
        expect(page.locator("#m-war\\.casualties")).to_contain_text("deaths")
        shots(page, "new-run")

        # 2. the baseline: progress while it runs, then its charts, chronology and targets
        baseline = run_from_form(page, server.url)
        page.wait_for_selector("#live figure, #downloads", timeout=120_000)
        shots(page, "running")
        expect(page.locator("#downloads")).to_be_visible(timeout=120_000)
        expect(page.locator("#fig-classes figure").first).to_be_visible()
        expect(page.locator("table.chronology")).to_contain_text("insurrection")
        expect(page.locator("table.targets")).to_contain_text("T01")
        assert page.locator("#fig-industry svg[role=img]").first.get_attribute("aria-label")
        shots(page, "baseline")

        # 3. a counterfactual: a political parameter changed
        counter = run_from_form(page, server.url, {"parties.ban_readiness": ("political", "0.2")})
        expect(page.locator("#downloads")).to_be_visible(timeout=120_000)
        expect(page.locator("#run-title")).to_contain_text("parties.ban_readiness = 0.2")
        shots(page, "counterfactual")

        # 4. compare them, from the list of runs
        page.goto(server.url + "/runs")
        for url in (baseline, counter):
            page.check(f"input[value='{url.rsplit('/', 1)[1]}']")
        page.click("#compare-button")
        page.wait_for_url("**/compare?runs=*")
        expect(page.locator("#compare-title")).to_have_text("Comparison of 2 runs", timeout=60_000)
        expect(page.locator("#compare-events")).to_contain_text("Mensheviks lose legality")
        shots(page, "compare")
        shared = page.url

        # 5. the shared URL in a fresh browser context shows the same comparison
        fresh = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        fresh.goto(shared)
        expect(fresh.locator("#compare-title")).to_have_text("Comparison of 2 runs")
        expect(fresh.locator("#fig-indices figure").first).to_be_visible()
        shots(fresh, "shared-compare")
        fresh.goto(baseline)
        expect(fresh.locator("#share-url")).to_have_value(baseline)
        fresh.context.close()

        # 6. downloads: the CSV of indicators and the HTML report
        page.goto(baseline)
        expect(page.locator("#downloads")).to_be_visible()
        with page.expect_download() as got:
            page.click("#downloads a:text('indicators.csv')")
        csv = tmp_path / "indicators.csv"
        got.value.save_as(csv)
        assert csv.read_text().splitlines()[0].startswith("step,date,")
        with page.expect_download(timeout=120_000) as got:
            page.click("#downloads a:text('report.html')")
        report = tmp_path / "report.html"
        got.value.save_as(report)
        html = report.read_text()
        assert external_references(html) == [] and 'id="fig-classes"' in html
        page.goto(report.as_uri())
        expect(page.locator("#targets h2")).to_be_visible()
        shots(page, "report")

        # 7. a bad value: refused in the page, and by the server if the page is bypassed
        page.goto(server.url + "/")
        page.click("#structural details[data-group='war'] summary")
        page.fill("[name='war.casualties']", "9")
        page.click("#run-button")
        expect(page.locator("#form-error")).to_contain_text("params.war.casualties")
        expect(page.locator("[name='war.casualties']")).to_have_class("bad")
        shots(page, "invalid-value")
        page.evaluate("document.querySelector(\"[name='war.casualties']\").removeAttribute('max')")
        page.click("#run-button")
        # the server's message (it names the unit, which the page's own check does not)
        expect(page.locator("#form-error")).to_contain_text("1/year at full intensity")
        expect(page.locator("#form-error")).to_contain_text("params.war.casualties")
        shots(page, "server-refuses")
        page.goto(server.url + "/runs")
        expect(page.locator("#runs-table tbody tr")).to_have_count(2)

        # 8. a political lever as a slider: it moves its exact value, and says what it means
        page.goto(server.url + "/")
        slider = page.locator("#s-parties\\.ban_readiness")
        expect(slider).to_be_visible()
        expect(page.locator("#m-parties\\.ban_readiness")).to_contain_text("outlaw a party")
        slider.fill("0.3")
        expect(page.locator("[name='parties.ban_readiness']")).to_have_value("0.3")
        expect(page.locator("[data-row='parties.ban_readiness']")).to_have_class(
            "lever param changed"
        )
        slider.scroll_into_view_if_needed()
        shots(page, "lever-slider")

        # 9. a forced decision's switch: the NEP in March 1918, with what it means
        nep = page.locator("#f-new_economic_policy")
        expect(page.locator("#fd-new_economic_policy")).to_be_disabled()
        nep.check()
        expect(page.locator("#fd-new_economic_policy")).to_be_enabled()
        page.fill("#fd-new_economic_policy", "1918-03-01")
        expect(page.locator("#fm-new_economic_policy")).to_contain_text("tax in kind")
        nep.scroll_into_view_if_needed()
        shots(page, "forced-decision")

        # 10. started paused (with the lever and the switch as set): one week, a step, then
        # play; the axis spans the whole run at once
        page.fill("#scale", SCALE)
        page.fill("#end", END)
        page.fill("#seed", "5")
        page.check("#start-paused")
        page.click("#run-button")
        page.wait_for_url("**/runs/*")
        expect(page.locator("#playback-state")).to_have_text("paused", timeout=60_000)
        expect(page.locator("#run-status")).to_contain_text("week 1 of", timeout=60_000)
        page.click("#step-button")
        expect(page.locator("#run-status")).to_contain_text("week 2 of", timeout=30_000)
        page.wait_for_selector("#live figure")
        years = page.locator("#fig-classes figure svg").first.locator("text").all_text_contents()
        assert "1920" in years, years  # two weeks drawn, on an axis to the run's end
        page.click("#step-button")
        expect(page.locator("#run-status")).to_contain_text("week 3 of", timeout=30_000)
        page.wait_for_timeout(800)
        expect(page.locator("#run-status")).to_contain_text("week 3 of")  # still held
        shots(page, "playback-paused")
        page.click("#play-button")
        expect(page.locator("#downloads")).to_be_visible(timeout=120_000)
        title = page.locator("#run-title")
        expect(title).to_contain_text("forced: new_economic_policy = 1918-03-01")
        expect(title).to_contain_text("parties.ban_readiness = 0.3")
        expect(page.locator("table.chronology tr.forced")).to_contain_text("NEP")
        shots(page, "forced-run")

        # 11. the runs page gives each run's scale
        page.goto(server.url + "/runs")
        expect(page.locator("#runs-table thead")).to_contain_text("persons per agent")
        expect(page.locator("#runs-table td.scale").first).to_have_text("2,000")
        shots(page, "runs-scale")

        # 12. a comparison over several members: probability, interval, difference
        page.goto(server.url + "/compare")
        page.check("#c-baseline")
        page.check("#c-german_revolution_1923")
        page.fill("#cmp-members", "3")
        page.fill("#cmp-scale", "20000")
        page.fill("#cmp-end", "1917-12-31")
        page.select_option("#cmp-event", "insurrection")
        shots(page, "members-form")
        page.click("#compare-scenarios-button")
        page.wait_for_url("**/compare?members=*")
        expect(page.locator("#members-title")).to_contain_text("over 3 members: insurrection",
                                                               timeout=120_000)  # fmt: skip
        expect(page.locator("#members-table tbody tr")).to_have_count(2)
        expect(page.locator("#members-table")).to_contain_text("95% interval")
        expect(page.locator("#members-few")).to_contain_text("Only 3 members")
        assert page.locator("#members-chart svg").get_attribute("aria-label")
        shots(page, "members-compare", full=True)

        # 13. a long comparison cancelled from its page stops before its next run
        page.goto(server.url + "/compare")
        page.check("#c-baseline")
        page.check("#c-german_revolution_1923")
        page.fill("#cmp-members", "20")
        page.fill("#cmp-scale", "20000")
        page.fill("#cmp-end", "1918-03-01")
        page.click("#compare-scenarios-button")
        page.wait_for_url("**/compare?members=*")
        page.click("#members-cancel", timeout=60_000)
        expect(page.locator("#members-status")).to_contain_text("cancelled", timeout=120_000)
        expect(page.locator("#members-status")).to_contain_text("runs done are stored")
        expect(page.locator("#members-cancel")).to_have_count(0)
        shots(page, "members-cancelled")

    assert errors == []
    shots.publish()
