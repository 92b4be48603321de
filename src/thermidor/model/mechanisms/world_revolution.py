"""M17 world revolution (§1, §2, §7).

Each foreign revolutionary episode (record: its date) succeeds with a scenario-set probability.
In the baseline each fails, as in the record (probability 0). A success protects the republic
against intervention and brings aid (see ``fronts``).
"""

from __future__ import annotations

import datetime as dt

from thermidor.engine import Context
from thermidor.model.decisions import decide
from thermidor.model.params import Params
from thermidor.model.world import World

EPISODES = (
    ("germany_1918", dt.date(1918, 11, 9), "world.p_germany_1918",
     "The German and Austrian revolution"),
    ("hungary_bavaria_1919", dt.date(1919, 4, 7), "world.p_hungary_bavaria_1919",
     "The Hungarian and Bavarian soviet republics"),
    ("italy_1920", dt.date(1920, 9, 1), "world.p_italy_1920",
     "The occupation of the factories in Italy"),
    ("germany_1923", dt.date(1923, 10, 23), "world.p_germany_1923",
     "The German revolution of 1923"),
)  # fmt: skip


def episodes(w: World, p: Params, ctx: Context) -> None:
    for name, day, key, title in EPISODES:
        if not ctx.calendar.contains(day) or ctx.calendar.step_of(day) != ctx.step:
            continue
        u = float(ctx.rng(f"world_revolution.{name}").random())
        success = u < p[key]
        if success:
            w.abroad.revolutions = float(w.abroad.revolutions) + 1.0
        verdict = "succeeds: the republic is no longer alone" if success else "is defeated"
        ctx.emit(
            "foreign_revolution",
            f"{title} {verdict}",
            episode=name,
            success=success,
            probability=p[key],
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
        "'Socialism in one country' becomes the doctrine: the world revolution is subordinated",
        isolated_years=round(years, 2),
    )
