"""Compiled twins of the model's mechanisms, for the ``numba`` backend.

Each module mirrors one in ``model/mechanisms`` and registers, under the name its reference is
marked with (``@twin("industry.by_sector")``), a function with the reference's signature that
computes the same thing with the accelerator's kernels. A twin is tested equal to its reference
in distribution (tests/model/test_twins.py); the mechanisms never import this package, and
``thermidor.run(backend="numba")`` loads it.
"""

from thermidor.engine import accel  # noqa: F401  (registers the numba backend)
from thermidor.model.fast import (  # noqa: F401
    bureaucracy,
    consciousness,
    factions,
    grain,
    indicators,
    industry,
    inner_party,
    nep,
    peasants,
)
