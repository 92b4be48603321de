"""The model's error type for bad scenarios and parameters (defined in ``thermidor.errors``)."""

from thermidor.errors import RunError, ScenarioError, ThermidorError

__all__ = ["RunError", "ScenarioError", "ThermidorError"]
