"""A generic vectorised agent-based engine.

It knows nothing of Russia: populations are structs of typed numpy arrays whose agents carry
integer weights (persons, households, members per agent); transfers move weight exactly between
populations and are written in a ledger; random streams are keyed by (seed, mechanism, step);
a calendar maps weekly steps to dates; a recorder keeps indicators and events; the step loop
runs a table of named mechanisms, with hooks that watch it. Every operation is numpy's here; a
backend (``thermidor.engine.accel``) may compute them faster (:mod:`thermidor.engine.backend`).
"""

from thermidor.engine.backend import (
    NumpyOps,
    backends,
    current,
    ops,
    register_backend,
    register_twin,
    twin,
    twins,
    using,
)
from thermidor.engine.calendar import Calendar
from thermidor.engine.draws import bernoulli, binomial, gain, normal, thin
from thermidor.engine.ledger import Ledger
from thermidor.engine.population import Population, chunks, plurality, sum_by, transfer
from thermidor.engine.recorder import Event, Recorder
from thermidor.engine.rng import Streams
from thermidor.engine.simulation import Context, Hook, Mechanism, Step, Timing, every, run_steps

__all__ = [
    "Calendar",
    "Context",
    "Event",
    "Hook",
    "Ledger",
    "Mechanism",
    "NumpyOps",
    "Population",
    "Recorder",
    "Step",
    "Streams",
    "Timing",
    "backends",
    "bernoulli",
    "binomial",
    "chunks",
    "current",
    "every",
    "gain",
    "normal",
    "ops",
    "plurality",
    "register_backend",
    "register_twin",
    "run_steps",
    "sum_by",
    "thin",
    "transfer",
    "twin",
    "twins",
    "using",
]
