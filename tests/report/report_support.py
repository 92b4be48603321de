"""What the report's tests share: short, coarse runs (the report does not care how fine they
are) and a reader of the page's parts."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import thermidor
from thermidor.model.result import Result

UNTIL = dt.date(1921, 1, 1)  # far enough for the essay's 1920 figures
SHORT = dt.date(1918, 6, 1)  # ensembles and comparisons: the report's logic, not the history
SCALE = 10000
FORCED = {"extends": "baseline", "meta": {"title": "NEP in 1918"},
          "force": {"new_economic_policy": "1918-03-01"}}  # fmt: skip


def short_run(scenario: object = "baseline", seed: int = 0, until: dt.date = UNTIL) -> Result:
    return thermidor.run(scenario, seed, SCALE, until=until)  # type: ignore[arg-type]


class Page(HTMLParser):
    """The parts of a report page the tests look at: ids, headings, figures and their text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.headings: list[str] = []
        self.images: list[dict[str, str]] = []
        self.captions: list[str] = []
        self._heading = False
        self._caption = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("h2", "h3"):
            self._heading = True
            self.headings.append("")
        if tag == "figcaption":
            self._caption = True
            self.captions.append("")
        if tag == "img":
            self.images.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3"):
            self._heading = False
        if tag == "figcaption":
            self._caption = False

    def handle_data(self, data: str) -> None:
        if self._heading:
            self.headings[-1] += data
        if self._caption:
            self.captions[-1] += data
