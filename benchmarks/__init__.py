"""Benchmarks: the model's speed and memory, and a fixed core measured against a Mesa reference.

Not part of the package and not run by CI (``make bench`` runs them); see docs/benchmarks.md.
"""
