"""The lab: ensembles of runs, comparisons, calibration and sensitivity, built on ``run``."""
