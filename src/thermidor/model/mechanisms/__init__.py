"""The mechanisms M1-M17 of ``design/MODEL.md``, one group per module.

Each is a function ``(world, params, ctx) -> None`` that reads and updates arrays; ``STEP`` is the
ordered list that makes one week.
"""
