"""The Russia 1917-1929 system of Harman's essay, on the generic engine."""
