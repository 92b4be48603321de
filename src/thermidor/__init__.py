"""thermidor: an executable model of Chris Harman's *Russia: How the Revolution was Lost* (1967).

>>> import thermidor
>>> result = thermidor.run("baseline", seed=0)
>>> result.to_pandas()["working_class_vs_1917"]
"""

from thermidor.lab.simulate import simulate
from thermidor.model.errors import ScenarioError
from thermidor.model.result import Result, read
from thermidor.model.run import run
from thermidor.model.scenario import Scenario, load

__all__ = ["Result", "Scenario", "ScenarioError", "load", "read", "run", "simulate"]
