"""M17 world revolution (§1, §2, §7).

Each foreign revolutionary episode (record: the day it began and the day its fate was settled) is
announced when it begins and succeeds, on the day of its outcome, with a scenario-set probability
drawn from its own stream. In the baseline each fails, as in the record (probability 0). A success
protects the republic against intervention and brings aid (see ``fronts``).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from thermidor.engine import Context
from thermidor.model.decisions import decide
from thermidor.model.params import Params
from thermidor.model.world import World


class Episode(NamedTuple):
    name: str
    began: dt.date  # record: the rising or the proclamation
    outcome: dt.date  # record: the day its fate was settled (in the record, its defeat)
    key: str  # the parameter of its chance of success
    title: str
    plural: bool  # the title names more than one republic


EPISODES = (
    Episode("germany_1918", dt.date(1918, 11, 9), dt.date(1919, 1, 15), "world.p_germany_1918",
            "The German and Austrian revolution", False),  # the Spartacist rising crushed
    Episode("hungary_bavaria_1919", dt.date(1919, 3, 21), dt.date(1919, 8, 1),
            "world.p_hungary_bavaria_1919", "The Hungarian and Bavarian soviet republics",
            True),  # Bavaria fell on 3 May, Hungary on 1 August
    Episode("italy_1920", dt.date(1920, 9, 1), dt.date(1920, 9, 30), "world.p_italy_1920",
            "The occupation of the factories in Italy", False),  # the factories given back
    Episode("germany_1923", dt.date(1923, 8, 11), dt.date(1923, 10, 25), "world.p_germany_1923",
            "The German revolution of 1923", False),  # the Cuno strike; the Hamburg rising
)  # fmt: skip


def _this_week(ctx: Context, day: dt.date) -> bool:
    return ctx.calendar.contains(day) and ctx.calendar.step_of(day) == ctx.step


def episodes(w: World, p: Params, ctx: Context) -> None:
    """An episode is announced when it begins and decided on the day its fate was settled: it
    succeeds with its scenario-set probability (the baseline's 0 keeps the record's defeats)."""
    for e in EPISODES:
        if _this_week(ctx, e.began):
            ctx.emit(
                "foreign_revolution_begins",
                f"{e.title} {'begin' if e.plural else 'begins'}: the republic's hope abroad.",
                episode=e.name,
                probability=p[e.key],
            )
        if not _this_week(ctx, e.outcome):
            continue
        u = float(ctx.rng(f"world_revolution.{e.name}").random())
        success = u < p[e.key]
        if success:
            w.abroad.revolutions = float(w.abroad.revolutions) + 1.0
            verdict = "succeed" if e.plural else "succeeds"
            text = f"{e.title} {verdict}: the republic is no longer alone."
        else:
            text = f"{e.title} {'are' if e.plural else 'is'} defeated."
        ctx.emit(
            "foreign_revolution",
            text,
            episode=e.name,
            success=success,
            probability=p[e.key],
            began=e.began.isoformat(),
        )
    _doctrine(w, p, ctx)


def _doctrine(w: World, p: Params, ctx: Context) -> None:
    """Prolonged isolation makes 'socialism in one country' the apparatus's doctrine (§7)."""
    if w.abroad.revolutions > 0 or not w.decided("insurrection"):
        return
    years = (ctx.step - w.decisions["insurrection"]) * ctx.dt
    decide(
        w,
        ctx,
        "socialism_in_one_country",
        years >= p["world.isolation_years"] and "left_opposition" in w.factions.defeated,
        "'Socialism in one country' becomes the doctrine: the world revolution is subordinated.",
        isolated_years=round(years, 2),
    )
