"""benchmarks/throughput.py measures both scales on two workers and names the machine."""

from __future__ import annotations

from benchmarks.throughput import measure

from thermidor.model.run import resolve_scales


def test_the_benchmark_times_both_scales_on_two_workers() -> None:
    out = measure(runs=2, workers=2, until="1917-05-01")
    assert out["machine"]["cpu"] and len(out["machine"]["load_average"]) == 3
    assert set(out["scales"]) == {"ensemble", "default"}
    for s in out["scales"].values():
        assert s["runs_per_hour"] > 0 and s["median_run_cpu_s"] > 0
    e, d = (
        out["scales"]["ensemble"]["persons_per_agent"],
        out["scales"]["default"]["persons_per_agent"],
    )
    assert e == resolve_scales("ensemble") and d == resolve_scales("default")
    assert out["ratio_cpu_per_run"] > 0
