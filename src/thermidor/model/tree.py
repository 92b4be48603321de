"""The party apparatus as a tree of organs (M11, M13): Secretariat -> provinces -> districts -> cells.

Institutions do not scale: the organs are individuals at (roughly) historical numbers (record:
about 80 provincial committees, several hundred district committees, tens of thousands of cells).
Each organ has one secretary: elected from below or appointed from above, with the patron who
appointed him and the faction he follows. Members belong to cells. Arrays, shape ``(n_organs,)``;
organ 0 is the Central Committee and its Secretariat.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Population

N_PROVINCES = 80
DISTRICTS_PER_PROVINCE = 8
CELLS_PER_DISTRICT = 30
LENINGRAD, MOSCOW = 0, 1  # province indices
ROOT, PROVINCE, DISTRICT, CELL = 0, 1, 2, 3

FACTIONS = (
    "centre",  # the leadership, then the apparatus's own faction (Stalin's)
    "left_opposition",  # 1923-27, the United Opposition from 1926
    "right",  # Bukharin's, from 1928
    "leningrad_opposition",  # Zinoviev's Leningrad machine, 1925-26
    "workers_opposition",  # 1920-21
)
F = {name: i for i, name in enumerate(FACTIONS)}
OPPOSITIONS = (F["left_opposition"], F["leningrad_opposition"], F["workers_opposition"])


def province_shares() -> np.ndarray:
    """Members by province (record: Leningrad and Moscow were the largest organisations)."""
    s = np.full(N_PROVINCES, (1.0 - 0.08 - 0.12) / (N_PROVINCES - 2))
    s[LENINGRAD], s[MOSCOW] = 0.08, 0.12
    return s


def build_organs() -> Population:
    org = Population(
        "organs",
        {
            "level": np.int8,
            "parent": np.int32,
            "province": np.int16,
            "appointed": np.bool_,
            "patron": np.int32,  # the organ whose secretary appointed this one (-1: elected)
            "faction": np.int8,  # the faction the secretary follows
        },
        unit="secretaries",
    )
    n_d = N_PROVINCES * DISTRICTS_PER_PROVINCE
    n_c = n_d * CELLS_PER_DISTRICT
    first_d = 1 + N_PROVINCES
    level = np.concatenate([[ROOT], np.full(N_PROVINCES, PROVINCE), np.full(n_d, DISTRICT),
                            np.full(n_c, CELL)])  # fmt: skip
    prov_of_p = np.arange(N_PROVINCES)
    prov_of_d = np.repeat(prov_of_p, DISTRICTS_PER_PROVINCE)
    prov_of_c = np.repeat(prov_of_d, CELLS_PER_DISTRICT)
    parent = np.concatenate([
        [-1], np.zeros(N_PROVINCES, dtype=np.int64), 1 + prov_of_d,
        first_d + np.repeat(np.arange(n_d), CELLS_PER_DISTRICT),
    ])  # fmt: skip
    province = np.concatenate([[-1], prov_of_p, prov_of_d, prov_of_c])
    org.append(
        weight=np.ones(level.size, dtype=np.int64),
        level=level,
        parent=parent,
        province=province,
        appointed=False,
        patron=-1,
        faction=F["centre"],
    )
    return org


def first_cell() -> int:
    return 1 + N_PROVINCES + N_PROVINCES * DISTRICTS_PER_PROVINCE


def cells_for(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Cells (and their provinces) for ``n`` new member agents."""
    prov = rng.choice(N_PROVINCES, size=n, p=province_shares())
    k = rng.integers(0, DISTRICTS_PER_PROVINCE * CELLS_PER_DISTRICT, size=n)
    cell = first_cell() + prov * DISTRICTS_PER_PROVINCE * CELLS_PER_DISTRICT + k
    return cell.astype(np.int32), prov.astype(np.int16)


def in_factions(faction: np.ndarray, factions: tuple[int, ...] | list[int]) -> np.ndarray:
    """Boolean mask of the agents whose faction is one of ``factions`` (``np.isin``, faster)."""
    out = np.zeros(faction.shape, dtype=bool)
    for f in factions:
        out |= faction == f
    return out


def in_opposition(faction: np.ndarray) -> np.ndarray:
    """Boolean mask of members or secretaries in an opposition faction."""
    return in_factions(faction, OPPOSITIONS)
