"""Run jobs: a bounded queue served by worker threads.

A job is a run that has been asked for and not yet stored. ``submit`` refuses a job when the
queue already holds ``capacity`` waiting jobs (the server answers 503), and returns the job
already queued or running under the same key (the same run asked for twice runs once). Workers
call ``execute(job)``, which reports progress on the job; a job is cancelled from its own
progress callback, so a run stops within one step.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from thermidor.model.scenario import Scenario

Status = Literal["queued", "running", "done", "failed", "cancelled"]
ACTIVE: tuple[Status, ...] = ("queued", "running")


class QueueFull(RuntimeError):
    """The queue holds as many waiting jobs as it may."""


class Cancelled(RuntimeError):
    """Raised inside a run (from its progress callback) to stop it."""


@dataclass
class Job:
    key: str
    label: str
    scenario: Scenario
    seed: int
    scale: int | None
    start: dt.date
    step_days: int
    status: Status = "queued"
    step: int = 0
    total: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def date_of(self, step: int) -> str:
        return (self.start + dt.timedelta(days=step * self.step_days)).isoformat()

    def summary(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "status": self.status,
            "step": self.step,
            "total": self.total,
            "date": self.date_of(max(self.step - 1, 0)) if self.step else None,
            "error": self.error or None,
            "seed": self.seed,
            "scale": self.scale,
            "start": self.start.isoformat(),  # with step_days and total: the run's whole span
            "step_days": self.step_days,
        }


class Jobs:
    """A queue of at most ``capacity`` waiting jobs, run by ``workers`` threads."""

    def __init__(
        self,
        execute: Callable[[Job], None],
        *,
        workers: int = 1,
        capacity: int = 4,
        keep: int = 200,
    ) -> None:
        if workers < 1 or capacity < 0:
            raise ValueError(f"workers must be >= 1 and capacity >= 0, got {workers}, {capacity}")
        self.execute = execute
        self.workers = workers
        self.capacity = capacity
        self.keep = keep
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    # -- the queue --------------------------------------------------------------------------
    def submit(self, job: Job) -> Job:
        with self._lock:
            old = self._jobs.get(job.key)
            if old is not None and old.status in ACTIVE:
                return old
            if self._stopping.is_set():
                raise QueueFull("the server is shutting down")
            waiting = sum(j.status == "queued" for j in self._jobs.values())
            if waiting >= self.capacity:
                raise QueueFull(
                    f"the run queue is full ({waiting} waiting, at most {self.capacity}); "
                    "try again when a run has finished"
                )
            self._jobs[job.key] = job
            self._jobs.move_to_end(job.key)
            self._forget()
        self._queue.put(job)
        return job

    def get(self, key: str) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def active(self) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs.values() if j.status in ACTIVE]

    def position(self, key: str) -> int:
        """How many queued jobs are ahead of this one (0 when it runs or is next)."""
        with self._lock:
            ahead = 0
            for j in self._jobs.values():
                if j.key == key:
                    return ahead
                if j.status == "queued":
                    ahead += 1
        return 0

    def cancel(self, key: str) -> bool:
        job = self.get(key)
        if job is None or job.status not in ACTIVE:
            return False
        job.cancel.set()
        return True

    def _forget(self) -> None:
        """Drop the oldest finished jobs beyond ``keep`` (their runs stay in the store)."""
        finished = [k for k, j in self._jobs.items() if j.status not in ACTIVE]
        for k in finished[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[k]

    # -- the workers ------------------------------------------------------------------------
    def start(self) -> None:
        self._stopping.clear()
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"thermidor-run-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 10.0) -> None:
        """Cancel every job and wait for the workers to finish their current step."""
        self._stopping.set()
        with self._lock:
            for j in self._jobs.values():
                if j.status in ACTIVE:
                    j.cancel.set()
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if job.cancel.is_set():
                self._finish(job, "cancelled")
                continue
            job.status = "running"
            job.started = time.time()
            try:
                self.execute(job)
            except Cancelled:
                self._finish(job, "cancelled")
            except Exception as e:  # a failed run is reported on its job; the server goes on
                job.error = f"{type(e).__name__}: {e}"
                self._finish(job, "failed")
            else:
                self._finish(job, "done")

    def _finish(self, job: Job, status: Status) -> None:
        job.finished = time.time()
        job.status = status
