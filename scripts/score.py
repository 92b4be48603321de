"""Score N seeds against the targets (developer's aid; `thermidor targets` is the real command)."""
import sys
from concurrent.futures import ProcessPoolExecutor

import thermidor
from thermidor.model.targets import score

n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
with ProcessPoolExecutor(2) as ex:
    results = list(ex.map(thermidor.run, ["baseline"] * n, range(n)))
for row in score(results):
    if row["modelled"]:
        print(f'{row["id"]} {row["quantity"][:38]:38s} {str(row["simulated_median"])[:10]:>10s} '
              f'[{str(row["p10"])[:10]}, {str(row["p90"])[:10]}] target {row["target"]} '
              f'hit {row["hit_rate"]:.2f} {"PASS" if row["passed"] else "fail"}')
