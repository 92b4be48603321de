"""The model's error type for bad scenarios and parameters (defined in ``thermidor.errors``)."""

from thermidor.errors import OutputError, RunError, ScenarioError, ThermidorError

__all__ = ["OutputError", "RunError", "ScenarioError", "ThermidorError"]
