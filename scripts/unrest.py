"""Trace peasant unrest and the Kronstadt garrison's discontent (developer's aid)."""
import datetime as dt
import sys

import numpy as np

from thermidor.engine import Recorder, Streams, simulate
from thermidor.model.events import EVENTS
from thermidor.model.indicators import observe
from thermidor.model.mechanisms.kronstadt import garrison_discontent
from thermidor.model.mechanisms.peasants import burden
from thermidor.model.run import prepare
from thermidor.model.step import MECHANISMS

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0
sc, cal, w, p, scales = prepare("baseline", seed, None, dt.date(1921, 6, 1))
rec = Recorder(cal.n_steps, EVENTS)


def on_step(step, last, row):
    if (step % 8 == 0 and cal.date(step).year >= 1918) or (dt.date(1920,10,1) <= cal.date(step) <= dt.date(1921,5,1)):
        hh = w.households
        d, ps = garrison_discontent(w)
        print(cal.date(step), "unrest %.3f burden %.3f food %.2f threat %.2f disc %.3f peasant %.2f"
              " supp %.3f hungry %.3f" % (
                  row["peasant_unrest"], np.average(burden(w, p), weights=hh["weight"]),
                  w.signals["food"], w.signals["white_threat"], d, ps,
                  np.average(hh["support"], weights=hh["weight"]),
                  np.average(w.signals["rural_hungry"])))


simulate(w, p, MECHANISMS, observe, cal, Streams(seed), rec, on_step=on_step)
for e in rec.events:
    if e.kind in ("kronstadt_type_rising", "new_economic_policy"):
        print(cal.date(e.step), e.kind)
