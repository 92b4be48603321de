"""M4 inputs and M17 protection: this week's war as the rest of the model sees it (§1, §2).

The fronts, the territory they cut off and the fighting over each region are inputs (record). A
successful revolution abroad protects against intervention (§1): it damps the civil war and the
White threat and ends the blockade.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context
from thermidor.model.params import Params
from thermidor.model.world import World


def read_fronts(w: World, p: Params, ctx: Context) -> None:
    inp, k = w.inputs, ctx.step
    protection = min(1.0, float(w.abroad.revolutions)) * p["world.aid"]
    damp = 1.0 - protection
    w.war.civil_war = float(inp.civil_war[k]) * damp
    w.war.white_threat = float(inp.white_threat[k]) * damp
    w.war.cut_off = np.asarray(inp.cut_off[k]) * damp
    w.war.war_zone = np.asarray(inp.war_zone[k]) * damp
    w.war.world_war = float(inp.world_war[k])
