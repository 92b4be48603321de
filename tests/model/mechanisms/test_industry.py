"""M5 industry (§2): output is limited by the inputs that reach the factories."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tests.support import COARSE, extend, run_coarse, window_mean
from thermidor.model.mechanisms.industry import sector_inputs
from thermidor.model.run import prepare
from thermidor.model.world import REGIONS, SECTORS, R


def test_cutting_off_a_region_cuts_the_inputs_of_the_sectors_it_supplies():
    _, _, w, p, _ = prepare(extend(), 0, COARSE)
    w.war.cut_off = np.zeros(len(REGIONS))
    whole = sector_inputs(w, p)
    w.war.cut_off[R["ukraine"]] = 1.0  # Donbas coal, southern ore
    without = sector_inputs(w, p)

    assert (without <= whole).all()
    pig_iron, fuel = SECTORS.index("pig_iron"), SECTORS.index("fuel")
    assert without[pig_iron] < 0.5 * whole[pig_iron]
    assert without[fuel] < whole[fuel]


def test_fewer_inputs_give_less_industrial_output(coarse_baseline):
    """§2: cut off from coal and ore, industry produced a fraction of its prewar output."""
    base = coarse_baseline(0)
    ukraine_lost = run_coarse(
        until=dt.date(1920, 1, 1), inputs={"cut_off": {"ukraine": {"1917-03-01": 1.0}}}
    )
    window = ("1918-01-01", "1920-01-01")
    assert window_mean(ukraine_lost, "industrial_output_vs_prewar", *window) < 0.9 * window_mean(
        base, "industrial_output_vs_prewar", *window
    )
