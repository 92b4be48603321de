"""Coarse-scale run for calibration (totals are scale-free): prints chosen signals yearly."""
import sys
import datetime as dt

import numpy as np

from thermidor.engine import Recorder, Streams, simulate
from thermidor.model.events import EVENTS
from thermidor.model.indicators import observe
from thermidor.model.run import prepare
from thermidor.model.step import MECHANISMS

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0
keys = sys.argv[2].split(",") if len(sys.argv) > 2 else ["leaning:left_opposition", "crisis"]
coarse = {"households": 2000, "workers": 400, "soldiers": 800, "members": 40, "officials": 400}
sc, cal, w, p, scales = prepare("baseline", seed, coarse)
rec = Recorder(cal.n_steps, EVENTS)


def on_step(step, last, row):
    if step % 13 == 0 and cal.date(step).year >= 1920:
        vals = []
        for k in keys:
            v = row.get(k, w.signals.get(k, np.nan))
            vals.append(f"{k.split(':')[-1][:12]}={float(v):.3f}" if np.ndim(v) == 0 else k)
        print(cal.date(step), " ".join(vals))


simulate(w, p, MECHANISMS, observe, cal, Streams(seed), rec, on_step=on_step)
for e in rec.events:
    if cal.date(e.step).year >= 1921 and e.kind not in ("congress", "central_committee_elected", "vote"):
        print(cal.date(e.step), e.text)
