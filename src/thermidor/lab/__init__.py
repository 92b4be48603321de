"""The lab: ensembles of runs, comparisons, calibration and sensitivity, built on ``run``.

``store`` (run directories + a DuckDB index), ``executors`` (this process, local processes,
Dask), ``ensemble`` (seeds, content keys, kill-safe ensembles, reruns), ``compare`` (paired
counterfactuals), ``simulate`` (the model as a function of its parameters), ``sensitivity``
(Morris, grouped Sobol), ``calibrate`` (ABC-SMC with pyabc), ``outcomes`` (scalar outcomes).
"""
