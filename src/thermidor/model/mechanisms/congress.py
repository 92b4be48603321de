"""The party's congresses and conferences, and the Congresses of Soviets (§1, §3-§8; model/data).

They meet on the record's dates (``data/calendar.csv``) with the record's numbers of voting
delegates (``data/congresses.csv``, one sourced row per body): every vote at a body is counted
over that many delegates, not over one delegate per thousand members. A body sits from the week
it opens to the week it closes; resolutions (the tax in kind, the ban on factions) are voted in
its last week, as the 10th Congress voted them on 15-16 March 1921.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

from thermidor.engine import Context
from thermidor.model.params import Params
from thermidor.model.world import World


@dataclass(frozen=True)
class Body:
    """A congress or conference as the record has it."""

    kind: str  # congress, conference or soviet_congress
    name: str
    opened: dt.date
    closed: dt.date
    voting: int  # delegates with a deciding vote
    consultative: int | None
    source: str


@cache
def bodies() -> dict[str, Body]:
    """``data/congresses.csv`` by name."""
    out = {}
    with resources.files("thermidor.model.data").joinpath("congresses.csv").open() as f:
        for r in csv.DictReader(f):
            out[r["name"]] = Body(
                kind=r["kind"],
                name=r["name"],
                opened=dt.date.fromisoformat(r["opened"]),
                closed=dt.date.fromisoformat(r["closed"]),
                voting=int(r["voting"]),
                consultative=int(r["consultative"]) if r["consultative"] else None,
                source=r["source"],
            )
    return out


def voting_delegates(name: str) -> int | None:
    """The record's number of voting delegates of the body ``name`` (None if not recorded)."""
    body = bodies().get(name)
    return body.voting if body else None


def meeting(w: World, ctx: Context) -> str | None:
    """The party congress or conference that opens this week, if any."""
    return w.inputs.congress.get(ctx.step) or w.inputs.conference.get(ctx.step)


def sitting(w: World, ctx: Context) -> str | None:
    """The party congress in session this week (from its opening week to its closing week)."""
    for step, name in w.inputs.congress.items():
        if step <= ctx.step <= step + _weeks(name, ctx):
            return name
    return None


def closing(w: World, ctx: Context) -> str | None:
    """The party congress whose last week this is: where its resolutions are voted."""
    for step, name in w.inputs.congress.items():
        if ctx.step == step + _weeks(name, ctx):
            return name
    return None


def _weeks(name: str, ctx: Context) -> int:
    """Steps from a body's opening week to its closing week (0 when it is not recorded)."""
    body = bodies().get(name)
    if body is None:
        return 0
    cal = ctx.calendar
    return max(0, cal.step_of(body.closed) - cal.step_of(body.opened))


def opens(w: World, p: Params, ctx: Context) -> None:
    """A congress that the calendar puts in this week opens: the votes of M14 are taken there."""
    name = w.inputs.congress.get(ctx.step)
    if name:
        n = voting_delegates(name)
        delegates = f" with {n} voting delegates" if n else ""
        ctx.emit("congress", f"The party's {name} meets{delegates}.", name=name, voting=n)
