"""thermidor: an executable model of Chris Harman's *Russia: How the Revolution was Lost* (1967).

>>> import thermidor
>>> result = thermidor.run("baseline", seed=0)
>>> result.to_pandas()["working_class_vs_1917"]
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from thermidor.lab.simulate import simulate
from thermidor.model.errors import ScenarioError
from thermidor.model.result import Result, read
from thermidor.model.run import run
from thermidor.model.scenario import Scenario, load

try:
    __version__ = _version("thermidor")
except PackageNotFoundError:  # a source tree on sys.path, not installed
    __version__ = "0+unknown"

__all__ = ["Result", "Scenario", "ScenarioError", "__version__", "load", "read", "run", "simulate"]
