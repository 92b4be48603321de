"""The party's congresses and conferences meet on the record's dates (§3-§8; model/data)."""

from __future__ import annotations

from thermidor.engine import Context
from thermidor.model.params import Params
from thermidor.model.world import World


def opens(w: World, p: Params, ctx: Context) -> None:
    """A congress that the calendar puts in this week opens: the votes of M14 are taken there."""
    name = w.inputs.congress.get(ctx.step)
    if name:
        ctx.emit("congress", f"The party's {name} meets", name=name)
