"""The typed state (model/state.py): its groups, and caches that know when they are stale."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

import thermidor.model.fast  # noqa: F401  (registers the twins and the numba backend)
from tests.support import COARSE
from thermidor.engine import Context, Population, Recorder, Streams, using
from thermidor.model import state
from thermidor.model.mechanisms import demography, peasants
from thermidor.model.run import prepare
from thermidor.model.state import ColumnCache, TrackedPopulation, touched
from thermidor.model.world import CITIES, REGIONS, SECTORS, World, household_population


def households(n: int = 40) -> TrackedPopulation:
    rng = np.random.default_rng(1)
    hh = household_population()
    hh.append(
        weight=rng.integers(1, 9, n),
        region=rng.integers(0, len(REGIONS), n),
        land=rng.uniform(1.0, 9.0, n),
        wealth=rng.uniform(0.2, 4.0, n),
    )
    return hh


def groups(w: World) -> dict[str, object]:
    """The world's shared-state groups (model/state.py) by attribute."""
    out = {f.name: getattr(w, f.name) for f in dataclasses.fields(World)}
    return {
        k: g
        for k, g in out.items()
        if type(g).__module__ == state.__name__ and dataclasses.is_dataclass(g)
    }


def land_sum(hh: Population) -> float:
    return float((hh["land"] * hh["weight"]).sum())


def test_a_column_cache_is_reused_until_a_column_it_rests_on_changes() -> None:
    """The value is computed once while its columns stand; every way of changing them (a write
    through the population, an in-place write marked with ``touched``, agents added or removed,
    another population) computes it again, and the value is then the fresh one."""
    hh = households()
    cache: ColumnCache[float] = ColumnCache("land", "weight")

    def get() -> float:
        return cache.get(hh, lambda: land_sum(hh))

    assert get() == land_sum(hh) and get() == land_sum(hh)
    assert cache.computed == 1
    hh["stock"] = hh["stock"] + 1.0  # a column it does not rest on
    touched(hh, "wealth")
    assert not cache.stale(hh) and get() and cache.computed == 1

    hh["land"] = hh["land"] * 2.0  # through the population's API
    assert cache.stale(hh)
    assert get() == land_sum(hh) and cache.computed == 2

    hh["weight"][0] += 100  # in place: invisible until marked
    assert not cache.stale(hh)
    touched(hh, "weight")
    assert get() == land_sum(hh) and cache.computed == 3

    hh.append(weight=[5], region=[0], land=[3.0])
    assert get() == land_sum(hh) and cache.computed == 4
    hh.remove(np.arange(hh.n) < 3)
    assert get() == land_sum(hh) and cache.computed == 5
    other = households()
    assert cache.get(other, lambda: land_sum(other)) == land_sum(other) and cache.computed == 6
    assert get() == land_sum(hh) and cache.computed == 7
    assert get() == land_sum(hh) and cache.computed == 7


def test_a_column_cache_needs_a_tracked_population() -> None:
    plain = Population("households", {"land": np.float32})
    with pytest.raises(TypeError, match="households: a ColumnCache needs a TrackedPopulation"):
        ColumnCache("land").get(plain, lambda: 0.0)
    touched(plain, "land")  # nothing to mark: no cache rests on it


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    _, cal, w, p, _ = prepare("baseline", 0, COARSE)
    return w, p, cal


def fresh_normal(w: World, p: object) -> np.ndarray:
    hh = w.households
    return peasants.normal_yield.reference(  # type: ignore[no-any-return]
        hh["land"],
        hh["region"],
        w.base["yields"],
        p["peasants.sown_share"],  # type: ignore[index]
        p["peasants.yield"],  # type: ignore[index]
    )


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_the_normal_harvest_follows_the_land_divided(world, backend: str) -> None:  # type: ignore[no-untyped-def]
    """The estates' division writes the households' land (the numba twin in place); the normal
    harvest read after it is the fresh one, on either backend, and is not recomputed while the
    land stands."""
    w, p, _ = world
    w = pickle.loads(pickle.dumps(w))  # a copy: the module's world stays as built
    before = peasants.normal_harvest(w, p).copy()
    n = w.peasants.normal_harvest.computed
    assert peasants.normal_harvest(w, p) is peasants.normal_harvest(w, p)
    assert w.peasants.normal_harvest.computed == n
    with using(backend):
        peasants.divide(w.households, peasants.Division(land=0.5, levelled=0.1, wealth=0.05))
    after = peasants.normal_harvest(w, p)
    assert w.peasants.normal_harvest.computed == n + 1
    assert after.tobytes() == fresh_normal(w, p).tobytes()
    assert (after > before).all()


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_the_households_by_region_follow_the_partition(world, backend: str) -> None:  # type: ignore[no-untyped-def]
    """The villages' partition adds households in place (their weights); the households by region
    read after it are the fresh sum."""
    w, p, cal = world
    w = pickle.loads(pickle.dumps(w))
    before = peasants.households_by_region(w).copy()
    with using(backend):
        demography.villages(w, p, Context(0, cal, Streams(0), Recorder(cal.n_steps)))
    after = peasants.households_by_region(w)
    assert after.tobytes() == w.households.sum_by("region", len(REGIONS)).tobytes()
    assert after.sum() > before.sum()


def test_the_world_pickles_with_its_groups_and_caches(world) -> None:  # type: ignore[no-untyped-def]
    """A saved state (model/checkpoint.py pickles the world) keeps every group and its caches:
    the copy's cache rests on the copy's households and is fresh."""
    w, p, _ = world
    peasants.normal_harvest(w, p)
    w.factions.formed["left_opposition"] = 7
    copy = pickle.loads(pickle.dumps(w))
    for name, group in groups(w).items():
        for g in dataclasses.fields(group):  # type: ignore[arg-type]
            a, b = getattr(group, g.name), getattr(getattr(copy, name), g.name)
            if isinstance(a, ColumnCache):
                assert b.columns == a.columns and b.computed == a.computed
            elif isinstance(a, np.ndarray):
                assert a.tobytes() == b.tobytes(), (name, g.name)
            else:
                assert a == b, (name, g.name)
    assert not copy.peasants.normal_harvest.stale(copy.households)
    assert copy.peasants.normal_harvest.stale(w.households)  # another population
    assert copy.factions.formed == {"left_opposition": 7}
    del w.factions.formed["left_opposition"]


def test_the_world_has_typed_groups_and_no_signals(world) -> None:  # type: ignore[no-untyped-def]
    """Every shared value lives in a slotted group with a default; the sizes the groups assume
    are the world's."""
    w, _, _ = world
    assert not hasattr(w, "signals")
    found = groups(w).values()
    assert len(found) >= 12
    for g in found:
        assert dataclasses.is_dataclass(g)
        with pytest.raises(AttributeError):
            g.no_such_field = 1.0  # slots: a misspelt field is an error, not a new key
        type(g)()  # every field has a default
    assert (
        len(REGIONS), len(CITIES), len(SECTORS),
    ) == (state.N_REGIONS, state.N_CITIES, state.N_SECTORS)  # fmt: skip
