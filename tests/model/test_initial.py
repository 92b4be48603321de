"""March 1917: the populations built from data/initial_conditions.csv, exact at any scale."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support import COARSE, extend
from thermidor.model.initial import DEFAULT_SCALES, initial_conditions
from thermidor.model.run import prepare
from thermidor.model.world import WORKER, G

IC = initial_conditions()
TOTALS = {
    "workers": IC["workers_1917"],
    "soldiers": IC["soldiers_1917"],
    "households": IC["households_1917"],
    "members": IC["party_members_feb_1917"],
    "officials": IC["officials_1917"],
}


def world(scale):
    _, _, w, _, scales = prepare(extend(), 0, scale)
    return w, scales


@pytest.mark.parametrize(
    "scale",
    [None, COARSE, {**DEFAULT_SCALES, "members": 1}],
    ids=["default", "coarse", "members-one-by-one"],
)
def test_every_population_starts_at_its_recorded_total_at_any_scale(scale):
    w, scales = world(scale)
    for name, total in TOTALS.items():
        pop = w.population(name)
        assert pop.total() == int(total), name
        weights = pop["weight"]
        assert ((weights > 0) & (weights <= scales[name])).all(), name
    townsfolk = sum(IC[f"townsfolk:{c}"] for c in ("petrograd", "moscow", "other"))
    assert int(w.townsfolk.sum()) == int(townsfolk)


def test_the_villages_do_not_depend_on_the_scale():
    fine, _ = world(None)
    coarse, _ = world(COARSE)
    assert np.array_equal(fine.villagers, coarse.villagers)
    assert fine.villagers.sum() == pytest.approx(
        IC["households_1917"] * IC["persons_per_household"], rel=1e-6
    )


def test_the_ledger_opens_with_the_starting_totals():
    w, _ = world(COARSE)
    assert w.ledger.initial == w.class_totals() | {
        "households": w.households.total(),
        "members": w.members.total(),
    }
    assert w.ledger.flows == {}


def test_in_march_1917_every_member_is_an_old_bolshevik_and_the_fleet_mostly_workers():
    w, _ = world(None)
    assert w.members.share(w.members["joined"] < 1917.15) == 1.0
    sd = w.soldiers
    kronstadt = sd["garrison"] == G["kronstadt"]
    assert sd.total(kronstadt) == int(IC["garrison:kronstadt"])
    assert sd.share(sd["origin"] == WORKER, within=kronstadt) == pytest.approx(
        IC["kronstadt_worker_share"], abs=0.1
    )
    assert w.workers["employed"].all()
