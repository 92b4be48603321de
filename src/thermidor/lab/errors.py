"""The lab's errors (defined in ``thermidor.errors``): ``LabError`` is bad input, ``StoreError``
a store that cannot be used as it is (not a ``ScenarioError``)."""

from thermidor.errors import LabError, OutputError, StoreError, portable

__all__ = ["LabError", "OutputError", "StoreError", "portable"]
