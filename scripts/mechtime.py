"""Time spent in each mechanism over one run (developer's aid; CPU time, not wall)."""
import time

from thermidor.engine import Recorder, Streams, simulate
from thermidor.model.events import EVENTS
from thermidor.model.indicators import observe
from thermidor.model.run import prepare
from thermidor.model.step import STEP

sc, cal, w, p, scales = prepare("baseline", 0, None)
spent = {}


def timed(name, fn):
    def inner(state, params, ctx):
        t = time.process_time()
        fn(state, params, ctx)
        spent[name] = spent.get(name, 0.0) + time.process_time() - t
    return inner


mechs = [timed(n, f) for n, f in STEP]
obs = timed("observe", observe)


def observe_timed(state, params, ctx):
    t = time.process_time()
    row = observe(state, params, ctx)
    spent["observe"] = spent.get("observe", 0.0) + time.process_time() - t
    return row


t0 = time.process_time()
simulate(w, p, mechs, observe_timed, cal, Streams(0), Recorder(cal.n_steps, EVENTS))
total = time.process_time() - t0
for k, v in sorted(spent.items(), key=lambda kv: -kv[1]):
    print(f"{k:28s} {v:6.2f}s {100 * v / total:5.1f}%")
print(f"total CPU {total:.1f}s; agents: workers {w.workers.n} members {w.members.n} "
      f"households {w.households.n} soldiers {w.soldiers.n} officials {w.officials.n}")
