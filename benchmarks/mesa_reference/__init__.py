"""A Mesa 3 reference implementation of the fixed core (benchmarks/core_spec.py).

Laid out as Mesa's examples are: ``agents.py`` (one class per kind of agent) and ``model.py``
(the ``Model`` that schedules them in staged ``AgentSet.do`` calls and collects the outputs).
"""

from benchmarks.mesa_reference.model import CoreModel, run

__all__ = ["CoreModel", "run"]
