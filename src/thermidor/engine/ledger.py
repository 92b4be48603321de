"""A ledger of named flows of persons between populations (and to or from outside the model).

Every change of a population's total weight goes through ``Ledger.flow``; the conservation check
then verifies that each population's total equals its start plus named inflows minus outflows.
"""

from __future__ import annotations

from collections import defaultdict

OUTSIDE = "outside"


class Ledger:
    def __init__(self) -> None:
        self.flows: dict[tuple[str, str, str], int] = defaultdict(int)
        self.initial: dict[str, int] = {}

    def open(self, population: str, total: int) -> None:
        self.initial[population] = int(total)

    def flow(self, cause: str, source: str, target: str, amount: int) -> None:
        """Record ``amount`` persons moving from ``source`` to ``target`` for ``cause``."""
        if amount < 0:
            raise ValueError(f"negative flow {amount} for {cause}")
        if amount:
            self.flows[(cause, source, target)] += int(amount)

    def expected(self, population: str) -> int:
        total = self.initial.get(population, 0)
        for (_, src, dst), amount in self.flows.items():
            if dst == population:
                total += amount
            if src == population:
                total -= amount
        return total

    def by_cause(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for (cause, _, _), amount in self.flows.items():
            out[cause] += amount
        return dict(out)
