"""Comparisons over N members for the dashboard: the lab's ``compare`` (common random numbers,
Wilson intervals, a paired bootstrap) run in the background, one at a time, its progress and
result kept by the comparison's id (a hash of what was asked, so the same question asked
twice is one comparison, and its runs are the store's, shared with ``thermidor compare``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from thermidor.lab.compare import compare
from thermidor.lab.executors import Serial, Stopped
from thermidor.lab.outcomes import CONSOLIDATION
from thermidor.lab.store import Store
from thermidor.lab.uncertainty import resolve
from thermidor.model.errors import ScenarioError
from thermidor.model.events import EVENT_KINDS
from thermidor.model.run import source_hash
from thermidor.web.requests import MAX_COMPARE, SCALE_MAX, SCALE_MIN, check_scenario

MAX_MEMBERS = 50
RESAMPLES = 1000


class MembersRequest(BaseModel):
    """Two or more shipped scenarios, each run with the same N member seeds."""

    model_config = ConfigDict(extra="forbid")

    scenarios: list[str] = Field(min_length=2, max_length=MAX_COMPARE)
    members: int = Field(10, ge=2, le=MAX_MEMBERS, description="seeds per scenario")
    root: int = Field(0, ge=0, le=2**63 - 1, description="the root seed of the members' seeds")
    scale: int | None = Field(None, ge=SCALE_MIN, le=SCALE_MAX)
    end: dt.date | None = None
    event: str = Field(CONSOLIDATION, description="the event whose probability is compared")
    uncertainty: Literal["seed", "prior", "posterior"] | None = Field(
        None,
        description="what varies between members: the seed, or also the calibrated parameters "
        "drawn from their ranges (prior) or the shipped posterior (none ships yet: the default "
        "is seed)",
    )

    def check(self) -> None:
        for i, s in enumerate(self.scenarios):
            check_scenario(s, f"scenarios.{i}")
        if self.event not in EVENT_KINDS:
            raise ScenarioError("event", self.event, "an event kind (docs/ODD.md)")
        resolve(self.uncertainty)  # a posterior none ships: refused before anything runs

    def ident(self) -> str:
        text = json.dumps([self.model_dump(mode="json"), source_hash()], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Entry:
    id: str
    request: MembersRequest
    status: str = "queued"  # queued, running, done, failed, cancelled
    done: int = 0
    total: int = 0
    stored: int = 0
    result: dict[str, Any] | None = None
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    cancel: threading.Event = field(default_factory=threading.Event)

    def summary(self) -> dict[str, Any]:
        r = self.request
        return {
            "id": self.id, "status": self.status, "done": self.done, "total": self.total,
            "already_stored": self.stored, "error": self.error or None,
            "request": r.model_dump(mode="json"), "url": f"/compare?members={self.id}",
            "result": self.result,
        }  # fmt: skip


class Comparisons:
    """At most ``capacity`` comparisons waiting, run one at a time in a background thread."""

    def __init__(self, store: Store, capacity: int = 2, keep: int = 32) -> None:
        self.store = store
        self.capacity = capacity
        self.keep = keep
        self._items: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thermidor-compare")

    def submit(self, req: MembersRequest) -> Entry:
        req.check()
        ident = req.ident()
        with self._lock:
            old = self._items.get(ident)
            if old is not None and old.status not in ("failed", "cancelled"):
                return old
            waiting = sum(e.status == "queued" for e in self._items.values())
            if waiting >= self.capacity:
                raise OverflowError(
                    f"the comparison queue is full ({waiting} waiting, at most {self.capacity})"
                )
            entry = self._items[ident] = Entry(ident, req)
            while len(self._items) > self.keep:
                self._items.popitem(last=False)
        self._pool.submit(self._run, entry)
        return entry

    def get(self, ident: str) -> Entry | None:
        with self._lock:
            return self._items.get(ident)

    def cancel(self, ident: str) -> Entry | None:
        """Cancel a queued or running comparison: a running one stops through its executor
        before its next run (the runs done stay in the store, for the next time it is asked).
        None where there is no such comparison or it has ended."""
        with self._lock:
            e = self._items.get(ident)
            if e is None or e.status not in ("queued", "running"):
                return None
            e.cancel.set()
            if e.status == "queued":
                e.status = "cancelled"
            return e

    def stop(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, e: Entry) -> None:
        r = e.request
        with self._lock:
            if e.cancel.is_set():  # cancelled while it waited
                return
            e.status = "running"

        def progress(done: int, total: int, stored: int) -> None:
            e.done, e.total, e.stored = done, total, stored

        try:
            out = compare(r.scenarios[0], r.scenarios[1:], seeds=r.members, root=r.root,
                          scale=r.scale, until=r.end, store=self.store, on_progress=progress,
                          executor=Serial(stop=e.cancel), uncertainty=r.uncertainty,
                          resamples=RESAMPLES, event=r.event)  # fmt: skip
            e.result = _finite(json.loads(json.dumps(dict(out), default=str)))
            e.status = "done"
        except Stopped:
            e.status = "cancelled"
        except Exception as err:  # shown to the person who asked, not raised in a thread
            e.error = f"{type(err).__name__}: {err}"
            e.status = "failed"


def _finite(x: Any) -> Any:
    """NaN and infinities as null: JSON has no such numbers."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return x
