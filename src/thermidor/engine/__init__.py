"""A generic vectorised agent-based engine.

It knows nothing of Russia: populations are structs of typed numpy arrays whose agents carry
integer weights (persons, households, members per agent); transfers move weight exactly between
populations and are written in a ledger; random streams are keyed by (seed, mechanism, step);
a calendar maps weekly steps to dates; a recorder keeps indicators and events.
"""

from thermidor.engine import memory
from thermidor.engine.calendar import Calendar
from thermidor.engine.ledger import Ledger
from thermidor.engine.population import Population, chunks, transfer
from thermidor.engine.recorder import Event, Recorder
from thermidor.engine.rng import Streams, member_seed
from thermidor.engine.simulation import Context, Mechanism, every, simulate

__all__ = [
    "Calendar",
    "Context",
    "Event",
    "Ledger",
    "Mechanism",
    "Population",
    "Recorder",
    "Streams",
    "chunks",
    "every",
    "member_seed",
    "memory",
    "simulate",
    "transfer",
]
